"""What projection adds to the cross-seed analysis: the subspace metrics to summarise, and sentences."""

from __future__ import annotations

from ...core.stats import SummaryRow, extremes, format_stat
from ..base import Metric

SUBSPACE_METRICS = (
    Metric("max_angle_deg", ("subspace_error", "max_angle_deg"), "largest principal angle (degrees)", ".3f"),
    Metric("projection_distance", ("subspace_error", "projection_distance"), "projection distance", ".4f"),
    Metric("explained_true", ("explained_variance", "true_subspace"), "explained variance, true subspace", ".5f", complement=True, log=True),
    Metric("explained_top_k", ("explained_variance", "top_k"), "explained variance, top k", ".5f", complement=True, log=True),
    Metric("off_subspace", ("off_subspace",), "off-subspace fraction", ".4f"),
)


def subspace_sentences(rows: dict[str, SummaryRow]) -> list[str]:
    """The largest principal angle and the off-subspace share per variant, and which is best and worst."""
    angle = lambda v: rows[v].stats["max_angle_deg"]  # noqa: E731
    off = lambda v: 100 * rows[v].stats["off_subspace"].mean  # noqa: E731
    near, far = extremes(list(rows), lambda v: angle(v).mean, ".3f")
    inside, outside = extremes(list(rows), off, ".3f")
    return [
        "Largest principal angle to the true subspace: " + ", ".join(
            f"{format_stat(angle(v), '.3f')} degrees for {v}" for v in sorted(rows, key=lambda v: angle(v).mean))
        + (f"; {near} stays closest and {far} strays furthest." if near != far else "."),
        "Share of a prediction's norm outside the subspace: " + ", ".join(
            f"{off(v):.3f}% for {v}" for v in sorted(rows, key=off))
        + (f"; smallest for {inside}, largest for {outside}." if inside != outside else "."),
    ]
