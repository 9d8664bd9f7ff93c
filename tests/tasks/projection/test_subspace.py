"""The subspace metrics (toyexp.tasks.projection.subspace) against planted subspaces and angles."""

import dataclasses
import math

import numpy as np
import pytest
import torch

from toyexp.tasks.projection import subspace as ss

D, K = 8, 2
ANGLE_TOL_DEG = 1e-6


def orthonormal(dim, k, seed):
    gen = torch.Generator().manual_seed(seed)
    Q, _ = torch.linalg.qr(torch.randn(dim, k, generator=gen, dtype=torch.float64))
    return Q


def coeffs(n, k, seed):
    gen = torch.Generator().manual_seed(seed)
    return torch.randn(n, k, generator=gen, dtype=torch.float64)


def eye_cols(dim, *idx):
    return torch.eye(dim, dtype=torch.float64)[:, list(idx)]


def rotated(Q1, theta, seed=0):
    """Q1 with its first column rotated by theta towards a unit vector u ⊥ span(Q1)."""
    gen = torch.Generator().manual_seed(seed)
    v = torch.randn(Q1.shape[0], generator=gen, dtype=torch.float64)
    u = v - Q1 @ (Q1.T @ v)
    u = u / u.norm()
    Q2 = Q1.clone()
    Q2[:, 0] = math.cos(theta) * Q1[:, 0] + math.sin(theta) * u
    return Q2


# --- projection_matrix / random_projection -------------------------------------------


def test_projection_matrix_properties():
    A = torch.randn(D, 3, generator=torch.Generator().manual_seed(1), dtype=torch.float32)
    P = ss.projection_matrix(A)
    assert P.dtype == torch.float64 and P.shape == (D, D)
    torch.testing.assert_close(P, P.T, atol=1e-12, rtol=0)
    torch.testing.assert_close(P @ P, P, atol=1e-12, rtol=0)
    assert float(torch.trace(P)) == pytest.approx(3.0, abs=1e-12)
    torch.testing.assert_close(P @ A.double(), A.double(), atol=1e-6, rtol=0)


