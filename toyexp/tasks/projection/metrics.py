"""The numbers projection adds to ``final``: how well predictions stay in the true subspace."""

from __future__ import annotations

from torch import Tensor

from .data import ProjectedTargetFunctionDataset
from .subspace import boundary_metrics, subspace_metrics


def _subspace_summary(pred: Tensor, Q: Tensor) -> dict:
    m = subspace_metrics(pred, Q)
    return {
        "subspace_error": {"max_angle_deg": m.max_angle_deg, "projection_distance": m.projection_distance},
        "explained_variance": {"true_subspace": m.explained_variance_true, "top_k": m.explained_variance_top},
        "off_subspace": m.off_subspace,
    }


def projection_metrics(data: ProjectedTargetFunctionDataset, c: Tensor, pred: Tensor) -> dict:
    """Subspace metrics of predictions ``pred`` (M, D) at inputs ``c`` (M, 1).

    One interval: the metrics against its subspace. Several: the metrics per interval
    (``per_interval``), their mean at the top level, and the ``boundaries`` metrics.
    """
    cfg = data.cfg
    if cfg.num_intervals == 1:
        return _subspace_summary(pred, data.bases[0])
    idx = data.interval(c)
    per_interval = [_subspace_summary(pred[idx == i], data.bases[i]) for i in range(cfg.num_intervals)]

    def mean(get) -> float:
        return sum(get(p) for p in per_interval) / len(per_interval)

    out = {
        "subspace_error": {
            "max_angle_deg": mean(lambda p: p["subspace_error"]["max_angle_deg"]),
            "projection_distance": mean(lambda p: p["subspace_error"]["projection_distance"]),
        },
        "explained_variance": {
            "true_subspace": mean(lambda p: p["explained_variance"]["true_subspace"]),
            "top_k": mean(lambda p: p["explained_variance"]["top_k"]),
        },
        "off_subspace": mean(lambda p: p["off_subspace"]),
        "per_interval": per_interval,
    }
    out["boundaries"] = boundary_metrics(c[:, 0], pred, data.target(c), list(data.bases), cfg.c_min, cfg.c_max)
    return out
