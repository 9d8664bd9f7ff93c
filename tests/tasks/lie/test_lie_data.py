"""The rotation target (toyexp.tasks.lie.data) against closed forms written here: plane rotations
by cos and sin, space rotations by Rodrigues' formula, velocities, weights and component norms."""

import math

import pytest
import torch

from known_answers import FIRST_PRIMES as PRIMES
from known_answers import rodrigues
from toyexp.tasks.lie import data as lie_data
from toyexp.tasks.lie.config import RotationConfig
from toyexp.tasks.lie.data import RotationDataset, skew_matrix_A

C = torch.linspace(-0.5, 1.5, 41, dtype=torch.float64)[:, None]
CASES = [(2, "constant"), (2, "high_frequency"), (3, "constant"), (3, "high_frequency")]


def dataset(**values) -> RotationDataset:
    return RotationDataset(RotationConfig(**{"num_eval": 40, **values}).resolve(), seed=42)


def test_plane_rotation_is_cos_sin():
    data = dataset(alpha_values=[0, 1, 2.5, 2 * math.pi], num_rotations=4)
    assert data.A.tolist() == [[0.0, -1.0], [1.0, 0.0]]
    d = data.directions(C)  # (N, K, 2)
    assert d.shape == (41, 4, 2) and d.dtype == torch.float64
    for i, a in enumerate([0.0, 1.0, 2.5, 2 * math.pi]):
        expected = torch.tensor([[math.cos(a * c), math.sin(a * c)] for c in C[:, 0].tolist()], dtype=torch.float64)
        torch.testing.assert_close(d[:, i], expected, atol=1e-12, rtol=0)


@pytest.mark.parametrize("seed", [0, 5])
def test_space_A_and_directions(seed):
    data = dataset(rotation_dim=3, rotation_seed=seed)
    A = data.A
    assert A.shape == (3, 3) and torch.equal(A, skew_matrix_A(3, seed))
    torch.testing.assert_close(A.T, -A, atol=0, rtol=0)
    assert torch.linalg.matrix_norm(A).item() == pytest.approx(math.sqrt(2), abs=1e-14)
    assert (A - skew_matrix_A(3, seed + 1)).abs().max() > 1e-3
    d = data.directions(C)
    assert d.shape == (41, 8, 3)
    torch.testing.assert_close(d.norm(dim=-1), torch.ones(41, 8, dtype=torch.float64), atol=1e-12, rtol=0)
    # Rodrigues: A = [ω]_x with |ω| = 1, so exp(θA) e_1 rotates e_1 by θ about ω
    omega = torch.stack([A[2, 1], A[0, 2], A[1, 0]])
    assert omega.norm().item() == pytest.approx(1.0, abs=1e-14)
    e_1 = torch.tensor([1.0, 0.0, 0.0], dtype=torch.float64)
    torch.testing.assert_close(d, rodrigues(omega, e_1.expand(41, 8, 3), C * data.alphas), atol=1e-12, rtol=0)


def test_directions_in_chunks_are_the_same_bits(monkeypatch):
    """Guards the chunked matrix exponential (memory of a large num_eval): each matrix is its own,
    so chunks of 7 inputs give exactly the directions of one call."""
    data = dataset(rotation_dim=3, weight_type="high_frequency")
    whole = data.directions(C)
    monkeypatch.setattr(lie_data, "EVAL_CHUNK", 7)
    assert torch.equal(data.directions(C), whole)


def test_velocities_evenly_spaced_with_both_ends():
    torch.testing.assert_close(dataset().alphas, torch.tensor([2 * math.pi * i / 7 for i in range(8)], dtype=torch.float64),
                               atol=1e-14, rtol=0)
    assert dataset(num_rotations=5, alpha_min=-1, alpha_max=3).alphas.tolist() == pytest.approx([-1.0, 0.0, 1.0, 2.0, 3.0], abs=1e-14)
    assert dataset(num_rotations=1, alpha_min=0.5).alphas.tolist() == [0.5]
    assert dataset(num_rotations=5, alpha_max=4.0, alpha_values=[]).alphas.tolist() == pytest.approx([0.0, 1.0, 2.0, 3.0, 4.0], abs=1e-14)


def test_explicit_velocities_are_honoured():
    data = dataset(num_rotations=3, alpha_values=[3, 0.25, 10], alpha_min=5, alpha_max=6)  # the range has no effect
    assert data.alphas.tolist() == [3.0, 0.25, 10.0]
    torch.testing.assert_close(data.directions(C)[:, 2, 0], torch.cos(10 * C[:, 0]), atol=1e-12, rtol=0)


