"""Nothing is replaced silently: a finished run of another config is moved aside, beside the folder
its successor takes, and a rerun of the same config replaces its own run (toyexp.run.files.set_aside,
called by a run's start and by a sweep before it writes a run's parameters)."""

import json

import pytest

import toyexp
from toyexp.run.files import set_aside

CONFIG = {"training": {"learning_rate": 0.001, "num_epochs": 20}, "dataset": {"num_eval": [1, 2]}}


def finished(folder, config):
    folder.mkdir(parents=True)
    (folder / "metrics.json").write_text(json.dumps({"config": config, "final": {"l2": 0.5}}))
    return folder


def test_a_run_of_another_config_moves_aside_with_what_changed(tmp_path):
    run = finished(tmp_path / "seed-1", CONFIG)
    newer = {**CONFIG, "training": {"learning_rate": 0.0005, "num_epochs": 20}}
    assert set_aside(run, newer) == (tmp_path / "seed-1.previous-1", "training.learning_rate 0.001 → 0.0005")
    assert not run.exists() and json.loads((tmp_path / "seed-1.previous-1" / "metrics.json").read_text())["config"] == CONFIG
    finished(run, newer)
    third = {**CONFIG, "training": {"learning_rate": 0.01, "num_epochs": 40}}
    assert set_aside(run, third) == (tmp_path / "seed-1.previous-2",
                                     "training.learning_rate 0.0005 → 0.01 (and 1 more key)")


def test_the_same_config_and_an_unfinished_run_stay(tmp_path):
    run = finished(tmp_path / "seed-1", CONFIG)
    assert set_aside(run, {**CONFIG, "dataset": {"num_eval": (1, 2)}}) is None  # tuples as the config holds them
    assert (run / "metrics.json").is_file()
    unfinished = tmp_path / "seed-2"
    unfinished.mkdir()
    (unfinished / "config.yaml").write_text("experiment: {}\n")
    assert set_aside(unfinished, CONFIG) is None and set_aside(tmp_path / "none", CONFIG) is None
    (unfinished / "metrics.json").write_text("{torn")
    assert set_aside(unfinished, CONFIG) is None and unfinished.is_dir()


@pytest.mark.training
def test_a_second_run_by_hand_with_another_learning_rate_keeps_the_first(tmp_path):
    """Guards issue 25: the second run of a notebook with another learning rate replaced the first
    run's folder without a word. Now the first is kept beside it and train.log says where."""
    tiny = ["training.num_epochs=4", "training.eval_interval=2", "training.save_interval=4", "network.hidden_dim=8",
            "network.num_layers=1", "dataset.num_eval=20", f"experiment.output_dir={tmp_path}", "experiment.figures=false"]
    first = toyexp.run_all(toyexp.load_config("recon", seed=3, overrides=[*tiny, "training.learning_rate=0.001"]))
    second = toyexp.run_all(toyexp.load_config("recon", seed=3, overrides=[*tiny, "training.learning_rate=0.0005"]))
    kept = tmp_path / "regression" / "seed-3.previous-1"
    recorded = json.loads((kept / "metrics.json").read_text())
    assert recorded["config"]["training"]["learning_rate"] == 0.001 and recorded["final"]["l2"] == first.final.l2
    log = (tmp_path / "regression" / "seed-3" / "train.log").read_text()
    assert "held a finished run of another config (training.learning_rate 0.001 → 0.0005): moved it to " in log
    assert str(kept) in log and second.config.training.learning_rate == 0.0005
