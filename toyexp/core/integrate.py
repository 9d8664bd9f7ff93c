"""ODE integrators for dx/dt = v(x, t) on [t_0, t_1]: fixed-step ones here, adaptive ones in
:mod:`toyexp.core.adaptive`, both reached through :func:`integrate`.

Each fixed-step solver is one step function ``x_{n+1} = step(v, x_n, t_n, h)`` on a uniform
grid, and one loop drives them all. Adding a solver is adding a function to ``STEPS`` (or, for
one that picks its own steps, to ``ADAPTIVE``).

How finely a method integrates is its *resolution* (:mod:`~toyexp.core.resolution`): a number
of equal steps for a fixed-step method, a Tolerance for an adaptive one.
"""

from __future__ import annotations

from typing import Callable

from torch import Tensor

from . import names
from .adaptive import ADAPTIVE
from .resolution import Resolution, Tolerance

Velocity = Callable[[Tensor, float], Tensor]


def euler_step(v: Velocity, x: Tensor, t: float, h: float) -> Tensor:
    """x + h v(x, t); first order."""
    return x + h * v(x, t)


def midpoint_step(v: Velocity, x: Tensor, t: float, h: float) -> Tensor:
    """x + h v(x + h/2 v(x, t), t + h/2); second order."""
    return x + h * v(x + h / 2 * v(x, t), t + h / 2)


def heun_step(v: Velocity, x: Tensor, t: float, h: float) -> Tensor:
    """Trapezoidal predictor-corrector: x + h/2 (k1 + k2), k2 = v(x + h k1, t + h); second order."""
    k1 = v(x, t)
    k2 = v(x + h * k1, t + h)
    return x + h / 2 * (k1 + k2)


def rk4_step(v: Velocity, x: Tensor, t: float, h: float) -> Tensor:
    """Classic Runge-Kutta: x + h/6 (k1 + 2 k2 + 2 k3 + k4); fourth order."""
    k1 = v(x, t)
    k2 = v(x + h / 2 * k1, t + h / 2)
    k3 = v(x + h / 2 * k2, t + h / 2)
    k4 = v(x + h * k3, t + h)
    return x + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)


STEPS = {"euler": euler_step, "midpoint": midpoint_step, "heun": heun_step, "rk4": rk4_step}
EVALS_PER_STEP = {"euler": 1, "midpoint": 2, "heun": 2, "rk4": 4}
names.check_registry("integrate.STEPS", STEPS, names.FIXED_STEP_METHODS)


def integrate(v: Velocity, x_0: Tensor, resolution: Resolution, method: str = "euler", *, t_0: float = 0.0,
              t_1: float = 1.0) -> Tensor:
    """Integrate dx/dt = v(x, t) from x(t_0) = x_0 (B, D) to t_1: ``resolution`` equal steps of a
    fixed-step method, or an adaptive method (``ADAPTIVE``) at the Tolerance ``resolution``."""
    if method in ADAPTIVE:
        return ADAPTIVE[method](v, x_0, resolution, t_0=t_0, t_1=t_1).x_1
    step = STEPS[method]
    h = (t_1 - t_0) / resolution
    x = x_0
    for n in range(resolution):
        x = step(v, x, t_0 + n * h, h)
    return x


def nfe(method: str, steps: int) -> int:
    """Number of velocity evaluations one fixed-step integration of ``steps`` steps costs (an adaptive one's is counted)."""
    return EVALS_PER_STEP[method] * steps


def resolutions(method: str, steps: list[int], tolerances: list[Tolerance]) -> list[Resolution]:
    """The resolutions ``method`` is evaluated at, coarse to fine: ``steps`` for a fixed-step
    method, ``tolerances`` (loose to tight, as given) for an adaptive one."""
    return list(tolerances) if method in ADAPTIVE else list(steps)
