"""The numbers projection adds to ``final``: how well predictions stay in the true subspace."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from torch import Tensor

from .data import ProjectedSinusoids
from .subspace import BoundaryLeakage, SubspaceMetrics, boundary_metrics, subspace_metrics


@dataclass(frozen=True, kw_only=True)
class ProjectionMetrics(SubspaceMetrics):
    """The subspace metrics (one interval: against its subspace; several: their mean over the
    intervals), each interval's own, and the leakage at each interior boundary."""

    per_interval: tuple[SubspaceMetrics, ...] = ()  # empty for one interval
    boundaries: tuple[BoundaryLeakage, ...] = ()  # empty for one interval


def mean_metrics(per: list[SubspaceMetrics]) -> SubspaceMetrics:
    """Each subspace metric averaged over the intervals."""
    return SubspaceMetrics(**{
        f.name: sum(getattr(m, f.name) for m in per) / len(per) for f in dataclasses.fields(SubspaceMetrics)
    })


def projection_metrics(data: ProjectedSinusoids, c: Tensor, pred: Tensor) -> ProjectionMetrics:
    """Subspace metrics of predictions ``pred`` (M, D) at inputs ``c`` (M, 1)."""
    cfg = data.cfg
    if cfg.num_intervals == 1:
        return ProjectionMetrics(**dataclasses.asdict(subspace_metrics(pred, data.bases[0])))
    idx = data.interval(c)
    per = [subspace_metrics(pred[idx == i], data.bases[i]) for i in range(cfg.num_intervals)]
    leakage = boundary_metrics(c[:, 0], pred, data.target(c), list(data.bases), c_min=cfg.c_min, c_max=cfg.c_max)
    return ProjectionMetrics(**dataclasses.asdict(mean_metrics(per)), per_interval=tuple(per), boundaries=tuple(leakage))
