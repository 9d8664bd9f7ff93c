"""Determinism across kernels: a run by hand with papermill equals the same run inside a sweep."""

import json

import papermill
import pytest
import yaml

from toyexp.cli import main
from toyexp.study.execution.execute import SINGLE_THREAD
from toyexp.run.files import PROJECT_ROOT

TINY = ["training.num_epochs=30", "training.eval_interval=10", "training.save_interval=30", "network.hidden_dim=16",
        "network.num_layers=2", "dataset.num_eval=100", "evaluation.num_eval_steps=[1, 4]",
        "evaluation.integration_method=[euler, rk4]"]


@pytest.mark.slow
def test_a_run_by_hand_equals_the_same_run_inside_a_sweep(tmp_path, capsys, monkeypatch):
    """Guards: same parameters, same seed, same torch and thread count on the CPU give bit-identical
    `final` metrics, whether the run is one of three in a 2-job sweep (its own kernel, next to
    others) or executed by hand with papermill from the params.yaml the sweep wrote. Fails if a
    run picked up state from its neighbours, the sweep's environment, or an unseeded source."""
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(yaml.safe_dump({
        "tasks": ["recon"], "seeds": [7],
        "variants": {"flow": ["experiment.mode=flow"], "regression": ["experiment.mode=regression"],
                     "mip": ["experiment.mode=mip"]},
        "overrides": TINY, "results_dir": str(tmp_path / "results"), "book_dir": str(tmp_path / "book"),
    }))
    assert main(["sweep", str(sweep), "--jobs", "2", "--no-analysis"]) == 0, capsys.readouterr()
    run_dir = tmp_path / "results" / "recon" / "flow" / "seed-7"
    in_sweep = json.loads((run_dir / "metrics.json").read_text())
    (run_dir / "metrics.json").unlink()

    parameters = yaml.safe_load((run_dir / "params.yaml").read_text())
    for name in SINGLE_THREAD:  # by hand: a kernel without the sweep's thread variables (the config sets threads)
        monkeypatch.delenv(name, raising=False)
    papermill.execute_notebook(
        str(PROJECT_ROOT / "notebooks" / "recon.ipynb"), str(tmp_path / "by-hand.ipynb"), parameters=parameters,
        kernel_name="python3", cwd=str(PROJECT_ROOT), progress_bar=False,
    )
    by_hand = json.loads((run_dir / "metrics.json").read_text())
    assert by_hand["config"] == in_sweep["config"] and by_hand["seed"] == 7
    assert by_hand["final"] == in_sweep["final"]  # bit-identical floats, not approximately equal
    assert by_hand["evaluations"] == in_sweep["evaluations"]
