"""What projection adds to ``final`` (toyexp.tasks.projection.metrics), its sentences and its
summary across seeds, against predictions planted in and out of the true subspaces."""

import dataclasses
import math

import pytest
import torch

from toyexp.core.stats import stat
from toyexp.tasks import get_task
from toyexp.tasks.base import Final, SummaryRow
from toyexp.tasks.projection.config import ProjectionConfig
from toyexp.tasks.projection.data import ProjectedSinusoids
from toyexp.tasks.projection.metrics import ProjectionMetrics, mean_metrics, projection_metrics
from toyexp.tasks.projection.subspace import BoundaryLeakage, SubspaceMetrics
from toyexp.tasks.projection.text import describe_subspace


def dataset(**values) -> ProjectedSinusoids:
    return ProjectedSinusoids(ProjectionConfig(**{"num_eval": 400, **values}).resolve(), seed=0)


def test_one_interval_on_the_target_is_perfect():
    data = dataset()
    m = projection_metrics(data, data.c_eval, data.x_eval)
    assert isinstance(m, ProjectionMetrics) and (m.per_interval, m.boundaries) == ((), ())
    assert m.max_angle_deg < 1e-3 and m.off_subspace < 1e-6 and m.explained_variance_true == pytest.approx(1, abs=1e-10)


def test_one_interval_with_a_planted_component_outside():
    """The target plus a constant e along a unit vector u ⊥ the subspace: each row's share outside is
    |e| / |x + e u|, computed here."""
    data = dataset()
    Q = data.bases[0]
    v = torch.randn(8, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    u = v - Q @ (Q.T @ v)
    u = u / u.norm()
    x = data.x_eval.double() + 0.1 * u
    m = projection_metrics(data, data.c_eval, x)
    assert m.off_subspace == pytest.approx((0.1 / x.norm(dim=1)).mean().item(), rel=1e-6)  # the float32 target leaks ~1e-8
    assert m.explained_variance_true == pytest.approx(1 - 0.01 * len(x) / x.square().sum().item(), rel=1e-6)


def test_several_intervals_report_each_their_mean_and_each_boundary():
    data = dataset(num_intervals=3)
    x = data.x_eval.double().clone()
    idx = data.interval(data.c_eval)
    x[idx == 1] = x[idx == 1] @ data.projections[0].T  # the middle interval predicted in the first one's subspace
    m = projection_metrics(data, data.c_eval, x)
    assert len(m.per_interval) == 3 and all(type(p) is SubspaceMetrics for p in m.per_interval)
    assert m.per_interval[0].off_subspace < 1e-6 and m.per_interval[2].off_subspace < 1e-6
    assert m.per_interval[1].off_subspace > 0.1  # in the wrong subspace
    assert m.off_subspace == pytest.approx(sum(p.off_subspace for p in m.per_interval) / 3, rel=1e-12)
    assert [b.c for b in m.boundaries] == pytest.approx([1 / 3, 2 / 3]) and all(type(b) is BoundaryLeakage for b in m.boundaries)
    assert all(b.num_points > 0 for b in m.boundaries)


def test_the_mean_over_intervals_is_field_by_field():
    a = subspace(1.0, 0.1, 0.9, 0.99, 0.2)
    b = subspace(3.0, 0.3, 0.7, 0.97, 0.4)
    assert mean_metrics([a, b]) == subspace(2.0, 0.2, 0.8, 0.98, pytest.approx(0.3))


def subspace(max_angle_deg, projection_distance, explained_true, explained_top, off_subspace) -> SubspaceMetrics:
    return SubspaceMetrics(max_angle_deg=max_angle_deg, projection_distance=projection_distance,
                           explained_variance_true=explained_true, explained_variance_top=explained_top,
                           off_subspace=off_subspace)


def test_describe_subspace_by_hand():
    m = ProjectionMetrics(max_angle_deg=1.5, projection_distance=0.0123, explained_variance_true=0.99,
                          explained_variance_top=0.999, off_subspace=0.02,
                          per_interval=(subspace(2.0, 0.1, 0.9, 0.99, 0.05),),
                          boundaries=(BoundaryLeakage(0.5, 12, 0.03, 0.25), BoundaryLeakage(0.75, 0, math.nan, math.nan)))
    text = describe_subspace(m)
    assert "Largest principal angle between the true and the predicted subspace: 1.500 degrees (projection distance 0.0123)." in text
    assert "99.000% of the predictions' energy lies in the true subspace; their own top components hold 99.900%." in text
    assert "Interval 0: largest angle 2.000 degrees, off-subspace 5.000%." in text
    assert "Boundary c = 0.500 (12 points within 0.03): 3.000% of the prediction and 25.000% of the error" in text
    assert "Boundary c = 0.750: no evaluation points within 0.03." in text


def row(variant, mode, angles, off) -> SummaryRow:
    finals = tuple(Final(method="euler", resolution=1, nfe=1, l1=0.1, l2=0.2,
                         task_metrics=ProjectionMetrics(max_angle_deg=a, projection_distance=0.0,
                                                        explained_variance_true=1.0, explained_variance_top=1.0,
                                                        off_subspace=o))
                   for a, o in zip(angles, off))
    values = {m: tuple(m.of(f) for f in finals) for m in get_task("projection").summary_metrics}
    return SummaryRow(variant=variant, mode=mode, seeds=tuple(range(len(finals))), finals=finals,
                      stats={k: stat(v) for k, v in values.items()}, values=values)


def test_interpretation_ranks_the_variants_by_angle_and_share_outside():
    rows = [row("flow", "flow", [1.0, 3.0], [0.01, 0.03]), row("regression", "regression", [0.5, 0.5], [0.04, 0.04])]
    projection = get_task("projection")
    angle, outside = projection.interpretation(rows, projection.analyse(rows))
    assert angle.startswith("Largest principal angle to the true subspace, in degrees, smallest first: regression 0.500 (95")
    assert angle.endswith("regression stays closest and flow strays furthest.")
    assert outside.startswith("Share of a prediction's norm outside the subspace, in %, smallest first: flow 2.000 (95")
    assert outside.endswith("Smallest for flow, largest for regression.")


def test_summary_metrics_are_fields_of_the_metrics():
    fields = {f.name for f in dataclasses.fields(ProjectionMetrics)}
    assert [m.name for m in get_task("projection").summary_metrics] == [
        "max_angle_deg", "projection_distance", "explained_variance_true", "explained_variance_top", "off_subspace"]
    assert {m.name for m in get_task("projection").summary_metrics} <= fields
