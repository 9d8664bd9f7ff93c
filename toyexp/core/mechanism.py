"""Where a trained flow model reads its condition c: its velocity along the training path, and
how much of its final prediction is its output at t = 0.

On the linear path x_t = (1 - t) x_0 + t x_1 with a deterministic target x_1 = f(c) the exact
conditional velocity is u = x_1 - x_0. From x_0 = 0 the path is x_t = t x_1, so for t > 0 also
u = x_t / t: a field that never reads c fits the loss at every t > 0, and only at t = 0, where
x_t = 0 for every c, must the network read c. If v(x, c, t) = x / t exactly for t > 0, Euler's
step x <- x + h v multiplies x by t_{k+1} / t_k, so every step count predicts v(0, c, 0).

For M evaluation inputs c_i (M, 1), their targets x_1^i (M, D) and starts x_0^i (M, D), at a time t:

    x_t^i = (1 - t) x_0^i + t x_1^i,   v_i = v(x_t^i, c_i, t),   ṽ_i = v(x_t^i, c_π(i), t)

with π a fixed random M-cycle (a permutation with no fixed point):

- c-share   S_c(t) = Σ_i ||v_i - ṽ_i||² / Σ_i ||v_i - v_π(i)||².
  The numerator swaps only c at a fixed x_t; the denominator swaps the whole point (x_t, c) of
  the path. Over random derangements the denominator's mean is 2 M Var_i v_i, so this is
  E||v_i - ṽ_i||² / (2 Var_i v_i) with the variance estimated on the same pairs, which makes
  the value exact for any M: 0 when v ignores c, 1 when v reads c only, and for
  v = a x + b f(c) on the path from x_0 = 0 (where x_t = t f(c)) exactly b² / (a t + b)². It
  exceeds 1 where swapping c moves v more than moving along the path does: from x_0 ~ N(0, I)
  the exact u = (f(c) - x_t) / (1 - t) gives, for large M, Σ_d Var f_d / ((1 - t)² Σ_d (Var f_d + 1)),
  which passes 1 as t nears 1.
- error against the exact velocity  e_u(t) = sqrt(mean_{i,d} (v_i - (x_1^i - x_0^i))²), an RMS
  in the units of x like the runs' l2.
- error against the c-free field  e_0(t) = sqrt(mean_{i,d} (ṽ_i - x_t^i / t)²) for t > 0 (NaN at
  t = 0), read with the swapped c: 0 only when the network, given a c that says nothing about
  x_t, still returns x_t / t, so it measures both that v ignores c and that it is x_t / t. (With
  its own c this error would equal e_u from x_0 = 0, where x_t / t = u on the path.) From a
  Gaussian x_0 the c-free field is only the contrast: the loss does not reward it there.

At the end of the path, for Euler with n steps, x̂_n (M, D): x̂_1 = x_0 + v(x_0, c, 0) is the
t = 0 output (v(0, c, 0) from x_0 = 0), and

- l2_n = sqrt(mean (x̂_n - x_1)²), gap_n = sqrt(mean (x̂_n - x̂_1)²),
- explained_n = 1 - Σ_i ||x̂_n^i - x̂_1^i||² / Σ_i ||x̂_n^i - mean_j x̂_n^j||², the share of the
  final prediction's variation over c that the t = 0 output accounts for (1: identical).

Pure maths on a model: no file, no task.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from .metrics import l2_error
from .modes import flow_predict

# t = 0, then 2^(-k/2) from 2^-9 to 2^-1/2, then 1 - 2^-k up to 1 - 2^-5: dense near 0, where
# the c-free field x_t / t is steep and any error of the learned field is amplified by 1 / t.
TIMES = (0.0, *(2.0 ** (-k / 2) for k in range(18, 0, -1)), *(1 - 2.0**-k for k in range(2, 6)))
STEPS = (1, 4, 16)  # Euler step counts at the end of the path; 1 is the t = 0 output, 16 the regimes study's


@dataclass(frozen=True, kw_only=True)
class PathCurves:
    """The learned velocity along the training path of one run, at each time of ``t``."""

    t: tuple[float, ...]
    c_share: tuple[float, ...]  # S_c(t)
    error_exact: tuple[float, ...]  # e_u(t), RMS of v - (x_1 - x_0)
    error_c_free: tuple[float, ...]  # e_0(t), RMS of ṽ - x_t / t (swapped c); NaN at t = 0
    velocity_rms: float  # sqrt(mean (x_1 - x_0)²): the scale the errors read against


@dataclass(frozen=True)
class EulerEndpoint:
    """Euler's prediction at ``steps`` steps against the target and against the t = 0 output."""

    steps: int
    l2: float  # RMS of x̂_n - x_1
    gap: float  # RMS of x̂_n - x̂_1
    explained: float  # 1 - Σ||x̂_n - x̂_1||² / Σ||x̂_n - mean x̂_n||²


