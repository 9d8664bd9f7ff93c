"""Errors of predictions against the target over an evaluation set."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import torch
from torch import Tensor, nn

from .modes import Mode


def l1_error(pred: Tensor, target: Tensor) -> float:
    """Mean absolute error, mean over points and dimensions."""
    return (pred - target).abs().mean().item()


def l2_error(pred: Tensor, target: Tensor) -> float:
    """Root mean squared error, sqrt(mean over points and dimensions of (pred - target)^2)."""
    return ((pred - target) ** 2).mean().sqrt().item()


@dataclass(frozen=True)
class Evaluation:
    method: str
    num_steps: int
    nfe: int  # network evaluations per prediction
    l1: float
    l2: float

    def to_dict(self) -> dict:
        return asdict(self)


@torch.no_grad()
def predict(model: nn.Module, mode: Mode, c: Tensor, x_0: Tensor, num_steps: int, method: str) -> Tensor:
    """Predictions of ``model`` in evaluation mode; x_0 (M, D) is the inference start."""
    model.eval()
    try:
        return mode.predict(model, c, x_0, num_steps, method)
    finally:
        model.train()


def evaluate(
    model: nn.Module, mode: Mode, c: Tensor, x_1: Tensor, x_0: Tensor, methods: list[str], steps: list[int]
) -> list[Evaluation]:
    """l1 and l2 for every (method, num_steps) that changes the mode's prediction.

    A mode that does not integrate (regression, mip) is evaluated once, recorded at the first
    method and the largest step count; straight_flow only at the integrator its steps amount to.
    """
    out = []
    for method, n in mode.settings(methods, steps):
        pred = predict(model, mode, c, x_0, n, method)
        out.append(Evaluation(method, n, mode.cost(method, n), l1_error(pred, x_1), l2_error(pred, x_1)))
    return out


def distance_to_nearest(c, c_train) -> np.ndarray:
    """|c - nearest training input| for each row of c (M, 1), given c_train (N, 1)."""
    c, c_train = np.asarray(c)[:, 0], np.asarray(c_train)[:, 0]
    return np.abs(c[:, None] - c_train[None, :]).min(axis=1)
