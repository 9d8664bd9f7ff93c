"""The projection target g(c) = P_i f(c): a sum of sinusoids in R^D confined to rank-k subspaces."""

from __future__ import annotations

import torch
from torch import Tensor

from ..sinusoids import SumOfSinusoids
from .config import ProjectionConfig
from .subspace import interval_index, random_projection


class ProjectedSinusoids(SumOfSinusoids):
    """Samples of g(c) = P_i f(c): f in R^D confined to a rank-``low_dim`` subspace.

    With ``num_intervals = m > 1`` the input range is cut into m equal intervals and
    interval i uses its own projection P_i from seed ``proj_seed + i``.

    Attributes:
        projections (m, D, D): the orthogonal projections P_i = A (A^T A)^-1 A^T.
        bases (m, D, k): orthonormal bases Q_i of their ranges.
    """

    def __init__(self, cfg: ProjectionConfig, seed: int):
        pairs = [random_projection(cfg.target_dim, cfg.low_dim, cfg.proj_seed + i) for i in range(cfg.num_intervals)]
        self.projections = torch.stack([P for P, _ in pairs])
        self.bases = torch.stack([Q for _, Q in pairs])
        super().__init__(cfg, seed)

    def interval(self, c: Tensor) -> Tensor:
        """Index of the interval (and so the projection) each input falls in, (N,)."""
        return interval_index(c[:, 0], self.cfg.c_min, self.cfg.c_max, self.cfg.num_intervals)

    def target(self, c: Tensor) -> Tensor:
        P = self.projections[self.interval(c)]  # (N, D, D)
        return torch.einsum("nij,nj->ni", P, self.sinusoids(c)).float()
