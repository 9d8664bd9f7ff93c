"""Sentences about one lie run's direction metrics, at fixed precision."""

from __future__ import annotations

from .metrics import RotationMetrics


def describe_rotation(m: RotationMetrics) -> str:
    """The rotation metrics of one run as sentences, at fixed precision."""
    per = m.per_velocity
    out = [
        f"Cosine similarity between predicted and true components: mean {m.cosine_mean:.4f}, "
        f"minimum {m.cosine_min:.4f} over all points and {len(per)} components.",
        f"Projection error (share of a predicted component off the true line): mean {m.projection_mean:.4f}, "
        f"maximum {m.projection_max:.4f}.",
    ]
    if len(per) > 1:
        slow, fast = min(per, key=lambda p: p.alpha), max(per, key=lambda p: p.alpha)
        out.append(
            f"The slowest rotation (α = {slow.alpha:.3f}) has mean cosine {slow.cosine_mean:.4f} and projection "
            f"error {slow.projection_mean:.4f}; the fastest (α = {fast.alpha:.3f}) {fast.cosine_mean:.4f} and "
            f"{fast.projection_mean:.4f}."
        )
        worst = min(per, key=lambda p: p.cosine_mean)
        out.append(f"The lowest mean cosine, {worst.cosine_mean:.4f}, is at α = {worst.alpha:.3f}.")
    return "\n".join(out)
