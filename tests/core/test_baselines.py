"""Classical baselines against functions they must reproduce exactly, and their bad inputs."""

import numpy as np
import pytest

from toyexp.core.baselines import BASELINES, gp, linear, spline

C = np.array([0.0, 0.2, 0.5, 0.6, 1.0])[:, None]  # uneven, so no method can lean on a grid


def test_linear_is_exact_on_a_line_and_constant_beyond_the_ends():
    x = np.hstack([2 * C - 1, -C])  # two output coordinates, each a line
    q = np.array([[-0.5], [0.1], [0.55], [0.8], [1.7]])
    pred = linear(C[::-1], x[::-1], q)  # unsorted samples are sorted first
    inside = np.hstack([2 * q - 1, -q])
    assert pred[1:4] == pytest.approx(inside[1:4])
    assert pred[0] == pytest.approx(x[0]) and pred[-1] == pytest.approx(x[-1])  # constant beyond the ends


def test_linear_midpoint_is_the_average_of_its_neighbours():
    x = np.array([[0.0], [1.0], [5.0], [-1.0], [2.0]])
    assert linear(C, x, np.array([[0.35]]))[0, 0] == pytest.approx((1.0 + 5.0) / 2)


def test_spline_reproduces_a_cubic_with_not_a_knot_ends():
    # a not-a-knot cubic spline through samples of a cubic is that cubic (a natural spline is not)
    f = lambda c: 1 - 2 * c + 3 * c**2 - 4 * c**3  # noqa: E731
    q = np.linspace(0, 1, 41)[:, None]
    assert spline(C, f(C), q) == pytest.approx(f(q), abs=1e-12)
    assert spline(C, f(C), np.array([[1.5]]))[0, 0] == pytest.approx(f(1.0))  # constant beyond the ends


def test_gp_interpolates_a_smooth_function_and_is_reproducible():
    c = np.linspace(0, 1, 15)[:, None]
    x = np.hstack([np.sin(2 * np.pi * c), np.cos(3 * c)])
    q = (c[:-1] + c[1:]) / 2  # half-way between the samples
    pred = gp(c, x, q, seed=3)
    assert np.abs(pred - np.hstack([np.sin(2 * np.pi * q), np.cos(3 * q)])).max() < 1e-3
    assert gp(c, x, c, seed=3) == pytest.approx(x, abs=1e-3)  # through the samples
    assert np.array_equal(pred, gp(c, x, q, seed=3))


def test_gp_predicts_in_chunks_without_changing_the_prediction(monkeypatch):
    """Guards the GP's memory on a large evaluation set: predicting 7 inputs at a time gives the
    prediction of one call (the fit is the same; only the kernel matrices are cut by rows)."""
    from toyexp.core import baselines

    x = np.hstack([np.sin(3 * C), np.cos(2 * C)])
    q = np.linspace(-0.2, 1.2, 30)[:, None]
    whole = gp(C, x, q, seed=1)
    monkeypatch.setattr(baselines, "EVAL_CHUNK", 7)
    np.testing.assert_allclose(gp(C, x, q, seed=1), whole, rtol=0, atol=1e-12)


def test_every_baseline_keeps_the_output_shape():
    x = np.random.default_rng(0).normal(size=(5, 3))
    for name, baseline in BASELINES.items():
        assert baseline(C, x, np.linspace(0, 1, 7)[:, None], 0).shape == (7, 3), name


@pytest.mark.parametrize("name", sorted(BASELINES))
def test_bad_inputs_are_named(name):
    baseline = BASELINES[name]
    with pytest.raises(ValueError, match=r"c_train of shape \(N, 1\).*got \(5,\)"):
        baseline(C[:, 0], C, C, 0)
    with pytest.raises(ValueError, match="distinct training inputs"):
        baseline(np.array([[0.0], [0.5], [0.5]]), np.zeros((3, 1)), C, 0)
    with pytest.raises(ValueError, match=r"inputs c of shape \(M, 1\); got \(2, 2\)"):
        baseline(C, C, np.zeros((2, 2)), 0)
