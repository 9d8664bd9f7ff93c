"""Sentences about one projection run's subspace metrics, at fixed precision."""

from __future__ import annotations


def describe_subspace(final: dict) -> str:
    """The subspace metrics of ``final`` (metrics.json) as sentences, fixed precision."""
    se, ev = final["subspace_error"], final["explained_variance"]
    out = [
        f"Largest principal angle between the true and the predicted subspace: {se['max_angle_deg']:.3f} degrees "
        f"(projection distance {se['projection_distance']:.4f}).",
        f"{100 * ev['true_subspace']:.3f}% of the predictions' energy lies in the true subspace; "
        f"their own top components hold {100 * ev['top_k']:.3f}%.",
        f"On average {100 * final['off_subspace']:.3f}% of a prediction's norm lies outside the true subspace.",
    ]
    for i, p in enumerate(final.get("per_interval", [])):
        out.append(
            f"Interval {i}: largest angle {p['subspace_error']['max_angle_deg']:.3f} degrees, "
            f"off-subspace {100 * p['off_subspace']:.3f}%."
        )
    for b in final.get("boundaries", []):
        if b["num_points"]:
            out.append(
                f"Boundary c = {b['c']:.3f} ({b['num_points']} points within 0.03): {100 * b['outside_pred']:.3f}% of the "
                f"prediction and {100 * b['outside_error']:.3f}% of the error lie outside both neighbouring subspaces."
            )
        else:
            out.append(f"Boundary c = {b['c']:.3f}: no evaluation points within 0.03.")
    return "\n".join(out)
