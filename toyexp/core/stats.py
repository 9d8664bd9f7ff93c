"""Numbers over seeds: mean, standard deviation, confidence intervals and paired comparisons,
on a linear or on a log scale.

Linear scale. Over the n seeds of a variant, a number v_1..v_n is summarised by its mean
m = (1/n) sum_i v_i and sample standard deviation s = sqrt(sum_i (v_i - m)^2 / (n - 1)).
With one seed s is undefined: it is stored as 0 (so plots draw no error bar). The 95 %
confidence interval of the mean is m ± t_{0.975, n-1} s / sqrt(n) (Student t with n - 1
degrees of freedom). Two variants run on the same seeds (same data, same initialisation) are
compared through the differences d_i = b_i - a_i seed by seed: their mean with its t interval,
and the paired t-test's two-sided p-value p = 2 P(T_{n-1} > |t|), t = d̄ / (s_d / sqrt(n)).

Log scale (:class:`LogStat`), for positive numbers whose ratios matter (errors that span
decades). The same statistics of log v_i, mapped back by exp:

    geometric mean       g = exp(m_log),              m_log = (1/n) sum_i log v_i
    geometric std factor f = exp(s_log) >= 1,          s_log the sample std of log v_i
    95 % interval        exp(m_log ± t_{0.975, n-1} s_log / sqrt(n))   (always positive)

A typical value lies within g ×/÷ f (from g / f to g f). Paired on the log scale, the
differences are d_i = log b_i - log a_i = log(b_i / a_i): the ratio of b to a is exp(d̄), its
interval exp(d̄ ± t_{0.975, n-1} s_d / sqrt(n)), and the paired t-test's p is that of d. A
ratio's null value is 1, a difference's 0. Every result carries its ``scale``, so a reader can
say which scale a number is on and a log number is never printed as a linear one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

import numpy as np

Scale = Literal["linear", "log"]


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
    """Values over seeds on the linear scale: their mean, sample std and count."""

    mean: float
    std: float  # sample std over seeds (ddof = 1); 0 when n = 1
    n: int
    scale: ClassVar[Scale] = "linear"
    null: ClassVar[float] = 0.0  # the value of "no effect" when this is a paired difference

    @property
    def centre(self) -> float:
        """The number a table shows and a ranking sorts by: the mean."""
        return self.mean

    @property
    def ci(self) -> Interval | None:
        """The 95 % t interval of the mean, m ± t_{0.975, n-1} s / sqrt(n); None for one value."""
        if self.n < 2:
            return None
        half = t_quantile(self.n) * self.std / np.sqrt(self.n)
        return Interval(self.mean - half, self.mean + half)


@dataclass(frozen=True)
class LogStat:
    """Positive values over seeds on the log scale: the mean and sample std of their logs.

    It has no ``mean`` or ``std`` on purpose: a reader asks for the geometric mean, the
    geometric std factor or the interval, each back on the values' own scale.
    """

    log_mean: float  # m_log = mean of log v_i
    log_std: float  # s_log, sample std of log v_i (ddof = 1); 0 when n = 1
    n: int
    scale: ClassVar[Scale] = "log"
    null: ClassVar[float] = 1.0  # the value of "no effect" when this is a paired ratio

    @property
    def geometric_mean(self) -> float:
        """g = exp(m_log)."""
        return float(np.exp(self.log_mean))

    @property
    def factor(self) -> float:
        """The geometric std factor f = exp(s_log) >= 1: a typical value lies in [g / f, g f]."""
        return float(np.exp(self.log_std))

    @property
    def centre(self) -> float:
        """The number a table shows and a ranking sorts by: the geometric mean."""
        return self.geometric_mean

    @property
    def ci(self) -> Interval | None:
        """The 95 % interval of the geometric mean, exp(m_log ± t_{0.975, n-1} s_log / sqrt(n));
        None for one value."""
        if self.n < 2:
            return None
        half = t_quantile(self.n) * self.log_std / np.sqrt(self.n)
        return Interval(float(np.exp(self.log_mean - half)), float(np.exp(self.log_mean + half)))


@dataclass(frozen=True)
class Paired:
    """b against a seed by seed over the n seeds both ran: the effect, its interval, the p-value.

    On the linear scale the effect is the mean difference b - a (a :class:`Stat`); on the log
    scale it is the ratio b / a (a :class:`LogStat` of b_i / a_i, whose geometric mean is the
    ratio exp(d̄) and whose interval is the ratio's)."""

    effect: Stat | LogStat
    p: float  # paired t-test on d_i (b_i - a_i, or log b_i - log a_i), two-sided; NaN for one pair

    @property
    def n(self) -> int:
        return self.effect.n

    @property
    def scale(self) -> Scale:
        return self.effect.scale

    @property
    def sign(self) -> int:
        """-1 when b is below a on average (difference < 0, ratio < 1), +1 above, 0 equal."""
        return int(np.sign(self.effect.centre - self.effect.null))

    @property
    def magnitude(self) -> float:
        """How far from "no effect": |d̄|, the mean difference's size, or on the log scale the size
        of the mean log ratio (so 2× and 0.5× are as large)."""
        return abs(self.effect.log_mean if self.scale == "log" else self.effect.mean)

    @property
    def ci_excludes_null(self) -> bool:
        """Whether the 95 % interval of the effect excludes "no effect" (a difference of 0, a ratio
        of 1; False with one pair); the report's verdicts correct for many tests instead
        (:func:`significant_after_bh`)."""
        ci = self.effect.ci
        return ci is not None and not ci.contains(self.effect.null)


def _pairs(a, b) -> tuple[np.ndarray, np.ndarray]:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError(f"a paired comparison needs two equally long lists of values, one per seed; got {a.shape} and {b.shape}")
    return a, b


def _p(mean: float, std: float, n: int) -> float:
    """The two-sided paired t-test's p of differences with this mean, std and count."""
    if n < 2:
        return float("nan")
    if std == 0:
        return 1.0 if mean == 0 else 0.0
    from scipy.stats import t

    return float(2 * t.sf(abs(mean) / (std / np.sqrt(n)), n - 1))


def paired(a, b) -> Paired:
    """The paired comparison of b against a on the linear scale (values of the same seeds, in the
    same order): d_i = b_i - a_i."""
    a, b = _pairs(a, b)
    d = stat(b - a)
    return Paired(d, _p(d.mean, d.std, d.n))


def paired_log(a, b) -> Paired:
    """The paired comparison of b against a on the log scale (positive values of the same seeds,
    in the same order): d_i = log b_i - log a_i, the ratio b / a = exp(d̄) with its interval."""
    a, b = _pairs(a, b)
    d = log_values(b) - log_values(a)
    mean, std = mean_std(d)
    ratio = LogStat(float(mean), float(std), len(d))
    return Paired(ratio, _p(ratio.log_mean, ratio.log_std, ratio.n))


def paired_on(scale: Scale, a, b) -> Paired:
    """:func:`paired` or :func:`paired_log`, by ``scale``."""
    return paired_log(a, b) if scale == "log" else paired(a, b)


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
    """Mean, sample std and count of ``values`` (n,), on the linear scale."""
    mean, std = mean_std(values)
    return Stat(float(mean), float(std), len(values))


def log_values(values) -> np.ndarray:
    """log v of positive ``values`` (n,); a value that is not positive is a ValueError naming it."""
    v = np.asarray(values, dtype=float)
    bad = v[~(v > 0)]  # also catches NaN
    if bad.size:
        raise ValueError(f"the log scale needs positive values; got {float(bad[0])!r} among {v.size} values "
                         "(an error of exactly 0, or a NaN, has no logarithm)")
    return np.log(v)


def log_stat(values) -> LogStat:
    """Mean and sample std of log v over positive ``values`` (n,): the geometric mean and its interval."""
    mean, std = mean_std(log_values(values))
    return LogStat(float(mean), float(std), len(values))


def stat_on(scale: Scale, values) -> Stat | LogStat:
    """:func:`stat` or :func:`log_stat`, by ``scale``."""
    return log_stat(values) if scale == "log" else stat(values)


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
