"""Training modes: how a network is trained and how it predicts.

Every mode is a pair of functions with fixed signatures, so the training loop and the
evaluation never ask which mode they run:

    loss(model, c, x_0, x_1, t, ell) -> scalar     c (B, C), x_0, x_1 (B, D), t (B, 1)
                                                   (per member, (E,), for a stack's (E, B, ·) inputs)
    predict(model, c, x_0, resolution, method) -> (B, D)

``resolution`` is how finely the method integrates (toyexp.core.resolution): a step count, or for
an adaptive method such as dopri5 the Tolerance it integrates to; predict hands it to integrate.

On the linear path x_t = (1 - t) x_0 + t x_1 with t ~ U[0, 1]:

- regression:    ell(net(0, c, 0), x_1); predicts net(0, c, 0).
- flow:          ell(v(x_t, c, t), x_1 - x_0); integrates dx/dt = v(x, c, t) from x_0.
- straight_flow: ell(net(x_t, c, 0), x_1), time never given; from x_s the step to t is
                 x_t = ((1 - t) / (1 - s)) x_s + ((t - s) / (1 - s)) net(x_s, c, 0).
- mip:           ell(net(x_0, c, 0), x_1) + ell(net(x_t*, c, t*), x_1), x_t* = (1 - t*) x_0 + t* x_1;
                 predicts a = net((1 - t*) x_0 + t* a_0, c, t*) with a_0 = net(x_0, c, 0).
- mip_one_step:  the same training; predicts a_0 = net(x_0, c, 0).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Callable

import torch
from torch import Tensor, nn

from . import names
from .integrate import integrate, nfe, resolutions
from .paths import linear_path, path_velocity
from .resolution import Resolution, Tolerance


def _time(x: Tensor, value: float) -> Tensor:
    """A (..., B, 1) column of ``value`` matching x's batch dimensions, dtype and device."""
    return torch.full((*x.shape[:-1], 1), value, dtype=x.dtype, device=x.device)


def regression_loss(model: nn.Module, c: Tensor, x_0: Tensor, x_1: Tensor, *, t: Tensor, ell: Callable) -> Tensor:
    """ell(model(0, c, 0), f(c)): predict the target directly."""
    return ell(model(torch.zeros_like(x_1), c, torch.zeros_like(t)), x_1)


def regression_predict(model: nn.Module, c: Tensor, x_0: Tensor, resolution: Resolution, *, method: str) -> Tensor:
    """model(0, c, 0); one network evaluation whatever the step count."""
    return model(torch.zeros_like(x_0), c, _time(x_0, 0.0))


def flow_loss(model: nn.Module, c: Tensor, x_0: Tensor, x_1: Tensor, *, t: Tensor, ell: Callable) -> Tensor:
    """ell(v(x_t, c, t), x_1 - x_0) on the linear path x_t = (1 - t) x_0 + t x_1."""
    return ell(model(linear_path(x_0, x_1, t), c, t), path_velocity(x_0, x_1))


def flow_predict(model: nn.Module, c: Tensor, x_0: Tensor, resolution: Resolution, *, method: str) -> Tensor:
    """Integrate dx/dt = v(x, c, t) from x_0 at t = 0 to t = 1."""
    ones = _time(x_0, 1.0)
    return integrate(lambda x, t: model(x, c, t * ones), x_0, resolution, method)


def straight_flow_loss(model: nn.Module, c: Tensor, x_0: Tensor, x_1: Tensor, *, t: Tensor, ell: Callable) -> Tensor:
    """ell(model(x_t, c, 0), x_1): predict the endpoint from a point of the path, without its time."""
    return ell(model(linear_path(x_0, x_1, t), c, torch.zeros_like(t)), x_1)


def straight_flow_predict(model: nn.Module, c: Tensor, x_0: Tensor, resolution: Resolution, *, method: str) -> Tensor:
    """On the grid s_k = k / n: x_{s_{k+1}} = ((1 - s_{k+1}) x_s + (s_{k+1} - s_k) x̂_1) / (1 - s_k), x̂_1 = model(x_s, c, 0).

    This is Euler's method for the velocity (x̂_1 - x) / (1 - s), so ``method`` plays no part.
    """
    x, zero, n = x_0, _time(x_0, 0.0), resolution
    for k in range(n):
        s, t = k / n, (k + 1) / n
        x = ((1 - t) * x + (t - s) * model(x, c, zero)) / (1 - s)
    return x


