"""The mechanism block on real tiny runs: which runs it measures, that it rebuilds each run's model
and starts exactly (its 16-step Euler prediction is the run's own stored one), and that a missing
checkpoint is said in a line, not raised."""

import pytest

import toyexp
from toyexp.core.metrics import l2_error
from toyexp.run.steps import run_all
from toyexp.study.analysis import mechanism, views
from toyexp.study.analysis.collect import collect
from toyexp.study.analysis.grid import SAMPLES

TINY = ["training.num_steps=30", "network.hidden_dim=8", "network.num_layers=1", "dataset.num_eval=64",
        "evaluation.num_eval_steps=16", "evaluation.integration_method=euler"]
VARIANTS = {"flow": "zeros", "flow-gaussian": "gaussian", "regression": None}


def test_the_slice_is_the_highest_bandwidth_without_noise():
    points = [{SAMPLES: n, "dataset.max_frequency": f, "dataset.noise_std": s, "training.learning_rate": lr}
              for n in (4, 10) for f in (1, 4) for s in (0.0, 0.2) for lr in (0.01, 0.001)]
    assert mechanism.the_slice(points) == {"dataset.max_frequency": 4, "dataset.noise_std": 0.0,
                                           "training.learning_rate": 0.01}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """recon over N in (5, 9) x max_frequency in (1, 2), one seed, from zeros and from a Gaussian, and regression."""
    root = tmp_path_factory.mktemp("mechanism")
    for variant, dist in VARIANTS.items():
        for n in (5, 9):
            for f in (1, 2):
                mode = ["experiment.mode=regression"] if dist is None else [
                    "experiment.mode=flow", f"training.initial_dist={dist}", f"evaluation.initial_dist={dist}"]
                cfg = toyexp.load_config("recon", seed=3, overrides=[
                    *TINY, *mode, f"dataset.num_train={n}", f"dataset.max_frequency={f}",
                    f"experiment.variant={variant}", f"experiment.output_dir={root}/{variant}/n{n}-f{f}",
                    f'experiment.grid_point={{"{SAMPLES}": {n}, "dataset.max_frequency": {f}}}'])
                run_all(cfg, figures=False)
    return collect(root)


@pytest.mark.training
def test_every_flow_variant_is_measured_at_every_n_of_the_slice(runs):
    study = mechanism.mechanism_study(runs, "recon")
    assert study.slice == {"dataset.max_frequency": 2}
    assert study.variants == ["flow", "flow-gaussian"]  # from zeros first; regression is no flow
    assert [(m.variant, m.initial_dist, m.num_train) for m in study.measured] == [
        ("flow", "zeros", 5), ("flow", "zeros", 9), ("flow-gaussian", "gaussian", 5), ("flow-gaussian", "gaussian", 9)]
    assert study.missing == ()


@pytest.mark.training
def test_the_rebuilt_model_and_starts_give_the_runs_own_prediction(runs):
    """Guards the checkpoint, the network's config and the evaluation's x_0 (a Gaussian draw of the
    run's seed): the 16-step Euler l2 on every k-th grid point equals the l2 of the run's stored
    prediction on those points."""
    for run in runs.select("recon"):
        if run.record.mode != "flow" or run.record.grid_point["dataset.max_frequency"] != 2:
            continue
        pred = run.predictions
        every = max(1, -(-len(pred.c_grid) // mechanism.NUM_INPUTS))
        stored = l2_error(*(torch_of(a[::every]) for a in (pred.pred_grid, pred.x_grid)))
        measured = mechanism.measure_run(run)
        assert measured.result.endpoint(16).l2 == pytest.approx(stored, rel=1e-5)
        assert measured.seed == 3 and measured.train_l2 > 0


def torch_of(a):
    import torch

    return torch.as_tensor(a, dtype=torch.float32)


@pytest.mark.training
def test_a_missing_checkpoint_is_listed_and_none_left_is_said_in_a_line(runs, monkeypatch):
    flows = [r for r in runs.select("recon", "flow") if r.record.grid_point["dataset.max_frequency"] == 2]
    moved = []
    for r in flows:
        path = r.folder / mechanism.CHECKPOINT
        path.rename(path.with_suffix(".moved"))
        moved.append(path)
    try:
        study = mechanism.mechanism_study(runs, "recon")
        assert sorted(study.missing) == sorted(r.folder for r in flows)
        assert study.variants == ["flow-gaussian"]
        said = []
        monkeypatch.setattr(views, "_md", said.append)
        monkeypatch.setattr(views, "_show", lambda figs: None)
        views.mechanism_block(runs, "recon")
        assert said[-1].startswith("No run of the variant from x_0 = 0 in this slice had its final checkpoint")
    finally:
        for path in moved:
            path.with_suffix(".moved").rename(path)


@pytest.mark.training
def test_the_block_says_what_it_measured(runs, monkeypatch):
    said = []
    monkeypatch.setattr(views, "_md", said.append)
    monkeypatch.setattr(views, "_show", lambda figs: None)
    views.mechanism_block(runs, "recon")
    assert said[0].startswith("### Mechanism")
    assert "`dataset.max_frequency` = 2 (the highest bandwidth" in said[1] and "at every N, 1 seed each" in said[1]
    study = mechanism.mechanism_study(runs, "recon")
    for m in study.of("flow"):  # the numbers of the sentence are the study's
        l2 = m.seeds[0].result.endpoint(16).l2
        assert f"N = {m.num_train}: {l2:.2f} after 16 steps" in said[1]


def test_no_block_without_a_flow_from_zeros(write_run, tmp_path, monkeypatch):
    for seed in (1, 2):
        write_run(tmp_path, "recon", "regression", "regression", seed, {"l1": 0.1, "l2": 0.1}, grid_point={SAMPLES: 5})
    said = []
    monkeypatch.setattr(views, "_md", said.append)
    views.mechanism_block(collect(tmp_path), "recon")
    assert said == [] and mechanism.mechanism_study(collect(tmp_path), "recon") is None
