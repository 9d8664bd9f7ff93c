"""Subspace metrics for the projection experiment, where the target is g(c) = P f(c).

P is an orthogonal projection of rank k in R^D (optionally one per interval of c).
These functions measure how well predictions ĝ (N, D) stay in the true subspace.
All computations are done in float64, because angles near 0 computed from
cosines lose about half the significant digits.
"""

from __future__ import annotations

import dataclasses
import math

import torch

_EPS = 1e-12  # guards divisions by row norms that may be exactly zero


def _f64(x: torch.Tensor) -> torch.Tensor:
    return torch.as_tensor(x).detach().to(dtype=torch.float64, device="cpu")


def projection_matrix(A: torch.Tensor) -> torch.Tensor:
    """Orthogonal projection onto the column span of A.

    Args:
        A: (D, k) matrix of full column rank.
    Returns:
        P: (D, D) float64, P = A (AᵀA)⁻¹ Aᵀ.
    """
    A = _f64(A)
    # solve instead of an explicit inverse: same result, better conditioned.
    return A @ torch.linalg.solve(A.T @ A, A.T)


def random_projection(dim: int, rank: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Random rank-`rank` orthogonal projection in R^dim, reproducible from `seed`.

    A (dim, rank) has i.i.d. N(0, 1) entries from torch.Generator().manual_seed(seed).
    Returns:
        P: (dim, dim) float64, P = A (AᵀA)⁻¹ Aᵀ.
        Q: (dim, rank) float64 orthonormal basis of span(A) (reduced QR), so P = Q Qᵀ.
    """
    gen = torch.Generator().manual_seed(seed)
    A = torch.randn(dim, rank, generator=gen, dtype=torch.float64)
    Q, _ = torch.linalg.qr(A, mode="reduced")
    return projection_matrix(A), Q


def principal_angles(Q1: torch.Tensor, Q2: torch.Tensor) -> torch.Tensor:
    """Principal angles (radians, ascending) between span(Q1) and span(Q2).

    Args:
        Q1: (D, k1) orthonormal basis.  Q2: (D, k2) orthonormal basis.
    Returns:
        (min(k1, k2),) float64 tensor of angles θ_i in [0, π/2].
    Formula: cos θ_i = σ_i(Q1ᵀQ2) (descending σ), sin θ_i = σ_i((I − Q1Q1ᵀ)Q2)
    (ascending σ, with k2 ≤ k1). arccos is used for large angles and arcsin for
    small ones (cos² θ ≥ 1/2), where arccos is ill-conditioned (Knyazev & Argentati 2002).
    """
    Q1, Q2 = _f64(Q1), _f64(Q2)
    if Q2.shape[1] > Q1.shape[1]:
        Q1, Q2 = Q2, Q1  # the sine formula needs the smaller basis second
    cos = torch.linalg.svdvals(Q1.T @ Q2).clamp(0.0, 1.0)  # descending
    sin = torch.linalg.svdvals(Q2 - Q1 @ (Q1.T @ Q2)).flip(0).clamp(0.0, 1.0)  # ascending
    return torch.where(cos**2 < 0.5, torch.arccos(cos), torch.arcsin(sin))


def principal_subspace(X: torch.Tensor, k: int, centred: bool = False) -> torch.Tensor:
    """Orthonormal basis of the top-k principal directions of the rows of X.

    Args:
        X: (N, D) data, one point per row; needs k ≤ min(N, D).
        k: number of directions.
        centred: subtract the row mean first (PCA) if True.
    Returns:
        (D, k) float64, the top-k right singular vectors of X (or of X − mean).
    The metrics in this module use centred=False: the true model g = P f has zero
    off-subspace component whether or not f is centred, and the subspace is linear
    (it passes through the origin), so the uncentred second moment is the right object.
    """
    X = _f64(X)
    if not 0 < k <= min(X.shape):
        raise ValueError(f"need 0 < k <= min(N, D), got k={k}, X of shape {tuple(X.shape)}")
    if centred:
        X = X - X.mean(dim=0, keepdim=True)
    _, _, Vh = torch.linalg.svd(X, full_matrices=False)
    return Vh[:k].T


def _outside_fraction(X: torch.Tensor, P: torch.Tensor) -> torch.Tensor:
    """Per-row ‖(I − P) x‖ / ‖x‖ for X (N, D); rows with ‖x‖ = 0 give 0."""
    outside = torch.linalg.vector_norm(X - X @ P, dim=1)  # P symmetric, so X P = (P Xᵀ)ᵀ
    norm = torch.linalg.vector_norm(X, dim=1)
    # clamp rather than add eps: exact for ordinary rows, and zero rows give 0 / eps = 0
    return outside / norm.clamp_min(_EPS)


@dataclasses.dataclass(frozen=True, kw_only=True)
class SubspaceMetrics:
    """How well predictions X (N, D) respect a true rank-k subspace (see subspace_metrics)."""

    max_angle_deg: float
    projection_distance: float
    explained_variance_true: float
    explained_variance_top: float
    off_subspace: float


def subspace_metrics(x_pred: torch.Tensor, Q_true: torch.Tensor) -> SubspaceMetrics:
    """Compare predictions with the true subspace span(Q_true), k = Q_true.shape[1].

    Args:
        x_pred: (N, D) predictions ĝ (X below), N ≥ k.
        Q_true: (D, k) orthonormal basis of the true subspace, P = Q_true Q_trueᵀ.
    Returns SubspaceMetrics with, for P̂ = Q̂Q̂ᵀ from the uncentred top-k subspace Q̂ of X:
        max_angle_deg           = max principal angle between span(Q_true) and span(Q̂), degrees;
        projection_distance     = ‖P − P̂‖_F / √(2k)   (0 equal, 1 orthogonal);
        explained_variance_true = ‖X P‖_F² / ‖X‖_F²;
        explained_variance_top  = Σ_{i≤k} σ_i² / Σ_i σ_i²   (σ: singular values of X);
        off_subspace            = mean_n ‖(I − P) x_n‖ / ‖x_n‖   (zero rows count 0).
    The two explained variances are NaN when X = 0 (no energy to explain).
    """
    X, Q_true = _f64(x_pred), _f64(Q_true)
    k = Q_true.shape[1]
    P = Q_true @ Q_true.T
    Q_hat = principal_subspace(X, k, centred=False)
    P_hat = Q_hat @ Q_hat.T

    theta = principal_angles(Q_true, Q_hat)
    sigma2 = torch.linalg.svdvals(X) ** 2
    total = float(sigma2.sum())
    nan = float("nan")
    return SubspaceMetrics(
        max_angle_deg=math.degrees(float(theta.max())),
        projection_distance=float(torch.linalg.matrix_norm(P - P_hat)) / math.sqrt(2 * k),
        explained_variance_true=float((X @ P).square().sum()) / total if total > 0 else nan,
        explained_variance_top=float(sigma2[:k].sum()) / total if total > 0 else nan,
        off_subspace=float(_outside_fraction(X, P).mean()),
    )


def interval_index(c: torch.Tensor, c_min: float, c_max: float, m: int) -> torch.Tensor:
    """Index of the interval of [c_min, c_max] (split into m equal parts) holding each c.

    Args:
        c: (N,) or (N, 1) condition values.
    Returns:
        (N,) int64, i = floor(m (c − c_min) / (c_max − c_min)) clamped into [0, m − 1].
    Intervals are [c_i, c_{i+1}) except the last, [c_{m−1}, c_max]; values outside
    [c_min, c_max] go to the nearest end interval. A c within rounding of an interior
    boundary may land on either side.
    """
    u = (_f64(c).reshape(-1) - c_min) / (c_max - c_min) * m
    return torch.floor(u).to(torch.int64).clamp(0, m - 1)


def _union_basis(Qa: torch.Tensor, Qb: torch.Tensor) -> torch.Tensor:
    """Orthonormal basis of span([Qa, Qb]); SVD with a rank cut, so shared directions
    are not counted twice (QR would return spurious noise columns for them)."""
    M = torch.cat([Qa, Qb], dim=1)
    U, s, _ = torch.linalg.svd(M, full_matrices=False)
    tol = s.max() * max(M.shape) * torch.finfo(torch.float64).eps
    return U[:, s > tol]


@dataclasses.dataclass(frozen=True)
class BoundaryLeakage:
    """Off-subspace leakage near one interior boundary c_j of a piecewise target (see boundary_metrics)."""

    c: float
    num_points: int
    outside_pred: float
    outside_error: float


def boundary_metrics(
    c: torch.Tensor,
    x_pred: torch.Tensor,
    x_true: torch.Tensor,
    Qs: list[torch.Tensor],
    *, c_min: float,
    c_max: float,
    width: float = 0.03,
) -> list[BoundaryLeakage]:
    """Off-subspace leakage near the interior boundaries of a piecewise target.

    Args:
        c: (N,) or (N, 1) condition values.  x_pred, x_true: (N, D) ĝ and g.
        Qs: m orthonormal bases (D, k), Qs[i] for interval i of [c_min, c_max].
        width: half-width of the window |c − c_j| ≤ width around each boundary.
    Returns:
        One BoundaryLeakage per boundary c_j = c_min + j (c_max − c_min)/m, j = 1..m−1, with
        c = c_j, num_points = n (points in the window),
        outside_pred  = mean ‖(I − P_j) ĝ‖ / ‖ĝ‖,
        outside_error = mean ‖(I − P_j)(ĝ − g)‖ / ‖ĝ − g‖,
        where P_j projects onto span([Q_{j−1}, Q_j]) (rank ≤ 2k): near a boundary either
        neighbouring subspace is acceptable, so only leakage outside both is counted.
        Zero rows count 0; with n = 0 both means are NaN.
    """
    c = _f64(c).reshape(-1)
    X, Y = _f64(x_pred), _f64(x_true)
    m = len(Qs)
    out = []
    for j in range(1, m):
        c_j = c_min + j * (c_max - c_min) / m
        near = (c - c_j).abs() <= width
        n = int(near.sum())
        Q = _union_basis(_f64(Qs[j - 1]), _f64(Qs[j]))
        P = Q @ Q.T
        if n == 0:
            pred = err = float("nan")
        else:
            pred = float(_outside_fraction(X[near], P).mean())
            err = float(_outside_fraction(X[near] - Y[near], P).mean())
        out.append(BoundaryLeakage(c_j, n, pred, err))
    return out
