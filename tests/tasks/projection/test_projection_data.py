"""The projection target (toyexp.tasks.projection.data): g(c) = P_i f(c), each P_i a rank-k
orthogonal projection from ``proj_seed + i``, against projections computed here another way."""

import pytest
import torch

from known_answers import sinusoid_formula
from toyexp.tasks.projection.config import ProjectionConfig
from toyexp.tasks.projection.data import ProjectedSinusoids


def dataset(**values) -> ProjectedSinusoids:
    return ProjectedSinusoids(ProjectionConfig(**{"num_eval": 50, **values}).resolve(), seed=0)


def reference_projection(dim, rank, seed):
    """P onto span(A), A (dim, rank) ~ N(0, 1) from Generator().manual_seed(seed), via the pseudo-inverse."""
    A = torch.randn(dim, rank, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    return A @ torch.linalg.pinv(A)


def test_projection_defaults_and_target_is_P_f():
    data = dataset()
    cfg = data.cfg
    assert cfg.target_dim == 8 and cfg.low_dim == 2 and cfg.num_intervals == 1
    P = data.projections[0]
    assert P.shape == (8, 8)
    torch.testing.assert_close(P, reference_projection(8, 2, cfg.proj_seed), atol=1e-12, rtol=0)
    torch.testing.assert_close(P, P.T, atol=1e-12, rtol=0)
    torch.testing.assert_close(P @ P, P, atol=1e-12, rtol=0)
    assert torch.linalg.matrix_rank(P).item() == 2
    assert torch.trace(P).item() == pytest.approx(2.0, abs=1e-12)
    Q = data.bases[0]
    torch.testing.assert_close(Q.T @ Q, torch.eye(2, dtype=torch.float64), atol=1e-12, rtol=0)
    torch.testing.assert_close(Q @ Q.T, P, atol=1e-12, rtol=0)

    for c in (data.c_train, data.c_eval):
        f = sinusoid_formula(c[:, 0].double(), 8, 3, "uniform")  # (N, 8)
        torch.testing.assert_close(data.target(c).double(), f @ P.T, atol=1e-5, rtol=0)
    torch.testing.assert_close(data.x_train.double(), sinusoid_formula(data.c_train[:, 0].double(), 8, 3, "uniform") @ P.T, atol=1e-5, rtol=0)
    # the target really lies in the subspace and is not the unprojected f
    x = data.x_train.double()
    assert (x - x @ P).abs().max() < 1e-5
    assert (x - sinusoid_formula(data.c_train[:, 0].double(), 8, 3, "uniform")).abs().max() > 0.1


@pytest.mark.parametrize("target_dim,low_dim", [(4, 1), (6, 5)])
def test_projection_rank_follows_low_dim(target_dim, low_dim):
    data = dataset(target_dim=target_dim, low_dim=low_dim, num_eval=10, proj_seed=11)
    P = data.projections[0]
    assert P.shape == (target_dim, target_dim)
    assert torch.linalg.matrix_rank(P).item() == low_dim
    torch.testing.assert_close(P @ P, P, atol=1e-12, rtol=0)
    torch.testing.assert_close(P, reference_projection(target_dim, low_dim, 11), atol=1e-12, rtol=0)


def test_projection_per_interval():
    proj_seed = 5
    data = dataset(num_intervals=3, proj_seed=proj_seed, num_eval=300, c_min=-1.0, c_max=2.0)
    assert data.projections.shape == (3, 8, 8) and data.bases.shape == (3, 8, 2)
    for i in range(3):
        torch.testing.assert_close(data.projections[i], reference_projection(8, 2, proj_seed + i), atol=1e-12, rtol=0)
    # intervals [-1, 0), [0, 1), [1, 2]: check points well inside each one
    for i, (lo, hi) in enumerate([(-1.0, 0.0), (0.0, 1.0), (1.0, 2.0)]):
        c = torch.linspace(lo + 0.05, hi - 0.05, 9)[:, None]
        assert data.interval(c).tolist() == [i] * 9
        expected = data.sinusoids(c) @ data.projections[i].T  # P_i f(c), row by row
        torch.testing.assert_close(data.target(c).double(), expected, atol=1e-5, rtol=0)
        torch.testing.assert_close(data.target(c).double(), sinusoid_formula(c[:, 0].double(), 8, 3, "uniform") @ data.projections[i].T,
                                   atol=1e-5, rtol=0)
    # the end points belong to the end intervals
    assert data.interval(torch.tensor([[-1.0], [2.0]])).tolist() == [0, 2]
    # stored evaluation samples use each point's own interval's projection
    idx = torch.floor((data.c_eval[:, 0].double() + 1.0)).long().clamp(0, 2)
    inside = ((data.c_eval[:, 0] - data.c_eval[:, 0].round()).abs() > 1e-4)  # away from the boundaries 0, 1
    f = sinusoid_formula(data.c_eval[:, 0].double(), 8, 3, "uniform")
    expected = torch.einsum("nij,nj->ni", data.projections[idx], f)
    torch.testing.assert_close(data.x_eval.double()[inside], expected[inside], atol=1e-5, rtol=0)
    assert set(idx.tolist()) == {0, 1, 2}


def test_projection_interval_i_uses_proj_seed_plus_i():
    three = dataset(num_intervals=3, proj_seed=5, num_eval=10)
    shifted = dataset(proj_seed=7, num_eval=10)
    torch.testing.assert_close(three.projections[2], shifted.projections[0], atol=0, rtol=0)
    assert (three.projections[0] - three.projections[1]).abs().max() > 1e-3
