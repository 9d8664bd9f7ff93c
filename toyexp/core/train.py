"""The training loop shared by every mode and task: Adam on minibatches of (c, x_1).

:func:`train_members` trains the E members of a stacked network (:mod:`toyexp.core.stack`) at
once, each on its own pairs and with its own draws; :func:`train` is the lone run, E = 1 on a
plain network. A member that diverges stops alone. The loop writes no file: checkpoints go to
the ``on_checkpoint`` callback of the caller.
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
from .stack import member_state


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

    def __init__(self, epoch: int, quantity: str, value: float, last_finite: tuple[int, float] | None, *,
                 learning_rate: float):
        self.epoch, self.quantity, self.value, self.last_finite = epoch, quantity, value, last_finite
        last = f"last finite train_loss {last_finite[1]:.6g} at epoch {last_finite[0]}" if last_finite else "no earlier epoch had a finite train_loss"
        super().__init__(
            f"training diverged at epoch {epoch}: {quantity} is {value}; {last}; "
            f"try a smaller training.learning_rate (now {learning_rate!r})"
        )


@dataclass(frozen=True, kw_only=True)
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


class Minibatches:
    """The random draws of training, each member's from its own generator in a lone run's order:
    each epoch a permutation of the N pairs, each step the minibatch's x_0, then its t.

    A lone run (``stacked`` false) gets them as (B, ·) tensors, a stack as (E, B, ·), member e's
    draws in row e: the draws of member e are those of the lone run of its seed.
    """

    def __init__(self, generators: list[torch.Generator], initial_dist: str, n: int, dim: int, *, device: torch.device,
                 stacked: bool):
        self.generators, self.initial_dist, self.n, self.dim, self.device, self.stacked = generators, initial_dist, n, dim, device, stacked
        self.rows = torch.arange(len(generators), device=device)[:, None]  # (E, 1): indexes (E, N, ·) by (E, B)
        self.perms: list[Tensor] = []

    def epoch(self) -> None:
        self.perms = [torch.randperm(self.n, generator=g) for g in self.generators]

    def _joined(self, tensors: list[Tensor]) -> Tensor:
        return (torch.stack(tensors) if self.stacked else tensors[0]).to(self.device)

    def draw(self, i: int, size: int) -> tuple[Tensor, Tensor, Tensor]:
        """Rows i .. i + size of this epoch's permutation, and an x_0 and a t per row."""
        idx = [perm[i : i + size] for perm in self.perms]
        x_0, t = [], []
        for g, rows in zip(self.generators, idx):
            x_0.append(sample_x0(self.initial_dist, (len(rows), self.dim), g))
            t.append(torch.rand(len(rows), 1, generator=g))
        return self._joined(idx), self._joined(x_0), self._joined(t)

    def take(self, x: Tensor, idx: Tensor) -> Tensor:
        """The minibatch's rows of x: (N, ·)[idx], or for a stack (E, N, ·) each member's own."""
        return x[self.rows, idx] if self.stacked else x[idx]


class MemberProgress:
    """What training keeps of one member: its history, its best model, and whether it diverged."""

    def __init__(self, log: logging.Logger, state: Callable[[], dict[str, Tensor]], learning_rate: float):
        self.log, self.state, self.learning_rate = log, state, learning_rate
        self.history = History()
        self.best_l2, self.best_epoch, self.best_state = float("inf"), 0, copy.deepcopy(state())
        self.diverged: TrainingDiverged | None = None

    @property
    def training(self) -> bool:
        return self.diverged is None

    def diverge(self, epoch: int, quantity: str, value: float) -> None:
        """Stop this member: NaN or inf poisons every later step of its own."""
        h = self.history
        last = (h.epochs[-1], h.train_loss[-1]) if h.epochs else None  # all finite so far
        self.diverged = TrainingDiverged(epoch, quantity, value, last, learning_rate=self.learning_rate)
        self.log.error("%s", self.diverged)

    def end_epoch(self, epoch: int, loss: float, logged: bool) -> None:
        if not math.isfinite(loss):
            return self.diverge(epoch, "train_loss", loss)
        self.history.epochs.append(epoch)
        self.history.train_loss.append(loss)
        if logged:
            self.log.info("epoch %d  train_loss %.6f", epoch, loss)

    def evaluated(self, epoch: int, l2: float) -> None:
        if not math.isfinite(l2):  # the last step of the epoch can break a model whose loss was finite
            return self.diverge(epoch, "eval_l2", l2)
        self.history.eval_epochs.append(epoch)
        self.history.eval_l2.append(l2)
        self.log.info("epoch %d  eval_l2 %.6f", epoch, l2)
        if l2 < self.best_l2:
            self.best_l2, self.best_epoch, self.best_state = l2, epoch, copy.deepcopy(self.state())

    def result(self, seconds: float, steps: int, members: int) -> TrainResult | TrainingDiverged:
        if self.diverged is not None:
            return self.diverged
        together = f" (its share of {members} members trained together)" if members > 1 else ""
        self.log.info("trained %d epochs (%d steps) in %.2f s%s; best eval_l2 %.6f at epoch %d",
                      self.history.epochs[-1], steps, seconds, together, self.best_l2, self.best_epoch)
        return TrainResult(history=self.history, best_epoch=self.best_epoch, best_l2=self.best_l2,
                           best_state=self.best_state, train_seconds=seconds, steps=steps)


