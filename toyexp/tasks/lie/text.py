"""Sentences about one lie run's direction metrics, at fixed precision."""

from __future__ import annotations


def describe_rotation(final: dict) -> str:
    """The rotation metrics of ``final`` (metrics.json) as sentences, fixed precision."""
    per = final["per_velocity"]
    out = [
        f"Cosine similarity between predicted and true components: mean {final['cosine_mean']:.4f}, "
        f"minimum {final['cosine_min']:.4f} over all points and {len(per)} components.",
        f"Projection error (share of a predicted component off the true line): mean {final['projection_mean']:.4f}, "
        f"maximum {final['projection_max']:.4f}.",
    ]
    slow, fast = min(per, key=lambda p: p["alpha"]), max(per, key=lambda p: p["alpha"])
    if len(per) > 1:
        out.append(
            f"The slowest rotation (α = {slow['alpha']:.3f}) has mean cosine {slow['cosine_mean']:.4f} and projection "
            f"error {slow['projection_mean']:.4f}; the fastest (α = {fast['alpha']:.3f}) {fast['cosine_mean']:.4f} and "
            f"{fast['projection_mean']:.4f}."
        )
        worst = min(per, key=lambda p: p["cosine_mean"])
        out.append(f"The lowest mean cosine, {worst['cosine_mean']:.4f}, is at α = {worst['alpha']:.3f}.")
    return "\n".join(out)
