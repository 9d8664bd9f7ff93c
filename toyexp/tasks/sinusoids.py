"""Sums of sinusoids and their samples: the target of recon, and the f that projection projects.

f_d(c) = sum_k w_dk * trig_k(freq_dk * c + phase_dk), trig_k = sin for even k, cos for odd k.
Frequencies and phases are consumed from the primes in order: component k of output
dimension d uses j = d*K + k, freq = p[2j], phase = p[2j+1] / 10 (K = 3: freqs 2, 5, 11).
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import Tensor

from .config import SinusoidConfig
from .sampling import Samples


def primes(n: int) -> list[int]:
    """The first ``n`` prime numbers."""
    found: list[int] = []
    candidate = 2
    while len(found) < n:
        if all(candidate % p for p in found if p * p <= candidate):
            found.append(candidate)
        candidate += 1
    return found


def sinusoid_parameters(dim: int, num_components: int, weight_strategy: str,
                        max_frequency: float | None = None) -> tuple[Tensor, Tensor, Tensor]:
    """Frequencies (rad per unit c), phases and weights, each (dim, num_components), by the prime rule.

    With ``max_frequency`` (cycles per unit c) every frequency is scaled by the one factor that
    makes the highest 2π max_frequency; phases and weights (1, or 1/ω of the prime rule's ω) keep
    their values, so only the bandwidth changes.
    """
    p = torch.tensor(primes(2 * dim * num_components), dtype=torch.float64)
    freqs = p[0::2].reshape(dim, num_components)
    phases = p[1::2].reshape(dim, num_components) / 10
    weights = torch.ones_like(freqs) if weight_strategy == "uniform" else 1 / freqs
    if max_frequency is not None:
        freqs = freqs * (2 * math.pi * max_frequency / freqs.max())
    return freqs, phases, weights


def target_frequencies(cfg: SinusoidConfig) -> np.ndarray:
    """The target's frequencies ω / (2π) in cycles per unit c."""
    freqs, _, _ = sinusoid_parameters(cfg.target_dim, cfg.num_components, cfg.weight_strategy, cfg.max_frequency)
    return np.unique(freqs.numpy()) / (2 * np.pi)


class SumOfSinusoids(Samples):
    """Samples of the scalar (or ``target_dim``-dimensional) sum of sinusoids f(c).

    Attributes (besides those of :class:`Samples`):
        freqs, phases, weights (D, K): ω_dk, φ_dk and w_dk by the prime rule.
    """

    def __init__(self, cfg: SinusoidConfig, seed: int):
        self.freqs, self.phases, self.weights = sinusoid_parameters(
            cfg.target_dim, cfg.num_components, cfg.weight_strategy, cfg.max_frequency
        )
        super().__init__(cfg, seed)

    @property
    def dim(self) -> int:
        return self.cfg.target_dim

    def sinusoids(self, c: Tensor) -> Tensor:
        """f(c), (N, 1) -> (N, D), evaluated in float64."""
        arg = self.freqs * c.double()[:, :, None] + self.phases  # (N, D, K)
        even = torch.arange(arg.shape[-1]) % 2 == 0
        trig = torch.where(even, torch.sin(arg), torch.cos(arg))
        return (self.weights * trig).sum(-1)

    def target(self, c: Tensor) -> Tensor:
        """The function the models learn, (N, 1) -> (N, D) float32."""
        return self.sinusoids(c).float()
