"""The training loop shared by every mode and task: Adam on minibatches of (c, x_1).

It writes no file: checkpoints go to the ``on_checkpoint`` callback of the caller.
"""

from __future__ import annotations

import copy
import logging
import math
import sys
import time
from dataclasses import dataclass, field
from typing import Callable

import torch
from torch import Tensor, nn
from tqdm import tqdm

from .config import TrainingConfig
from .modes import Mode
from .optim import LR_SCHEDULES, Adam
from .paths import Loss, sample_x0


@dataclass(frozen=True)
class History:
    epochs: list[int] = field(default_factory=list)  # 1, 2, ..., num_epochs
    train_loss: list[float] = field(default_factory=list)  # mean minibatch loss of each epoch
    eval_epochs: list[int] = field(default_factory=list)
    eval_l2: list[float] = field(default_factory=list)  # RMSE on the evaluation set


class TrainingDiverged(RuntimeError):
    """A non-finite training loss or evaluation error: training stops at the epoch it appears in.

    The message is one line (a sweep reports the last line of a failed run's error).
    """

    def __init__(self, epoch: int, quantity: str, value: float, last_finite: tuple[int, float] | None, learning_rate: float):
        self.epoch, self.quantity, self.value, self.last_finite = epoch, quantity, value, last_finite
        last = f"last finite train_loss {last_finite[1]:.6g} at epoch {last_finite[0]}" if last_finite else "no earlier epoch had a finite train_loss"
        super().__init__(
            f"training diverged at epoch {epoch}: {quantity} is {value}; {last}; "
            f"try a smaller training.learning_rate (now {learning_rate!r})"
        )


@dataclass(frozen=True)
class TrainResult:
    history: History
    best_epoch: int
    best_l2: float
    best_state: dict[str, Tensor]
    train_seconds: float
    steps: int  # optimiser steps taken


def schedule(cfg: TrainingConfig, n: int) -> tuple[int, int]:
    """(epochs, optimiser steps) of training on ``n`` pairs: ``num_epochs`` epochs of
    ceil(n / batch_size) steps each, or, when ``num_steps`` is set, exactly that many steps, the
    last epoch cut short where they run out (so a budget does not grow with n)."""
    per_epoch = -(-n // cfg.batch_size)
    if cfg.num_steps is None:
        return cfg.num_epochs, cfg.num_epochs * per_epoch
    return -(-cfg.num_steps // per_epoch), cfg.num_steps


def train(
    model: nn.Module,
    mode: Mode,
    c: Tensor,
    x_1: Tensor,
    cfg: TrainingConfig,
    *,
    ell: Loss,
    generator: torch.Generator,
    eval_l2: Callable[[], float],
    log: logging.Logger,
    on_checkpoint: Callable[[int, dict[str, Tensor]], None] | None = None,
    progress: bool = True,
) -> TrainResult:
    """Train ``model`` in place on pairs c (N, C), x_1 (N, D), both already on the model's device.

    It takes :func:`schedule`'s epochs and steps, at the learning rate ``cfg.lr_schedule`` sets
    for each step (optim.LR_SCHEDULES). Each epoch reshuffles the pairs with ``generator``; each minibatch draws x_0 from
    ``cfg.initial_dist`` and t ~ U[0, 1] (on the CPU, so runs agree across devices).
    ``eval_l2`` is called every ``eval_interval`` epochs and after the last; the state with
    the lowest value is kept as the best model. Every ``save_interval`` epochs
    ``on_checkpoint(epoch, state_dict)`` receives the model's state. ``ell`` is what the mode's
    loss compares with (paths.training_loss: per output, or summed over blocks).

    Raises TrainingDiverged (after logging it) at the end of the first epoch whose mean
    train loss, or whose eval l2, is not finite.
    """

    def diverged(epoch: int, quantity: str, value: float) -> TrainingDiverged:
        last = (history.epochs[-1], history.train_loss[-1]) if history.epochs else None  # all finite so far
        err = TrainingDiverged(epoch, quantity, value, last, cfg.learning_rate)
        log.error("%s", err)
        return err

    device = x_1.device
    n, dim = x_1.shape
    num_epochs, budget = schedule(cfg, n)
    opt = Adam(model.parameters(), lr=cfg.learning_rate)
    learning_rate = LR_SCHEDULES[cfg.lr_schedule]
    history = History()
    best_l2, best_epoch, best_state = float("inf"), 0, copy.deepcopy(model.state_dict())
    steps = 0
    start = time.perf_counter()
    bar = tqdm(range(1, num_epochs + 1), desc="train", disable=not progress, file=sys.stderr, mininterval=1.0)
    for epoch in bar:
        perm = torch.randperm(n, generator=generator).to(device)
        total, seen = torch.zeros((), device=device), 0
        for i in range(0, n, cfg.batch_size):
            if steps == budget:  # training.num_steps reached inside the last epoch
                break
            idx = perm[i : i + cfg.batch_size]
            x_0 = sample_x0(cfg.initial_dist, (len(idx), dim), generator).to(device)
            t = torch.rand(len(idx), 1, generator=generator).to(device)
            value = mode.loss(model, c[idx], x_0, x_1[idx], t, ell)
            opt.zero_grad()
            value.backward()
            opt.lr = learning_rate(cfg.learning_rate, steps, budget)
            opt.step()
            total += value.detach() * len(idx)
            seen += len(idx)
            steps += 1
        epoch_loss = total.item() / seen
        if not math.isfinite(epoch_loss):  # NaN or inf poisons every later step: stop now
            raise diverged(epoch, "train_loss", epoch_loss)
        history.epochs.append(epoch)
        history.train_loss.append(epoch_loss)
        if epoch % cfg.log_interval == 0 or epoch == num_epochs:
            log.info("epoch %d  train_loss %.6f", epoch, history.train_loss[-1])
            bar.set_postfix(loss=f"{history.train_loss[-1]:.2e}", refresh=False)
        if epoch % cfg.eval_interval == 0 or epoch == num_epochs:
            l2 = eval_l2()
            if not math.isfinite(l2):  # the last step of the epoch can break a model whose loss was finite
                raise diverged(epoch, "eval_l2", l2)
            history.eval_epochs.append(epoch)
            history.eval_l2.append(l2)
            log.info("epoch %d  eval_l2 %.6f", epoch, l2)
            if l2 < best_l2:
                best_l2, best_epoch, best_state = l2, epoch, copy.deepcopy(model.state_dict())
        if on_checkpoint is not None and epoch % cfg.save_interval == 0:
            on_checkpoint(epoch, model.state_dict())
    seconds = time.perf_counter() - start
    log.info("trained %d epochs (%d steps) in %.2f s; best eval_l2 %.6f at epoch %d", num_epochs, steps, seconds, best_l2, best_epoch)
    return TrainResult(history, best_epoch, best_l2, best_state, seconds, steps)