def train_members(
    model: nn.Module,
    mode: Mode,
    c: Tensor,
    x_1: Tensor,
    *,
    cfg: TrainingConfig,
    ell: Loss,
    generators: list[torch.Generator],
    eval_l2: Callable[[int], float],
    logs: list[logging.Logger],
    on_checkpoint: Callable[[int, int, dict[str, Tensor]], None] | None = None,
    progress: bool = True,
) -> list[TrainResult | TrainingDiverged]:
    """Train the E = len(``generators``) members of ``model`` in place; for E > 1 a stack
    (:func:`toyexp.core.stack.stack`) with c (E, N, C) and x_1 (E, N, D), member e's pairs in row e.

    Each member takes :func:`schedule`'s epochs and steps as a lone run would, at the rate
    ``cfg.lr_schedule`` sets for each step (optim.LR_SCHEDULES): every epoch reshuffles its
    pairs with its generator, every minibatch draws x_0 from ``cfg.initial_dist`` and t ~ U[0, 1]
    from it (on the CPU, so runs agree across devices). The loss minimised is the sum of the
    members' losses, so each member's gradient and Adam update are its own. ``ell`` is what the
    mode's loss compares with (paths.training_loss). ``eval_l2(e)`` is called for each member
    every ``eval_interval`` epochs and after the last: its best model is the state of lowest
    value. Every ``save_interval`` epochs ``on_checkpoint(e, epoch, state_dict)`` gets its state.

    A member whose epoch's mean train loss, or whose eval l2, is not finite stops there (its
    log says so) and the others go on. Returns, per member, its TrainResult or its TrainingDiverged.
    """
    members = len(generators)
    state = (lambda e: member_state(model, e)) if members > 1 else (lambda e: model.state_dict())
    tracked = [MemberProgress(log, lambda e=e: state(e), cfg.learning_rate) for e, log in enumerate(logs)]
    n, dim = x_1.shape[-2:]
    num_epochs, budget = schedule(cfg, n)
    batches = Minibatches(generators, cfg.initial_dist, n, dim, device=x_1.device, stacked=members > 1)
    opt = Adam(model.parameters(), lr=cfg.learning_rate)
    steps, start = 0, time.perf_counter()
    bar = tqdm(range(1, num_epochs + 1), desc="train", disable=not progress, file=sys.stderr, mininterval=1.0)
    for epoch in bar:
        losses, steps = _epoch(model, mode, c, x_1, ell=ell, batches=batches, opt=opt, cfg=cfg, steps=steps, budget=budget)
        logged = epoch % cfg.log_interval == 0 or epoch == num_epochs
        evaluated = epoch % cfg.eval_interval == 0 or epoch == num_epochs
        for e, member in enumerate(tracked):
            if member.training:
                member.end_epoch(epoch, losses[e], logged)
            if member.training and evaluated:
                member.evaluated(epoch, eval_l2(e))
            if member.training and on_checkpoint is not None and epoch % cfg.save_interval == 0:
                on_checkpoint(e, epoch, state(e))
        if not any(m.training for m in tracked):
            break
        if logged:
            bar.set_postfix(loss=f"{losses[0]:.2e}", refresh=False)
    share = (time.perf_counter() - start) / members  # a member's share of the wall time
    return [member.result(share, steps, members) for member in tracked]


def _epoch(model: nn.Module, mode: Mode, c: Tensor, x_1: Tensor, *, ell: Loss, batches: Minibatches, opt: Adam,
           cfg: TrainingConfig, steps: int, budget: int) -> tuple[list[float], int]:
    """One epoch of Adam steps, at most up to ``budget`` steps in all: each member's mean
    minibatch loss (weighted by minibatch size), and the steps taken so far."""
    batches.epoch()
    members = len(batches.generators)
    total, seen = torch.zeros(members if members > 1 else (), device=x_1.device), 0
    learning_rate = LR_SCHEDULES[cfg.lr_schedule]
    for i in range(0, len(batches.perms[0]), cfg.batch_size):
        if steps == budget:  # training.num_steps reached inside the last epoch
            break
        idx, x_0, t = batches.draw(i, cfg.batch_size)
        value = mode.loss(model, batches.take(c, idx), x_0, batches.take(x_1, idx), t=t, ell=ell)  # () or (E,)
        opt.zero_grad()
        value.sum().backward()
        opt.lr = learning_rate(cfg.learning_rate, steps, budget)
        opt.step()
        total += value.detach() * idx.shape[-1]
        seen += idx.shape[-1]
        steps += 1
    return (total / seen).reshape(-1).tolist(), steps


def train(
    model: nn.Module,
    mode: Mode,
    c: Tensor,
    x_1: Tensor,
    *,
    cfg: TrainingConfig,
    ell: Loss,
    generator: torch.Generator,
    eval_l2: Callable[[], float],
    log: logging.Logger,
    on_checkpoint: Callable[[int, dict[str, Tensor]], None] | None = None,
    progress: bool = True,
) -> TrainResult:
    """Train the lone network ``model`` in place on pairs c (N, C), x_1 (N, D), both on its device:
    :func:`train_members` with one member. Raises TrainingDiverged (after logging it) at the end
    of the first epoch whose mean train loss, or whose eval l2, is not finite."""
    checkpoint = None if on_checkpoint is None else (lambda e, epoch, state: on_checkpoint(epoch, state))
    (result,) = train_members(model, mode, c, x_1, cfg=cfg, ell=ell, generators=[generator],
                              eval_l2=lambda e: eval_l2(),
                              logs=[log], on_checkpoint=checkpoint, progress=progress)
    if isinstance(result, TrainingDiverged):
        raise result
    return result
