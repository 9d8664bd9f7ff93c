"""Numbers across seeds: a row per variant, paired comparisons, prediction bands, error against NFE.

Every mean, std and 95 % interval is over the seeds of a variant (see :mod:`toyexp.core.stats`);
a classical baseline (:mod:`toyexp.study.analysis.baselines`) is a row like a variant, marked as one.
The metrics summarised are l1 and l2 for every task, then the task's own ``summary_metrics``.

The errors l1 and l2 are summarised and compared on the log scale (:func:`scale_of`): they are
positive, they span decades between a network (1e-2) and an exact interpolant (1e-7), and what
matters between two of them is their ratio; a mean ± t interval of such numbers reaches below
zero. One rule for every error, rather than a switch on how far the numbers happen to spread,
so a reader never has to ask which scale a table is on. A task's own metrics (angles, cosines,
explained variance) are bounded and stay on the linear scale.
These functions compute; the tables, figures and sentences only read what they return.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...core.stats import Band, LogStat, Paired, Scale, log_stat, mean_std, paired_on, stat_on
from ...tasks import get_task
from ...tasks.base import ERRORS, Metric, SummaryRow
from .collect import Member
from .interpolation import ROUNDING_MARGIN, rounding_rms


def metrics_of(task: str) -> tuple[Metric, ...]:
    """The metrics summarised for ``task``: l1 and l2, then the task's own."""
    return ERRORS + get_task(task).summary_metrics


LOG_SCALE = frozenset(ERRORS)  # the metrics summarised and compared on the log scale


def error_floor(member: Member) -> float:
    """The least error the log scale reads for ``member``: :data:`~.interpolation.ROUNDING_MARGIN`
    times the RMS rounding of its targets (float32 on a grid of c). An error below it is the
    arithmetic's, not the method's: an exact interpolant's l2 there (the GP's ~3e-07 on recon) moved
    with the CPU's code paths, and so did every ratio and p-value against it; an error of exactly 0
    (linear interpolation of a linear target) has no logarithm at all. Such an error reads as the
    floor, the same for every CPU."""
    return ROUNDING_MARGIN * rounding_rms(member.predictions.x_grid)


def scale_of(metric: Metric) -> Scale:
    """The scale ``metric`` is summarised and compared on: log for the errors, linear for the rest."""
    return "log" if metric in LOG_SCALE else "linear"


def summary_row(variant: str, mode: str | None, members: tuple[Member, ...], task: str) -> SummaryRow:
    """The row of one variant (``mode`` None for a baseline): each metric per seed and over seeds."""
    finals = tuple(m.final for m in members)
    has_own = all(f.task_metrics is not None for f in finals)
    floors = [error_floor(m) for m in members]
    values = {m: tuple(max(m.of(f), floor) if scale_of(m) == "log" else m.of(f) for f, floor in zip(finals, floors))
              for m in metrics_of(task) if has_own or not m.of_task}
    return SummaryRow(variant=variant, mode=mode, seeds=tuple(m.seed for m in members), finals=finals,
                      stats={m: stat_on(scale_of(m), v) for m, v in values.items()}, values=values)


def compare(a: SummaryRow, b: SummaryRow, metric: Metric) -> Paired:
    """``metric`` of b against a, paired by the seeds both report: the ratio b / a per seed for an
    error (log scale), the difference b - a for a task's own metric."""
    common = [s for s in a.seeds if s in b.seeds]
    at = lambda row, s: row.values[metric][row.seeds.index(s)]  # noqa: E731
    return paired_on(scale_of(metric), [at(a, s) for s in common], [at(b, s) for s in common])


def reference_row(rows: list[SummaryRow], name: str = "regression") -> SummaryRow:
    """The row the others are compared with: ``name`` when present, else the first trained variant."""
    return next((r for r in rows if r.variant == name and not r.baseline), next(r for r in rows if not r.baseline))


@dataclass(frozen=True)
class PredictionBand:
    """A variant's prediction on the dense grid over its seeds (x = c_grid), with the first seed's
    target and training samples to draw it against."""

    band: Band  # mean and std over seeds of pred_grid, (G, D)
    x_grid: np.ndarray  # (G, D) the target
    c_train: np.ndarray  # (N, 1)
    x_train: np.ndarray  # (N, D)


def prediction_band(members: tuple[Member, ...], name: str = "") -> PredictionBand:
    """Mean and std over seeds of the prediction on the dense grid."""
    preds = [m.predictions for m in members]
    first = preds[0]
    if any(p.pred_grid.shape != first.pred_grid.shape or not np.allclose(p.c_grid, first.c_grid) for p in preds):
        raise ValueError(f"the seeds of {name or 'a variant'} were predicted on different grids")
    return PredictionBand(Band(first.c_grid[:, 0], *mean_std([p.pred_grid for p in preds]), len(preds)),
                          first.x_grid, first.c_train, first.x_train)


@dataclass(frozen=True, kw_only=True)
class NfeCurve:
    """l2 against NFE over the seeds for one integrator.

    A fixed-step method is a curve through its step counts, at the same NFE for every seed. An
    adaptive one (dopri5: ``rtol`` not empty, ``steps`` empty) is a point set: at each tolerance
    every seed counted its own NFE, so ``nfe`` and ``l2.x`` are means over the seeds and
    ``seed_nfe`` / ``seed_l2`` keep each seed's point.
    """

    method: str
    steps: tuple[int, ...]  # a fixed-step method's step counts; () for an adaptive method
    nfe: tuple[float, ...]  # per point: the NFE, or for an adaptive method the mean counted NFE over the seeds
    l2: Band  # x: NFE; y: final model's l2 over the seeds
    rtol: tuple[float, ...] = ()  # an adaptive method's tolerances, loose to tight; () for a fixed-step one
    seed_nfe: np.ndarray | None = None  # (S, K): each seed's NFE at each point
    seed_l2: np.ndarray | None = None  # (S, K): each seed's l2 at each point (:meth:`at` reads it)

    @property
    def adaptive(self) -> bool:
        return bool(self.rtol)

    def at(self, i: int) -> LogStat:
        """l2 over the seeds at point ``i`` on the log scale (geometric mean and its interval), like
        every error of the report."""
        return log_stat(self.seed_l2[:, i])


def nfe_curves(members: tuple[Member, ...]) -> tuple[NfeCurve, ...]:
    """Per integrator, l2 against NFE over the seeds, at the settings every seed evaluated: the
    step counts of a fixed-step method, the tolerances (loose to tight) of an adaptive one."""
    table = [{e.setting: e for e in m.evaluations} for m in members]
    settings = [k for k in table[0] if all(k in t for t in table)]
    curves = []
    for method in dict.fromkeys(method for method, _ in settings):
        own = [k for k in settings if k[0] == method]
        adaptive = table[0][own[0]].tolerance is not None
        own.sort(key=(lambda k: -k[1].rtol) if adaptive else (lambda k: k[1]))
        nfe = np.array([[t[k].nfe for k in own] for t in table], dtype=float)  # (S, K)
        l2 = np.array([[t[k].l2 for k in own] for t in table], dtype=float)  # (S, K)
        x = nfe.mean(axis=0)
        curves.append(NfeCurve(
            method=method, steps=() if adaptive else tuple(k[1] for k in own),
            nfe=tuple(float(v) for v in x) if adaptive else tuple(int(v) for v in nfe[0]),
            l2=Band(x, *mean_std(l2), len(members)),
            rtol=tuple(k[1].rtol for k in own) if adaptive else (), seed_nfe=nfe, seed_l2=l2,
        ))
    return tuple(curves)
