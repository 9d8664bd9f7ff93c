"""Numbers over seeds: mean and sample standard deviation, and the rows and bands built from them.

Over the n seeds of a variant, a number v_1..v_n is summarised by its mean
m = (1/n) sum_i v_i and sample standard deviation s = sqrt(sum_i (v_i - m)^2 / (n - 1)).
With one seed s is undefined: it is stored as 0 (so plots draw no error bar) and printed as "—".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Stat:
    mean: float
    std: float  # sample std over seeds (ddof = 1); 0 when n = 1
    n: int


@dataclass(frozen=True)
class Band:
    """A curve over seeds: ``x`` and the mean and std over seeds of ``y`` at each x."""

    x: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    n: int


@dataclass(frozen=True)
class SummaryRow:
    """One variant of a task: its final metrics as mean and std over its seeds."""

    variant: str
    mode: str
    seeds: tuple[int, ...]
    stats: dict[str, Stat]  # metric name -> mean and std over seeds

    @property
    def n(self) -> int:
        return len(self.seeds)


def mean_std(values, axis: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Mean and sample std (ddof = 1) over ``axis``; the std is 0 for a single value."""
    v = np.asarray(values, dtype=float)
    mean = v.mean(axis=axis)
    return mean, (v.std(axis=axis, ddof=1) if v.shape[axis] > 1 else np.zeros_like(mean))


def stat(values) -> Stat:
    mean, std = mean_std(values)
    return Stat(float(mean), float(std), len(values))


def format_stat(s: Stat, spec: str = ".4f") -> str:
    """``mean ± std`` at fixed precision; the std reads "—" for a single seed."""
    return f"{s.mean:{spec}} ± " + (f"{s.std:{spec}}" if s.n > 1 else "—")


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
