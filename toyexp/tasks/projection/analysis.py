"""What projection adds to the cross-seed analysis: the subspace metrics to summarise, the two the
sentences read (:class:`SubspaceAnalysis`), and the sentences."""

from __future__ import annotations

from dataclasses import dataclass

from ...core.stats import Stat
from ...report import as_printed, extremes, with_ci
from ..base import Metric, SummaryRow, TaskAnalysis

MAX_ANGLE = Metric("max_angle_deg", "largest principal angle (degrees)", fmt=".3f")
OFF_SUBSPACE = Metric("off_subspace", "off-subspace fraction", fmt=".4f")
SUBSPACE_METRICS = (
    MAX_ANGLE,
    Metric("projection_distance", "projection distance", fmt=".4f"),
    Metric("explained_variance_true", "explained variance, true subspace", fmt=".5f", complement=True, log=True),
    Metric("explained_variance_top", "explained variance, top k", fmt=".5f", complement=True, log=True),
    OFF_SUBSPACE,
)


@dataclass(frozen=True)
class SubspaceAnalysis(TaskAnalysis):
    """projection's own numbers across seeds, by variant in row order: the largest principal angle
    to the true subspace (degrees) and the share of a prediction's norm off it, each over seeds."""

    angle: dict[str, Stat]
    off_subspace: dict[str, Stat]


def analyse(rows: list[SummaryRow]) -> SubspaceAnalysis:
    """The two subspace metrics the sentences compare, read once from the rows."""
    return SubspaceAnalysis({r.variant: r.stats[MAX_ANGLE] for r in rows}, {r.variant: r.stats[OFF_SUBSPACE] for r in rows})


def _verb(names: str, verb: str) -> str:
    """``verb`` for one name, its plural for names joined by "and" (a tie)."""
    return verb[:-1] if " and " in names else verb


def subspace_sentences(analysis: SubspaceAnalysis) -> list[str]:
    """The largest principal angle and the off-subspace share per variant and baseline, each with
    its 95 % interval, and which is best and worst."""
    angle, off = analysis.angle, analysis.off_subspace
    by = list(angle)
    near, far = extremes(by, lambda v: angle[v].mean, ".3f")
    inside, outside = extremes(by, lambda v: 100 * off[v].mean, ".3f")
    return [
        "Largest principal angle to the true subspace, in degrees, smallest first: " + "; ".join(
            f"{v} {with_ci(angle[v], '.3f')}" for v in sorted(by, key=lambda v: as_printed(angle[v].mean, '.3f')))
        + (f". {near} {_verb(near, 'stays')} closest and {far} {_verb(far, 'strays')} furthest." if near != far else "."),
        "Share of a prediction's norm outside the subspace, in %, smallest first: " + "; ".join(
            f"{v} {with_ci(off[v], '.3f', 100)}" for v in sorted(by, key=lambda v: as_printed(100 * off[v].mean, '.3f')))
        + (f". Smallest for {inside}, largest for {outside}." if inside != outside else "."),
    ]
