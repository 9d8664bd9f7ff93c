"""Training that goes non-finite stops at once with TrainingDiverged, and leaves an incomplete run."""

import logging
import math
import re

import pytest
import torch
import yaml

import toyexp
from toyexp.study.collect import collect
from toyexp.core.modes import Mode, regression_loss, regression_predict
from toyexp.core.train import TrainingDiverged, train
from notebook_chain import close_log

HUGE_LR = ["training.learning_rate=1000000.0", "training.num_epochs=200"]


class NaNAfter:
    """regression_loss for the first ``calls`` calls, then NaN; remembers every finite value it returned."""

    def __init__(self, calls):
        self.calls, self.returned = calls, []

    def __call__(self, model, c, x_0, x_1, t, ell):
        loss = regression_loss(model, c, x_0, x_1, t, ell)
        if len(self.returned) >= self.calls:
            return loss * float("nan")
        self.returned.append(loss.item())
        return loss


def train_with(loss, overrides, eval_l2=lambda: 1.0, n=8):
    cfg = toyexp.load_config(overrides=["training.batch_size=4", "training.num_epochs=10", "training.log_interval=1",
                                        "training.eval_interval=1", *overrides])
    torch.manual_seed(0)
    model = toyexp.build_network(cfg.network, 1)
    c = torch.linspace(0, 1, n)[:, None]
    mode = Mode("nan_after", loss, regression_predict, integrates=False)
    log = logging.getLogger("toyexp.test.divergence")
    return train(model, mode, c, torch.sin(c), cfg.training, torch.Generator().manual_seed(0), eval_l2, log, progress=False)


def test_nan_in_epoch_three_stops_there_naming_the_last_finite_epoch(caplog):
    """Guards: the epoch named is the first non-finite one, the last finite loss is epoch 2's mean, and it is logged."""
    loss = NaNAfter(calls=5)  # 2 minibatches of 4 per epoch: call 6 is the second batch of epoch 3
    with caplog.at_level(logging.ERROR, logger="toyexp.test.divergence"):
        with pytest.raises(TrainingDiverged) as info:
            train_with(loss, ["training.learning_rate=0.003"])
    err = info.value
    assert len(loss.returned) == 5  # nothing ran after the epoch that diverged
    epoch_2 = (loss.returned[2] + loss.returned[3]) / 2  # equal batches of 4: the epoch mean
    assert (err.epoch, err.quantity) == (3, "train_loss") and math.isnan(err.value)
    assert err.last_finite == (2, pytest.approx(epoch_2, rel=1e-6))
    message = str(err)
    assert "\n" not in message
    assert message.startswith("training diverged at epoch 3: train_loss is nan;")
    assert f"last finite train_loss {epoch_2:.6g} at epoch 2" in message
    assert "training.learning_rate (now 0.003)" in message
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR] == [message]


def test_nan_in_the_first_epoch_says_no_epoch_was_finite():
    """Guards: a divergence in epoch 1 does not invent a last finite loss."""
    with pytest.raises(TrainingDiverged, match=r"at epoch 1: train_loss is nan; no earlier epoch had a finite train_loss; "
                                               r"try a smaller training.learning_rate \(now 0.5\)") as info:
        train_with(NaNAfter(calls=1), ["training.learning_rate=0.5"])
    assert info.value.last_finite is None


def test_non_finite_eval_l2_stops_training():
    """Guards: a model broken by an epoch's last step (finite loss, NaN prediction) stops at that evaluation."""
    evals = iter([0.5, 0.4, float("inf")])
    loss = NaNAfter(calls=10**6)
    with pytest.raises(TrainingDiverged, match=r"at epoch 3: eval_l2 is inf; last finite train_loss \S+ at epoch 3;"):
        train_with(loss, [], eval_l2=lambda: next(evals))
    assert len(loss.returned) == 6  # three epochs of two minibatches, then nothing


def test_finite_training_is_untouched():
    """Guards: the checks never fire on a healthy run and do not change its losses."""
    result = train_with(NaNAfter(calls=10**6), [])
    assert result.history.epochs == list(range(1, 11)) and all(math.isfinite(v) for v in result.history.train_loss)


def test_huge_learning_rate_through_the_run_steps(tmp_path):
    """Guards the issue's reproduction: the run stops with the hint, keeps train.log, writes no metrics.json,
    and the analysis lists the folder as incomplete."""
    results = tmp_path / "results"
    cfg = toyexp.load_config("recon", quick=True, mode="regression",
                             overrides=[*HUGE_LR, "training.save_interval=1", f"experiment.output_dir={results}/recon/lr"])
    run = toyexp.start_run(cfg)
    (run.dir / "metrics.json").write_text("{}")  # a stale result from an earlier run in the same folder
    run = toyexp.start_run(cfg)
    try:
        data = toyexp.make_dataset(cfg)
        model = toyexp.build_network(cfg.network, data.dim).to(run.device)
        with pytest.raises(toyexp.TrainingDiverged) as info:
            toyexp.fit(run, data, model, progress=False)
    finally:
        close_log(run)
    message = str(info.value)
    match = re.fullmatch(r"training diverged at epoch (\d+): train_loss is (nan|inf); (.*); "
                         r"try a smaller training\.learning_rate \(now 1000000\.0\)", message)
    assert match, message
    epoch = int(match.group(1))
    assert epoch < 200
    # it stopped at once: a checkpoint every epoch, but none from the diverged epoch on
    saved = sorted(int(p.stem.split("_")[1]) for p in (run.dir / "checkpoints").glob("checkpoint_*.pt")) \
        if (run.dir / "checkpoints").exists() else []
    assert saved == list(range(1, epoch))
    log = (run.dir / "train.log").read_text()
    assert f"ERROR {message}" in log
    assert not (run.dir / "metrics.json").exists()
    assert yaml.safe_load((run.dir / "config.yaml").read_text())["training"]["learning_rate"] == 1e6
    found = collect(results)
    assert found.runs == () and found.incomplete == (run.dir,)


@pytest.mark.slow
def test_sweep_outcome_of_a_diverging_notebook_names_the_problem(tmp_path):
    """Guards: a sweep's one-line failure for a diverging recon run is the TrainingDiverged message."""
    from toyexp.study.execute import execute_notebook
    from toyexp.run.files import PROJECT_ROOT

    parameters = yaml.safe_load((PROJECT_ROOT / "params/recon/quick.yaml").read_text())
    parameters.update(mode="regression", overrides=HUGE_LR, experiment={"output_dir": str(tmp_path / "out")})
    outcome = execute_notebook(str(PROJECT_ROOT / "notebooks/recon.ipynb"), str(tmp_path / "run.ipynb"), parameters, None, "diverge")
    assert outcome.status == "failed", outcome
    assert re.fullmatch(r"TrainingDiverged: training diverged at epoch \d+: train_loss is (nan|inf); .*; "
                        r"try a smaller training\.learning_rate \(now 1000000\.0\)", outcome.error), outcome.error
    run_dir = tmp_path / "out" / "regression" / "seed-42"
    assert "ERROR training diverged at epoch" in (run_dir / "train.log").read_text()
    assert not (run_dir / "metrics.json").exists()
