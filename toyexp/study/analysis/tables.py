"""The analysis' tables, as Markdown, each narrow enough for the book's text column: the errors with
their intervals, the task's metrics, the paired comparisons with the reference variant, and the
runs' provenance. They read :class:`~.results.TaskResults`; they compute nothing.

Every header names the scale of its numbers: "mean ± std" on the linear scale, "geometric mean
×/÷ geometric std" on the log scale (the errors); a paired comparison is a difference on the
linear scale and a ratio on the log scale."""

from __future__ import annotations

from ...core.stats import Paired, Scale
from ...report import NBSP, format_factor, format_interval, format_number, format_p, format_stat, nowrap
from ...tasks.base import ERRORS, L2, Metric, SummaryRow
from .collect import Collection
from .results import TaskResults
from .summary import scale_of

SPREAD = {"linear": f"mean{NBSP}±{NBSP}std", "log": f"geometric mean{NBSP}×/÷{NBSP}geometric std"}
CENTRE = {"linear": "mean", "log": "geometric mean"}


def label(row: SummaryRow) -> str:
    """The variant's name in a table; a baseline's is italic (the tables' captions say so)."""
    return f"*{row.variant}*" if row.baseline else row.variant


def _shown(rows, metrics: tuple[Metric, ...]) -> list[Metric]:
    return [m for m in metrics if rows and all(m in r.stats for r in rows)]


