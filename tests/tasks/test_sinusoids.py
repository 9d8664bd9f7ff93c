"""Sums of sinusoids (toyexp.tasks.sinusoids), recon's target and the f projection projects: the
prime rule, the target formula written out here, and the frequencies marked on the spectrum."""

import math

import numpy as np
import pytest
import torch

from known_answers import FIRST_PRIMES, is_prime, sinusoid_formula
from toyexp.tasks.config import SinusoidConfig
from toyexp.tasks.sinusoids import SumOfSinusoids, primes, sinusoid_parameters, target_frequencies


def recon(**values) -> SinusoidConfig:
    return SinusoidConfig(**{"num_eval": 20, **values})


def test_primes():
    assert primes(10) == [2, 3, 5, 7, 11, 13, 17, 19, 23, 29]
    assert primes(25) == [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97]
    assert primes(168) == FIRST_PRIMES
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


@pytest.mark.parametrize("dim,K,strategy", [(1, 3, "uniform"), (1, 3, "inverse_freq"), (2, 4, "uniform"), (3, 2, "inverse_freq")])
def test_target_matches_sinusoid_formula(dim, K, strategy):
    data = SumOfSinusoids(recon(target_dim=dim, num_components=K, weight_strategy=strategy, c_min=-1.5, c_max=2.5), seed=0)
    c = torch.linspace(-1.5, 2.5, 13, dtype=torch.float64)[:, None]
    torch.testing.assert_close(data.sinusoids(c), sinusoid_formula(c[:, 0], dim, K, strategy), atol=1e-12, rtol=0)
    target = data.target(c)
    assert target.dtype == torch.float32 and target.shape == (13, dim)
    torch.testing.assert_close(target.double(), sinusoid_formula(c[:, 0], dim, K, strategy), atol=1e-6, rtol=0)
    # the stored samples are the same function at the stored inputs
    torch.testing.assert_close(data.x_train.double(), sinusoid_formula(data.c_train[:, 0].double(), dim, K, strategy), atol=1e-6, rtol=0)
    torch.testing.assert_close(data.x_eval.double(), sinusoid_formula(data.c_eval[:, 0].double(), dim, K, strategy), atol=1e-6, rtol=0)


def test_first_component_is_a_sine_and_second_a_cosine():
    # K = 1: f(c) = sin(2c + 0.3); at c = -0.15 the argument is 0
    data = SumOfSinusoids(recon(num_components=1), seed=0)
    c = torch.tensor([[-0.15], [0.0]], dtype=torch.float64)
    assert data.sinusoids(c)[:, 0].tolist() == pytest.approx([0.0, math.sin(0.3)], abs=1e-15)
    # K = 2: f(c) = sin(2c + 0.3) + cos(5c + 0.7)
    data = SumOfSinusoids(recon(num_components=2), seed=0)
    assert data.sinusoids(c)[1, 0].item() == pytest.approx(math.sin(0.3) + math.cos(0.7), abs=1e-15)


def test_target_frequencies_are_the_distinct_omegas_in_cycles():
    # K = 3 in one dimension: ω = 2, 5, 11; two dimensions add 17, 23, 31
    assert target_frequencies(recon()) == pytest.approx(np.array([2.0, 5.0, 11.0]) / (2 * np.pi))
    assert target_frequencies(recon(target_dim=2)) == pytest.approx(np.array([2.0, 5.0, 11.0, 17.0, 23.0, 31.0]) / (2 * np.pi))


def test_samples_are_the_target_at_the_inputs():
    data = SumOfSinusoids(recon(target_dim=2, num_train=7), seed=3)
    assert data.dim == 2 and data.x_train.shape == (7, 2) and data.x_train.dtype == torch.float32
    assert torch.equal(data.x_train, data.target(data.c_train)) and torch.equal(data.x_eval, data.target(data.c_eval))
