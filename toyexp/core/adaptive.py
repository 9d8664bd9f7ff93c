"""Adaptive ODE solvers for dx/dt = v(x, t) on [t_0, t_1]: the solver picks its own steps.

A fixed-step method (:mod:`toyexp.core.integrate`) is told how many steps to take; an adaptive
one is told how large an error to allow per step, a :class:`Tolerance`, and spends as many
velocity evaluations as that takes. Its cost is therefore counted, never assumed: the velocity
is wrapped in a :class:`Counted` that counts its calls and the steps the solver accepts and
rejects. Adding a solver is adding a function to ``ADAPTIVE``.

dopri5 (Dormand & Prince, 1980) is an explicit Runge-Kutta pair of orders 5 and 4 on seven
stages: each step makes a fifth-order update and a fourth-order one, and their difference
estimates the step's error e. A step is accepted when the RMS over all points and dimensions
of e_i / (atol + rtol max(|x_i|, |x_i'|)) is at most 1 (x the state before the step, x' after),
otherwise retried with a smaller h; either way the next h is chosen from that ratio. The last
stage of an accepted step is the first of the next ("first same as last"), so every attempted
step costs 6 evaluations, plus 2 at the start (v(x_0, t_0) and one probe that picks the first h).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
from torch import Tensor

from . import names
from .resolution import Tolerance

Velocity = Callable[[Tensor, float], Tensor]

MAX_STEPS = 1000  # attempted steps before an adaptive solve gives up (trained fields here need < 25)


class SolverFailed(RuntimeError):
    """An adaptive solver could not reach t_1: its step size underflowed, the state went
    non-finite, or it needed more than ``MAX_STEPS`` steps (the field blows up, or is too stiff)."""


@dataclass(frozen=True)
class Solution:
    """x(t_1) and what it cost: velocity evaluations and the steps accepted and rejected."""

    x_1: Tensor
    nfe: int
    accepted: int
    rejected: int


class Counted:
    """v(x, t) that counts its calls, with torchdiffeq's step callbacks counting the steps.

    torchdiffeq calls ``f(t, x)`` with t a 0-d tensor; v is called as v(x, float(t)), the
    signature every solver of the package uses. One call is one batched evaluation of v over
    all points: one NFE.
    """

    def __init__(self, v: Velocity):
        self.v = v
        self.calls = self.accepted = self.rejected = 0

    def __call__(self, t: Tensor, x: Tensor) -> Tensor:
        self.calls += 1
        return self.v(x, float(t))

    def callback_accept_step(self, t: Tensor, x: Tensor, h: Tensor) -> None:
        self.accepted += 1

    def callback_reject_step(self, t: Tensor, x: Tensor, h: Tensor) -> None:
        self.rejected += 1


def dopri5(v: Velocity, x_0: Tensor, tol: Tolerance, *, t_0: float = 0.0, t_1: float = 1.0) -> Solution:
    """Integrate dx/dt = v(x, t) from x(t_0) = x_0 (B, D) to t_1 with Dormand-Prince 5(4) at ``tol``.

    The last step is cut to end on t_1, so v is never evaluated past t_1 (only the probe that
    picks the first step size may look ahead, by at most that step). Raises :class:`SolverFailed`
    when the solution cannot be followed to t_1.
    """
    from torchdiffeq import odeint  # imported here: ``import toyexp`` stays free of it

    f = Counted(v)
    t = torch.tensor([t_0, t_1], dtype=torch.float64, device=x_0.device)
    options = {"step_t": t[1:], "max_num_steps": MAX_STEPS}
    try:
        x = odeint(f, x_0, t, rtol=tol.rtol, atol=tol.atol, method="dopri5", options=options)
    except AssertionError as err:  # torchdiffeq reports these failures by assert
        raise SolverFailed(
            f"dopri5 at rtol={tol.rtol}, atol={tol.atol} did not reach t = {t_1} from t = {t_0} "
            f"({f.accepted} steps accepted, {f.rejected} rejected, {f.calls} evaluations): {err}"
        ) from None
    return Solution(x[-1], f.calls, f.accepted, f.rejected)


ADAPTIVE: dict[str, Callable[..., Solution]] = {"dopri5": dopri5}
names.check_registry("adaptive.ADAPTIVE", ADAPTIVE, names.ADAPTIVE_METHODS)
