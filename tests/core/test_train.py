"""The training loop (toyexp.core.train) on its own: epochs and minibatches, what the loss sees,
evaluation and the best model, checkpoints handed to the caller, determinism, and training that
goes non-finite stopping at once with TrainingDiverged."""

import logging
import math

import pytest
import torch

from toyexp.core.config import TrainingConfig
from toyexp.core.modes import Mode, build_mode, regression_loss, regression_predict
from toyexp.core.nets import ConcatMLP
from toyexp.core.paths import l2_loss
from toyexp.core.train import TrainingDiverged, train

LOG = logging.getLogger("toyexp.test.train")
C = torch.linspace(0, 1, 8)[:, None]


def config(**values) -> TrainingConfig:
    return TrainingConfig(**{"batch_size": 4, "num_epochs": 10, "log_interval": 1, "eval_interval": 1, **values})


def train_with(mode, cfg, eval_l2=lambda: 1.0, seed=0, **kw):
    torch.manual_seed(0)
    model = ConcatMLP(1, 1, 8, 2, activation="tanh")
    result = train(model, mode, C, torch.sin(C), cfg=cfg, ell=l2_loss, generator=torch.Generator().manual_seed(seed),
                   eval_l2=eval_l2, log=LOG, progress=False, **kw)
    return model, result


class Recording:
    """regression_loss that records what each call saw, and returns NaN after ``calls`` calls."""

    def __init__(self, calls=10**6):
        self.calls, self.returned, self.x_0, self.sizes = calls, [], [], []

    def __call__(self, model, c, x_0, x_1, t, ell):
        self.x_0.append(x_0.clone())
        self.sizes.append(len(c))
        loss = regression_loss(model, c, x_0, x_1, t=t, ell=ell)
        if len(self.returned) >= self.calls:
            return loss * float("nan")
        self.returned.append(loss.item())
        return loss


def recording_mode(loss):
    return Mode(name="recording", loss=loss, predict=regression_predict, integrates=False)


# --- the loop ---------------------------------------------------------------------------------


def test_epochs_minibatches_and_steps():
    """8 pairs in minibatches of 3: batches of 3, 3, 2 per epoch; the epoch loss is their size-weighted mean."""
    loss = Recording()
    _, result = train_with(recording_mode(loss), config(batch_size=3, num_epochs=4))
    assert loss.sizes == [3, 3, 2] * 4 and result.steps == 12
    h = result.history
    assert h.epochs == [1, 2, 3, 4]
    for epoch in range(4):
        batch = loss.returned[3 * epoch : 3 * epoch + 3]
        assert h.train_loss[epoch] == pytest.approx((3 * batch[0] + 3 * batch[1] + 2 * batch[2]) / 8, rel=1e-6)


@pytest.mark.parametrize("dist,zero", [("zeros", True), ("gaussian", False)])
def test_x_0_follows_the_initial_distribution(dist, zero):
    loss = Recording()
    train_with(recording_mode(loss), config(num_epochs=2, initial_dist=dist))
    assert [bool((x == 0).all()) for x in loss.x_0] == [zero] * 4
    assert all(x.shape == (4, 1) for x in loss.x_0)


def test_evaluation_epochs_and_the_best_model():
    """eval_l2 at every eval_interval and after the last epoch; the best state is the model as it
    was at the lowest value (checked against the checkpoint handed over at that epoch)."""
    values = iter([0.5, 0.2, 0.3, 0.4])  # epochs 3, 6, 9 and the last, 10: the best is epoch 6
    saved = {}
    model, result = train_with(build_mode("regression"), config(eval_interval=3, save_interval=1), eval_l2=lambda: next(values),
                               on_checkpoint=lambda epoch, state: saved.__setitem__(epoch, {k: v.clone() for k, v in state.items()}))
    assert result.history.eval_epochs == [3, 6, 9, 10] and result.history.eval_l2 == [0.5, 0.2, 0.3, 0.4]
    assert (result.best_epoch, result.best_l2) == (6, 0.2)
    assert sorted(saved) == list(range(1, 11))
    assert all(torch.equal(result.best_state[k], saved[6][k]) for k in saved[6])
    assert all(torch.equal(p, saved[10][k]) for k, p in model.state_dict().items())  # trained in place
    assert not all(torch.equal(result.best_state[k], saved[10][k]) for k in saved[10])


