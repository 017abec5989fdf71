"""--gpus-per-cell: Ray reserves GPUs for each cell; a cluster without GPUs runs the cells on the CPU."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
from cli_helpers import run_cli

from albench.errors import AlbenchInputError
from albench.runner import ray_gpu_request, run_experiment

if not os.environ.get("CI"):
    pytest.importorskip("ray", reason="ray is not installed (the test extra installs it)")


def test_gpu_request_and_cpu_fallback():
    notes = []
    assert ray_gpu_request(None, 4, notes.append) == {}
    assert ray_gpu_request(0.5, 4, notes.append) == {"num_gpus": 0.5}
    assert ray_gpu_request(1, 0, notes.append) == {} and "has no GPU; cells run on the CPU" in notes[0]


def test_each_cell_task_gets_the_gpu_ray_reserved(tmp_path):
    """On a Ray node declaring one GPU, the cells' tasks see it (Ray's CUDA_VISIBLE_DEVICES)."""
    script = textwrap.dedent(
        """
        import os
        import joblib, ray
        from albench.runner import _backend_context

        ray.init(num_cpus=2, num_gpus=1, _node_ip_address="127.0.0.1", include_dashboard=False)
        ctx, _ = _backend_context("ray", 2, 0.5, print)

        def where(i):
            return os.environ.get("CUDA_VISIBLE_DEVICES"), list(ray.get_gpu_ids())

        with ctx:
            seen = joblib.Parallel()(joblib.delayed(where)(i) for i in range(4))
        print("SEEN", sorted(set((d, tuple(g)) for d, g in seen)))
        """
    )
    env = {**os.environ, "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0"}
    env.pop("ALBENCH_RAY_ADDRESS", None)
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    seen = [line for line in proc.stdout.splitlines() if line.startswith("SEEN ")]  # Ray logs to stdout too
    assert seen == ["SEEN [('0', (0,))]"], proc.stdout


def test_gpus_per_cell_needs_ray_and_a_positive_number(tiny_config):
    from albench.config import load_config

    exp = load_config(tiny_config)
    with pytest.raises(AlbenchInputError, match="--gpus-per-cell needs --backend ray"):
        run_experiment(exp, n_jobs=2, gpus_per_cell=1)
    with pytest.raises(AlbenchInputError, match="--gpus-per-cell = 0: must be a number > 0"):
        run_experiment(exp, n_jobs=2, backend="ray", gpus_per_cell=0)


def test_cli_local_ray_without_gpus_runs_cells_on_the_cpu(tiny_config, tmp_path):
    proc = run_cli(
        "run", str(tiny_config), "--backend", "ray", "-j", "2", "--gpus-per-cell", "1",
        "--out", str(tmp_path / "out"), "--no-progress", timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "the Ray cluster has no GPU; cells run on the CPU" in proc.stdout + proc.stderr
    assert "ran 12 cell(s), skipped 0, failed 0 of 12" in proc.stdout + proc.stderr
