"""Summaries across seeds: a row per variant, its tables, prediction bands, error against NFE.

Every mean, std and 95 % interval is over the seeds of a variant (see :mod:`toyexp.core.stats`);
a classical baseline (:mod:`toyexp.study.baselines`) is a row like a variant, marked as one.
The metrics summarised are l1 and l2 for every task, then the task's own ``summary_metrics``.
Tables are Markdown, each narrow enough for the page: the errors with their intervals, the
task's metrics, and the paired comparisons with the reference variant.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.stats import NBSP, Band, SummaryRow, compare, format_interval, format_number, format_p, format_stat, mean_std, nowrap, stat
from ..tasks import Metric, get_task
from .collect import Collection, RunRecord

ERRORS = (
    Metric("l1", ("l1",), "l1 (mean absolute error)", ".4f"),
    Metric("l2", ("l2",), "l2 (RMSE)", ".4f"),
)


def metrics_of(task: str) -> tuple[Metric, ...]:
    """The metrics summarised for ``task``: l1 and l2, then the task's own."""
    return ERRORS + get_task(task).summary_metrics


def _final_value(metrics: dict, metric: Metric) -> float | None:
    value = metrics["final"]
    for key in metric.path:
        value = value.get(key) if isinstance(value, dict) else None
    return float(value) if isinstance(value, (int, float)) else None


def summary_row(variant: str, runs: list[RunRecord], task: str) -> SummaryRow:
    """The row of one variant: each final metric that every seed reports, per seed and over seeds."""
    values = {}
    for metric in metrics_of(task):
        v = [_final_value(r.metrics, metric) for r in runs]
        if None not in v:
            values[metric.name] = tuple(v)
    return SummaryRow(variant, runs[0].mode, tuple(r.seed for r in runs), {k: stat(v) for k, v in values.items()},
                      values)


def summary_table(collection: Collection, task: str) -> list[SummaryRow]:
    """One row per trained variant of ``task``, in the collection's order."""
    return [summary_row(v, collection.select(task, v), task) for v in collection.variants(task)]


def baseline_rows(runs: dict[str, list[RunRecord]], task: str) -> list[SummaryRow]:
    """One row per baseline (``baselines.baselines(...).runs``), whose records' mode marks it a baseline."""
    return [summary_row(name, records, task) for name, records in runs.items()]


def label(row: SummaryRow) -> str:
    """The variant's name in a table; a baseline's is italic (the tables' captions say so)."""
    return f"*{row.variant}*" if row.baseline else row.variant


def _shown(rows: list[SummaryRow], metrics: tuple[Metric, ...]) -> list[Metric]:
    return [m for m in metrics if rows and all(m.name in r.stats for r in rows)]


def markdown_table(rows: list[SummaryRow], metrics: tuple[Metric, ...] = ERRORS, columns: int = 3) -> str:
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
            cells = [nowrap(format_stat(r.stats[m.name], m.spec, NBSP)) for m in chunk]
            lines.append(f"| {label(r)} | {r.n} | " + " | ".join(cells) + " |")
        tables.append("\n".join(lines))
    return "\n\n".join(tables)


def interval_table(rows: list[SummaryRow], metrics: tuple[Metric, ...] = ERRORS) -> str:
    """A table per metric (so each fits the book's text column): mean ± std over the seeds and the
    95 % t interval of the mean ("—" for one seed), a row per variant and baseline."""
    tables = []
    for m in _shown(rows, metrics):
        lines = [f"**{m.label}**", "", f"| variant | n | mean{NBSP}±{NBSP}std | 95{NBSP}% CI of the mean |", "|---|---:|---:|---:|"]
        for r in rows:
            s = r.stats[m.name]
            lines.append(f"| {label(r)} | {r.n} | {nowrap(format_stat(s, m.spec, NBSP))} | {nowrap(format_interval(s.ci, m.spec, NBSP))} |")
        tables.append("\n".join(lines))
    return "\n\n".join(tables)


def reference_row(rows: list[SummaryRow], name: str = "regression") -> SummaryRow:
    """The row the others are compared with: ``name`` when present, else the first trained variant."""
    return next((r for r in rows if r.variant == name and not r.baseline), next(r for r in rows if not r.baseline))


def comparison_table(rows: list[SummaryRow], reference: SummaryRow, metrics: tuple[Metric, ...] = ERRORS) -> str:
    """Every other row against ``reference``, paired by seed: the mean of (other − reference) per
    seed, its 95 % t interval, the paired t-test's p-value, and whether the interval excludes 0."""
    shown = _shown(rows, metrics)
    lines = [f"| variant | metric | pairs | mean difference (variant − {reference.variant}) | 95{NBSP}% CI | p | CI excludes 0 |",
             "|---|---|---:|---:|---:|---:|---|"]
    for r in rows:
        if r is reference:
            continue
        for m in shown:
            c = compare(reference, r, m.name)
            verdict = "yes" if c.distinguishable else ("no (one pair)" if c.n < 2 else "no")
            lines.append(f"| {label(r)} | {m.name} | {c.n} | {nowrap(format_number(c.difference.mean, '+' + m.spec))} | "
                         f"{nowrap(format_interval(c.difference.ci, '+' + m.spec, NBSP))} | {format_p(c.p)} | {verdict} |")
    return "\n".join(lines)


