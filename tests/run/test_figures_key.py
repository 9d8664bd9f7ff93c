"""experiment.figures: false leaves a run without figures and changes none of its numbers."""

import json

import pytest

import toyexp

TINY = ["training.num_epochs=20", "training.eval_interval=10", "training.save_interval=20", "network.hidden_dim=16",
        "dataset.num_train=12", "dataset.num_eval=64", "evaluation.num_eval_steps=4"]


@pytest.mark.training
def test_a_run_without_figures_draws_none_and_records_the_same_numbers(tmp_path):
    records = {}
    for figures in (True, False):
        out = tmp_path / str(figures)
        cfg = toyexp.load_config("recon", mode="flow", seed=3,
                                 overrides=[*TINY, f"experiment.output_dir={out}", f"experiment.figures={figures}"])
        toyexp.run_all(cfg)
        run_dir = out / "flow" / "seed-3"
        plots = sorted(p.name for p in (run_dir / "plots").glob("*.png")) if (run_dir / "plots").exists() else []
        assert (len(plots) > 0) == figures, plots
        records[figures] = json.loads((run_dir / "metrics.json").read_text())
    assert records[False]["config"]["experiment"]["figures"] is False
    assert records[False]["final"] == records[True]["final"] and records[False]["evaluations"] == records[True]["evaluations"]