def test_random_projection_reproducible_and_consistent():
    P1, Q1 = ss.random_projection(D, K, seed=3)
    P2, Q2 = ss.random_projection(D, K, seed=3)
    P3, _ = ss.random_projection(D, K, seed=4)
    assert torch.equal(P1, P2) and torch.equal(Q1, Q2)
    assert (P1 - P3).abs().max() > 1e-3
    assert Q1.shape == (D, K) and P1.dtype == torch.float64
    torch.testing.assert_close(Q1.T @ Q1, torch.eye(K, dtype=torch.float64), atol=1e-12, rtol=0)
    torch.testing.assert_close(Q1 @ Q1.T, P1, atol=1e-12, rtol=0)
    assert float(torch.trace(P1)) == pytest.approx(K, abs=1e-12)
    # A is the seeded standard Gaussian matrix, so P must project onto its span
    A = torch.randn(D, K, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    torch.testing.assert_close(P1 @ A, A, atol=1e-12, rtol=0)


# --- principal_angles / principal_subspace --------------------------------------------


@pytest.mark.parametrize("k1,k2", [(2, 2), (3, 2), (2, 3), (4, 4)])
def test_principal_angles_match_numpy(k1, k2):
    Q1, Q2 = orthonormal(D, k1, 10), orthonormal(D, k2, 11)
    s = np.linalg.svd(Q1.numpy().T @ Q2.numpy(), compute_uv=False)
    expected = np.sort(np.arccos(np.clip(s, 0.0, 1.0)))
    got = ss.principal_angles(Q1, Q2).numpy()
    assert got.shape == (min(k1, k2),)
    np.testing.assert_allclose(got, expected, atol=1e-10)
    assert np.all(np.diff(got) >= 0)


def test_principal_angles_coordinate_subspaces():
    theta = 0.3
    Q1 = eye_cols(4, 0, 1)
    Q2 = torch.stack(
        [torch.tensor([1.0, 0, 0, 0]), torch.tensor([0, math.cos(theta), math.sin(theta), 0])], 1
    ).double()
    np.testing.assert_allclose(ss.principal_angles(Q1, Q2).numpy(), [0.0, theta], atol=1e-14)
    np.testing.assert_allclose(
        ss.principal_angles(Q1, eye_cols(4, 2, 3)).numpy(), [math.pi / 2] * 2, atol=1e-14
    )


def test_principal_angles_small_angle_accurate():
    # arccos alone would return 0 here: cos(1e-9) rounds to 1.0 in float64
    theta = 1e-9
    Q1 = orthonormal(D, K, 5)
    got = ss.principal_angles(Q1, rotated(Q1, theta)).max().item()
    assert got == pytest.approx(theta, rel=1e-6)


def test_principal_subspace_centred_vs_uncentred():
    # rows 10 e1 ± e2: most energy along e1, all variance along e2
    X = torch.tensor([[10.0, 1.0, 0.0], [10.0, -1.0, 0.0]] * 3, dtype=torch.float64)
    e1, e2 = eye_cols(3, 0), eye_cols(3, 1)
    unc = ss.principal_subspace(X, 1, centred=False)
    cen = ss.principal_subspace(X, 1, centred=True)
    assert ss.principal_angles(unc, e1).item() < 1e-12
    assert ss.principal_angles(cen, e2).item() < 1e-12
    with pytest.raises(ValueError):
        ss.principal_subspace(X, 4)


# --- subspace_metrics -----------------------------------------------------------------


def test_planted_subspace_is_perfect():
    Q = orthonormal(D, K, 20)
    X = coeffs(200, K, 21) @ Q.T
    m = ss.subspace_metrics(X.float(), Q)  # float32 predictions are accepted
    assert m.max_angle_deg < 1e-3  # float32 input rounding
    m = ss.subspace_metrics(X, Q)
    assert m.max_angle_deg < ANGLE_TOL_DEG
    assert m.projection_distance < 1e-12
    assert m.explained_variance_true == pytest.approx(1.0, abs=1e-12)
    assert m.explained_variance_top == pytest.approx(1.0, abs=1e-12)
    assert m.off_subspace < 1e-12


@pytest.mark.parametrize("theta_deg", [10.0, 37.0, 80.0])
def test_rotated_subspace_known_angle(theta_deg):
    theta = math.radians(theta_deg)
    Q1 = orthonormal(D, K, 30)
    Q2 = rotated(Q1, theta, seed=31)
    a = coeffs(100, K, 32)
    X = a @ Q2.T
    m = ss.subspace_metrics(X, Q1)
    assert m.max_angle_deg == pytest.approx(theta_deg, abs=ANGLE_TOL_DEG)
    # one rotated direction: ‖P − P̂‖_F² = 2 sin²θ, so distance = sqrt(2 sin²θ / (2k))
    assert m.projection_distance == pytest.approx(
        math.sqrt(2 * math.sin(theta) ** 2 / (2 * K)), abs=1e-12
    )
    # x = a0 q2_0 + a1 q1_1 with q2_0 = cos θ q1_0 + sin θ u:
    # in-subspace energy a0² cos²θ + a1², outside norm |a0| sin θ
    ev = ((a[:, 0] * math.cos(theta)) ** 2 + a[:, 1] ** 2).sum() / (a**2).sum()
    off = (a[:, 0].abs() * math.sin(theta) / a.norm(dim=1)).mean()
    assert m.explained_variance_true == pytest.approx(ev.item(), abs=1e-12)
    assert m.off_subspace == pytest.approx(off.item(), abs=1e-12)
    assert m.explained_variance_top == pytest.approx(1.0, abs=1e-12)


def test_orthogonal_subspaces():
    X = coeffs(50, K, 40) @ eye_cols(D, 2, 3).T
    m = ss.subspace_metrics(X, eye_cols(D, 0, 1))
    assert m.max_angle_deg == pytest.approx(90.0, abs=ANGLE_TOL_DEG)
    assert m.projection_distance == pytest.approx(1.0, abs=1e-12)
    assert m.explained_variance_true == pytest.approx(0.0, abs=1e-12)
    assert m.off_subspace == pytest.approx(1.0, abs=1e-12)
    assert m.explained_variance_top == pytest.approx(1.0, abs=1e-12)


def test_off_subspace_hand_built():
    X = torch.tensor(
        [[1.0, 0, 1, 0], [1, 0, 0, 0], [0, 0, 1, 0], [0, 0, 0, 0]], dtype=torch.float64
    )  # e1+e3, e1, e3, zero row
    m = ss.subspace_metrics(X, eye_cols(4, 0, 1))
    assert m.off_subspace == pytest.approx((1 / math.sqrt(2) + 0 + 1 + 0) / 4, abs=1e-12)
    # energy in span(e1, e2): 1 + 1 of total 2 + 1 + 1
    assert m.explained_variance_true == pytest.approx(2 / 4, abs=1e-12)


def test_explained_variance_top_known_singular_values():
    s = torch.tensor([4.0, 3.0, 2.0, 1.0, 0, 0, 0, 0], dtype=torch.float64)
    U = orthonormal(20, D, 50)
    V = orthonormal(D, D, 51)
    X = U @ torch.diag(s) @ V.T
    m = ss.subspace_metrics(X, V[:, :K])
    assert m.explained_variance_top == pytest.approx((16 + 9) / 30, abs=1e-12)
    # the true subspace is the top-2 one, so everything else agrees with it too
    assert m.explained_variance_true == pytest.approx((16 + 9) / 30, abs=1e-12)
    assert m.max_angle_deg < ANGLE_TOL_DEG
    assert m.projection_distance < 1e-12


def test_metrics_dataclass_frozen_and_ordered():
    Q = eye_cols(4, 0, 1)
    m = ss.subspace_metrics(torch.eye(4, dtype=torch.float64), Q)
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.off_subspace = 0.0
    d = dataclasses.asdict(m)
    assert list(d) == [
        "max_angle_deg",
        "projection_distance",
        "explained_variance_true",
        "explained_variance_top",
        "off_subspace",
    ]
    assert all(type(v) is float for v in d.values())
    assert d["off_subspace"] == pytest.approx(0.5)  # rows e1, e2 inside; e3, e4 outside


# --- interval_index / boundary_metrics ------------------------------------------------


def test_interval_index_known_assignment():
    c = torch.tensor([-1.0, -0.75, -0.5, -0.4999, 0.0, 0.5, 0.99, 1.0, -2.0, 3.0])
    idx = ss.interval_index(c, -1.0, 1.0, 4)
    assert idx.dtype == torch.int64
    assert idx.tolist() == [0, 0, 1, 1, 2, 3, 3, 3, 0, 3]
    assert ss.interval_index(c[:, None], -1.0, 1.0, 4).tolist() == idx.tolist()
    assert ss.interval_index(c, -1.0, 1.0, 1).tolist() == [0] * len(c)


def test_boundary_metrics_two_intervals():
    Qs = [eye_cols(4, 0), eye_cols(4, 1)]  # interval 0: span(e1), interval 1: span(e2)
    c = torch.tensor([0.49, 0.5, 0.51, 0.1, 0.9])  # last two are far from c_1 = 0.5
    far = [[0.0, 0, 5, 5], [0, 0, 7, 0]]  # wholly off-span: must not be counted
    in_span = torch.tensor([[1.0, 2, 0, 0], [0, 1, 0, 0], [3, 0, 0, 0]] + far)
    (b,) = ss.boundary_metrics(c, in_span, in_span, Qs, c_min=0.0, c_max=1.0)
    assert b.c == pytest.approx(0.5) and b.num_points == 3
    assert b.outside_pred == pytest.approx(0.0, abs=1e-12)
    assert b.outside_error == 0.0  # ĝ = g: zero error rows count 0

    planted = torch.tensor([[1.0, 0, 1, 0], [0, 1, 0, 0], [0, 0, 0, 2]] + far)
    error = torch.tensor([[0.0, 0, 1, 0], [1, 0, 0, 0], [0, 3, 0, 4]] + far)
    (b,) = ss.boundary_metrics(c, planted, planted - error, Qs, c_min=0.0, c_max=1.0, width=0.03)
    assert b.outside_pred == pytest.approx((1 / math.sqrt(2) + 0 + 1) / 3, abs=1e-9)
    assert b.outside_error == pytest.approx((1 + 0 + 4 / 5) / 3, abs=1e-9)


def test_boundary_metrics_locations_and_empty_boundary():
    Qs = [eye_cols(4, 0), eye_cols(4, 1), eye_cols(4, 2)]
    c = torch.tensor([-0.02, 0.0, 0.5])  # only boundary c_1 = 0 of [-1, 2] has points
    X = torch.tensor([[1.0, 0, 0, 1], [0, 1, 0, 0], [0, 0, 1, 0]])
    res = ss.boundary_metrics(c, X, torch.zeros_like(X), Qs, c_min=-1.0, c_max=2.0, width=0.05)
    assert [r.c for r in res] == pytest.approx([0.0, 1.0])
    assert [r.num_points for r in res] == [2, 0]
    assert res[0].outside_pred == pytest.approx((1 / math.sqrt(2) + 0) / 2, abs=1e-9)
    assert res[0].outside_error == pytest.approx(res[0].outside_pred, abs=1e-9)
    assert math.isnan(res[1].outside_pred) and math.isnan(res[1].outside_error)
    assert ss.boundary_metrics(c, X, X, Qs[:1], c_min=-1.0, c_max=2.0) == []


def test_boundary_metrics_identical_neighbours_no_spurious_directions():
    # span([Q, Q]) has rank k, not 2k: an orthogonal vector must stay fully outside
    Q = orthonormal(D, K, 60)
    v = torch.randn(D, generator=torch.Generator().manual_seed(61), dtype=torch.float64)
    u = v - Q @ (Q.T @ v)
    X = torch.stack([u, Q[:, 0] + Q[:, 1]])
    (b,) = ss.boundary_metrics(torch.tensor([0.0, 0.0]), X, X, [Q, Q.clone()], c_min=-1.0, c_max=1.0)
    assert b.num_points == 2
    assert b.outside_pred == pytest.approx((1 + 0) / 2, abs=1e-9)
