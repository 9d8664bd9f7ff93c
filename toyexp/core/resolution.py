"""How finely an integrator works: a number of equal steps, or for an adaptive one a tolerance."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Tolerance:
    """The error an adaptive solver allows per step, |e_i| <= atol + rtol |x_i| (in RMS over i)."""

    rtol: float
    atol: float


Resolution = int | Tolerance  # equal steps for a fixed-step method, a Tolerance for an adaptive one