def prediction_band(runs: list[RunRecord]) -> tuple[Band, dict[str, np.ndarray]]:
    """Mean and std over seeds of pred_grid (x = c_grid), and the first run's arrays (truth, training set)."""
    preds = [r.predictions for r in runs]
    first = preds[0]
    if any(p["pred_grid"].shape != first["pred_grid"].shape or not np.allclose(p["c_grid"], first["c_grid"]) for p in preds):
        raise ValueError(f"the seeds of {runs[0].task}/{runs[0].variant} were predicted on different grids")
    return Band(first["c_grid"][:, 0], *mean_std([p["pred_grid"] for p in preds]), len(runs)), first


@dataclass(frozen=True)
class NfeCurve:
    """l2 against NFE over the seeds for one integrator.

    A fixed-step method is a curve through its step counts, at the same NFE for every seed. An
    adaptive one (dopri5: ``rtol`` not empty, ``num_steps`` empty) is a point set: at each
    tolerance every seed counted its own NFE, so ``nfe`` and ``l2.x`` are means over the seeds
    and ``seed_nfe`` / ``seed_l2`` keep each seed's point.
    """

    method: str
    num_steps: tuple[int, ...]  # a fixed-step method's step counts; () for an adaptive method
    nfe: tuple[float, ...]  # per point: the NFE, or for an adaptive method the mean counted NFE over the seeds
    l2: Band  # x: NFE; y: final model's l2 over the seeds
    rtol: tuple[float, ...] = ()  # an adaptive method's tolerances, loose to tight; () for a fixed-step one
    seed_nfe: np.ndarray | None = None  # (S, K): each seed's NFE at each point
    seed_l2: np.ndarray | None = None  # (S, K): each seed's l2 at each point

    @property
    def adaptive(self) -> bool:
        return bool(self.rtol)


def nfe_curves(runs: list[RunRecord]) -> list[NfeCurve]:
    """Per integrator, l2 against NFE over the seeds, at the settings every seed evaluated: the
    step counts of a fixed-step method, the tolerances (loose to tight) of an adaptive one."""
    # an evaluation's setting: (method, num_steps, rtol); rtol is None (or absent, in older runs) for a fixed-step method
    table = [{(e["method"], e["num_steps"], e.get("rtol")): e for e in r.metrics["evaluations"]} for r in runs]
    keys = [k for k in table[0] if all(k in t for t in table)]
    curves = []
    for method in dict.fromkeys(m for m, _, _ in keys):
        own = [k for k in keys if k[0] == method]
        adaptive = own[0][2] is not None
        own.sort(key=(lambda k: -k[2]) if adaptive else (lambda k: k[1]))
        nfe = np.array([[t[k]["nfe"] for k in own] for t in table], dtype=float)  # (S, K)
        l2 = np.array([[t[k]["l2"] for k in own] for t in table], dtype=float)  # (S, K)
        x = nfe.mean(axis=0)
        curves.append(NfeCurve(
            method, () if adaptive else tuple(k[1] for k in own),
            tuple(float(v) for v in x) if adaptive else tuple(int(v) for v in nfe[0]),
            Band(x, *mean_std(l2), len(runs)),
            tuple(k[2] for k in own) if adaptive else (), nfe, l2,
        ))
    return curves


def provenance_summary(collection: Collection) -> str:
    """Git commits, package versions, platforms and the date range recorded by the runs."""
    prov = [r.metrics.get("provenance", {}) for r in collection.runs]
    if not prov:
        return "No complete runs, so no provenance."
    commits = {}
    for p in prov:
        git = p.get("git") or {}
        commits.setdefault(str(git.get("commit")), []).append(bool(git.get("dirty")))
    lines = [f"{len(prov)} complete runs."]
    lines += [f"git commit {c} ({len(d)} runs, {sum(d)} with uncommitted changes)" for c, d in sorted(commits.items())]
    for key in ("toyexp", "python", "torch", "numpy", "platform"):
        lines.append(f"{key}: " + ", ".join(sorted({str(p.get(key)) for p in prov})))
    paths = [kernel_label(p.get("kernels")) for p in prov]
    counts = {label: paths.count(label) for label in sorted(set(paths))}
    lines.append("CPU code paths: " + "; ".join(f"{label} ({n} run{'s' * (n != 1)})" for label, n in counts.items()))
    dates = sorted(str(p["date"]) for p in prov if p.get("date"))
    lines.append(f"dates: {dates[0]} to {dates[-1]}" if dates else "dates: not recorded")
    return "\n".join(lines)


def kernel_label(kernels: dict | None) -> str:
    """One run's provenance.kernels in words: the CPU, torch's and MKL's code paths, and whether portable."""
    if not kernels:
        return "not recorded"
    label = f"{kernels.get('cpu')}: torch {kernels.get('capability')}, MKL {kernels.get('mkl_cbwr')}"
    return label + (" (portable)" if kernels.get("portable") else "")
