"""The rotation target: K weighted rotations in SO(n), sampled like the other tasks.

The target, for K = ``num_rotations`` components in R^n (n = ``rotation_dim``, 2 or 3), is

    f(c) = concat_i f_i(c),   f_i(c) = w_i(c) d_i(c),   d_i(c) = exp(α_i c A) e_1  ∈ R^n,

so f(c) ∈ R^{K·n}, component i in coordinates [i·n, (i + 1)·n). A is skew-symmetric, so
exp(α c A) is a rotation and ‖f_i(c)‖ = |w_i(c)|. The unit vector of the true component is
u_i(c) = s_i(c) d_i(c) with s_i = sign(w_i(c)) (sign 0 taken as +1), and P_i(c) = d_i dᵢᵀ
projects onto the line it spans. For a predicted component f̂_i(c):

    cosine_i(c)     = ⟨f̂_i, u_i⟩ / ‖f̂_i‖        (= 1 on the true function; 0 where f̂_i = 0)
    projection_i(c) = ‖(I − P_i) f̂_i‖ / ‖f̂_i‖  (= 0 on the true function; 0 where f̂_i = 0)

The cosine compares with the signed direction u_i, i.e. with the true component itself, so a
prediction pointing the opposite way scores −1 while its projection error is still 0.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from ...core.metrics import EVAL_CHUNK, in_chunks
from ..sampling import Samples
from ..sinusoids import sinusoid_parameters
from .config import RotationConfig


PLANE_A = torch.tensor([[0.0, -1.0], [1.0, 0.0]], dtype=torch.float64)  # exp(θA) rotates by θ


def skew_matrix_A(n: int, seed: int) -> Tensor:
    """The Lie algebra element A, (n, n) float64, skew-symmetric (Aᵀ = −A).

    n = 2: [[0, −1], [1, 0]]. n = 3: A = √2 (B − Bᵀ) / ‖B − Bᵀ‖_F with B (3, 3) ~ N(0, 1) from
    ``seed``; a 3 × 3 skew matrix of Frobenius norm √2 has an axis ω with |ω| = 1, so exp(θA)
    turns by the angle θ about ω (rotation speed 1, as for n = 2).
    """
    if n == 2:
        return PLANE_A.clone()
    B = torch.randn(n, n, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    S = B - B.T
    return math.sqrt(2) * S / torch.linalg.matrix_norm(S)


def rotation_velocities(cfg: RotationConfig) -> Tensor:
    """The velocities α_i, (K,) float64: ``alpha_values`` when given, else
    linspace(alpha_min, alpha_max, K), both ends included (K = 1: alpha_min alone)."""
    if cfg.alpha_values:
        return torch.tensor(cfg.alpha_values, dtype=torch.float64)
    return torch.linspace(cfg.alpha_min, cfg.alpha_max, cfg.num_rotations, dtype=torch.float64)


class RotationDataset(Samples):
    """Samples of f(c) = concat_i w_i(c) exp(α_i c A) e_1 ∈ R^{K·n} (see the module docstring).

    Weights (``weight_type``): ``constant`` draws w_i ~ U[−1, 1] from ``weight_seed``;
    ``high_frequency`` is

        w_i(c) = (1/L) Σ_l a_il trig_l(ω_il c + φ_il),   l < L = ``num_weight_components``,

    trig_l = sin for even l, cos for odd l, (ω_il, φ_il) row i of the recon prime rule
    (data.sinusoid_parameters(K, L)), and the coefficients a_il set by ``weight_strategy``, as
    for recon: 1 (``uniform``) or 1/ω_il (``inverse_freq``). Dividing by L keeps |w_i| ≤ 1.

    Attributes:
        c_train (N, 1), x_train (N, K·n), c_eval (M, 1), x_eval (M, K·n): as for the other tasks.
        alphas (K,): velocities α_i.   A (n, n): the skew-symmetric matrix every component turns by.
        weight_values (K,): the constant weights (``constant``), or None.
        weight_freqs, weight_phases, weight_coefficients (K, L): ω_il, φ_il and a_il (``high_frequency``), or None.
    """

    def __init__(self, cfg: RotationConfig, seed: int):
        self.alphas = rotation_velocities(cfg)
        self.A = skew_matrix_A(cfg.rotation_dim, cfg.rotation_seed)
        self.weight_values = self.weight_freqs = self.weight_phases = self.weight_coefficients = None
        if cfg.weight_type == "constant":
            g = torch.Generator().manual_seed(cfg.weight_seed)
            self.weight_values = 2 * torch.rand(cfg.num_rotations, generator=g, dtype=torch.float64) - 1
        else:
            self.weight_freqs, self.weight_phases, self.weight_coefficients = sinusoid_parameters(
                cfg.num_rotations, cfg.num_weight_components, cfg.weight_strategy
            )
        super().__init__(cfg, seed)

    @property
    def dim(self) -> int:
        return self.cfg.num_rotations * self.cfg.rotation_dim

    def directions(self, c: Tensor) -> Tensor:
        """d_i(c) = exp(α_i c A) e_1, (N, 1) -> (N, K, n) float64 unit vectors.

        In chunks of EVAL_CHUNK inputs: matrix_exp's temporaries took ~3.7 KB per input (370 MB
        for 100 000), and each matrix is exponentiated on its own, so chunks change nothing (an
        input set of at most EVAL_CHUNK is one call).
        """
        theta = c.double()[:, :1] * self.alphas  # (N, K)
        return in_chunks(self._directions, EVAL_CHUNK, theta)

    def _directions(self, theta: Tensor) -> Tensor:
        R = torch.linalg.matrix_exp(theta[..., None, None] * self.A)  # (N, K, n, n)
        return R[..., :, 0]  # R e_1 is R's first column

    def weights(self, c: Tensor) -> Tensor:
        """w_i(c), (N, 1) -> (N, K) float64."""
        if self.weight_values is not None:
            return self.weight_values.expand(len(c), -1).clone()
        arg = self.weight_freqs * c.double()[:, :, None] + self.weight_phases  # (N, K, L)
        even = torch.arange(arg.shape[-1]) % 2 == 0
        return (self.weight_coefficients * torch.where(even, torch.sin(arg), torch.cos(arg))).mean(-1)

    def oriented_directions(self, c: Tensor) -> Tensor:
        """u_i(c) = sign(w_i(c)) d_i(c), the unit vector of the true component f_i(c), (N, K, n).

        Where w_i(c) = 0 the sign is taken as +1."""
        s = torch.where(self.weights(c) < 0, -1.0, 1.0).to(torch.float64)
        return s[..., None] * self.directions(c)

    def components(self, c: Tensor) -> Tensor:
        """f_i(c) = w_i(c) d_i(c), (N, 1) -> (N, K, n) float64."""
        return self.weights(c)[..., None] * self.directions(c)

    def target(self, c: Tensor) -> Tensor:
        """f(c), (N, 1) -> (N, K·n) float32, the components concatenated."""
        return self.components(c).flatten(1).float()
