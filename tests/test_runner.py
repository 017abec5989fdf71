import json

import numpy as np
import pandas as pd
import pytest

import albench
from albench.config import load_config, parse_config
from albench.runner import run_experiment
from albench.simulation import TIMING_COLUMNS
from albench.store import ResultStore, load_ceiling


def without_timings(df: pd.DataFrame) -> pd.DataFrame:
    return df.drop(columns=list(TIMING_COLUMNS))


def test_parallel_and_sequential_runs_are_identical(tiny_config, tmp_path):
    exp = load_config(tiny_config)
    s1 = run_experiment(exp, out=tmp_path / "seq", n_jobs=1)
    s2 = run_experiment(exp, out=tmp_path / "par", n_jobs=2)
    assert s1.ran == s2.ran == 12 and not s1.failed and not s2.failed
    a = albench.load_results(s1.results_dir)
    b = albench.load_results(s2.results_dir)
    assert len(a) == 12 * 4
    pd.testing.assert_frame_equal(without_timings(a), without_timings(b), check_exact=True)
    ca, cb = load_ceiling(s1.results_dir), load_ceiling(s2.results_dir)
    assert len(ca) == 2 * 1 * 2  # datasets x models x repetitions
    pd.testing.assert_frame_equal(ca.drop(columns=["fit_seconds"]), cb.drop(columns=["fit_seconds"]))


def test_resume_skips_stored_cells_and_reruns_only_missing_ones(tiny_config, tmp_path):
    exp = load_config(tiny_config)
    first = run_experiment(exp, out=tmp_path, n_jobs=1)
    store = ResultStore(first.results_dir)
    before = albench.load_results(first.results_dir)
    second = run_experiment(exp, out=tmp_path, n_jobs=1)
    assert (second.ran, second.skipped) == (0, 12)
    victim = sorted(store.stored_keys())[3]
    mtimes = {k: store.cell_path(k).stat().st_mtime_ns for k in store.stored_keys() if k != victim}
    store.cell_path(victim).unlink()
    seen = []
    third = run_experiment(exp, out=tmp_path, n_jobs=1, on_cell=lambda o: seen.append(o.key))
    assert (third.ran, third.skipped) == (1, 11) and seen == [victim]
    assert all(store.cell_path(k).stat().st_mtime_ns == t for k, t in mtimes.items())
    after = albench.load_results(first.results_dir)
    pd.testing.assert_frame_equal(without_timings(before), without_timings(after), check_exact=True)


def test_force_reruns_everything(tiny_config, tmp_path):
    exp = load_config(tiny_config)
    run_experiment(exp, out=tmp_path, n_jobs=1)
    again = run_experiment(exp, out=tmp_path, n_jobs=1, force=True)
    assert (again.ran, again.skipped) == (12, 0)


def test_crash_mid_run_leaves_complete_cells_and_resume_finishes(tiny_config, tmp_path):
    exp = load_config(tiny_config)
    done = []

    def crash_after_three(outcome):
        done.append(outcome.key)
        if len(done) == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_experiment(exp, out=tmp_path, n_jobs=1, on_cell=crash_after_three)
    store = ResultStore(tmp_path / "tiny")
    assert store.stored_keys() == set(done)
    assert not list(store.cells_dir.glob(".*tmp"))
    resumed = run_experiment(exp, out=tmp_path, n_jobs=1)
    assert (resumed.ran, resumed.skipped) == (9, 3)
    fresh = run_experiment(exp, out=tmp_path / "fresh", n_jobs=1)
    pd.testing.assert_frame_equal(
        without_timings(albench.load_results(resumed.results_dir)),
        without_timings(albench.load_results(fresh.results_dir)),
        check_exact=True,
    )


def test_atomic_write_leaves_nothing_on_failure(tmp_path, monkeypatch):
    import os

    store = ResultStore(tmp_path)
    df = pd.DataFrame({"a": [1, 2]})

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        store.write_cell("k1", df)
    assert not store.has("k1")
    assert list(store.cells_dir.iterdir()) == []


def test_failing_cell_is_stored_and_the_grid_goes_on(tmp_path):
    from albench.registry import STRATEGIES
    from albench.strategies.base import Strategy

    class FailsOnWine(Strategy):
        def query(self, ctx, batch_size, rng):
            if ctx.n_classes == 3 and ctx.X.shape[1] == 13:
                raise RuntimeError("wine is not my thing")
            return ctx.pool[:batch_size]

    STRATEGIES.add("fails_on_wine", FailsOnWine, description="test only", replace=True)
    exp = parse_config(
        {
            "repetitions": 1,
            "protocol": {"budget": 8, "batch_size": 4},
            "grid": {"datasets": ["iris", "wine"], "strategies": ["fails_on_wine", "random"]},
        }
    )
    summary = run_experiment(exp, out=tmp_path, n_jobs=1)
    assert summary.ran == 3 and len(summary.failed) == 1
    store = ResultStore(summary.results_dir)
    (failure,) = store.read_failures()
    assert "RuntimeError: wine is not my thing" in failure["traceback"]
    assert "wine / logistic_regression / fails_on_wine" in failure["cell"]
    assert len(albench.load_results(summary.results_dir)) == 3 * 3


