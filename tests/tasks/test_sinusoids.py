"""Tests for toyexp.data: the prime rule, the target formula, sampling and projections."""

import math

import pytest
import torch

import toyexp
from known_answers import is_prime
from toyexp.tasks.projection.data import ProjectedTargetFunctionDataset
from toyexp.tasks.sinusoids import TargetFunctionDataset, primes, sinusoid_parameters



FIRST_PRIMES = [n for n in range(400) if is_prime(n)]  # 78 primes, by trial division written here


def recon(*overrides, seed=None):
    return toyexp.load_config("recon", seed=seed, overrides=list(overrides))


def projection(*overrides):
    return toyexp.load_config("projection", overrides=list(overrides))


def test_primes():
    assert primes(10) == [2, 3, 5, 7, 11, 13, 17, 19, 23, 29]
    assert primes(25) == [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97]
    assert primes(78) == FIRST_PRIMES
    assert primes(0) == []
    ps = primes(200)  # trial division written here agrees further out
    assert all(is_prime(p) for p in ps) and ps == sorted(set(ps))
    assert [n for n in range(ps[-1] + 1) if is_prime(n)] == ps


def test_prime_rule_one_dimension():
    freqs, phases, weights = sinusoid_parameters(1, 3, "uniform")
    assert freqs.tolist() == [[2.0, 5.0, 11.0]]
    assert phases[0].tolist() == pytest.approx([0.3, 0.7, 1.3])
    assert weights.tolist() == [[1.0, 1.0, 1.0]]


def test_prime_rule_continues_across_dimensions():
    K, dim = 3, 2
    freqs, phases, _ = sinusoid_parameters(dim, K, "uniform")
    assert freqs.shape == phases.shape == (dim, K)
    for d in range(dim):
        for k in range(K):
            j = d * K + k
            assert freqs[d, k] == FIRST_PRIMES[2 * j]
            assert phases[d, k] == pytest.approx(FIRST_PRIMES[2 * j + 1] / 10)
    assert freqs[1].tolist() == [17.0, 23.0, 31.0]
    assert phases[1].tolist() == pytest.approx([1.9, 2.9, 3.7])


def test_inverse_freq_weights():
    freqs, _, weights = sinusoid_parameters(2, 3, "inverse_freq")
    torch.testing.assert_close(weights, 1 / freqs, atol=0, rtol=0)
    assert weights[0].tolist() == pytest.approx([1 / 2, 1 / 5, 1 / 11])


def formula(c, dim, K, strategy):
    """f_d(c) = sum_k w_dk trig_k(freq_dk c + phase_dk), sin for even k, cos for odd k; (N,) -> (N, D)."""
    out = torch.zeros(len(c), dim, dtype=torch.float64)
    for d in range(dim):
        for k in range(K):
            j = d * K + k
            freq, phase = FIRST_PRIMES[2 * j], FIRST_PRIMES[2 * j + 1] / 10
            w = 1.0 if strategy == "uniform" else 1.0 / freq
            trig = math.sin if k % 2 == 0 else math.cos
            for n, cn in enumerate(c.tolist()):
                out[n, d] += w * trig(freq * cn + phase)
    return out


@pytest.mark.parametrize("dim,K,strategy", [(1, 3, "uniform"), (1, 3, "inverse_freq"), (2, 4, "uniform"), (3, 2, "inverse_freq")])
def test_target_matches_formula(dim, K, strategy):
    cfg = recon(f"dataset.target_dim={dim}", f"dataset.num_components={K}", f"dataset.weight_strategy={strategy}",
                "dataset.num_eval=20", "dataset.c_min=-1.5", "dataset.c_max=2.5")
    data = toyexp.make_dataset(cfg)
    c = torch.linspace(-1.5, 2.5, 13, dtype=torch.float64)[:, None]
    torch.testing.assert_close(data.sinusoids(c), formula(c[:, 0], dim, K, strategy), atol=1e-12, rtol=0)
    target = data.target(c)
    assert target.dtype == torch.float32 and target.shape == (13, dim)
    torch.testing.assert_close(target.double(), formula(c[:, 0], dim, K, strategy), atol=1e-6, rtol=0)
    # the stored samples are the same function at the stored inputs
    torch.testing.assert_close(data.x_train.double(), formula(data.c_train[:, 0].double(), dim, K, strategy), atol=1e-6, rtol=0)
    torch.testing.assert_close(data.x_eval.double(), formula(data.c_eval[:, 0].double(), dim, K, strategy), atol=1e-6, rtol=0)


