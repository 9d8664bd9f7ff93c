"""Errors of predictions against the target over an evaluation set."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Callable

import numpy as np
import torch
from torch import Tensor, nn

from .adaptive import ADAPTIVE, Tolerance
from .integrate import Resolution
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
    num_steps: int | None  # the steps of a fixed-step method; None for an adaptive one, which picks its own
    nfe: int  # network evaluations of one prediction, counted (one batched call over all points = 1)
    l1: float
    l2: float
    rtol: float | None = None  # an adaptive method's tolerance; None for a fixed-step one
    atol: float | None = None

    @property
    def setting(self) -> tuple[str, Resolution]:
        """(method, resolution) as :meth:`Mode.settings` lists it."""
        return self.method, self.num_steps if self.rtol is None else Tolerance(self.rtol, self.atol)

    def to_dict(self) -> dict:
        return asdict(self)


# Points per network call at evaluation. A forward pass holds a few (points, hidden_dim)
# activations at once: one prediction over 100 000 points of a 256-wide MLP took 200 MB more
# than over 1000, in chunks of this size (4 MB an activation) 40 MB. A prediction over at most
# this many points is one call, exactly as without chunks (the default num_eval is 1000).
EVAL_CHUNK = 4096


def in_chunks(f: Callable[..., Tensor], size: int, *rows: Tensor) -> Tensor:
    """f(*rows) computed ``size`` rows at a time, for an f whose output row i depends only on row i
    of each input: the same result with the memory of one chunk. At most ``size`` rows: one call.

    The chunks are written into one output as they come: chunk outputs kept in a list among the
    freed activations fragmented the heap (+125 MB at 100 000 points of a 256-wide MLP, +40 MB so).
    """
    n = len(rows[0])
    if n <= size:
        return f(*rows)
    out = None
    for i in range(0, n, size):
        chunk = f(*(r[i : i + size] for r in rows))
        if out is None:
            out = chunk.new_empty((n, *chunk.shape[1:]))
        out[i : i + size] = chunk
        del chunk  # freed before the next chunk's activations
    return out


class Chunked:
    """``model(x, c, t)`` over at most ``size`` points per call (:func:`in_chunks`), counting its
    calls: one call over all points is one NFE, however many chunks it takes.

    Points are independent rows of x (B, D), c (B, C) and t (B, 1), so the chunks give the same
    function; an integrator (adaptive ones included) still sees the whole batch at once.
    """

    def __init__(self, model: nn.Module, size: int = EVAL_CHUNK):
        self.model, self.size, self.calls = model, size, 0

    def __call__(self, x: Tensor, c: Tensor, t: Tensor) -> Tensor:
        self.calls += 1
        return in_chunks(self.model, self.size, x, c, t)


@torch.no_grad()
def counted_predict(model: nn.Module, mode: Mode, c: Tensor, x_0: Tensor, num_steps: Resolution, method: str) -> tuple[Tensor, int]:
    """Predictions of ``model`` in evaluation mode, x_0 (M, D) the inference start, in chunks of
    :data:`EVAL_CHUNK` points; and the number of calls the mode made of the network (its NFE)."""
    net = Chunked(model, EVAL_CHUNK)
    model.eval()
    try:
        return mode.predict(net, c, x_0, num_steps, method), net.calls
    finally:
        model.train()


def predict(model: nn.Module, mode: Mode, c: Tensor, x_0: Tensor, num_steps: Resolution, method: str) -> Tensor:
    """:func:`counted_predict` without the count."""
    return counted_predict(model, mode, c, x_0, num_steps, method)[0]


def evaluate(
    model: nn.Module, mode: Mode, c: Tensor, x_1: Tensor, x_0: Tensor, methods: list[str], steps: list[int],
    tolerances: list[Tolerance] = (), predictions: dict | None = None,
) -> list[Evaluation]:
    """l1, l2 and the counted NFE for every (method, resolution) that changes the mode's prediction.

    A fixed-step method is evaluated at each of ``steps``, an adaptive one (dopri5) at each of
    ``tolerances``. A mode that does not integrate (regression, mip) is evaluated once, recorded
    at the first method and its finest resolution; straight_flow only at the integrator its
    steps amount to. ``predictions``, when given, receives each prediction under its
    (method, resolution), so a caller need not solve again.
    """
    out = []
    for method, n in mode.settings(methods, steps, tolerances):
        pred, calls = counted_predict(model, mode, c, x_0, n, method)
        if predictions is not None:
            predictions[method, n] = pred
        errors = l1_error(pred, x_1), l2_error(pred, x_1)
        if method in ADAPTIVE:  # n is the Tolerance; the solver chose its own steps
            out.append(Evaluation(method, None, calls, *errors, rtol=n.rtol, atol=n.atol))
        else:
            out.append(Evaluation(method, n, calls, *errors))
    return out


def training_spacing(c_train) -> float:
    """h = median distance between neighbouring training inputs, c_train (N, 1)."""
    return float(np.median(np.diff(np.sort(np.asarray(c_train)[:, 0]))))


def distance_to_nearest(c, c_train) -> np.ndarray:
    """|c - nearest training input| for each row of c (M, 1), given c_train (N, 1)."""
    c, c_train = np.asarray(c)[:, 0], np.asarray(c_train)[:, 0]
    return np.abs(c[:, None] - c_train[None, :]).min(axis=1)
