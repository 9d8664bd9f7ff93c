"""Numbers over seeds: mean, standard deviation, confidence intervals and paired comparisons.

Over the n seeds of a variant, a number v_1..v_n is summarised by its mean
m = (1/n) sum_i v_i and sample standard deviation s = sqrt(sum_i (v_i - m)^2 / (n - 1)).
With one seed s is undefined: it is stored as 0 (so plots draw no error bar).

The 95 % confidence interval of the mean is m ± t_{0.975, n-1} s / sqrt(n) (Student t with
n - 1 degrees of freedom). Two variants run on the same seeds (same data, same initialisation)
are compared through the differences d_i = b_i - a_i seed by seed: their mean with its t
interval, and the paired t-test's two-sided p-value p = 2 P(T_{n-1} > |t|), t = d̄ / (s_d / sqrt(n)).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


LEVEL = 0.95  # confidence level of every interval in the report
FDR = 0.05  # the false-discovery rate of every family of tests in the report (Benjamini-Hochberg)


def t_quantile(n: int) -> float:
    """t_{(1 + LEVEL)/2, n - 1}: the Student t quantile for a two-sided interval from n values."""
    if n < 2:
        raise ValueError(f"a t interval needs at least 2 values; got n = {n}")
    from scipy.stats import t

    return float(t.ppf((1 + LEVEL) / 2, n - 1))


@dataclass(frozen=True)
class Interval:
    low: float
    high: float

    def contains(self, value: float) -> bool:
        return self.low <= value <= self.high


@dataclass(frozen=True)
class Stat:
    mean: float
    std: float  # sample std over seeds (ddof = 1); 0 when n = 1
    n: int

    @property
    def ci(self) -> Interval | None:
        """The 95 % t interval of the mean, m ± t_{0.975, n-1} s / sqrt(n); None for one value."""
        if self.n < 2:
            return None
        half = t_quantile(self.n) * self.std / np.sqrt(self.n)
        return Interval(self.mean - half, self.mean + half)


@dataclass(frozen=True)
class Paired:
    """b - a seed by seed over the n seeds both ran: the mean difference, its interval, the p-value."""

    difference: Stat  # of d_i = b_i - a_i
    p: float  # paired t-test, two-sided; NaN for one pair

    @property
    def n(self) -> int:
        return self.difference.n

    @property
    def ci_excludes_zero(self) -> bool:
        """Whether the 95 % interval of the mean difference excludes 0 (False with one pair); the
        report's verdicts correct for many tests instead (:func:`significant_after_bh`)."""
        ci = self.difference.ci
        return ci is not None and not ci.contains(0.0)


def paired(a, b) -> Paired:
    """The paired comparison of b against a (values of the same seeds, in the same order)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError(f"a paired comparison needs two equally long lists of values, one per seed; got {a.shape} and {b.shape}")
    d = stat(b - a)
    if d.n < 2:
        return Paired(d, float("nan"))
    if d.std == 0:
        return Paired(d, 1.0 if d.mean == 0 else 0.0)
    from scipy.stats import t

    return Paired(d, float(2 * t.sf(abs(d.mean) / (d.std / np.sqrt(d.n)), d.n - 1)))


@dataclass(frozen=True)
class Band:
    """A curve over seeds: ``x`` and the mean and std over seeds of ``y`` at each x."""

    x: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    n: int


def mean_std(values, axis: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Mean and sample std (ddof = 1) over ``axis``; the std is 0 for a single value."""
    v = np.asarray(values, dtype=float)
    mean = v.mean(axis=axis)
    return mean, (v.std(axis=axis, ddof=1) if v.shape[axis] > 1 else np.zeros_like(mean))


def stat(values) -> Stat:
    mean, std = mean_std(values)
    return Stat(float(mean), float(std), len(values))


def log_log_slope(x, y) -> float:
    """The least-squares slope b of log y = a + b log x (x, y positive): the power-law rate y ∝ x^b."""
    lx, ly = np.log(np.asarray(x, dtype=float)), np.log(np.asarray(y, dtype=float))
    lx = lx - lx.mean()
    return float((lx * (ly - ly.mean())).sum() / (lx * lx).sum())


def rate(x, ys) -> Stat:
    """The power-law rate of y against x over seeds: the log-log slope of each seed's row of
    ``ys`` (S, len(x)), and their mean, sample std and n (so a t interval over seeds)."""
    return stat([log_log_slope(x, y) for y in np.asarray(ys, dtype=float)])


def adjusted_p(p_values) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q-values) of one family of tests: a test is called
    distinguishable at false-discovery rate α when q <= α. Undefined (NaN) p-values stay NaN
    and do not count as tests."""
    from scipy.stats import false_discovery_control

    p = np.asarray(p_values, dtype=float)
    q = np.full_like(p, np.nan)
    defined = np.isfinite(p)
    if defined.any():
        q[defined] = false_discovery_control(p[defined], method="bh")
    return q


def significant_after_bh(q: float) -> bool:
    """Whether a test whose Benjamini-Hochberg adjusted p-value is ``q`` is significant at :data:`FDR`
    (what the report calls *distinguishable*); False for an undefined q."""
    return bool(q <= FDR)
