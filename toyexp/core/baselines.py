"""Classical baselines: what plain interpolation of the training samples predicts between them.

A baseline is a pure function ``(c_train (N, 1), x_train (N, D), c (M, 1), seed) -> (M, D)``
fitted to the same samples as a network, each output coordinate on its own:

- ``linear``: piecewise-linear interpolation x̂(c) = x_j + (c - c_j)(x_{j+1} - x_j)/(c_{j+1} - c_j)
  between neighbouring inputs, constant beyond the first and last;
- ``spline``: the cubic spline through the samples with not-a-knot ends (the third derivative
  is continuous at the second and second-last inputs), constant beyond the ends;
- ``gp``: the posterior mean of a Gaussian process with kernel k(c, c') = σ² exp(-(c - c')²/(2ℓ²))
  + σ_n² δ(c, c') on the standardised outputs, σ², ℓ and σ_n² maximising the marginal
  likelihood (a few restarts drawn with ``seed``), with ℓ at least half the sample spacing.

``BASELINES`` names them; the study looks them up there.
"""

from __future__ import annotations

import warnings
from typing import Callable

import numpy as np

from .metrics import EVAL_CHUNK, training_spacing

Baseline = Callable[[np.ndarray, np.ndarray, np.ndarray, int], np.ndarray]
GP_RESTARTS = 2  # restarts of the marginal-likelihood optimiser, from random hyperparameters
# The shortest GP length scale, in sample spacings h. Structure narrower than h / 2 is beyond
# what samples h apart resolve (their Nyquist wavelength is 2 h). Without a floor, the marginal
# likelihood on projection's aliased targets drove the length scale to 1e-3 h, and the posterior
# mean fell back to the sample mean between every pair of samples (l2 0.51, against 0.21 here).
LENGTH_FLOOR = 0.5


def _sorted_samples(c_train, x_train) -> tuple[np.ndarray, np.ndarray]:
    """The samples as (N,) inputs in increasing order and (N, D) outputs; checks shapes and ties."""
    c, x = np.asarray(c_train, dtype=float), np.asarray(x_train, dtype=float)
    if c.ndim != 2 or c.shape[1] != 1 or x.ndim != 2 or len(x) != len(c):
        raise ValueError(f"a baseline needs c_train of shape (N, 1) and x_train of shape (N, D); got {c.shape} and {x.shape}")
    order = np.argsort(c[:, 0], kind="stable")
    c, x = c[order, 0], x[order]
    if np.any(np.diff(c) <= 0):
        raise ValueError("a baseline needs distinct training inputs c_train; some repeat")
    return c, x


def _inputs(c) -> np.ndarray:
    c = np.asarray(c, dtype=float)
    if c.ndim != 2 or c.shape[1] != 1:
        raise ValueError(f"a baseline predicts at inputs c of shape (M, 1); got {c.shape}")
    return c[:, 0]


def linear(c_train, x_train, c, seed: int = 0) -> np.ndarray:
    """Piecewise-linear interpolation of each output coordinate, constant beyond the ends."""
    ct, xt = _sorted_samples(c_train, x_train)
    q = _inputs(c)
    return np.stack([np.interp(q, ct, xt[:, d]) for d in range(xt.shape[1])], axis=1)  # (M, D)


def spline(c_train, x_train, c, seed: int = 0) -> np.ndarray:
    """Not-a-knot cubic spline through each output coordinate, constant beyond the ends."""
    from scipy.interpolate import CubicSpline

    ct, xt = _sorted_samples(c_train, x_train)
    q = np.clip(_inputs(c), ct[0], ct[-1])
    return CubicSpline(ct, xt, axis=0, bc_type="not-a-knot")(q)  # (M, D)


def gp(c_train, x_train, c, seed: int = 0) -> np.ndarray:
    """Gaussian-process posterior mean per output coordinate: ConstantKernel * RBF + WhiteKernel,
    hyperparameters by maximum marginal likelihood with the length scale >= LENGTH_FLOOR x the
    median spacing, outputs standardised (normalize_y)."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import RBF, ConstantKernel, WhiteKernel
    from threadpoolctl import threadpool_limits

    ct, xt = _sorted_samples(c_train, x_train)
    q = _inputs(c)[:, None]
    spacing = training_spacing(ct[:, None]) if len(ct) > 1 else 1.0
    out = []
    for d in range(xt.shape[1]):
        kernel = ConstantKernel(1.0, (1e-3, 1e3)) * RBF(spacing, (LENGTH_FLOOR * spacing, 1e3)) + WhiteKernel(1e-6, (1e-12, 1e-1))
        model = GaussianProcessRegressor(kernel, normalize_y=True, n_restarts_optimizer=GP_RESTARTS, random_state=seed)
        # one BLAS thread: on N ~ 50 samples threads only contend (measured 16x slower on 2 busy cores)
        with warnings.catch_warnings(), threadpool_limits(1):
            # noise-free samples drive the white noise to its lower bound, and unresolved targets the
            # length scale to its floor: both expected, not failures
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(ct[:, None], xt[:, d])
            # EVAL_CHUNK inputs at a time: the kernel matrices against the samples, (inputs, N) each,
            # took 150 MB for 110 000 inputs at once; at most EVAL_CHUNK inputs is one call
            out.append(np.concatenate([model.predict(q[i : i + EVAL_CHUNK]) for i in range(0, len(q), EVAL_CHUNK)]))
    return np.stack(out, axis=1)  # (M, D)


BASELINES: dict[str, Baseline] = {"linear": linear, "spline": spline, "gp": gp}
