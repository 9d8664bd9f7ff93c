"""Errors of predictions against the target over an evaluation set.

A prediction starts from x_0 (K, M, D): K draws of x_0 at each of M inputs (K = 1: one start
per input, also given as (M, D)). The K draws are integrated as one batch of K M points, and
the point prediction is their mean x̂ = (1/K) sum_k x̂^(k); with K = 1 it is the one draw itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch
from torch import Tensor, nn

from .modes import Mode
from .resolution import Resolution, Tolerance


def l1_error(pred: Tensor, target: Tensor) -> float:
    """Mean absolute error, mean over points and dimensions."""
    return (pred - target).abs().mean().item()


def l2_error(pred: Tensor, target: Tensor) -> float:
    """Root mean squared error, sqrt(mean over points and dimensions of (pred - target)^2)."""
    return ((pred - target) ** 2).mean().sqrt().item()


@dataclass(frozen=True, kw_only=True)
class Evaluation:
    """The error of one prediction over the evaluation set, and what it cost."""

    method: str  # the integrator
    resolution: Resolution  # its steps, or for an adaptive method the Tolerance it solved to
    nfe: int  # network evaluations of one prediction, counted (one batched call over all points = 1)
    l1: float
    l2: float

    @property
    def setting(self) -> tuple[str, Resolution]:
        """(method, resolution) as :meth:`Mode.settings` lists it."""
        return self.method, self.resolution

    @property
    def steps(self) -> int | None:
        """The steps of a fixed-step method; None for an adaptive one, which picks its own."""
        return None if isinstance(self.resolution, Tolerance) else self.resolution

    @property
    def tolerance(self) -> Tolerance | None:
        """An adaptive method's tolerance; None for a fixed-step one."""
        return self.resolution if isinstance(self.resolution, Tolerance) else None


@dataclass(frozen=True)
class Draws:
    """What the K integrated draws at each input add to their mean: how far single draws spread
    around it, and the error of one draw alone (to set beside the mean's l2)."""

    k: int  # draws per input
    draw_std: float  # sqrt(mean over points and dims of s²), s the std over the K draws (ddof = 1)
    single_l2: float  # l2 of draw 0, the prediction K = 1 would have made


@dataclass(frozen=True)
class Evaluated:
    """An evaluation, the prediction it scored, x̂ (M, D), and the draws averaged into it (K, M, D)."""

    evaluation: Evaluation
    prediction: Tensor
    draws: Tensor | None = None


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
def counted_predict(model: nn.Module, mode: Mode, c: Tensor, x_0: Tensor, *, resolution: Resolution,
                    method: str) -> tuple[Tensor, int]:
    """Predictions of ``model`` in evaluation mode, x_0 (M, D) the inference start, in chunks of
    :data:`EVAL_CHUNK` points; and the number of calls the mode made of the network (its NFE)."""
    net = Chunked(model, EVAL_CHUNK)
    model.eval()
    try:
        return mode.predict(net, c, x_0, resolution, method=method), net.calls
    finally:
        model.train()


def as_draws(x_0: Tensor) -> Tensor:
    """x_0 as (K, M, D) draws: an (M, D) x_0 is one draw, (1, M, D)."""
    return x_0 if x_0.dim() == 3 else x_0.unsqueeze(0)


def counted_draws(model: nn.Module, mode: Mode, c: Tensor, x_0: Tensor, *, resolution: Resolution,
                  method: str) -> tuple[Tensor, int]:
    """The K integrated draws x̂^(k) (K, M, D) from x_0 (K, M, D) at inputs c (M, C), and the NFE.

    The draws are one batch of K M points (draw k's rows after draw k - 1's, c repeated to
    match), so a fixed-step method makes as many network calls as for one draw, and an adaptive
    one picks its steps for all draws at once (its error norm is an RMS over the whole batch).
    """
    x_0 = as_draws(x_0)
    k, m, d = x_0.shape
    pred, calls = counted_predict(model, mode, c.repeat(k, 1), x_0.reshape(k * m, d), resolution=resolution,
                                  method=method)  # (K M, D)
    return pred.reshape(k, m, -1), calls


def mean_of_draws(draws: Tensor) -> Tensor:
    """The point prediction x̂ = (1/K) sum_k x̂^(k), (M, D) from draws (K, M, D); draw 0 itself when K = 1."""
    return draws.mean(dim=0)


def draw_std(draws: Tensor) -> Tensor:
    """s = the standard deviation over the K draws at each point and dim, ddof = 1: (M, D) from (K, M, D), K > 1."""
    return draws.std(dim=0, correction=1)


def spread(draws: Tensor, x_1: Tensor) -> Draws | None:
    """The :class:`Draws` of draws (K, M, D) against the target x_1 (M, D); None when K = 1."""
    k = len(draws)
    if k == 1:
        return None
    return Draws(k=k, draw_std=draw_std(draws).pow(2).mean().sqrt().item(), single_l2=l2_error(draws[0], x_1))


def predict(model: nn.Module, mode: Mode, c: Tensor, x_0: Tensor, *, resolution: Resolution, method: str) -> Tensor:
    """The point prediction (M, D): the mean of the draws from x_0 (K, M, D), or from x_0 (M, D) itself."""
    return mean_of_draws(counted_draws(model, mode, c, x_0, resolution=resolution, method=method)[0])


def evaluate(model: nn.Module, mode: Mode, c: Tensor, x_1: Tensor, *, x_0: Tensor,
             settings: list[tuple[str, Resolution]]) -> list[Evaluated]:
    """l1, l2 and the counted NFE of the prediction at each (method, resolution) of ``settings``
    (``mode.settings(...)``: those that change the mode's prediction), with the prediction: the
    mean of the draws from x_0 (K, M, D), or (M, D) for one draw."""
    out = []
    for method, resolution in settings:
        draws, calls = counted_draws(model, mode, c, x_0, resolution=resolution, method=method)
        pred = mean_of_draws(draws)
        out.append(Evaluated(Evaluation(method=method, resolution=resolution, nfe=calls, l1=l1_error(pred, x_1),
                                        l2=l2_error(pred, x_1)), pred, draws))
    return out


def training_spacing(c_train) -> float:
    """h = median distance between neighbouring training inputs, c_train (N, 1)."""
    return float(np.median(np.diff(np.sort(np.asarray(c_train)[:, 0]))))


def distance_to_nearest(c, c_train) -> np.ndarray:
    """|c - nearest training input| for each row of c (M, 1), given c_train (N, 1)."""
    c, c_train = np.asarray(c)[:, 0], np.asarray(c_train)[:, 0]
    return np.abs(c[:, None] - c_train[None, :]).min(axis=1)


def near_and_between(c_grid, x_grid, pred_grid, c_train) -> tuple[float, float, float]:
    """RMSE near the training inputs and between them, and the spacing that splits the two.

    A grid point is *near* when it lies within a quarter of the median training spacing of a
    training input, *between* otherwise.
    """
    spacing = training_spacing(c_train)
    dist = distance_to_nearest(c_grid, c_train)
    sq = ((np.asarray(pred_grid) - np.asarray(x_grid)) ** 2).mean(axis=1)
    near = dist <= spacing / 4
    rmse = lambda mask: float(np.sqrt(sq[mask].mean())) if mask.any() else float("nan")  # noqa: E731
    return rmse(near), rmse(~near), spacing
