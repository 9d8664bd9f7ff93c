"""Fixed-step ODE integrators for dx/dt = v(x, t) on a uniform grid of [t_0, t_1].

Each solver is one step function ``x_{n+1} = step(v, x_n, t_n, h)``; :func:`integrate`
is the one loop that drives them all. Adding a solver is adding a function to ``STEPS``.
"""

from __future__ import annotations

from typing import Callable

from torch import Tensor

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


def integrate(v: Velocity, x_0: Tensor, num_steps: int, method: str = "euler", t_0: float = 0.0, t_1: float = 1.0) -> Tensor:
    """Integrate dx/dt = v(x, t) from x(t_0) = x_0 to t_1 with ``num_steps`` equal steps."""
    step = STEPS[method]
    h = (t_1 - t_0) / num_steps
    x = x_0
    for n in range(num_steps):
        x = step(v, x, t_0 + n * h, h)
    return x


def nfe(method: str, num_steps: int) -> int:
    """Number of velocity evaluations one integration costs."""
    return EVALS_PER_STEP[method] * num_steps