def test_first_component_is_a_sine_and_second_a_cosine():
    # K = 1: f(c) = sin(2c + 0.3); at c = -0.15 the argument is 0
    data = toyexp.make_dataset(recon("dataset.num_components=1", "dataset.num_eval=2"))
    c = torch.tensor([[-0.15], [0.0]], dtype=torch.float64)
    assert data.sinusoids(c)[:, 0].tolist() == pytest.approx([0.0, math.sin(0.3)], abs=1e-15)
    # K = 2: f(c) = sin(2c + 0.3) + cos(5c + 0.7)
    data = toyexp.make_dataset(recon("dataset.num_components=2", "dataset.num_eval=2"))
    assert data.sinusoids(c)[1, 0].item() == pytest.approx(math.sin(0.3) + math.cos(0.7), abs=1e-15)


def test_grid_sampling_is_linspace():
    cfg = recon("dataset.num_train=17", "dataset.c_min=-2.0", "dataset.c_max=3.0", "dataset.num_eval=10")
    data = toyexp.make_dataset(cfg)
    assert data.c_train.shape == (17, 1)
    expected = [-2.0 + 5.0 * i / 16 for i in range(17)]
    assert data.c_train[:, 0].tolist() == pytest.approx(expected, abs=1e-6)
    assert data.c_train[0, 0] == -2.0 and data.c_train[-1, 0] == 3.0


def random_train(sample_seed, seed=42):
    cfg = recon("dataset.sampling_strategy=random", f"dataset.sample_seed={sample_seed}", "dataset.num_train=40",
                "dataset.c_min=0.5", "dataset.c_max=1.5", "dataset.num_eval=10", seed=seed)
    return toyexp.make_dataset(cfg).c_train


def test_random_sampling_sorted_in_range_and_seeded():
    c = random_train(3)
    assert c.shape == (40, 1)
    values = c[:, 0]
    assert torch.all(values[1:] >= values[:-1])
    assert values.min() >= 0.5 and values.max() <= 1.5
    assert values.max() - values.min() > 0.5  # spread over the interval, not a constant
    assert len(set(values.tolist())) == 40  # not a grid with repeats
    grid = torch.linspace(0.5, 1.5, 40)
    assert not torch.allclose(values, grid, atol=1e-3)  # random, not the grid
    assert torch.equal(random_train(3), c)
    assert torch.equal(random_train(3, seed=7), c)  # the run seed does not move the training set
    assert not torch.equal(random_train(4), c)


def eval_set(seed, **kw):
    extra = [f"dataset.{k}={v}" for k, v in kw.items()]
    return toyexp.make_dataset(recon("dataset.num_eval=64", *extra, seed=seed))


def test_evaluation_set_depends_on_run_seed():
    a, b, other = eval_set(1), eval_set(1), eval_set(2)
    assert a.c_eval.shape == (64, 1) and a.x_eval.shape == (64, 1)
    values = a.c_eval[:, 0]
    assert torch.all(values[1:] >= values[:-1])
    assert values.min() >= 0.0 and values.max() <= 1.0
    assert torch.equal(a.c_eval, b.c_eval)
    assert not torch.equal(a.c_eval, other.c_eval)
    # the training set (a grid) is the same for both seeds
    assert torch.equal(a.c_train, other.c_train)


def test_evaluation_set_ignores_sample_seed_and_honours_range():
    a = eval_set(1, sample_seed=0, c_min=-3.0, c_max=-1.0)
    b = eval_set(1, sample_seed=5, c_min=-3.0, c_max=-1.0)
    assert torch.equal(a.c_eval, b.c_eval)
    assert a.c_eval.min() >= -3.0 and a.c_eval.max() <= -1.0


def test_grid_helper():
    data = TargetFunctionDataset(recon("dataset.c_min=1.0", "dataset.c_max=2.0", "dataset.num_eval=4").dataset, 0)
    assert data.grid(5)[:, 0].tolist() == pytest.approx([1.0, 1.25, 1.5, 1.75, 2.0])
    assert data.dim == 1


# --- projection -----------------------------------------------------------------------


