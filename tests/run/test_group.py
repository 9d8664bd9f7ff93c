"""A group (toyexp.run.group): the seeds of one variant trained together, each into its own run
folder, give exactly the lone runs of those seeds; a diverging seed fails alone; bad seeds are
refused before any run starts."""

import numpy as np
import pytest
import torch

import toyexp
from toyexp.run.group import GroupFailed, evaluate_group, finish_group, fit_group, start_group
from toyexp.run.record import read_record

SEEDS = [1, 2, 3]


def overrides(tmp_path, mode, arch, folder):
    return [f"experiment.mode={mode}", f"network.architecture={arch}", "training.num_epochs=12", "network.hidden_dim=128",
            "network.num_layers=2", "experiment.figures=false", "training.eval_interval=4", "training.save_interval=6",
            "dataset.num_train=20", "dataset.num_eval=200", f"experiment.output_dir={tmp_path / folder}"]


def run_group(cfg, seeds):
    members = start_group(cfg, seeds)
    trained = fit_group(members, progress=False)
    return finish_group(members, trained, evaluate_group(members, trained))


@pytest.mark.parametrize("task, mode, arch", [("recon", "flow", "concat"), ("projection", "regression", "film"),
                                              ("lie", "mip", "concat")])
def test_a_group_of_three_gives_three_lone_runs_bit_for_bit(tmp_path, task, mode, arch):
    """Every file a run writes that holds numbers: predictions, checkpoints and metrics.json's results."""
    lone = {s: toyexp.run_all(toyexp.load_config(task, seed=s, overrides=overrides(tmp_path, mode, arch, "lone")))
            for s in SEEDS}
    records = run_group(toyexp.load_config(task, overrides=overrides(tmp_path, mode, arch, "group")), SEEDS)
    assert [r.seed for r in records] == SEEDS
    for record in records:
        alone = lone[record.seed]
        assert (record.final, record.best, record.evaluations) == (alone.final, alone.best, alone.evaluations)
        assert record.training.eval_l2 == alone.training.eval_l2
        a, b = (tmp_path / f / mode / f"seed-{record.seed}" for f in ("lone", "group"))
        pa, pb = np.load(a / "predictions.npz"), np.load(b / "predictions.npz")
        assert all(np.array_equal(pa[k], pb[k]) for k in pa.files)
        for name in ("checkpoint_6.pt", "checkpoint_12.pt", "best_model.pt", "final_model.pt"):
            ca, cb = (torch.load(d / "checkpoints" / name, weights_only=True) for d in (a, b))
            assert ca["epoch"] == cb["epoch"] and all(torch.equal(ca["model"][k], cb["model"][k]) for k in ca["model"])
        assert read_record(b / "metrics.json").config.experiment.seed == record.seed


def test_a_diverging_seed_fails_alone(tmp_path, monkeypatch):
    """Seed 2's training data made infinite: its run stops with TrainingDiverged in its train.log
    and writes no metrics.json; seeds 1 and 3 finish as their lone runs; the group raises naming seed 2."""
    cfg = toyexp.load_config("recon", overrides=overrides(tmp_path, "regression", "concat", "group"))
    lone = {s: toyexp.run_all(toyexp.load_config("recon", seed=s, overrides=overrides(tmp_path, "regression", "concat", "lone")))
            for s in (1, 3)}
    members = start_group(cfg, SEEDS)
    members[1].ctx.data.x_train[0] = float("inf")
    trained = fit_group(members, progress=False)
    with pytest.raises(GroupFailed, match=r"^seed 2: training diverged at epoch 1: train_loss is (nan|inf)"):
        finish_group(members, trained, evaluate_group(members, trained))
    folder = tmp_path / "group" / "regression"
    assert not (folder / "seed-2" / "metrics.json").exists()
    assert "training diverged at epoch 1" in (folder / "seed-2" / "train.log").read_text()
    for seed in (1, 3):
        assert read_record(folder / f"seed-{seed}" / "metrics.json").final == lone[seed].final


@pytest.mark.parametrize("seeds", [[], [1, 1], [1, "2"], "1,2", [True]])
def test_bad_seeds_are_refused_before_any_run_starts(tmp_path, seeds):
    cfg = toyexp.load_config("recon", overrides=overrides(tmp_path, "regression", "concat", "group"))
    with pytest.raises(toyexp.ConfigError, match=r"^seeds .* is invalid; valid: a non-empty list of distinct integers"):
        start_group(cfg, seeds)
    assert not (tmp_path / "group").exists()