def test_manifest_records_config_versions_and_machine(tiny_config, tmp_path):
    exp = load_config(tiny_config)
    summary = run_experiment(exp, out=tmp_path, n_jobs=1)
    manifest = json.loads((summary.results_dir / "manifest.json").read_text())
    assert manifest["format_version"] == 1 and manifest["experiment"] == "tiny"
    assert manifest["config"]["protocol"]["batch_size"] == 4
    assert len(manifest["cells"]) == 12 and len(manifest["ceiling"]) == 4
    assert {"numpy", "scikit-learn", "pandas", "albench"} <= set(manifest["versions"])
    assert manifest["machine"]["cpu_count"] >= 1 and manifest["machine"]["python"]
    assert manifest["datasets"]["iris"]["pool"] == 99
    assert parse_config(manifest["config"]).protocol == exp.protocol


def test_load_results_ignores_cells_of_an_earlier_config(tiny_config, tmp_path):
    exp = load_config(tiny_config)
    run_experiment(exp, out=tmp_path, n_jobs=1)
    smaller = parse_config({**exp.to_dict(), "repetitions": 1})
    summary = run_experiment(smaller, out=tmp_path, n_jobs=1)
    assert summary.ran == 0
    df = albench.load_results(summary.results_dir)
    assert set(df["repetition"]) == {0}
    assert set(albench.load_results(summary.results_dir, include_stale=True)["repetition"]) == {0, 1}


def test_bad_n_jobs_and_backend(tiny_config, tmp_path):
    from albench.errors import AlbenchInputError

    exp = load_config(tiny_config)
    with pytest.raises(AlbenchInputError, match="-j/--jobs = 0"):
        run_experiment(exp, out=tmp_path, n_jobs=0)
    with pytest.raises(AlbenchInputError, match="--backend = 'spark'"):
        run_experiment(exp, out=tmp_path, backend="spark")
    assert not (tmp_path / "tiny").exists()


def test_aubc_known_answer():
    from albench.analysis.aubc import aubc_trapezoid

    # curve 0.5 -> 0.7 over 10 labels, then 0.7 -> 0.9 over 30: area 6 + 24 = 30 over width 40
    assert aubc_trapezoid(np.array([10, 20, 50]), np.array([0.5, 0.7, 0.9])) == pytest.approx(0.75)


@pytest.mark.parametrize(
    ("backend", "module", "reason"),
    [
        ("dask", "dask.distributed", "dask[distributed] is not installed (the test extra installs it)"),
        ("ray", "ray", "ray is not installed (the test extra installs it)"),
    ],
)
def test_cluster_backends_give_the_same_rows_as_loky(
    tiny_config, tmp_path, monkeypatch, backend, module, reason
):
    """Same rows as loky; the local cluster listens on the loopback address only."""
    pytest.importorskip(module, reason=reason)
    addresses = []
    if backend == "dask":
        import dask.distributed

        class RecordingClient(dask.distributed.Client):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                info = self.scheduler_info()
                addresses.extend([info["address"], *info["workers"]])

        monkeypatch.setattr(dask.distributed, "Client", RecordingClient)
    exp = load_config(tiny_config)
    loky = run_experiment(exp, out=tmp_path / "loky", n_jobs=2)
    other = run_experiment(exp, out=tmp_path / backend, n_jobs=2, backend=backend)
    assert other.ran == 12 and not other.failed
    if backend == "ray":
        import ray

        addresses = [ray.get_runtime_context().gcs_address, *(n["NodeManagerAddress"] for n in ray.nodes())]
    assert len(addresses) >= 2, addresses
    assert all(a.removeprefix("tcp://").startswith("127.0.0.1") for a in addresses), addresses
    pd.testing.assert_frame_equal(
        without_timings(albench.load_results(loky.results_dir)),
        without_timings(albench.load_results(other.results_dir)),
        check_exact=True,
    )


def test_workers_limit_blas_threads(monkeypatch):
    from threadpoolctl import threadpool_info

    import albench.runner as runner

    seen = {}

    def fake_run_cell(cell):
        seen["limits"] = {pool["user_api"]: pool["num_threads"] for pool in threadpool_info()}
        return pd.DataFrame({"x": [1]})

    monkeypatch.setattr(runner, "run_cell", fake_run_cell)
    exp = parse_config({"repetitions": 1, "protocol": {"budget": 4}, "grid": {"datasets": ["iris"]}})
    from albench.grid import expand_grid

    outcome = runner._run_one(expand_grid(exp)[0], (), blas_threads=1)
    assert outcome.error is None
    assert seen["limits"] and all(n == 1 for n in seen["limits"].values())