def test_constant_weights_are_uniform_and_seeded():
    w = dataset(weight_seed=3).weights(C)
    assert w.shape == (41, 8)
    torch.testing.assert_close(w, w[:1].expand(41, 8), atol=0, rtol=0)  # constant in c
    assert w.min() >= -1 and w.max() <= 1 and w.min() < 0 < w.max()
    expected = 2 * torch.rand(8, generator=torch.Generator().manual_seed(3), dtype=torch.float64) - 1
    torch.testing.assert_close(w[0], expected, atol=0, rtol=0)
    assert (dataset(weight_seed=4).weights(C) - w).abs().max() > 1e-3
    # in the plane the rotation seed changes nothing: the same samples
    assert torch.equal(dataset(weight_seed=3, rotation_seed=9).x_train, dataset(weight_seed=3).x_train)


def high_frequency_terms(K, L, divide_by_frequency):
    """(1/L) Σ_l a_il trig_l(ω_il c + φ_il) on C, from the primes written out here."""
    expected = torch.zeros(41, K, dtype=torch.float64)
    for i in range(K):
        for l in range(L):
            j = i * L + l
            trig = torch.sin if l % 2 == 0 else torch.cos
            a = 1 / PRIMES[2 * j] if divide_by_frequency else 1.0
            expected[:, i] += a * trig(PRIMES[2 * j] * C[:, 0] + PRIMES[2 * j + 1] / 10) / L
    return expected


def test_high_frequency_weights_follow_the_prime_rule():
    w = dataset(weight_type="high_frequency", num_rotations=4, num_weight_components=3).weights(C)
    torch.testing.assert_close(w, high_frequency_terms(4, 3, False), atol=1e-12, rtol=0)
    assert w.abs().max() <= 1


def test_uniform_weights_are_the_mean_of_the_terms_bit_for_bit():
    """Guards today's numbers: weight_strategy uniform (the default) gives exactly the weights it
    gave before the key existed, (1/L) Σ_l trig_l, in the same float64 operations."""
    K, L = 4, 3
    freqs = torch.tensor(PRIMES[0:2 * K * L:2], dtype=torch.float64).reshape(K, L)
    phases = torch.tensor(PRIMES[1:2 * K * L:2], dtype=torch.float64).reshape(K, L) / 10
    arg = freqs * C[:, :, None] + phases
    expected = torch.where(torch.arange(L) % 2 == 0, torch.sin(arg), torch.cos(arg)).mean(-1)
    for data in (dataset(weight_type="high_frequency", num_rotations=K, num_weight_components=L),
                 dataset(weight_type="high_frequency", num_rotations=K, num_weight_components=L, weight_strategy="uniform")):
        assert torch.equal(data.weights(C), expected)


def test_inverse_freq_weights_divide_each_term_by_its_frequency():
    """Guards the original meaning of weight_strategy for the rotation weights: a_il = 1/ω_il,
    keeping our 1/L: w_i(c) = (1/L) Σ_l trig_l(ω_il c + φ_il) / ω_il."""
    data = dataset(weight_type="high_frequency", num_rotations=4, num_weight_components=3, weight_strategy="inverse_freq")
    torch.testing.assert_close(data.weights(C), high_frequency_terms(4, 3, True), atol=1e-14, rtol=0)
    assert data.weights(C).abs().max() <= 1 / 2  # every ω_il >= 2
    norms = data.x_train.double().reshape(len(data.c_train), 4, 2).norm(dim=-1)
    torch.testing.assert_close(norms, data.weights(data.c_train).abs(), atol=1e-6, rtol=0)  # the target uses them


@pytest.mark.parametrize("n,weight_type", CASES)
def test_component_norms_are_the_weights(n, weight_type):
    data = dataset(rotation_dim=n, weight_type=weight_type)
    K = data.cfg.num_rotations
    assert data.dim == K * n == data.cfg.target_dim and data.x_train.shape == (50, K * n) and data.x_eval.shape == (40, K * n)
    f = data.components(C)  # (N, K, n)
    torch.testing.assert_close(f.norm(dim=-1), data.weights(C).abs(), atol=1e-12, rtol=0)
    # the target concatenates the components: coordinates [i n, (i + 1) n) hold f_i
    for i in range(K):
        torch.testing.assert_close(data.target(C)[:, i * n:(i + 1) * n].double(), data.weights(C)[:, i:i + 1] * data.directions(C)[:, i],
                                   atol=1e-6, rtol=0)
    for c, x in ((data.c_train, data.x_train), (data.c_eval, data.x_eval)):
        norms = x.double().reshape(len(c), K, n).norm(dim=-1)
        torch.testing.assert_close(norms, data.weights(c).abs(), atol=1e-6, rtol=0)


def test_orientation_follows_the_sign_of_the_weight():
    data = dataset(weight_type="high_frequency", num_rotations=2)
    w, d, u = data.weights(C), data.directions(C), data.oriented_directions(C)
    assert (w < 0).any() and (w > 0).any()
    torch.testing.assert_close(u, torch.sign(w)[..., None] * d, atol=0, rtol=0)
    torch.testing.assert_close(w[..., None] * d, w.abs()[..., None] * u, atol=1e-15, rtol=0)
