"""Noise reaches the training targets only and is reproducible by seed; the bandwidth scales
every frequency so the highest is max_frequency cycles per unit c; samples per cycle."""

import math

import numpy as np
import pytest
import torch

import toyexp
from toyexp.run.steps import make_dataset
from toyexp.tasks import built_in, get_task
from toyexp.tasks.sampling import NOISE_SEED_OFFSET


def data(task="recon", seed=7, **keys):
    cfg = toyexp.load_config(task, seed=seed, overrides=[f"dataset.{k}={v}" for k, v in keys.items()])
    return make_dataset(cfg)


@pytest.mark.parametrize("task", built_in())
def test_noise_reaches_the_training_targets_only(task):
    clean, noisy = data(task), data(task, noise_std=0.3)
    assert torch.equal(noisy.c_train, clean.c_train)
    assert torch.equal(noisy.x_eval, clean.x_eval) and torch.equal(noisy.c_eval, clean.c_eval)  # never the evaluation set
    diff = noisy.x_train - clean.x_train
    expected = 0.3 * torch.randn(clean.x_train.shape, generator=torch.Generator().manual_seed(7 + NOISE_SEED_OFFSET))
    assert torch.allclose(diff, expected, atol=1e-6)  # σ ε with ε ~ N(0, I) from the run seed


def test_noise_is_reproducible_by_seed_and_differs_between_seeds():
    a, b, other = data(noise_std=0.2), data(noise_std=0.2), data(seed=8, noise_std=0.2)
    assert torch.equal(a.x_train, b.x_train)
    assert not torch.equal(a.x_train - data().x_train, other.x_train - data(seed=8).x_train)


def test_no_noise_leaves_the_targets_exactly_as_before():
    assert torch.equal(data(noise_std=0.0).x_train, data().x_train)


@pytest.mark.parametrize("task, f_max", [("recon", 8.0), ("recon", 0.5), ("projection", 4.0)])
def test_max_frequency_scales_every_frequency_to_the_highest(task, f_max):
    """Frequencies keep their ratios (the primes') and the highest becomes f_max cycles per unit c."""
    base, scaled = data(task), data(task, max_frequency=f_max)
    assert scaled.freqs.max().item() == pytest.approx(2 * math.pi * f_max)
    assert torch.allclose(scaled.freqs / scaled.freqs.max(), base.freqs / base.freqs.max())
    assert torch.equal(scaled.phases, base.phases) and torch.equal(scaled.weights, base.weights)
    cfg = toyexp.load_config(task, overrides=[f"dataset.max_frequency={f_max}"])
    assert get_task(task).highest_frequency(cfg.dataset) == pytest.approx(f_max)


def test_samples_per_cycle_of_a_known_target():
    """recon's highest frequency is 11 rad per unit c: 11 / (2π) = 1.7507 cycles; 50 grid samples on
    [0, 1] are h = 1/49 apart, so 49 / 1.7507 = 27.99 samples per cycle; Nyquist (2) needs N = 1 + 2 × 1.7507."""
    cfg = toyexp.load_config("recon")
    f_max = get_task("recon").highest_frequency(cfg.dataset)
    assert f_max == pytest.approx(11 / (2 * math.pi))
    h = 1 / 49
    assert 1 / (h * f_max) == pytest.approx(27.99, abs=0.01)
    assert np.ceil(1 + 2 * f_max) == 5  # the smallest grid at or above the Nyquist rate


def test_lie_highest_frequency_is_its_fastest_rotation():
    cfg = toyexp.load_config("lie", overrides=["dataset.alpha_max=12.566370614359172"])
    assert get_task("lie").highest_frequency(cfg.dataset) == pytest.approx(2.0)  # 4π rad: two turns per unit c
