"""Sentences about one projection run's subspace metrics, at fixed precision."""

from __future__ import annotations

from .metrics import ProjectionMetrics


def describe_subspace(m: ProjectionMetrics) -> str:
    """The subspace metrics of one run as sentences, at fixed precision."""
    out = [
        f"Largest principal angle between the true and the predicted subspace: {m.max_angle_deg:.3f} degrees "
        f"(projection distance {m.projection_distance:.4f}).",
        f"{100 * m.explained_variance_true:.3f}% of the predictions' energy lies in the true subspace; "
        f"their own top components hold {100 * m.explained_variance_top:.3f}%.",
        f"On average {100 * m.off_subspace:.3f}% of a prediction's norm lies outside the true subspace.",
    ]
    for i, p in enumerate(m.per_interval):
        out.append(f"Interval {i}: largest angle {p.max_angle_deg:.3f} degrees, off-subspace {100 * p.off_subspace:.3f}%.")
    for b in m.boundaries:
        if b.num_points:
            out.append(
                f"Boundary c = {b.c:.3f} ({b.num_points} points within 0.03): {100 * b.outside_pred:.3f}% of the "
                f"prediction and {100 * b.outside_error:.3f}% of the error lie outside both neighbouring subspaces."
            )
        else:
            out.append(f"Boundary c = {b.c:.3f}: no evaluation points within 0.03.")
    return "\n".join(out)
