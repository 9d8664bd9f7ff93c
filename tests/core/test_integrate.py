"""The fixed-step integrators (toyexp.core.integrate) against ODEs with closed-form solutions
(tests/problems.py) and against their Butcher tableaux, written out here (all in float64)."""

import math

import pytest
import torch

from problems import F64, PROBLEMS, X0_ROT, A_ROT, const_like
from toyexp.core import names
from toyexp.core.integrate import integrate, nfe

ORDER = {"euler": 1, "midpoint": 2, "heun": 2, "rk4": 4}
METHODS = list(names.FIXED_STEP_METHODS)

# Each method's Butcher tableau (A, b, c) from the textbook: stage i evaluates
# k_i = v(x + h sum_j A_ij k_j, t + c_i h), and the step is x + h sum_i b_i k_i.
TABLEAUX = {
    "euler": ([[]], [1.0], [0.0]),
    "midpoint": ([[], [0.5]], [0.0, 1.0], [0.0, 0.5]),
    "heun": ([[], [1.0]], [0.5, 0.5], [0.0, 1.0]),
    "rk4": ([[], [0.5], [0.0, 0.5], [0.0, 0.0, 1.0]], [1 / 6, 1 / 3, 1 / 3, 1 / 6], [0.0, 0.5, 0.5, 1.0]),
}


def tableau_integrate(v, x, n, method, t_0=0.0, t_1=1.0):
    """n steps of the explicit Runge-Kutta method given by its tableau: a reference written here."""
    A, b, c = TABLEAUX[method]
    h = (t_1 - t_0) / n
    for step in range(n):
        t, k = t_0 + step * h, []
        for i in range(len(b)):
            k.append(v(x + h * sum((a * kj for a, kj in zip(A[i], k)), torch.zeros_like(x)), t + c[i] * h))
        x = x + h * sum(bi * ki for bi, ki in zip(b, k))
    return x


def error(method, problem, n):
    p = PROBLEMS[problem]
    return (integrate(p.v, p.x_0, n, method) - p.x_1).abs().max().item()


def test_every_fixed_step_method_has_a_tableau_here():
    """Guards: a new solver cannot skip the reference tableau the tests below hold it to."""
    assert sorted(TABLEAUX) == sorted(names.FIXED_STEP_METHODS)


def test_rotation_reference_is_the_matrix_exponential():
    # the closed form of problems.py agrees with exp(A) computed independently
    torch.testing.assert_close(PROBLEMS["rotation"].x_1, X0_ROT @ torch.linalg.matrix_exp(A_ROT).T, atol=1e-14, rtol=0)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("n", [1, 3, 8])
def test_each_step_is_its_tableau(method, n):
    """The solver is the method its name promises: the same numbers as the tableau's generic step."""
    p = PROBLEMS["rotation"]
    torch.testing.assert_close(integrate(p.v, p.x_0, n, method, t_0=0.2, t_1=1.7),
                               tableau_integrate(p.v, p.x_0, n, method, 0.2, 1.7),
                               atol=1e-14, rtol=0)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("problem", ["decay", "cosine", "rotation"])
def test_converges_to_closed_form(method, problem):
    # at n = 256 every method is close; the bound scales with the method's order
    assert error(method, problem, 256) < 2.0 * 256.0 ** -ORDER[method]


# rk4 is exact for t^2 (tested below): there is no error to halve
ORDER_CASES = [(m, p) for m in METHODS for p in ("decay", "t_squared", "cosine", "rotation") if (m, p) != ("rk4", "t_squared")]


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


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("t_0,t_1,n", [(0.0, 1.0, 1), (0.0, 1.0, 4), (0.25, 2.25, 5), (0.0, 1.0, 25)])
def test_evaluation_times_and_count_follow_the_tableau(method, t_0, t_1, n):
    """Known answer for the cost: a wrapped velocity records every call; a step calls v once per
    stage of the tableau, at t_n + c_i h, and ``nfe`` says as much without running anything."""
    seen = []

    def v(x, t):
        seen.append(t)
        return -x

    integrate(v, torch.ones(1, 1, dtype=F64), n, method, t_0=t_0, t_1=t_1)
    h, c = (t_1 - t_0) / n, TABLEAUX[method][2]
    assert seen == pytest.approx([t_0 + (k + ci) * h for k in range(n) for ci in c], abs=1e-14)
    assert nfe(method, n) == len(seen) == len(c) * n


def test_output_keeps_shape_and_dtype():
    x0 = torch.randn(5, 3, dtype=F64, generator=torch.Generator().manual_seed(0))
    for method in METHODS:
        out = integrate(lambda x, t: -x, x0, 3, method)
        assert out.shape == x0.shape and out.dtype == F64
