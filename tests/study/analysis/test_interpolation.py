"""Between the samples, against known answers: the error spectrum of a planted sinusoid, the RMSE
against distance by brute force, the rounding of float32 targets, and errors too small to have
a shape."""

import math

import numpy as np
import pytest

from toyexp.run.config import load_config
from toyexp.study.analysis import collect, interpolation, interpret
from toyexp.study.analysis.results import task_results

DATASET = {"target_dim": 1, "num_components": 3, "weight_strategy": "uniform"}  # as conftest.write_run records for recon
C_TRAIN = np.linspace(0, 1, 11)[:, None]  # conftest.write_run's training inputs: spacing h = 0.1


def test_spectrum_peaks_at_the_planted_frequency():
    for c_max, f0, a in ((1.0, 12.0, 0.3), (2.0, 5.0, 0.05)):
        c = np.linspace(0, c_max, 401)[:, None]
        x = np.cos(3 * c) @ np.ones((1, 2))  # (G, 2)
        err = a * np.sin(2 * np.pi * f0 * c + 0.4) @ np.ones((1, 2))
        freqs, amp = interpolation.error_spectrum(c, x, x + err)
        k = int(np.argmax(amp))
        assert abs(freqs[k] - f0) <= (freqs[1] - freqs[0]) / 2  # cycles per unit c, whatever c_max
        assert amp[k] == pytest.approx(a, rel=0.05)
        assert interpolation.energy_fraction_above(freqs, amp, f0 / 2) > 0.99
        assert interpolation.energy_fraction_above(freqs, amp, 2 * f0) < 0.01


def test_spectrum_rejects_an_uneven_grid():
    c = np.sort(np.random.default_rng(0).uniform(0, 1, 50))[:, None]
    with pytest.raises(ValueError, match="even grid"):
        interpolation.error_spectrum(c, c, c)


def test_target_frequencies_are_omega_over_two_pi():
    recon = load_config("recon", {"dataset": DATASET})
    assert interpolation.target_frequencies("recon", recon) == pytest.approx(np.array([2, 5, 11]) / (2 * np.pi))
    assert interpolation.target_frequencies("lie", load_config("lie")) is None  # no target frequencies to mark


def test_binned_rmse_of_an_error_that_grows_with_distance():
    c_grid = (np.arange(1000)[:, None] + 0.5) / 1000  # no point sits on a bin edge
    x = np.zeros((1000, 1))
    u = np.array([min(abs(c - t) for t in C_TRAIN[:, 0]) / 0.1 for c in c_grid[:, 0]])  # brute force, h = 0.1
    rmse = interpolation.binned_rmse(c_grid, x, x + u[:, None], C_TRAIN)
    b = np.minimum(np.floor(u / 0.1), 4)
    expected = [math.sqrt(float(np.mean(u[b == j] ** 2))) for j in range(5)]
    assert rmse == pytest.approx(expected, rel=1e-9)
    assert np.all(np.diff(rmse) > 0)


def test_rounding_rms_is_the_spacing_over_root_twelve():
    """float32 spacing is 2^-23 on [1, 2) and 2^-22 on [2, 4); a uniform error in [-u/2, u/2] has
    RMS u / sqrt(12)."""
    x = np.array([1.0, 1.5, 2.0, 3.0], dtype=np.float32)
    assert interpolation.rounding_rms(x) == pytest.approx(math.sqrt((2 * 2.0**-46 + 2 * 2.0**-44) / 4 / 12), rel=1e-12)
    assert interpolation.rounding_rms(x.astype(np.float64)) == pytest.approx(interpolation.rounding_rms(x) * 2.0**-29)


def test_an_error_at_the_rounding_of_the_targets_has_no_shape_to_report(tmp_path, write_run):
    """Float32 targets (rounding RMS 1.5e-8 here): an error of RMS 7e-8 is left out of the
    between-the-samples sentences, one of 7e-5 is in them."""
    c = np.linspace(0, 1, 101)[:, None]
    for variant, scale in (("rounding", 1e-7), ("clear", 1e-4)):
        for seed in (1, 2):
            run_dir = write_run(tmp_path, "recon", variant, "flow", seed, {"l1": scale, "l2": scale},
                                error=scale * np.sin(40 * c + seed))
            with np.load(run_dir / "predictions.npz") as z:
                arrays = dict(z)
            np.savez(run_dir / "predictions.npz", **arrays | {"x_grid": arrays["x_grid"].astype(np.float32)})
    res = task_results(collect.collect(tmp_path), "recon", {})
    profile = res.profiles
    assert profile["rounding"].above_nyquist is None and profile["rounding"].between_over_near is None
    assert profile["clear"].above_nyquist.mean > 0.5  # sin(40 c) lies above Nyquist, 5 cycles per unit c
    text = interpret.between_paragraph(res)
    assert text[0].startswith("**Between the samples.** RMSE beyond h/4") and "clear" in text[0] and "rounding" not in text[0]
    assert text[-1] == (f"Left out of both, their error being within {interpolation.ROUNDING_MARGIN} times the rounding of "
                        "the targets' floating-point values (its split and its spectrum measure rounding, which differs "
                        "from CPU to CPU): rounding.")
