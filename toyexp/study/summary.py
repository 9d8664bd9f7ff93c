"""Summaries across seeds: a row of mean ± std per variant, prediction bands, error against NFE.

Every mean and std is over the seeds of a variant (see :mod:`toyexp.core.stats`). The metrics
summarised are l1 and l2 for every task, then the task's own ``summary_metrics``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.stats import Band, SummaryRow, format_stat, mean_std, stat
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


def summary_table(collection: Collection, task: str) -> list[SummaryRow]:
    """One row per variant: each final metric that every seed reports, as mean and std over seeds."""
    rows = []
    for variant in collection.variants(task):
        runs = collection.select(task, variant)
        stats = {}
        for metric in metrics_of(task):
            values = [_final_value(r.metrics, metric) for r in runs]
            if None not in values:
                stats[metric.name] = stat(values)
        rows.append(SummaryRow(variant, runs[0].mode, tuple(r.seed for r in runs), stats))
    return rows


def markdown_table(rows: list[SummaryRow], metrics: tuple[Metric, ...] = ERRORS) -> str:
    """The summary as a Markdown table (the ``metrics`` every row has), numbers at fixed precision."""
    shown = [m for m in metrics if rows and all(m.name in r.stats for r in rows)]
    lines = ["| variant | n | " + " | ".join(m.label for m in shown) + " |", "|---|---:|" + "---:|" * len(shown)]
    for r in rows:
        cells = [format_stat(r.stats[m.name], m.spec) for m in shown]
        lines.append(f"| {r.variant} | {r.n} | " + " | ".join(cells) + " |")
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
    dates = sorted(str(p["date"]) for p in prov if p.get("date"))
    lines.append(f"dates: {dates[0]} to {dates[-1]}" if dates else "dates: not recorded")
    return "\n".join(lines)
