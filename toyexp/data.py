"""Target functions and their samples: sums of sinusoids, optionally projected onto subspaces.

f_d(c) = sum_k w_dk * trig_k(freq_dk * c + phase_dk), trig_k = sin for even k, cos for odd k.
Frequencies and phases are consumed from the primes in order: component k of output
dimension d uses j = d*K + k, freq = p[2j], phase = p[2j+1] / 10 (K = 3: freqs 2, 5, 11).
"""

from __future__ import annotations

import torch
from torch import Tensor

from .config import DatasetConfig
from .subspace import interval_index, random_projection

EVAL_SEED_OFFSET = 7919  # the evaluation set's seed is the run seed plus this prime


def primes(n: int) -> list[int]:
    """The first ``n`` prime numbers."""
    found: list[int] = []
    candidate = 2
    while len(found) < n:
        if all(candidate % p for p in found if p * p <= candidate):
            found.append(candidate)
        candidate += 1
    return found


def sinusoid_parameters(dim: int, num_components: int, weight_strategy: str) -> tuple[Tensor, Tensor, Tensor]:
    """Frequencies, phases and weights, each (dim, num_components), by the prime rule."""
    p = torch.tensor(primes(2 * dim * num_components), dtype=torch.float64)
    freqs = p[0::2].reshape(dim, num_components)
    phases = p[1::2].reshape(dim, num_components) / 10
    weights = torch.ones_like(freqs) if weight_strategy == "uniform" else 1 / freqs
    return freqs, phases, weights


def training_conditions(cfg: DatasetConfig) -> Tensor:
    """Training inputs c, (num_train, 1): an even grid, or sorted uniform draws from ``sample_seed``."""
    if cfg.sampling_strategy == "grid":
        c = torch.linspace(cfg.c_min, cfg.c_max, cfg.num_train, dtype=torch.float64)
    else:
        g = torch.Generator().manual_seed(cfg.sample_seed)
        u = torch.rand(cfg.num_train, generator=g, dtype=torch.float64)
        c = torch.sort(cfg.c_min + (cfg.c_max - cfg.c_min) * u).values
    return c[:, None]


def evaluation_conditions(cfg: DatasetConfig, seed: int) -> Tensor:
    """Evaluation inputs c, (num_eval, 1): sorted uniform draws seeded by the run seed."""
    g = torch.Generator().manual_seed(seed + EVAL_SEED_OFFSET)
    u = torch.rand(cfg.num_eval, generator=g, dtype=torch.float64)
    return torch.sort(cfg.c_min + (cfg.c_max - cfg.c_min) * u).values[:, None]


class TargetFunctionDataset:
    """Samples of the scalar (or ``target_dim``-dimensional) sum of sinusoids f(c).

    Attributes:
        c_train (N, 1), x_train (N, D): training pairs; x is the target f(c).
        c_eval (M, 1), x_eval (M, D): evaluation pairs.
    """

    def __init__(self, cfg: DatasetConfig, seed: int):
        self.cfg = cfg
        self.freqs, self.phases, self.weights = sinusoid_parameters(
            cfg.target_dim, cfg.num_components, cfg.weight_strategy
        )
        self.sample(seed)

    def sample(self, seed: int) -> None:
        """Draw the training and evaluation inputs and evaluate the target on them."""
        self.c_train = training_conditions(self.cfg).float()
        self.x_train = self.target(self.c_train)
        self.c_eval = evaluation_conditions(self.cfg, seed).float()
        self.x_eval = self.target(self.c_eval)

    @property
    def dim(self) -> int:
        return self.cfg.target_dim

    def grid(self, num: int) -> Tensor:
        """An even grid of ``num`` inputs over [c_min, c_max], (num, 1)."""
        return torch.linspace(self.cfg.c_min, self.cfg.c_max, num)[:, None]

    def sinusoids(self, c: Tensor) -> Tensor:
        """f(c), (N, 1) -> (N, D), evaluated in float64."""
        arg = self.freqs * c.double()[:, :, None] + self.phases  # (N, D, K)
        even = torch.arange(arg.shape[-1]) % 2 == 0
        trig = torch.where(even, torch.sin(arg), torch.cos(arg))
        return (self.weights * trig).sum(-1)

    def target(self, c: Tensor) -> Tensor:
        """The function the models learn, (N, 1) -> (N, D) float32."""
        return self.sinusoids(c).float()


class ProjectedTargetFunctionDataset(TargetFunctionDataset):
    """Samples of g(c) = P_i f(c): f in R^D confined to a rank-``low_dim`` subspace.

    With ``num_intervals = m > 1`` the input range is cut into m equal intervals and
    interval i uses its own projection P_i from seed ``proj_seed + i``.

    Attributes:
        projections (m, D, D): the orthogonal projections P_i = A (A^T A)^-1 A^T.
        bases (m, D, k): orthonormal bases Q_i of their ranges.
    """

    def __init__(self, cfg: DatasetConfig, seed: int):
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
