"""Training modes: how a network is trained and how it predicts.

Every mode is a pair of functions with fixed signatures, so the training loop and the
evaluation never ask which mode they run:

    loss(model, c, x_0, x_1, t, ell) -> scalar     c (B, C), x_0, x_1 (B, D), t (B, 1)
    predict(model, c, x_0, num_steps, method) -> (B, D)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
from torch import Tensor, nn

from .integrate import integrate
from .paths import linear_path, path_velocity


def regression_loss(model: nn.Module, c: Tensor, x_0: Tensor, x_1: Tensor, t: Tensor, ell: Callable) -> Tensor:
    """ell(model(0, c, 0), f(c)): predict the target directly."""
    return ell(model(torch.zeros_like(x_1), c, torch.zeros_like(t)), x_1)


def regression_predict(model: nn.Module, c: Tensor, x_0: Tensor, num_steps: int, method: str) -> Tensor:
    """model(0, c, 0); one network evaluation whatever the step count."""
    return model(torch.zeros_like(x_0), c, torch.zeros(len(c), 1, device=c.device))


def flow_loss(model: nn.Module, c: Tensor, x_0: Tensor, x_1: Tensor, t: Tensor, ell: Callable) -> Tensor:
    """ell(v(x_t, c, t), x_1 - x_0) on the linear path x_t = (1 - t) x_0 + t x_1."""
    return ell(model(linear_path(x_0, x_1, t), c, t), path_velocity(x_0, x_1))


def flow_predict(model: nn.Module, c: Tensor, x_0: Tensor, num_steps: int, method: str) -> Tensor:
    """Integrate dx/dt = v(x, c, t) from x_0 at t = 0 to t = 1."""
    ones = torch.ones(len(c), 1, dtype=x_0.dtype, device=c.device)
    return integrate(lambda x, t: model(x, c, t * ones), x_0, num_steps, method)


@dataclass(frozen=True)
class Mode:
    name: str
    loss: Callable[..., Tensor]
    predict: Callable[..., Tensor]
    integrates: bool  # whether num_steps and method change the prediction


MODES = {
    "regression": Mode("regression", regression_loss, regression_predict, integrates=False),
    "flow": Mode("flow", flow_loss, flow_predict, integrates=True),
}
