"""Sums of sinusoids and their samples: the target of recon, and the f that projection projects.

f_d(c) = sum_k w_dk * trig_k(freq_dk * c + phase_dk), trig_k = sin for even k, cos for odd k.
Frequencies and phases are consumed from the primes in order: component k of output
dimension d uses j = d*K + k, freq = p[2j], phase = p[2j+1] / 10 (K = 3: freqs 2, 5, 11).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from ..core.config import DatasetConfig
from ..schema import at_least, choice

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


@dataclass(frozen=True)
class SinusoidConfig(DatasetConfig):
    """The dataset keys of a sum of sinusoids: D output dimensions of K components each."""

    target_dim: int = at_least(1, 1)
    num_components: int = at_least(3, 1)
    weight_strategy: str = choice("uniform", ("uniform", "inverse_freq"))


# Seeds that the original toyexp scripts read for recon and projection but never used (nor do we):
# the sinusoids' parameters are deterministic.
PRIME_RULE_KEYS = {
    "freq_seed": "frequencies follow the prime rule, not a seed",
    "phase_seed": "phases follow the prime rule, not a seed",
    "weight_seed": "the weights follow dataset.weight_strategy (1 or 1/frequency), not a seed",
}


def target_frequencies(config: dict) -> np.ndarray:
    """The target's frequencies ω / (2π) in cycles per unit c, from a run's config (as a dict)."""
    d = config["dataset"]
    freqs, _, _ = sinusoid_parameters(d["target_dim"], d["num_components"], d["weight_strategy"])
    return np.unique(freqs.numpy()) / (2 * np.pi)


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
