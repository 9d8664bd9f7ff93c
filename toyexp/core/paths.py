"""The linear probability path of flow matching and the losses on it.

x_t = (1 - t) x_0 + t x_1, whose velocity is u = x_1 - x_0. For a deterministic target
x_1 = f(c), the velocity that carries any x at time t to x_1 is (x_1 - x) / (1 - t).
"""

from __future__ import annotations

from typing import Callable

import torch
from torch import Tensor


INITIAL_DISTS = ("zeros", "gaussian")  # the distributions of x_0


def sample_x0(dist: str, shape: tuple[int, ...], generator: torch.Generator) -> Tensor:
    """Initial points x_0: all zeros, or standard Gaussian draws from ``generator`` (on the CPU)."""
    if dist == "zeros":
        return torch.zeros(shape)
    return torch.randn(shape, generator=generator)


def linear_path(x_0: Tensor, x_1: Tensor, t: Tensor) -> Tensor:
    """x_t = (1 - t) x_0 + t x_1; x (B, D), t (B, 1)."""
    return (1 - t) * x_0 + t * x_1


def path_velocity(x_0: Tensor, x_1: Tensor) -> Tensor:
    """d x_t / dt = x_1 - x_0, the flow-matching regression target."""
    return x_1 - x_0


def optimal_velocity(x: Tensor, x_1: Tensor, t: Tensor | float) -> Tensor:
    """The velocity (x_1 - x) / (1 - t) that reaches x_1 at t = 1 from x at time t < 1."""
    return (x_1 - x) / (1 - t)


def l2_loss(pred: Tensor, target: Tensor) -> Tensor:
    """Mean squared error, mean over batch and dimensions."""
    return ((pred - target) ** 2).mean()


def l1_loss(pred: Tensor, target: Tensor) -> Tensor:
    """Mean absolute error, mean over batch and dimensions."""
    return (pred - target).abs().mean()


LOSSES: dict[str, Callable[[Tensor, Tensor], Tensor]] = {"l2": l2_loss, "l1": l1_loss}


def per_component(ell: Callable[[Tensor, Tensor], Tensor], num_components: int) -> Callable[[Tensor, Tensor], Tensor]:
    """The loss summed over components: sum_k ell(pred_k, target_k), with the D output
    coordinates cut into ``num_components`` equal consecutive blocks (D must divide evenly)."""

    def loss(pred: Tensor, target: Tensor) -> Tensor:
        blocks = zip(pred.chunk(num_components, dim=-1), target.chunk(num_components, dim=-1))
        return sum(ell(p, t) for p, t in blocks)

    return loss
