"""The linear probability path of flow matching and the losses on it.

x_t = (1 - t) x_0 + t x_1, whose velocity is u = x_1 - x_0. For a deterministic target
x_1 = f(c), the velocity that carries any x at time t to x_1 is (x_1 - x) / (1 - t).
"""

from __future__ import annotations

from typing import Callable

import torch
from torch import Tensor

from . import names
from .config import EvaluationConfig

INFERENCE_SEED_OFFSET = 104729  # x_0 at inference is drawn from the run seed plus this prime


def zeros(shape: tuple[int, ...], generator: torch.Generator) -> Tensor:
    """x_0 = 0."""
    return torch.zeros(shape)


def gaussian(shape: tuple[int, ...], generator: torch.Generator) -> Tensor:
    """x_0 ~ N(0, I), drawn from ``generator`` (on the CPU)."""
    return torch.randn(shape, generator=generator)


INITIAL_DISTS: dict[str, Callable[[tuple[int, ...], torch.Generator], Tensor]] = {"zeros": zeros, "gaussian": gaussian}
names.check_registry("paths.INITIAL_DISTS", INITIAL_DISTS, names.INITIAL_DISTS)


def sample_x0(dist: str, shape: tuple[int, ...], generator: torch.Generator) -> Tensor:
    """Initial points x_0 of the distribution called ``dist`` (a key of INITIAL_DISTS)."""
    return INITIAL_DISTS[dist](shape, generator)


def inference_starts(evaluation: EvaluationConfig, seed: int, shape: tuple[int, int]) -> Tensor:
    """The x_0 of evaluation, (K, M, D) for K = ``evaluation.num_draws`` draws from
    ``evaluation.initial_dist`` of ``shape`` = (M, D): drawn from the run ``seed`` +
    :data:`INFERENCE_SEED_OFFSET`, so every evaluation of a run (and a later reading of its
    checkpoint) starts from the same points. The draws come one after another from one
    generator: draw 0 is the x_0 of K = 1, and a larger K only adds draws after it."""
    g = torch.Generator().manual_seed(seed + INFERENCE_SEED_OFFSET)
    return torch.stack([sample_x0(evaluation.initial_dist, shape, g) for _ in range(evaluation.num_draws)])


def linear_path(x_0: Tensor, x_1: Tensor, t: Tensor) -> Tensor:
    """x_t = (1 - t) x_0 + t x_1; x (B, D), t (B, 1)."""
    return (1 - t) * x_0 + t * x_1


def path_velocity(x_0: Tensor, x_1: Tensor) -> Tensor:
    """d x_t / dt = x_1 - x_0, the flow-matching regression target."""
    return x_1 - x_0


def optimal_velocity(x: Tensor, x_1: Tensor, t: Tensor | float) -> Tensor:
    """The velocity (x_1 - x) / (1 - t) that reaches x_1 at t = 1 from x at time t < 1."""
    return (x_1 - x) / (1 - t)


def batch_mean(x: Tensor) -> Tensor:
    """The mean over batch and dimensions: (B, D) -> (), or per member of a stack (E, B, D) -> (E,)."""
    return x.mean(dim=(-2, -1)) if x.dim() >= 2 else x.mean()


def l2_loss(pred: Tensor, target: Tensor) -> Tensor:
    """Mean squared error, mean over batch and dimensions (per member for a stack's (E, B, D))."""
    return batch_mean((pred - target) ** 2)


def l1_loss(pred: Tensor, target: Tensor) -> Tensor:
    """Mean absolute error, mean over batch and dimensions (per member for a stack's (E, B, D))."""
    return batch_mean((pred - target).abs())


Loss = Callable[[Tensor, Tensor], Tensor]
LOSSES: dict[str, Loss] = {"l2": l2_loss, "l1": l1_loss}
names.check_registry("paths.LOSSES", LOSSES, names.LOSSES)


def per_block(ell: Loss, num_blocks: int) -> Loss:
    """The loss summed over blocks: sum_k ell(pred_k, target_k), with the D output coordinates
    cut into ``num_blocks`` equal consecutive blocks (D must divide evenly)."""

    def loss(pred: Tensor, target: Tensor) -> Tensor:
        blocks = zip(pred.chunk(num_blocks, dim=-1), target.chunk(num_blocks, dim=-1))
        return sum(ell(p, t) for p, t in blocks)

    return loss


def training_loss(loss_type: str, aggregation: str, num_blocks: int) -> Loss:
    """The ell a run trains with: ``loss_type`` over all outputs (``full``), or summed over
    ``num_blocks`` blocks of them (``per_component``: a task's components)."""
    ell = LOSSES[loss_type]
    return per_block(ell, num_blocks) if aggregation == "per_component" else ell