def mip_loss(model: nn.Module, c: Tensor, x_0: Tensor, x_1: Tensor, *, t: Tensor, ell: Callable,
             t_star: float) -> Tensor:
    """ell(model(x_0, c, 0), x_1) + ell(model(x_t*, c, t*), x_1) with x_t* = (1 - t*) x_0 + t* x_1."""
    x_star = (1 - t_star) * x_0 + t_star * x_1
    return ell(model(x_0, c, _time(x_0, 0.0)), x_1) + ell(model(x_star, c, _time(x_0, t_star)), x_1)


def mip_predict(model: nn.Module, c: Tensor, x_0: Tensor, resolution: Resolution, *, method: str,
                t_star: float) -> Tensor:
    """â = model((1 - t*) x_0 + t* â_0, c, t*) with â_0 = model(x_0, c, 0): two evaluations."""
    a_0 = model(x_0, c, _time(x_0, 0.0))
    return model((1 - t_star) * x_0 + t_star * a_0, c, _time(x_0, t_star))


def mip_one_step_predict(model: nn.Module, c: Tensor, x_0: Tensor, resolution: Resolution, *, method: str) -> Tensor:
    """â_0 = model(x_0, c, 0): the first of mip's two predictions."""
    return model(x_0, c, _time(x_0, 0.0))


@dataclass(frozen=True, kw_only=True)
class Mode:
    name: str
    loss: Callable[..., Tensor]
    predict: Callable[..., Tensor]
    integrates: bool  # whether the resolution changes the prediction
    method: str | None = None  # the one integrator the mode's steps amount to; None: any of them
    evaluations: int = 1  # network evaluations of a prediction that does not integrate

    def settings(self, methods: list[str], steps: list[int], tolerances: list[Tolerance] = ()) -> list[tuple[str, Resolution]]:
        """The (method, resolution) pairs that give distinct predictions: each method at each of
        its resolutions (step counts, or tolerances for an adaptive method), coarse to fine."""
        if not self.integrates:
            return [(methods[0], resolutions(methods[0], steps, tolerances)[-1])]
        return [(m, r) for m in ([self.method] if self.method else methods) for r in resolutions(m, steps, tolerances)]

    def final(self, methods: list[str], steps: list[int], tolerances: list[Tolerance] = ()) -> tuple[str, Resolution]:
        """The setting metrics.json reports as ``final``: the first method at its finest resolution
        (the most steps, or the tightest tolerance)."""
        method = self.settings(methods, steps, tolerances)[0][0]
        return method, resolutions(method, steps, tolerances)[-1]

    def cost(self, method: str, steps: int) -> int:
        """Network evaluations (NFE) of one prediction with a fixed-step method at ``steps`` (an
        adaptive method's cost is known only once it has run: :func:`toyexp.core.metrics.evaluate` counts it)."""
        return nfe(method, steps) if self.integrates else self.evaluations


# The one list of modes: name -> the Mode for mip's second time t* (training.mip_t_star).
# Adding a mode is adding its loss and predict functions and one entry here.
MODES: dict[str, Callable[[float], Mode]] = {
    "regression": lambda t_star: Mode(name="regression", loss=regression_loss, predict=regression_predict,
                                      integrates=False),
    "flow": lambda t_star: Mode(name="flow", loss=flow_loss, predict=flow_predict, integrates=True),
    "straight_flow": lambda t_star: Mode(name="straight_flow", loss=straight_flow_loss, predict=straight_flow_predict,
                                         integrates=True, method="euler"),
    "mip": lambda t_star: Mode(name="mip", loss=partial(mip_loss, t_star=t_star),
                               predict=partial(mip_predict, t_star=t_star), integrates=False, evaluations=2),
    "mip_one_step": lambda t_star: Mode(name="mip_one_step", loss=partial(mip_loss, t_star=t_star),
                                        predict=mip_one_step_predict, integrates=False),
}


names.check_registry("modes.MODES", MODES, names.MODES)


def build_mode(name: str, t_star: float = 0.9) -> Mode:
    """The mode called ``name``; ``t_star`` is mip's second time (training.mip_t_star)."""
    return MODES[name](t_star)
