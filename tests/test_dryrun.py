"""``albench run --dry-run`` and the results folder of config-less runs."""

from __future__ import annotations

from cli_helpers import run_cli

from albench.config import parse_config
from albench.dryrun import axes_name, plan_run
from albench.grid import check_feasible, expand_grid
from albench.runner import run_experiment


def test_dry_run_counts_cells_and_stored_ones_and_writes_nothing(tiny_config, tmp_path):
    out = tmp_path / "res"
    proc = run_cli("run", str(tiny_config), "--dry-run", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    # TINY_TOML: 2 datasets x 1 model x 3 strategies x 1 labeler x 2 repetitions
    assert "2 datasets x 1 models x 3 strategies x 1 labelers x 2 repetitions = 12 cell(s)" in proc.stdout
    assert "already stored: 0 of 12" in proc.stdout
    assert not out.exists()
    ran = run_cli("run", str(tiny_config), "--out", str(out), "--no-progress", "--strategies", "random")
    assert ran.returncode == 0, ran.stderr
    proc = run_cli("run", str(tiny_config), "--dry-run", "--out", str(out))
    assert "already stored: 4 of 12" in proc.stdout, proc.stdout
    assert "to run: 8 cell(s)" in proc.stdout


def test_dry_run_rejects_bad_input_like_run(tiny_config, tmp_path):
    proc = run_cli("run", str(tiny_config), "--dry-run", "--strategies", "nope", "--out", str(tmp_path / "r"))
    assert proc.returncode == 2 and "nope" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_plan_counts_fits_from_rounds(tmp_path):
    raw = {
        "name": "p",
        "repetitions": 2,
        "protocol": {"initial_size": 6, "batch_size": 5, "budget": 20},
        "grid": {"datasets": ["iris"], "models": ["gaussian_nb"], "strategies": ["random", "margin"]},
    }
    exp = parse_config(raw)
    info = check_feasible(exp)
    plan = plan_run(exp, info, tmp_path)
    rounds = 20 // 5 + 1  # round 0 plus one per batch
    assert info["iris"]["rounds"] == rounds
    assert plan.total == 4 and plan.stored == 0 and plan.fits == 4 * rounds and plan.seconds > 0
    run_experiment(exp, out=tmp_path, n_jobs=1)
    again = plan_run(exp, info, tmp_path)
    assert again.stored == len(expand_grid(exp)) and again.fits == 0 and again.seconds == 0


def test_axes_name():
    assert axes_name(["iris", "wine"], None, ["margin"]) == "iris_wine-margin"
    assert axes_name(["iris"], None, None, ["noisy"], None, ["class_weight"]) == "iris-noisy-class_weight"
    odd = axes_name(["openml:61"], None, None)
    assert odd.startswith("openml_61-") and len(odd) == len("openml_61-") + 8
    long = axes_name([f"dataset_{i}" for i in range(20)], None, None)
    assert len(long) <= 60 and long != axes_name([f"dataset_{i}" for i in range(21)], None, None)


def test_config_less_run_with_axes_gets_its_own_folder(tmp_path):
    proc = run_cli(
        "run",
        "--datasets",
        "iris",
        "--models",
        "gaussian_nb",
        "--strategies",
        "random",
        "--reps",
        "1",
        "--out",
        str(tmp_path),
        "--no-progress",
    )
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "iris-gaussian_nb-random" / "manifest.json").is_file()
    assert not (tmp_path / "quick").exists()


def test_config_less_run_over_labelers_and_updates(tmp_path):
    proc = run_cli(
        "run",
        "--datasets",
        "iris",
        "--models",
        "sgd_classifier",
        "--strategies",
        "margin",
        "--labelers",
        "oracle,noisy",
        "--updates",
        "refit,incremental",
        "--reps",
        "1",
        "--out",
        str(tmp_path),
        "--no-progress",
    )
    assert proc.returncode == 0, proc.stderr
    results = tmp_path / "iris-sgd_classifier-margin-oracle_noisy-refit_incremental"
    import albench

    rows = albench.load_results(results)
    assert set(rows["labeler"]) == {"oracle", "noisy"} and set(rows["update"]) == {"refit", "incremental"}
    bad = run_cli("run", "--datasets", "iris", "--labelers", "bogus", "--out", str(tmp_path), "--dry-run")
    assert bad.returncode == 2 and "grid.labelers[0] = 'bogus': unknown labeler" in bad.stderr
