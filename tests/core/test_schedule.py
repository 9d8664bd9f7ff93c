"""training.num_steps: exactly that many optimiser steps, whatever the number of samples; and
training.lr_schedule: the learning rate each of those steps takes."""

import math

import logging

import pytest
import torch

from toyexp.core.config import TrainingConfig
from toyexp.core.modes import build_mode
from toyexp.core.nets import build_network
from toyexp.core.config import NetworkConfig
from toyexp.core.optim import Adam, cosine
from toyexp.core.paths import l2_loss
from toyexp.core.train import schedule, train


@pytest.mark.parametrize("n, batch, steps, epochs", [
    (4, 32, 100, 100),    # one step per epoch
    (200, 32, 100, 15),   # 7 steps per epoch: 14 whole epochs (98 steps), then 2 steps of a 15th
    (64, 32, 100, 50),    # 2 steps per epoch, exactly
    (33, 32, 5, 3),       # 2 steps per epoch: 2 + 2 + 1
])
def test_schedule_of_a_step_budget(n, batch, steps, epochs):
    assert schedule(TrainingConfig(batch_size=batch, num_epochs=None, num_steps=steps), n) == (epochs, steps)


def test_schedule_of_epochs_grows_with_the_samples():
    assert schedule(TrainingConfig(batch_size=32, num_epochs=10), 200) == (10, 70)


@pytest.mark.training
@pytest.mark.parametrize("n", [5, 50, 200])
def test_training_takes_exactly_num_steps_optimiser_steps(n, monkeypatch):
    """Count Adam.step calls: 37 steps for 5, 50 or 200 samples; the result records 37 too."""
    calls = []
    original = Adam.step
    monkeypatch.setattr(Adam, "step", lambda self: (calls.append(1), original(self))[1])
    torch.manual_seed(0)
    c = torch.linspace(0, 1, n)[:, None]
    model = build_network(NetworkConfig(hidden_dim=8, num_layers=1), 1)
    cfg = TrainingConfig(num_epochs=None, num_steps=37, eval_interval=10**6, log_interval=10**6, save_interval=10**6)
    log = logging.getLogger("test.schedule")
    result = train(model, build_mode("regression"), c, torch.sin(c), cfg=cfg, ell=l2_loss,
                   generator=torch.Generator().manual_seed(0), eval_l2=lambda: 0.0, log=log, progress=False)
    assert len(calls) == 37 and result.steps == 37
    assert result.history.epochs[-1] == schedule(cfg, n)[0]


def test_cosine_schedule_known_values():
    """peak at step 0, half of it halfway, 0 one step past the last; falling all the way."""
    assert cosine(0.01, 0, 100) == 0.01
    assert cosine(0.01, 50, 100) == pytest.approx(0.005, abs=1e-15)
    assert cosine(0.01, 100, 100) == pytest.approx(0.0, abs=1e-15)
    rates = [cosine(0.01, k, 100) for k in range(100)]
    assert all(a > b > 0 for a, b in zip(rates, rates[1:]))


@pytest.mark.training
@pytest.mark.parametrize("lr_schedule", ["constant", "cosine"])
def test_each_step_takes_the_scheduled_learning_rate(lr_schedule, monkeypatch):
    """Record Adam's lr at each of 37 steps over 3 epochs of 20 samples (batch 8: 3 steps an
    epoch, the last epoch cut short): the peak every step, or peak (1 + cos(pi k / 37)) / 2."""
    seen = []
    original = Adam.step
    monkeypatch.setattr(Adam, "step", lambda self: (seen.append(self.lr), original(self))[1])
    torch.manual_seed(0)
    c = torch.linspace(0, 1, 20)[:, None]
    model = build_network(NetworkConfig(hidden_dim=8, num_layers=1), 1)
    cfg = TrainingConfig(batch_size=8, num_epochs=None, num_steps=37, learning_rate=0.02, lr_schedule=lr_schedule,
                         eval_interval=10**6, log_interval=10**6, save_interval=10**6)
    train(model, build_mode("regression"), c, torch.sin(c), cfg=cfg, ell=l2_loss,
          generator=torch.Generator().manual_seed(0),
          eval_l2=lambda: 0.0, log=logging.getLogger("test.schedule"), progress=False)
    if lr_schedule == "constant":
        assert seen == [0.02] * 37
    else:
        assert seen == pytest.approx([0.01 * (1 + math.cos(math.pi * k / 37)) for k in range(37)], rel=1e-12)
        assert seen[0] == 0.02 and 0 < seen[-1] < 0.02 * 1e-2