def reference_projection(dim, rank, seed):
    """P onto span(A), A (dim, rank) ~ N(0, 1) from Generator().manual_seed(seed), via the pseudo-inverse."""
    A = torch.randn(dim, rank, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    return A @ torch.linalg.pinv(A)


def test_projection_defaults_and_target_is_P_f():
    cfg = projection("dataset.num_eval=50")
    assert cfg.dataset.target_dim == 8 and cfg.dataset.low_dim == 2 and cfg.dataset.num_intervals == 1
    data = toyexp.make_dataset(cfg)
    assert isinstance(data, ProjectedTargetFunctionDataset)
    P = data.projections[0]
    assert P.shape == (8, 8)
    torch.testing.assert_close(P, reference_projection(8, 2, cfg.dataset.proj_seed), atol=1e-12, rtol=0)
    torch.testing.assert_close(P, P.T, atol=1e-12, rtol=0)
    torch.testing.assert_close(P @ P, P, atol=1e-12, rtol=0)
    assert torch.linalg.matrix_rank(P).item() == 2
    assert torch.trace(P).item() == pytest.approx(2.0, abs=1e-12)
    Q = data.bases[0]
    torch.testing.assert_close(Q.T @ Q, torch.eye(2, dtype=torch.float64), atol=1e-12, rtol=0)
    torch.testing.assert_close(Q @ Q.T, P, atol=1e-12, rtol=0)

    for c in (data.c_train, data.c_eval):
        f = formula(c[:, 0].double(), 8, 3, "uniform")  # (N, 8)
        torch.testing.assert_close(data.target(c).double(), f @ P.T, atol=1e-5, rtol=0)
    torch.testing.assert_close(data.x_train.double(), formula(data.c_train[:, 0].double(), 8, 3, "uniform") @ P.T, atol=1e-5, rtol=0)
    # the target really lies in the subspace and is not the unprojected f
    x = data.x_train.double()
    assert (x - x @ P).abs().max() < 1e-5
    assert (x - formula(data.c_train[:, 0].double(), 8, 3, "uniform")).abs().max() > 0.1


@pytest.mark.parametrize("target_dim,low_dim", [(4, 1), (6, 5)])
def test_projection_rank_follows_low_dim(target_dim, low_dim):
    data = toyexp.make_dataset(projection(f"dataset.target_dim={target_dim}", f"dataset.low_dim={low_dim}",
                                          "dataset.num_eval=10", "dataset.proj_seed=11"))
    P = data.projections[0]
    assert P.shape == (target_dim, target_dim)
    assert torch.linalg.matrix_rank(P).item() == low_dim
    torch.testing.assert_close(P @ P, P, atol=1e-12, rtol=0)
    torch.testing.assert_close(P, reference_projection(target_dim, low_dim, 11), atol=1e-12, rtol=0)


def test_projection_per_interval():
    proj_seed = 5
    cfg = projection("dataset.num_intervals=3", f"dataset.proj_seed={proj_seed}", "dataset.num_eval=300",
                     "dataset.c_min=-1.0", "dataset.c_max=2.0")
    data = toyexp.make_dataset(cfg)
    assert data.projections.shape == (3, 8, 8) and data.bases.shape == (3, 8, 2)
    for i in range(3):
        torch.testing.assert_close(data.projections[i], reference_projection(8, 2, proj_seed + i), atol=1e-12, rtol=0)
    # intervals [-1, 0), [0, 1), [1, 2]: check points well inside each one
    for i, (lo, hi) in enumerate([(-1.0, 0.0), (0.0, 1.0), (1.0, 2.0)]):
        c = torch.linspace(lo + 0.05, hi - 0.05, 9)[:, None]
        assert data.interval(c).tolist() == [i] * 9
        expected = data.sinusoids(c) @ data.projections[i].T  # P_i f(c), row by row
        torch.testing.assert_close(data.target(c).double(), expected, atol=1e-5, rtol=0)
        torch.testing.assert_close(data.target(c).double(), formula(c[:, 0].double(), 8, 3, "uniform") @ data.projections[i].T,
                                   atol=1e-5, rtol=0)
    # the end points belong to the end intervals
    assert data.interval(torch.tensor([[-1.0], [2.0]])).tolist() == [0, 2]
    # stored evaluation samples use each point's own interval's projection
    idx = torch.floor((data.c_eval[:, 0].double() + 1.0)).long().clamp(0, 2)
    inside = ((data.c_eval[:, 0] - data.c_eval[:, 0].round()).abs() > 1e-4)  # away from the boundaries 0, 1
    f = formula(data.c_eval[:, 0].double(), 8, 3, "uniform")
    expected = torch.einsum("nij,nj->ni", data.projections[idx], f)
    torch.testing.assert_close(data.x_eval.double()[inside], expected[inside], atol=1e-5, rtol=0)
    assert set(idx.tolist()) == {0, 1, 2}


def test_projection_interval_i_uses_proj_seed_plus_i():
    three = toyexp.make_dataset(projection("dataset.num_intervals=3", "dataset.proj_seed=5", "dataset.num_eval=10"))
    shifted = toyexp.make_dataset(projection("dataset.proj_seed=7", "dataset.num_eval=10"))
    torch.testing.assert_close(three.projections[2], shifted.projections[0], atol=0, rtol=0)
    assert (three.projections[0] - three.projections[1]).abs().max() > 1e-3
