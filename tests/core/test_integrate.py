"""Tests for toyexp.integrate against ODEs with closed-form solutions (all in float64)."""

import math

import pytest
import torch

from toyexp.core.integrate import STEPS, integrate, nfe

F64 = torch.float64
ORDER = {"euler": 1, "midpoint": 2, "heun": 2, "rk4": 4}
METHODS = sorted(STEPS)


def const_like(x, value):
    return torch.full_like(x, value)


# Each problem: velocity v(x, t), initial value x(0) and the exact x(1), written out here.
X0_ROT = torch.tensor([[1.0, 0.0], [0.3, -2.0]], dtype=F64)  # (B, 2)
A_ROT = torch.tensor([[0.0, -1.0], [1.0, 0.0]], dtype=F64)  # dx/dt = A x rotates by angle t


def rotation_exact(x0, t):
    R = torch.tensor([[math.cos(t), -math.sin(t)], [math.sin(t), math.cos(t)]], dtype=F64)
    return x0 @ R.T


PROBLEMS = {
    # dx/dt = -x: x(1) = x0 e^-1
    "decay": (lambda x, t: -x, torch.tensor([[2.0], [-0.5]], dtype=F64),
              torch.tensor([[2.0], [-0.5]], dtype=F64) * math.exp(-1)),
    # dx/dt = t^2: x(1) = x0 + 1/3
    "t_squared": (lambda x, t: const_like(x, t**2), torch.tensor([[1.0]], dtype=F64),
                  torch.tensor([[1.0 + 1 / 3]], dtype=F64)),
    # dx/dt = cos t: x(1) = x0 + sin 1
    "cosine": (lambda x, t: const_like(x, math.cos(t)), torch.tensor([[0.25]], dtype=F64),
               torch.tensor([[0.25 + math.sin(1.0)]], dtype=F64)),
    # dx/dt = A x with A the 90-degree rotation generator: x(1) = R(1) x0
    "rotation": (lambda x, t: x @ A_ROT.T, X0_ROT, rotation_exact(X0_ROT, 1.0)),
}


def error(method, problem, n):
    v, x0, exact = PROBLEMS[problem]
    return (integrate(v, x0, n, method) - exact).abs().max().item()


def test_rotation_reference_is_the_matrix_exponential():
    # the closed form used above agrees with exp(A) computed independently
    expected = X0_ROT @ torch.linalg.matrix_exp(A_ROT).T
    torch.testing.assert_close(rotation_exact(X0_ROT, 1.0), expected, atol=1e-14, rtol=0)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("problem", ["decay", "cosine", "rotation"])
def test_converges_to_closed_form(method, problem):
    # at n = 256 every method is close; the bound scales with the method's order
    assert error(method, problem, 256) < 2.0 * 256.0 ** -ORDER[method]


# rk4 is exact for t^2 (tested below): there is no error to halve
ORDER_CASES = [(m, p) for m in METHODS for p in PROBLEMS if (m, p) != ("rk4", "t_squared")]


@pytest.mark.parametrize("method,problem", ORDER_CASES)
def test_measured_convergence_order(method, problem):
    errs = [error(method, problem, n) for n in (16, 32, 64)]
    orders = [math.log2(a / b) for a, b in zip(errs, errs[1:])]
    for p in orders:
        assert p == pytest.approx(ORDER[method], abs=0.2), (errs, orders)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("n", [1, 3, 10])
def test_constant_velocity_is_exact(method, n):
    b = torch.tensor([[1.5, -0.25, 3.0]], dtype=F64)
    x0 = torch.tensor([[0.1, 0.2, -0.3]], dtype=F64)
    out = integrate(lambda x, t: b.expand_as(x), x0, n, method, t_0=0.5, t_1=2.0)
    torch.testing.assert_close(out, x0 + 1.5 * b, atol=1e-14, rtol=0)


@pytest.mark.parametrize("n", [1, 2, 5])
@pytest.mark.parametrize("t_0,t_1", [(0.0, 1.0), (0.5, 2.0), (-1.0, 0.25)])
def test_rk4_exact_for_cubic_in_t(n, t_0, t_1):
    a, b, c, d = 0.7, -1.3, 2.1, 0.9

    def v(x, t):
        return const_like(x, a + b * t + c * t**2 + d * t**3)

    def antiderivative(t):
        return a * t + b * t**2 / 2 + c * t**3 / 3 + d * t**4 / 4

    x0 = torch.tensor([[0.4]], dtype=F64)
    out = integrate(v, x0, n, "rk4", t_0=t_0, t_1=t_1).item()
    assert out == pytest.approx(0.4 + antiderivative(t_1) - antiderivative(t_0), abs=1e-13)


def test_rk4_not_exact_for_quartic():
    # the exactness above is a property of degree <= 3, not of the test
    x0 = torch.zeros(1, 1, dtype=F64)
    out = integrate(lambda x, t: const_like(x, t**4), x0, 2, "rk4").item()
    assert abs(out - 0.2) > 1e-5


@pytest.mark.parametrize("method", ["midpoint", "heun", "rk4"])
@pytest.mark.parametrize("n", [1, 2, 3, 7, 16])
def test_v_equals_t_integrates_to_one_half(method, n):
    out = integrate(lambda x, t: const_like(x, t), torch.zeros(1, 1, dtype=F64), n, method).item()
    assert out == pytest.approx(0.5, abs=1e-14)


@pytest.mark.parametrize("n", [1, 2, 3, 7, 16])
def test_euler_v_equals_t_is_left_riemann_sum(n):
    # h sum_{k<n} k h = (n - 1) / (2n): euler samples t only at the left end of each step
    out = integrate(lambda x, t: const_like(x, t), torch.zeros(1, 1, dtype=F64), n, "euler").item()
    assert out == pytest.approx((n - 1) / (2 * n), abs=1e-14)


# The times at which each step evaluates v, relative to the step start t_n, in units of h.
STAGE_OFFSETS = {"euler": [0.0], "midpoint": [0.0, 0.5], "heun": [0.0, 1.0], "rk4": [0.0, 0.5, 0.5, 1.0]}


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("t_0,t_1,n", [(0.0, 1.0, 4), (0.25, 2.25, 5)])
def test_time_grid_and_evaluation_count(method, t_0, t_1, n):
    seen = []

    def v(x, t):
        seen.append(t)
        return torch.zeros_like(x)

    integrate(v, torch.zeros(1, 1, dtype=F64), n, method, t_0=t_0, t_1=t_1)
    h = (t_1 - t_0) / n
    expected = [t_0 + (k + s) * h for k in range(n) for s in STAGE_OFFSETS[method]]
    assert seen == pytest.approx(expected, abs=1e-14)
    assert len(seen) == nfe(method, n)


@pytest.mark.parametrize("method,per_step", [("euler", 1), ("midpoint", 2), ("heun", 2), ("rk4", 4)])
@pytest.mark.parametrize("n", [1, 4, 25])
def test_nfe(method, per_step, n):
    assert nfe(method, n) == per_step * n


def test_output_keeps_shape_and_dtype():
    x0 = torch.randn(5, 3, dtype=F64, generator=torch.Generator().manual_seed(0))
    for method in METHODS:
        out = integrate(lambda x, t: -x, x0, 3, method)
        assert out.shape == x0.shape and out.dtype == F64