def test_checkpoints_every_save_interval_and_logs_every_log_interval(caplog):
    saved = []
    with caplog.at_level(logging.INFO, logger=LOG.name):
        train_with(build_mode("regression"), config(save_interval=4, log_interval=5, eval_interval=100),
                   on_checkpoint=lambda epoch, state: saved.append(epoch))
    assert saved == [4, 8]
    lines = [r.getMessage() for r in caplog.records]
    assert [line.split()[1] for line in lines if "train_loss" in line] == ["5", "10"]
    assert [line.split()[1] for line in lines if "eval_l2" in line and line.startswith("epoch")] == ["10"]  # only after the last
    assert lines[-1].startswith("trained 10 epochs (20 steps) in ")


def test_the_generator_decides_everything_the_loop_draws():
    """Same generator seed: the same losses and weights, bit for bit; another seed: other minibatches and x_0."""
    gaussian = config(initial_dist="gaussian")
    a, ra = train_with(build_mode("flow"), gaussian, seed=1)
    b, rb = train_with(build_mode("flow"), gaussian, seed=1)
    c, rc = train_with(build_mode("flow"), gaussian, seed=2)
    assert ra.history.train_loss == rb.history.train_loss and ra.history.train_loss != rc.history.train_loss
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    assert not all(torch.equal(p, q) for p, q in zip(a.parameters(), c.parameters()))


def test_the_mode_compares_with_the_given_ell():
    """``ell`` reaches the mode's loss: a loss that is 0 everywhere leaves every parameter where it was."""
    torch.manual_seed(0)
    model = ConcatMLP(1, 1, 8, 2, activation="tanh")
    before = [p.detach().clone() for p in model.parameters()]
    result = train(model, build_mode("regression"), C, torch.sin(C), cfg=config(num_epochs=2), ell=lambda pred,
                   target: 0 * pred.sum(),
                   generator=torch.Generator().manual_seed(0), eval_l2=lambda: 1.0, log=LOG, progress=False)
    assert result.history.train_loss == [0.0, 0.0]
    assert all(torch.equal(p, q) for p, q in zip(before, model.parameters()))


# --- divergence -------------------------------------------------------------------------------


def test_nan_in_epoch_three_stops_there_naming_the_last_finite_epoch(caplog):
    """Guards: the epoch named is the first non-finite one, the last finite loss is epoch 2's mean, and it is logged."""
    loss = Recording(calls=5)  # 2 minibatches of 4 per epoch: call 6 is the second batch of epoch 3
    with caplog.at_level(logging.ERROR, logger=LOG.name):
        with pytest.raises(TrainingDiverged) as info:
            train_with(recording_mode(loss), config(learning_rate=0.003))
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
        train_with(recording_mode(Recording(calls=1)), config(learning_rate=0.5))
    assert info.value.last_finite is None


def test_non_finite_eval_l2_stops_training():
    """Guards: a model broken by an epoch's last step (finite loss, NaN prediction) stops at that evaluation."""
    evals = iter([0.5, 0.4, float("inf")])
    loss = Recording()
    with pytest.raises(TrainingDiverged, match=r"at epoch 3: eval_l2 is inf; last finite train_loss \S+ at epoch 3;"):
        train_with(recording_mode(loss), config(), eval_l2=lambda: next(evals))
    assert len(loss.returned) == 6  # three epochs of two minibatches, then nothing


def test_finite_training_is_untouched():
    """Guards: the checks never fire on a healthy run and do not change its losses."""
    _, result = train_with(recording_mode(Recording()), config())
    assert result.history.epochs == list(range(1, 11)) and all(math.isfinite(v) for v in result.history.train_loss)


def test_no_checkpoint_after_the_epoch_that_diverged():
    saved = []
    with pytest.raises(TrainingDiverged):
        train_with(recording_mode(Recording(calls=9)), config(save_interval=1), on_checkpoint=lambda epoch, state: saved.append(epoch))
    assert saved == [1, 2, 3, 4]  # call 10 is in epoch 5
