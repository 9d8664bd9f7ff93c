"""training.num_steps: exactly that many optimiser steps, whatever the number of samples."""

import logging

import pytest
import torch

from toyexp.core.config import TrainingConfig
from toyexp.core.modes import build_mode
from toyexp.core.nets import build_network
from toyexp.core.config import NetworkConfig
from toyexp.core.optim import Adam
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
    result = train(model, build_mode("regression"), c, torch.sin(c), cfg, ell=l2_loss,
                   generator=torch.Generator().manual_seed(0), eval_l2=lambda: 0.0, log=log, progress=False)
    assert len(calls) == 37 and result.steps == 37
    assert result.history.epochs[-1] == schedule(cfg, n)[0]
