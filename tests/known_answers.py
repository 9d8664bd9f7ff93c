"""Answers computed here, independently of the package, that several test modules check against."""

import math

import torch


def is_prime(n: int) -> bool:
    """By trial division."""
    return n >= 2 and all(n % d for d in range(2, int(n**0.5) + 1))


FIRST_PRIMES = [n for n in range(1000) if is_prime(n)]  # 168 primes


def sinusoid_formula(c: torch.Tensor, dim: int, K: int, strategy: str) -> torch.Tensor:
    """f_d(c) = sum_k w_dk trig_k(freq_dk c + phase_dk), sin for even k, cos for odd k, component k of
    dimension d taking j = d K + k, freq = p_{2j}, phase = p_{2j+1} / 10, w = 1 or 1 / freq; (N,) -> (N, D) float64.

    Point by point in Python floats, apart from the package's vectorised float64 version."""
    out = torch.zeros(len(c), dim, dtype=torch.float64)
    for d in range(dim):
        for k in range(K):
            j = d * K + k
            freq, phase = FIRST_PRIMES[2 * j], FIRST_PRIMES[2 * j + 1] / 10
            w = 1.0 if strategy == "uniform" else 1.0 / freq
            trig = math.sin if k % 2 == 0 else math.cos
            for n, cn in enumerate(c.tolist()):
                out[n, d] += w * trig(freq * cn + phase)
    return out


def rodrigues(axis: torch.Tensor, v: torch.Tensor, angle: torch.Tensor) -> torch.Tensor:
    """Rotate v by ``angle`` about the unit ``axis`` (broadcast over leading dimensions):
    v cos + (axis × v) sin + axis (axis·v)(1 − cos)."""
    cos, sin = torch.cos(angle)[..., None], torch.sin(angle)[..., None]
    axis_b, v_b = torch.broadcast_tensors(axis, v)
    return v * cos + torch.linalg.cross(axis_b, v_b, dim=-1) * sin + axis * (axis * v).sum(-1, keepdim=True) * (1 - cos)
