"""Gaussian-process regression baselines: ML-II hyperparameters, posterior mean and latent std.

On outputs standardised per coordinate, y_d = (x_d - mean_d) / s_d, the prior is
y_d ~ GP(0, k) with k(c, c') = σ² exp(-(c - c')²/(2ℓ²)) + σ_n² δ(c, c'). σ², ℓ and σ_n² maximise
the log marginal likelihood log p(y | c) (a few restarts drawn with the seed); with one kernel
shared by the D coordinates it is the sum over d of each coordinate's. At query inputs c*

    mean_d(c*) = k_f(c*, c) K⁻¹ y_d,   var_f(c*) = k_f(c*, c*) - k_f(c*, c) K⁻¹ k_f(c, c*),

K = k(c, c) (with the noise), k_f the kernel without it: var_f is the latent f's, not a new
observation's. Both are mapped back by mean_d + s_d (.) and s_d² (.).
"""

from __future__ import annotations

import warnings

import numpy as np

from .baseline_fit import Fit, inputs, sorted_samples
from .metrics import EVAL_CHUNK, training_spacing

# Restarts of the marginal-likelihood optimiser, from random hyperparameters, after the first start
# from σ² = 1, ℓ = h, σ_n² = 1e-6. Measured on the regimes study's 200 datasets
# (python -m toyexp.bench.gp_restarts): 2 restarts raised the log marginal likelihood over the
# first start's by more than 1e-6 in 172 and moved the prediction by more than 1e-6 in 128 (up to
# 2.6; on noisy targets the first start stops at "all signal", lml -162 against +26 at N = 200),
# so none can go; 5 would raise it further in 42, moving 17 predictions by more than 1e-6.
GP_RESTARTS = 2
# The shortest GP length scale, in sample spacings h. Structure narrower than h / 2 is beyond
# what samples h apart resolve (their Nyquist wavelength is 2 h). Without a floor, the marginal
# likelihood on projection's aliased targets drove the length scale to 1e-3 h, and the posterior
# mean fell back to the sample mean between every pair of samples (l2 0.51, against 0.21 here).
LENGTH_FLOOR = 0.5
LENGTH_CEILING = 1e3  # far beyond the input range [0, 1]: a fit here has found a constant or a line
SIGNAL_BOUNDS = (1e-3, 1e3)  # σ² on unit-variance outputs
# σ_n² on unit-variance outputs. The ML-II noise cannot exceed the outputs' variance, 1 here
# (all of it noise: σ² → 0 and σ_n² → mean of y², which standardising makes 1), so 1 contains
# every noise level a task can produce, and a fit that reaches it has found no signal. (The old
# ceiling, 0.1, was below projection's noise: σ = 0.2 is 0.15 to 1 per standardised coordinate.)
# The floor, 1e-12, is noise-free samples' optimum up to the jitter of the Cholesky factor.
NOISE_BOUNDS = (1e-12, 1.0)
BOUND_MARGIN = 0.01  # a hyperparameter within 1 % of a bound (relative) ended on it


def _model(h: float, seed: int, restarts: int = GP_RESTARTS):
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import RBF, ConstantKernel, WhiteKernel

    kernel = (ConstantKernel(1.0, SIGNAL_BOUNDS) * RBF(h, (LENGTH_FLOOR * h, LENGTH_CEILING))
              + WhiteKernel(1e-6, NOISE_BOUNDS))
    # the outputs arrive standardised (so the latent std can be mapped back without sklearn's internals)
    return GaussianProcessRegressor(kernel, normalize_y=False, n_restarts_optimizer=restarts, random_state=seed)