@dataclass(frozen=True)
class Mechanism:
    """One run's measurement: the path curves and the Euler endpoints (``endpoints[0]`` is the 1-step one)."""

    path: PathCurves
    endpoints: tuple[EulerEndpoint, ...]

    def endpoint(self, steps: int) -> EulerEndpoint:
        return next(e for e in self.endpoints if e.steps == steps)


def random_cycle(m: int, seed: int = 0) -> Tensor:
    """π (m,) as indices: a random m-cycle, so π(i) != i for every i (m >= 2)."""
    order = torch.randperm(m, generator=torch.Generator().manual_seed(seed))
    pi = torch.empty(m, dtype=torch.long)
    pi[order] = order.roll(-1)  # each element of the random order points to the next one
    return pi


def _check(c: Tensor, x_0: Tensor, x_1: Tensor) -> None:
    if c.ndim != 2 or x_1.ndim != 2 or x_0.shape != x_1.shape or len(c) != len(x_1):
        raise ValueError(f"c, x_0, x_1: shapes {tuple(c.shape)}, {tuple(x_0.shape)}, {tuple(x_1.shape)}; "
                         "valid: c (M, C), x_0 and x_1 (M, D) with the same M")
    if len(c) < 2:
        raise ValueError(f"c: {len(c)} evaluation input(s); valid: at least 2 (S_c compares pairs of them)")


def _sq(a: Tensor) -> float:
    return float((a**2).sum())


@torch.no_grad()
def path_curves(model: nn.Module, c: Tensor, x_0: Tensor, x_1: Tensor, *, times: tuple[float, ...] = TIMES,
                seed: int = 0) -> PathCurves:
    """S_c(t), e_u(t) and e_0(t) (module docstring) for ``model(x, c, t)`` at each of ``times`` in
    [0, 1); c (M, C), x_0 and x_1 (M, D); ``seed`` fixes the cycle π."""
    _check(c, x_0, x_1)
    bad = [t for t in times if not 0 <= t < 1]
    if bad or not times:
        raise ValueError(f"times: {bad or 'empty'}; valid: a non-empty list of times in [0, 1)")
    pi = random_cycle(len(c), seed)
    u = x_1 - x_0
    share, exact, c_free = [], [], []
    for t in times:
        col = torch.full((len(c), 1), t, dtype=x_1.dtype)
        x_t = (1 - t) * x_0 + t * x_1  # (M, D)
        v = model(x_t, c, col)
        v_swapped = model(x_t, c[pi], col)  # the same points, each with another input's c
        share.append(_sq(v - v_swapped) / _sq(v - v[pi]))
        exact.append(l2_error(v, u))
        c_free.append(l2_error(v_swapped, x_t / t) if t > 0 else math.nan)
    return PathCurves(t=tuple(times), c_share=tuple(share), error_exact=tuple(exact), error_c_free=tuple(c_free),
                      velocity_rms=l2_error(u, torch.zeros_like(u)))


@torch.no_grad()
def euler_endpoints(model: nn.Module, c: Tensor, x_0: Tensor, x_1: Tensor, *,
                    steps: tuple[int, ...] = STEPS) -> tuple[EulerEndpoint, ...]:
    """l2_n, gap_n and explained_n (module docstring) for each step count n of ``steps``, ascending;
    the 1-step prediction x̂_1 = x_0 + v(x_0, c, 0) is the reference whether or not 1 is listed."""
    _check(c, x_0, x_1)
    if not steps or min(steps) < 1:
        raise ValueError(f"steps: {list(steps)}; valid: a non-empty list of step counts >= 1")
    at_zero = flow_predict(model, c, x_0, 1, method="euler")  # (M, D)
    out = []
    for n in sorted(set(steps)):
        pred = flow_predict(model, c, x_0, n, method="euler")
        spread = _sq(pred - pred.mean(0))
        out.append(EulerEndpoint(n, l2_error(pred, x_1), l2_error(pred, at_zero),
                                 1 - _sq(pred - at_zero) / spread if spread > 0 else math.nan))
    return tuple(out)


def mechanism(model: nn.Module, c: Tensor, x_0: Tensor, x_1: Tensor, *, times: tuple[float, ...] = TIMES,
              steps: tuple[int, ...] = STEPS, seed: int = 0) -> Mechanism:
    """The path curves and the Euler endpoints of one trained model (see the module docstring)."""
    return Mechanism(path_curves(model, c, x_0, x_1, times=times, seed=seed),
                     euler_endpoints(model, c, x_0, x_1, steps=steps))
