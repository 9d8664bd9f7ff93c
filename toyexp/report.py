"""Numbers as the report prints them, and the small pieces of prose built from them.

Fixed precision everywhere (re-executed notebooks compare as text), "—" where a number is
undefined (a standard deviation or interval from one seed), and no-break spaces inside a
table cell so a number never wraps. Tasks and the study use these for their tables and
sentences; none of them computes a statistic (that is :mod:`toyexp.core.stats`).
"""

from __future__ import annotations

import numpy as np

from .core.stats import Interval, LogStat, Paired, Stat

NBSP = "\u00a0"  # joins a number's parts so a table cell never wraps inside it


def format_number(v: float, fmt: str = ".4f") -> str:
    """``v`` in the format ``fmt``; a non-zero number that would print as zero there (a baseline's
    1e-6 at ".4f") in scientific notation with two significant digits instead."""
    text = f"{v:{fmt}}"
    if v != 0 and np.isfinite(v) and float(text) == 0:
        return f"{v:{'+' if fmt.startswith('+') else ''}.1e}"
    return text


def as_printed(v: float, fmt: str) -> float:
    """``v`` rounded as ``fmt`` prints it in fixed notation: the key to rank numbers by in a sentence, so
    that two printed alike tie (and keep their rows' order) rather than be ordered by round-off that
    changes with the CPU (principal angles of 6.7e-07 and 6.8e-07 degrees, exact interpolants')."""
    return float(f"{v:{fmt}}")


def format_stat(s: Stat | LogStat, fmt: str = ".4f", sep: str = " ") -> str:
    """``mean ± std`` at fixed precision on the linear scale, ``geometric mean ×/÷ factor`` on the
    log scale (:func:`format_factor`); the spread reads "—" for a single seed. ``sep`` joins the
    parts (:data:`NBSP` in tables)."""
    if s.scale == "log":
        return f"{format_number(s.geometric_mean, fmt)}{sep}×/÷{sep}{format_factor(s.factor) if s.n > 1 else '—'}"
    mean = format_number(s.mean, fmt)
    # the std takes the mean's notation: round-off spread around 1.0 reads 0.0000, not 2.2e-16
    std = (format_number(s.std, fmt.lstrip("+")) if "e" in mean else f"{s.std:{fmt.lstrip('+')}}") if s.n > 1 else "—"
    return f"{mean}{sep}±{sep}{std}"


def format_factor(f: float) -> str:
    """A geometric std factor or a ratio at three significant digits ("1.52", "3.1e+04")."""
    return f"{f:.3g}"


def nowrap(cell: str) -> str:
    """A table cell that the browser never breaks: a number in scientific notation is wrapped in
    an HTML span (a line may break after the hyphen of "e-07", which a no-break space cannot stop)."""
    return f'<span style="white-space: nowrap">{cell}</span>' if "e-" in cell or "e+" in cell else cell


def format_interval(ci: Interval | None, fmt: str = ".4f", sep: str = " ") -> str:
    """``[low, high]`` at fixed precision, "—" when there is no interval (one seed)."""
    return "—" if ci is None else f"[{format_number(ci.low, fmt)},{sep}{format_number(ci.high, fmt)}]"


def format_p(p: float) -> str:
    """A p-value at three decimals, "< 0.001" below that, "—" when undefined."""
    return "—" if not np.isfinite(p) else ("< 0.001" if p < 0.001 else f"{p:.3f}")


def seeds_text(counts) -> str:
    """'n = 3 seeds', or 'n = 2–3 seeds' when the variants differ."""
    lo, hi = min(counts), max(counts)
    return f"n = {lo} seed{'s' * (hi > 1)}" if lo == hi else f"n = {lo}–{hi} seeds"


def extremes(names: list[str], value, fmt: str) -> tuple[str, str]:
    """The names with the lowest and with the highest value, ties (equal as printed) joined by "and"."""
    printed = {v: f"{value(v):{fmt}}" for v in names}
    tied = lambda w: " and ".join(v for v in names if printed[v] == printed[w])  # noqa: E731
    return tied(min(names, key=value)), tied(max(names, key=value))


def with_ci(s: Stat | LogStat, fmt: str = ".4f", scale: float = 1.0) -> str:
    """``0.0127 (95 % CI [0.0072, 0.0326])`` for ``scale`` times the centre of ``s`` (the mean, or
    on the log scale the geometric mean) and its interval, or ``0.0127 (one seed, no interval)``."""
    mean = format_number(scale * s.centre, fmt)
    if s.ci is None:
        return f"{mean} (one seed, no interval)"
    return f"{mean} (95{NBSP}% CI {format_interval(Interval(scale * s.ci.low, scale * s.ci.high), fmt)})"


def p_text(p: float) -> str:
    """``p = 0.012`` or ``p < 0.001`` (never ``p = < 0.001``), with non-breaking spaces."""
    text = format_p(p)
    return f"p{NBSP}" + (text.replace(" ", NBSP) if text.startswith("<") else f"={NBSP}{text}")


def pairs_text(n: int) -> str:
    return f"{n} pair{'s' * (n != 1)}"


def ratio_text(c: Paired, of: str, to: str) -> str:
    """A log-scale paired comparison as a ratio: ``flow's l2 is 3.1× regression's (95 % CI [2.2,
    4.4], p = 0.002, 5 pairs)``; ``of`` and ``to`` name b and a (possessives included)."""
    if c.scale != "log":
        raise ValueError(f"ratio_text needs a comparison on the log scale; got scale = {c.scale!r}")
    r = c.effect
    ci = f"95{NBSP}% CI [{format_factor(r.ci.low)}, {format_factor(r.ci.high)}], {p_text(c.p)}, " if r.ci else ""
    return f"{of} is {format_factor(r.centre)}× {to} ({ci}{pairs_text(c.n)})"


def short_ratio(c: Paired) -> str:
    """A log-scale paired comparison's ratio with its interval alone, for an abstract: ``3.1× (95 % CI [2.2, 4.4])``."""
    r = c.effect
    ci = f" (95{NBSP}% CI [{format_factor(r.ci.low)}, {format_factor(r.ci.high)}])" if r.ci else " (one seed, no interval)"
    return f"{format_factor(r.centre)}×{ci}"


def change_text(first: float, last: float) -> str:
    """How a number moves from ``first`` to ``last``: "falls by 12.5%", "rises by 3.0%", ..."""
    if last == first:
        return "does not change"
    if last < first:
        return f"falls by {100 * (first - last) / first:.1f}%"
    return f"rises by {100 * (last - first) / first:.1f}%" if first > 0 else "rises from zero"
