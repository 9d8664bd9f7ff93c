"""The numbers lie adds to ``final``: how well each predicted component keeps its true direction.

For a predicted component f̂_i(c) and the unit vector u_i(c) of the true one (see ``data``):

    cosine_i(c)     = ⟨f̂_i, u_i⟩ / ‖f̂_i‖        (= 1 on the true function; 0 where f̂_i = 0)
    projection_i(c) = ‖(I − P_i) f̂_i‖ / ‖f̂_i‖  (= 0 on the true function; 0 where f̂_i = 0)
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

_EPS = 1e-12  # guards divisions by component norms that may be exactly zero


@dataclass(frozen=True)
class DirectionMetrics:
    """The cosine to the true direction (mean, minimum) and the projection error off its line
    (mean, maximum), over points and components."""

    cosine_mean: float
    cosine_min: float
    projection_mean: float
    projection_max: float


@dataclass(frozen=True)
class VelocityMetrics(DirectionMetrics):
    """The direction metrics of one component, over the points, with its velocity α."""

    alpha: float


@dataclass(frozen=True)
class RotationMetrics(DirectionMetrics):
    """The direction metrics over all components, and per component (in order)."""

    per_velocity: tuple[VelocityMetrics, ...]


def _summary(cosine: Tensor, projection: Tensor) -> dict[str, float]:
    return {
        "cosine_mean": float(cosine.mean()), "cosine_min": float(cosine.min()),
        "projection_mean": float(projection.mean()), "projection_max": float(projection.max()),
    }


def rotation_metrics(pred: Tensor, directions: Tensor, alphas: Tensor) -> RotationMetrics:
    """Cosine similarity and projection error of each predicted component against its true direction.

    Args:
        pred: (N, K·n) predictions f̂(c), component i in coordinates [i·n, (i + 1)·n).
        directions: (N, K, n) unit vectors u_i(c) of the true components (RotationDataset.oriented_directions).
        alphas: (K,) the velocity α_i of each component.
    Returns:
        the four direction metrics over all points and components, with cosine = ⟨f̂_i, u_i⟩ / ‖f̂_i‖
        and projection = ‖f̂_i − ⟨f̂_i, u_i⟩ u_i‖ / ‖f̂_i‖ (both 0 for a zero component), and
        ``per_velocity``: the same four over the points, per component in order, with its α.
    """
    u = torch.as_tensor(directions).detach().to(dtype=torch.float64, device="cpu")
    N, K, n = u.shape
    f_hat = torch.as_tensor(pred).detach().to(dtype=torch.float64, device="cpu").reshape(N, K, n)
    inner = (f_hat * u).sum(-1)  # (N, K)
    norm = torch.linalg.vector_norm(f_hat, dim=-1).clamp_min(_EPS)  # zero components give 0 / eps = 0
    cosine = inner / norm
    projection = torch.linalg.vector_norm(f_hat - inner[..., None] * u, dim=-1) / norm
    per_velocity = tuple(
        VelocityMetrics(**_summary(cosine[:, i], projection[:, i]), alpha=float(a))
        for i, a in enumerate(torch.as_tensor(alphas).tolist())
    )
    return RotationMetrics(**_summary(cosine, projection), per_velocity=per_velocity)
