"""The numbers lie adds to ``final``: how well each predicted component keeps its true direction.

For a predicted component f̂_i(c) and the unit vector u_i(c) of the true one (see ``data``):

    cosine_i(c)     = ⟨f̂_i, u_i⟩ / ‖f̂_i‖        (= 1 on the true function; 0 where f̂_i = 0)
    projection_i(c) = ‖(I − P_i) f̂_i‖ / ‖f̂_i‖  (= 0 on the true function; 0 where f̂_i = 0)
"""

from __future__ import annotations

import torch
from torch import Tensor

_EPS = 1e-12  # guards divisions by component norms that may be exactly zero


def _summary(cosine: Tensor, projection: Tensor) -> dict:
    return {
        "cosine_mean": float(cosine.mean()), "cosine_min": float(cosine.min()),
        "projection_mean": float(projection.mean()), "projection_max": float(projection.max()),
    }


def rotation_metrics(pred: Tensor, directions: Tensor, alphas: Tensor) -> dict:
    """Cosine similarity and projection error of each predicted component against its true direction.

    Args:
        pred: (N, K·n) predictions f̂(c), component i in coordinates [i·n, (i + 1)·n).
        directions: (N, K, n) unit vectors u_i(c) of the true components (RotationDataset.oriented_directions).
        alphas: (K,) the velocity α_i of each component.
    Returns:
        {cosine_mean, cosine_min, projection_mean, projection_max} over all points and components,
        with cosine = ⟨f̂_i, u_i⟩ / ‖f̂_i‖ and projection = ‖f̂_i − ⟨f̂_i, u_i⟩ u_i‖ / ‖f̂_i‖
        (both 0 for a zero component), and ``per_velocity``: one dict per component, in order,
        with its ``alpha`` and the same four numbers over the points.
    """
    u = torch.as_tensor(directions).detach().to(dtype=torch.float64, device="cpu")
    N, K, n = u.shape
    f_hat = torch.as_tensor(pred).detach().to(dtype=torch.float64, device="cpu").reshape(N, K, n)
    inner = (f_hat * u).sum(-1)  # (N, K)
    norm = torch.linalg.vector_norm(f_hat, dim=-1).clamp_min(_EPS)  # zero components give 0 / eps = 0
    cosine = inner / norm
    projection = torch.linalg.vector_norm(f_hat - inner[..., None] * u, dim=-1) / norm
    out = _summary(cosine, projection)
    out["per_velocity"] = [
        {"alpha": float(a), **_summary(cosine[:, i], projection[:, i])} for i, a in enumerate(torch.as_tensor(alphas).tolist())
    ]
    return out
