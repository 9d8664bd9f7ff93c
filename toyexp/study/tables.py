"""The analysis' tables, as Markdown, each narrow enough for the book's text column: the errors with
their intervals, the task's metrics, the paired comparisons with the reference variant, and the
runs' provenance. They read :class:`~.results.TaskResults`; they compute nothing."""

from __future__ import annotations

from ..report import NBSP, format_interval, format_number, format_p, format_stat, nowrap
from ..tasks.base import ERRORS, Metric, SummaryRow
from .collect import Collection
from .results import TaskResults


def label(row: SummaryRow) -> str:
    """The variant's name in a table; a baseline's is italic (the tables' captions say so)."""
    return f"*{row.variant}*" if row.baseline else row.variant


def _shown(rows, metrics: tuple[Metric, ...]) -> list[Metric]:
    return [m for m in metrics if rows and all(m.name in r.stats for r in rows)]


def markdown_table(rows, metrics: tuple[Metric, ...] = ERRORS, columns: int = 3) -> str:
    """The ``metrics`` every row has, as mean ± std over seeds at fixed precision, a column each;
    more than ``columns`` metrics split evenly into several tables, so each fits the page."""
    shown = _shown(rows, metrics)
    parts = -(-len(shown) // columns) or 1
    size = -(-len(shown) // parts) or 1
    tables = []
    for start in range(0, max(len(shown), 1), size):
        chunk = shown[start:start + size]
        lines = ["| variant | n | " + " | ".join(m.label for m in chunk) + " |", "|---|---:|" + "---:|" * len(chunk)]
        for r in rows:
            cells = [nowrap(format_stat(r.stats[m.name], m.fmt, NBSP)) for m in chunk]
            lines.append(f"| {label(r)} | {r.n} | " + " | ".join(cells) + " |")
        tables.append("\n".join(lines))
    return "\n\n".join(tables)


def interval_table(rows, metrics: tuple[Metric, ...] = ERRORS) -> str:
    """A table per metric (so each fits the book's text column): mean ± std over the seeds and the
    95 % t interval of the mean ("—" for one seed), a row per variant and baseline."""
    tables = []
    for m in _shown(rows, metrics):
        lines = [f"**{m.label}**", "", f"| variant | n | mean{NBSP}±{NBSP}std | 95{NBSP}% CI of the mean |", "|---|---:|---:|---:|"]
        for r in rows:
            s = r.stats[m.name]
            lines.append(f"| {label(r)} | {r.n} | {nowrap(format_stat(s, m.fmt, NBSP))} | {nowrap(format_interval(s.ci, m.fmt, NBSP))} |")
        tables.append("\n".join(lines))
    return "\n\n".join(tables)


def comparison_table(res: TaskResults, metrics: tuple[Metric, ...] = ERRORS) -> str:
    """Every other row against the reference, paired by seed: the mean of (other − reference) per
    seed, its 95 % t interval, the paired t-test's p-value, that p-value adjusted over the table
    (Benjamini-Hochberg) and whether the difference is distinguishable after the adjustment."""
    shown = _shown(res.rows, metrics)
    lines = [f"| variant | metric | pairs | mean difference (variant − {res.reference.variant}) | 95{NBSP}% CI | p | "
             "p adjusted (BH) | distinguishable |", "|---|---|---:|---:|---:|---:|---:|---|"]
    for r in res.rows:
        if r is res.reference:
            continue
        for m in shown:
            c = res.versus_reference[r.variant, m.name]
            verdict = "yes" if res.significant_after_bh(r.variant, m.name) else ("no (one pair)" if c.n < 2 else "no")
            lines.append(f"| {label(r)} | {m.name} | {c.n} | {nowrap(format_number(c.difference.mean, '+' + m.fmt))} | "
                         f"{nowrap(format_interval(c.difference.ci, '+' + m.fmt, NBSP))} | {format_p(c.p)} | "
                         f"{format_p(res.reference_q[r.variant, m.name])} | {verdict} |")
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
    """l2 at every point of a grid (a row per point, a column per variant and baseline), mean over
    seeds, the point's lowest in bold."""
    names = list(dict.fromkeys(r.variant for c in grid.cells for r in c.results.rows))  # a baseline may be undefined at some points
    head = [f"| {' | '.join(a.name for a in grid.axes)} | " + " | ".join(names) + " |",
            "|" + "---:|" * (len(grid.axes) + len(names))]
    lines = []
    for c in grid.cells:
        stats = {r.variant: r.stats["l2"] for r in c.results.rows}
        cells = [nowrap(format_number(stats[v].mean)) if v in stats else "—" for v in names]
        cells = [f"**{text}**" if v == c.winner.best.variant else text for v, text in zip(names, cells)]
        lines.append(f"| {' | '.join(str(c.point[a.key]) for a in grid.axes)} | " + " | ".join(cells) + " |")
    return "\n".join(head + lines)
