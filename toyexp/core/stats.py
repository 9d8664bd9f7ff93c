"""Numbers over seeds: mean, standard deviation, confidence intervals and paired comparisons.

Over the n seeds of a variant, a number v_1..v_n is summarised by its mean
m = (1/n) sum_i v_i and sample standard deviation s = sqrt(sum_i (v_i - m)^2 / (n - 1)).
With one seed s is undefined: it is stored as 0 (so plots draw no error bar) and printed as "—".

The 95 % confidence interval of the mean is m ± t_{0.975, n-1} s / sqrt(n) (Student t with
n - 1 degrees of freedom). Two variants run on the same seeds (same data, same initialisation)
are compared through the differences d_i = b_i - a_i seed by seed: their mean with its t
interval, and the paired t-test's two-sided p-value p = 2 P(T_{n-1} > |t|), t = d̄ / (s_d / sqrt(n)).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


LEVEL = 0.95  # confidence level of every interval in the report
BASELINE = "baseline"  # the mode of a classical baseline's records and rows


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
    def distinguishable(self) -> bool:
        """Whether the 95 % interval of the mean difference excludes 0 (False with one pair)."""
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


@dataclass(frozen=True)
class SummaryRow:
    """One variant of a task (a trained network, or a classical baseline fitted to the same
    samples): its final metrics per seed and as mean and std over its seeds."""

    variant: str
    mode: str  # the training mode; BASELINE for a baseline
    seeds: tuple[int, ...]
    stats: dict[str, Stat]  # metric name -> mean and std over seeds
    values: dict[str, tuple[float, ...]] = field(default_factory=dict, compare=False)  # metric name -> one per seed

    @property
    def n(self) -> int:
        return len(self.seeds)

    @property
    def baseline(self) -> bool:
        return self.mode == BASELINE


def compare(a: SummaryRow, b: SummaryRow, metric: str) -> Paired:
    """``metric`` of b against a, paired by the seeds both report (b - a per seed)."""
    common = [s for s in a.seeds if s in b.seeds]
    at = lambda row, s: row.values[metric][row.seeds.index(s)]  # noqa: E731
    return paired([at(a, s) for s in common], [at(b, s) for s in common])


def mean_std(values, axis: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Mean and sample std (ddof = 1) over ``axis``; the std is 0 for a single value."""
    v = np.asarray(values, dtype=float)
    mean = v.mean(axis=axis)
    return mean, (v.std(axis=axis, ddof=1) if v.shape[axis] > 1 else np.zeros_like(mean))


def stat(values) -> Stat:
    mean, std = mean_std(values)
    return Stat(float(mean), float(std), len(values))


NBSP = "\u00a0"  # joins a number's parts so a table cell never wraps inside it


def format_number(v: float, spec: str = ".4f") -> str:
    """``v`` in the format ``spec``; a non-zero number that would print as zero there (a baseline's
    1e-6 at ".4f") in scientific notation with two significant digits instead."""
    text = f"{v:{spec}}"
    if v != 0 and np.isfinite(v) and float(text) == 0:
        return f"{v:{'+' if spec.startswith('+') else ''}.1e}"
    return text


def format_stat(s: Stat, spec: str = ".4f", sep: str = " ") -> str:
    """``mean ± std`` at fixed precision; the std reads "—" for a single seed. ``sep`` joins the
    parts (:data:`NBSP` in tables)."""
    mean = format_number(s.mean, spec)
    # the std takes the mean's notation: round-off spread around 1.0 reads 0.0000, not 2.2e-16
    std = (format_number(s.std, spec.lstrip("+")) if "e" in mean else f"{s.std:{spec.lstrip('+')}}") if s.n > 1 else "—"
    return f"{mean}{sep}±{sep}{std}"


def nowrap(cell: str) -> str:
    """A table cell that the browser never breaks: a number in scientific notation is wrapped in
    an HTML span (a line may break after the hyphen of "e-07", which a no-break space cannot stop)."""
    return f'<span style="white-space: nowrap">{cell}</span>' if "e-" in cell or "e+" in cell else cell


def format_interval(ci: Interval | None, spec: str = ".4f", sep: str = " ") -> str:
    """``[low, high]`` at fixed precision, "—" when there is no interval (one seed)."""
    return "—" if ci is None else f"[{format_number(ci.low, spec)},{sep}{format_number(ci.high, spec)}]"


def format_p(p: float) -> str:
    """A p-value at three decimals, "< 0.001" below that, "—" when undefined."""
    return "—" if not np.isfinite(p) else ("< 0.001" if p < 0.001 else f"{p:.3f}")


def seeds_text(counts) -> str:
    """'n = 3 seeds', or 'n = 2–3 seeds' when the variants differ."""
    lo, hi = min(counts), max(counts)
    return f"n = {lo} seed{'s' * (hi > 1)}" if lo == hi else f"n = {lo}–{hi} seeds"


def extremes(names: list[str], value, spec: str) -> tuple[str, str]:
    """The names with the lowest and with the highest value, ties (equal as printed) joined by "and"."""
    printed = {v: f"{value(v):{spec}}" for v in names}
    tied = lambda w: " and ".join(v for v in names if printed[v] == printed[w])  # noqa: E731
    return tied(min(names, key=value)), tied(max(names, key=value))


def change_text(first: float, last: float) -> str:
    """How a number moves from ``first`` to ``last``: "falls by 12.5%", "rises by 3.0%", ..."""
    if last == first:
        return "does not change"
    if last < first:
        return f"falls by {100 * (first - last) / first:.1f}%"
    return f"rises by {100 * (last - first) / first:.1f}%" if first > 0 else "rises from zero"