def _fit(c: np.ndarray, y: np.ndarray, q: np.ndarray, seed: int):
    """One GP fitted to the standardised outputs y (N, K) at inputs c (N,); its mean (M, K) and
    latent variance (M,) at q (M,), and the fitted kernel."""
    from scipy.linalg import solve_triangular
    from sklearn.exceptions import ConvergenceWarning
    from threadpoolctl import threadpool_limits

    model = _model(training_spacing(c[:, None]) if len(c) > 1 else 1.0, seed)
    # one BLAS thread: on N ~ 50 samples threads only contend (measured 16x slower on 2 busy cores)
    with warnings.catch_warnings(), threadpool_limits(1):
        # noise-free samples drive the white noise to its floor, and unresolved targets the length
        # scale to its floor: both expected, and counted by at_bound, not failures
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(c[:, None], y)
        k_f = model.kernel_.k1  # σ² exp(...): the latent f's kernel, without the noise
        mean, var = [], []
        # EVAL_CHUNK inputs at a time: the kernel matrices against the samples, (inputs, N) each,
        # took 150 MB for 110 000 inputs at once
        for i in range(0, len(q), EVAL_CHUNK):
            k_star = k_f(q[i : i + EVAL_CHUNK, None], c[:, None])  # (m, N)
            mean.append(k_star @ model.alpha_)  # (m, K)
            v = solve_triangular(model.L_, k_star.T, lower=True)  # (N, m)
            var.append(k_f.diag(q[i : i + EVAL_CHUNK, None]) - np.einsum("nm,nm->m", v, v))
    return np.concatenate(mean).reshape(len(q), -1), np.clip(np.concatenate(var), 0.0, None), model.kernel_


def _standardise(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per coordinate mean (D,) and standard deviation (D,) of x (N, D), a constant's std taken as 1."""
    mu, s = x.mean(axis=0), x.std(axis=0)
    return mu, np.where(s > 0, s, 1.0)


def _values(kernel) -> tuple[dict[str, float], tuple[str, ...]]:
    """The fitted hyperparameters by name (σ² "signal_variance", ℓ "length_scale", σ_n²
    "noise_variance") and those within BOUND_MARGIN of a bound."""
    names = {"constant_value": "signal_variance", "length_scale": "length_scale", "noise_level": "noise_variance"}
    values, at = {}, []
    params = kernel.get_params()
    for hp in kernel.hyperparameters:
        value = float(params[hp.name])
        name = names[hp.name.split("__")[-1]]
        values[name] = value
        low, high = map(float, np.asarray(hp.bounds).ravel())
        # the optimiser works in log θ, so "near" is relative
        if value <= low * (1 + BOUND_MARGIN):
            at.append(f"{name} lower")
        elif value >= high / (1 + BOUND_MARGIN):
            at.append(f"{name} upper")
    return values, tuple(at)


def gp_shared(c_train, x_train, c, seed: int = 0) -> Fit:
    """One GP for all output coordinates (one σ², ℓ, σ_n² on the standardised outputs): the
    posterior mean (M, D), the latent f's posterior std (M, D), the hyperparameters and bounds."""
    ct, xt = sorted_samples(c_train, x_train)
    mu, s = _standardise(xt)
    mean, var, kernel = _fit(ct, (xt - mu) / s, inputs(c), seed)
    values, at = _values(kernel)
    return Fit(mu + s * mean, np.sqrt(var)[:, None] * s, values, at)


def gp_per_output(c_train, x_train, c, seed: int = 0) -> Fit:
    """A GP per output coordinate d (its own σ², ℓ, σ_n²); hyperparameters named ``"name[d]"``."""
    ct, xt = sorted_samples(c_train, x_train)
    mu, s = _standardise(xt)
    q = inputs(c)
    means, stds, values, at = [], [], {}, []
    for d in range(xt.shape[1]):
        mean, var, kernel = _fit(ct, (xt[:, d:d + 1] - mu[d]) / s[d], q, seed)
        means.append(mu[d] + s[d] * mean[:, 0])
        stds.append(s[d] * np.sqrt(var))
        v, a = _values(kernel)
        values |= {f"{k}[{d}]": x for k, x in v.items()}
        at += a
    return Fit(np.stack(means, axis=1), np.stack(stds, axis=1), values, tuple(dict.fromkeys(at)))