def markdown_table(rows, metrics: tuple[Metric, ...] = ERRORS, columns: int = 3) -> str:
    """The ``metrics`` every row has, over seeds at fixed precision, a column each: mean ± std, or
    for an error geometric mean ×/÷ geometric std (its header says "geometric"); more than
    ``columns`` metrics split evenly into several tables, so each fits the page."""
    shown = _shown(rows, metrics)
    parts = -(-len(shown) // columns) or 1
    size = -(-len(shown) // parts) or 1
    tables = []
    for start in range(0, max(len(shown), 1), size):
        chunk = shown[start:start + size]
        heads = [m.label + (f", {SPREAD['log']}" if scale_of(m) == "log" else "") for m in chunk]
        lines = ["| variant | n | " + " | ".join(heads) + " |", "|---|---:|" + "---:|" * len(chunk)]
        for r in rows:
            cells = [nowrap(format_stat(r.stats[m], m.fmt, NBSP)) for m in chunk]
            lines.append(f"| {label(r)} | {r.n} | " + " | ".join(cells) + " |")
        tables.append("\n".join(lines))
    return "\n\n".join(tables)


def interval_table(rows, metrics: tuple[Metric, ...] = ERRORS) -> str:
    """A table per metric (so each fits the book's text column), a row per variant and baseline:
    mean ± std over the seeds and the 95 % t interval of the mean, or on the log scale (the
    errors) geometric mean ×/÷ geometric std and the interval of the geometric mean ("—" for one seed)."""
    tables = []
    for m in _shown(rows, metrics):
        sc = scale_of(m)
        lines = [f"**{m.label}**" + (" (log scale)" if sc == "log" else ""), "",
                 f"| variant | n | {SPREAD[sc]} | 95{NBSP}% CI of the {CENTRE[sc]} |", "|---|---:|---:|---:|"]
        for r in rows:
            s = r.stats[m]
            lines.append(f"| {label(r)} | {r.n} | {nowrap(format_stat(s, m.fmt, NBSP))} | {nowrap(format_interval(s.ci, m.fmt, NBSP))} |")
        tables.append("\n".join(lines))
    return "\n\n".join(tables)


def _effect_head(scales: set[Scale], ref: str) -> str:
    if scales == {"log"}:
        return f"ratio (variant / {ref}, geometric mean over seeds)"
    if scales == {"linear"}:
        return f"mean difference (variant − {ref})"
    return f"ratio (×, variant / {ref}) or mean difference (±, variant − {ref})"


def _effect_cells(c: Paired, fmt: str) -> tuple[str, str]:
    """The effect and its interval: a ratio at three significant digits, or a signed difference."""
    e = c.effect
    if c.scale == "log":
        ci = "—" if e.ci is None else f"[{format_factor(e.ci.low)},{NBSP}{format_factor(e.ci.high)}]"
        return f"{format_factor(e.centre)}×", ci
    return nowrap(format_number(e.mean, "+" + fmt)), nowrap(format_interval(e.ci, "+" + fmt, NBSP))


def comparison_table(res: TaskResults, metrics: tuple[Metric, ...] = ERRORS) -> str:
    """Every other row against the reference, paired by seed: for an error (log scale) the ratio
    other / reference (the geometric mean of the per-seed ratios), otherwise the mean of (other −
    reference); its 95 % t interval, the paired t-test's p-value (on the log ratios for an error),
    that p-value adjusted over the table (Benjamini-Hochberg) and whether the two are
    distinguishable after the adjustment."""
    shown = _shown(res.rows, metrics)
    head = _effect_head({scale_of(m) for m in shown} or {"linear"}, res.reference.variant)
    lines = [f"| variant | metric | pairs | {head} | 95{NBSP}% CI | p | "
             "p adjusted (BH) | distinguishable |", "|---|---|---:|---:|---:|---:|---:|---|"]
    for r in res.rows:
        if r is res.reference:
            continue
        for m in shown:
            c = res.versus_reference[r.variant, m]
            verdict = "yes" if res.significant_after_bh(r.variant, m) else ("no (one pair)" if c.n < 2 else "no")
            effect, ci = _effect_cells(c, m.fmt)
            lines.append(f"| {label(r)} | {m.name} | {c.n} | {effect} | {ci} | {format_p(c.p)} | "
                         f"{format_p(res.reference_q[r.variant, m])} | {verdict} |")
    return "\n".join(lines)


def provenance_summary(collection: Collection) -> str:
    """Git commits, package versions, platforms, CPU code paths and the date range recorded by the runs."""
    prov = [r.record.provenance for r in collection.runs]
    if not prov:
        return "No complete runs, so no provenance."
    commits: dict[str, list[bool]] = {}
    for p in prov:
        commits.setdefault(str(p.git.commit), []).append(bool(p.git.dirty))
    lines = [f"{len(prov)} complete runs."]
    lines += [f"git commit {c} ({len(d)} runs, {sum(d)} with uncommitted changes)" for c, d in sorted(commits.items())]
    for name in ("toyexp", "python", "torch", "numpy", "platform"):
        lines.append(f"{name}: " + ", ".join(sorted({str(getattr(p, name)) for p in prov})))
    paths = [code_path_label(p.code_path) for p in prov]
    counts = {text: paths.count(text) for text in sorted(set(paths))}
    lines.append("CPU code paths: " + "; ".join(f"{text} ({n} run{'s' * (n != 1)})" for text, n in counts.items()))
    dates = sorted(p.date for p in prov)
    lines.append(f"dates: {dates[0]} to {dates[-1]}")
    return "\n".join(lines)


def code_path_label(path) -> str:
    """One run's code path in words: the CPU, torch's and MKL's code paths, and whether portable."""
    return f"{path.cpu}: torch {path.capability}, MKL {path.mkl_cbwr}" + (" (portable)" if path.portable else "")


def grid_table(grid) -> str:
    """l2 at every point of a grid (a row per point, a column per variant and baseline), geometric
    mean over seeds, the point's lowest in bold."""
    names = list(dict.fromkeys(r.variant for c in grid.cells for r in c.results.rows))  # a baseline may be undefined at some points
    head = [f"| {' | '.join(a.name for a in grid.axes)} | " + " | ".join(names) + " |",
            "|" + "---:|" * (len(grid.axes) + len(names))]
    lines = []
    for c in grid.cells:
        stats = {r.variant: r.stats[L2] for r in c.results.rows}
        cells = [nowrap(format_number(stats[v].centre)) if v in stats else "—" for v in names]
        cells = [f"**{text}**" if v == c.winner.best.variant else text for v, text in zip(names, cells)]
        lines.append(f"| {' | '.join(str(c.point[a.key]) for a in grid.axes)} | " + " | ".join(cells) + " |")
    return "\n".join(head + lines)
