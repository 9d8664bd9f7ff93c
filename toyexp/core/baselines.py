"""Classical baselines: what plain interpolation or smoothing of the training samples predicts.

A baseline maps ``(c_train (N, 1), x_train (N, D), c (M, 1), seed)`` to a :class:`Fit`, fitted to
the same samples as a network:

- ``linear``: piecewise-linear interpolation x̂(c) = x_j + (c - c_j)(x_{j+1} - x_j)/(c_{j+1} - c_j)
  between neighbouring inputs, constant beyond the first and last;
- ``spline``: the cubic spline through the samples with not-a-knot ends (the third derivative
  is continuous at the second and second-last inputs), constant beyond the ends;
- ``smoothing-spline``: per output coordinate, the cubic spline minimising
  Σ_j (x_j - x̂(c_j))² + λ ∫ x̂''(c)² dc, λ chosen by generalised cross-validation, constant
  beyond the ends; GCV needs N >= 5, so with fewer samples it raises :class:`Undefined`;
- ``gp``: the posterior mean of one Gaussian process shared by the output coordinates,
  k(c, c') = σ² exp(-(c - c')²/(2ℓ²)) + σ_n² δ(c, c') (:mod:`toyexp.core.gp`);

:func:`~toyexp.core.gp.gp_per_output` (its own σ², ℓ, σ_n² per output coordinate) is not a baseline
of the report: on projection's noisy regimes points the shared kernel matched or beat it everywhere
but at N = 10, f_max = 4 (3 seeds: l2 0.029 against 0.046 at N = 200, f_max = 1), at a fifth to a
seventh of the time (7.6 s against 41 s for 5 seeds at N = 200, f_max = 4). The D coordinates of a
task are one function's views (projection's are projections of one f(c)), so one kernel is
also what an expert would fit.

Plain interpolants are plain functions ``-> (M, D)``; :func:`plain` wraps them into a Fit with
nothing to report. ``BASELINES`` names them all; the study looks them up there.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from .baseline_fit import Fit, Undefined, inputs, sorted_samples
from .gp import gp_shared

SMOOTHING_MIN_SAMPLES = 5  # GCV's criterion is undefined below 5 samples (scipy's make_smoothing_spline)


Interpolant = Callable[[np.ndarray, np.ndarray, np.ndarray, int], np.ndarray]
Baseline = Callable[[np.ndarray, np.ndarray, np.ndarray, int], Fit]


def plain(interpolant: Interpolant) -> Baseline:
    """``interpolant`` as a baseline: its prediction in a Fit with nothing else to report."""
    def baseline(c_train, x_train, c, seed: int = 0) -> Fit:
        return Fit(interpolant(c_train, x_train, c, seed))
    baseline.__doc__ = interpolant.__doc__
    return baseline


def linear(c_train, x_train, c, seed: int = 0) -> np.ndarray:
    """Piecewise-linear interpolation of each output coordinate, constant beyond the ends."""
    ct, xt = sorted_samples(c_train, x_train)
    q = inputs(c)
    return np.stack([np.interp(q, ct, xt[:, d]) for d in range(xt.shape[1])], axis=1)  # (M, D)


def spline(c_train, x_train, c, seed: int = 0) -> np.ndarray:
    """Not-a-knot cubic spline through each output coordinate, constant beyond the ends."""
    from scipy.interpolate import CubicSpline

    ct, xt = sorted_samples(c_train, x_train)
    q = np.clip(inputs(c), ct[0], ct[-1])
    return CubicSpline(ct, xt, axis=0, bc_type="not-a-knot")(q)  # (M, D)


def smoothing_spline(c_train, x_train, c, seed: int = 0) -> np.ndarray:
    """Per output coordinate, the cubic smoothing spline with λ by GCV, constant beyond the ends.

    Minimises Σ_j (x_jd - x̂_d(c_j))² + λ_d ∫ x̂_d''(c)² dc; λ_d → 0 gives the natural cubic
    interpolant, λ_d → ∞ the least-squares line. Raises :class:`Undefined` for N < 5."""
    from scipy.interpolate import make_smoothing_spline

    ct, xt = sorted_samples(c_train, x_train)
    q = np.clip(inputs(c), ct[0], ct[-1])
    if len(ct) < SMOOTHING_MIN_SAMPLES:
        raise Undefined(f"GCV needs at least {SMOOTHING_MIN_SAMPLES} samples to choose the smoothing; got N = {len(ct)}")
    # one λ per coordinate: each carries its own share of the signal against the same noise
    return np.stack([make_smoothing_spline(ct, xt[:, d], lam=None)(q) for d in range(xt.shape[1])], axis=1)  # (M, D)


BASELINES: dict[str, Baseline] = {
    "linear": plain(linear),
    "spline": plain(spline),
    "smoothing-spline": plain(smoothing_spline),
    "gp": gp_shared,
}
