"""ODEs dx/dt = v(x, t) with closed-form solutions, shared by the integrator tests (like
torchdiffeq's tests/problems.py). Every solution is written out here, in float64, from x(0) = x_0.

tests/conftest.py sits in this folder, so pytest puts the folder on sys.path: ``from problems import ...``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import torch
from torch import Tensor

F64 = torch.float64
A_ROT = torch.tensor([[0.0, -1.0], [1.0, 0.0]], dtype=F64)  # dx/dt = A x rotates by the angle t


def const_like(x: Tensor, value: float) -> Tensor:
    """A velocity that does not depend on x: ``value`` everywhere x is."""
    return torch.full_like(x, value)


def rotation_matrix(t: float) -> Tensor:
    """R(t) = [[cos t, -sin t], [sin t, cos t]] = exp(t A_ROT)."""
    return torch.tensor([[math.cos(t), -math.sin(t)], [math.sin(t), math.cos(t)]], dtype=F64)


@dataclass(frozen=True)
class Problem:
    """dx/dt = v(x, t) from x(0) = x_0 (B, D), and its exact solution x(t)."""

    v: Callable[[Tensor, float], Tensor]
    x_0: Tensor
    exact: Callable[[float], Tensor]

    @property
    def x_1(self) -> Tensor:
        return self.exact(1.0)


X0_DECAY = torch.tensor([[2.0], [-0.5]], dtype=F64)
X0_ROT = torch.tensor([[1.0, 0.0], [0.3, -2.0]], dtype=F64)

PROBLEMS = {
    # dx/dt = -x: x(t) = x_0 e^-t
    "decay": Problem(lambda x, t: -x, X0_DECAY, lambda t: X0_DECAY * math.exp(-t)),
    # dx/dt = t^2: x(t) = x_0 + t^3 / 3 (rk4 integrates it exactly)
    "t_squared": Problem(lambda x, t: const_like(x, t**2), torch.tensor([[1.0]], dtype=F64),
                         lambda t: torch.tensor([[1.0 + t**3 / 3]], dtype=F64)),
    # dx/dt = cos t: x(t) = x_0 + sin t
    "cosine": Problem(lambda x, t: const_like(x, math.cos(t)), torch.tensor([[0.25]], dtype=F64),
                      lambda t: torch.tensor([[0.25 + math.sin(t)]], dtype=F64)),
    # dx/dt = t cos t: x(t) = x_0 + t sin t + cos t - 1
    "t_cos_t": Problem(lambda x, t: const_like(x, t * math.cos(t)), torch.tensor([[0.25]], dtype=F64),
                       lambda t: torch.tensor([[0.25 + t * math.sin(t) + math.cos(t) - 1.0]], dtype=F64)),
    # dx/dt = A x with A the 90-degree rotation generator: x(t) = x_0 R(t)^T (rows are points)
    "rotation": Problem(lambda x, t: x @ A_ROT.T, X0_ROT, lambda t: X0_ROT @ rotation_matrix(t).T),
    # dx/dt = 20 cos 20t: x(t) = x_0 + sin 20t (fast enough that dopri5 rejects steps)
    "fast_cosine": Problem(lambda x, t: const_like(x, 20 * math.cos(20 * t)), torch.tensor([[0.5]], dtype=F64),
                           lambda t: torch.tensor([[0.5 + math.sin(20 * t)]], dtype=F64)),
}
