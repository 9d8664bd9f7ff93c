"""What projection adds to the cross-seed analysis: the subspace metrics to summarise, and sentences."""

from __future__ import annotations

from ...report import as_printed, extremes, with_ci
from ..base import Metric, SummaryRow

SUBSPACE_METRICS = (
    Metric("max_angle_deg", "largest principal angle (degrees)", ".3f"),
    Metric("projection_distance", "projection distance", ".4f"),
    Metric("explained_variance_true", "explained variance, true subspace", ".5f", complement=True, log=True),
    Metric("explained_variance_top", "explained variance, top k", ".5f", complement=True, log=True),
    Metric("off_subspace", "off-subspace fraction", ".4f"),
)


def _verb(names: str, verb: str) -> str:
    """``verb`` for one name, its plural for names joined by "and" (a tie)."""
    return verb[:-1] if " and " in names else verb


def subspace_sentences(rows: list[SummaryRow]) -> list[str]:
    """The largest principal angle and the off-subspace share per variant and baseline, each with
    its 95 % interval, and which is best and worst."""
    by = {r.variant: r for r in rows}
    angle = lambda v: by[v].stats["max_angle_deg"]  # noqa: E731
    off = lambda v: by[v].stats["off_subspace"]  # noqa: E731
    near, far = extremes(list(by), lambda v: angle(v).mean, ".3f")
    inside, outside = extremes(list(by), lambda v: 100 * off(v).mean, ".3f")
    return [
        "Largest principal angle to the true subspace, in degrees, smallest first: " + "; ".join(
            f"{v} {with_ci(angle(v), '.3f')}" for v in sorted(by, key=lambda v: as_printed(angle(v).mean, '.3f')))
        + (f". {near} {_verb(near, 'stays')} closest and {far} {_verb(far, 'strays')} furthest." if near != far else "."),
        "Share of a prediction's norm outside the subspace, in %, smallest first: " + "; ".join(
            f"{v} {with_ci(off(v), '.3f', 100)}" for v in sorted(by, key=lambda v: as_printed(100 * off(v).mean, '.3f')))
        + (f". Smallest for {inside}, largest for {outside}." if inside != outside else "."),
    ]
