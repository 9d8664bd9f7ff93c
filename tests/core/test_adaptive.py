"""The adaptive solver (toyexp.core.adaptive) against ODEs with closed-form solutions
(tests/problems.py), and its counted cost against an independent count."""

import math

import pytest
import torch

from problems import F64, PROBLEMS, const_like
from toyexp.core import names
from toyexp.core.adaptive import MAX_STEPS, Counted, SolverFailed, dopri5
from toyexp.core.integrate import integrate
from toyexp.core.resolution import Tolerance

SMOOTH = ["decay", "t_cos_t", "rotation"]


def solve(problem, rtol, atol=None):
    p = PROBLEMS[problem]
    sol = dopri5(p.v, p.x_0, Tolerance(rtol, rtol * 1e-2 if atol is None else atol))
    return sol, (sol.x_1 - p.x_1).abs().max().item(), p.x_1


@pytest.mark.parametrize("problem", SMOOTH)
@pytest.mark.parametrize("rtol", [1e-3, 1e-5, 1e-7])
def test_meets_the_tolerance(problem, rtol):
    # dopri5 controls the error per step; on these non-expanding problems the error at t = 1
    # stays within the tolerance too: |x(1) - exact| <= rtol |exact| + atol
    sol, err, exact = solve(problem, rtol)
    assert err <= rtol * exact.abs().max().item() + rtol * 1e-2, (err, sol)


@pytest.mark.parametrize("problem", [*SMOOTH, "fast_cosine"])
def test_tighter_tolerance_costs_more_and_errs_less(problem):
    runs = [solve(problem, rtol) for rtol in (1e-3, 1e-5, 1e-7)]
    nfe, err = [sol.nfe for sol, _, _ in runs], [e for _, e, _ in runs]
    assert nfe[0] < nfe[1] < nfe[2], nfe
    assert err[0] > err[1] > err[2], err


def test_a_loose_tolerance_can_miss_a_fast_solution():
    # the bound above is not automatic: at rtol 1e-2 dopri5's first steps skip over the
    # oscillation of 20 cos 20t and the error is far above the tolerance
    _, err, exact = solve("fast_cosine", 1e-2)
    assert err > 10 * (1e-2 * exact.abs().max().item() + 1e-4)


@pytest.mark.parametrize("problem", ["decay", "t_cos_t", "rotation", "fast_cosine"])
@pytest.mark.parametrize("rtol", [1e-3, 1e-6])
def test_counted_nfe_matches_an_independent_count(problem, rtol):
    p = PROBLEMS[problem]
    calls = []

    def counting(x, t):  # a count kept by the velocity itself, apart from the solver's counter
        calls.append(t)
        return p.v(x, t)

    sol = dopri5(counting, p.x_0, Tolerance(rtol, rtol * 1e-2))
    assert sol.nfe == len(calls)
    # Dormand-Prince is first-same-as-last: 6 new stages per attempted step, plus v(x_0, t_0)
    # and the probe that picks the first step size
    assert sol.nfe == 2 + 6 * (sol.accepted + sol.rejected)


def test_rejected_steps_are_counted():
    sol, _, _ = solve("fast_cosine", 1e-6)
    assert sol.rejected > 0 and sol.nfe == 2 + 6 * (sol.accepted + sol.rejected)


@pytest.mark.parametrize("t_0,t_1", [(0.0, 1.0), (0.25, 2.0)])
def test_velocity_is_only_evaluated_inside_the_interval_and_ends_on_t_1(t_0, t_1):
    seen = []

    def v(x, t):
        seen.append(t)
        assert isinstance(t, float)  # the package's Velocity signature, not torchdiffeq's tensor t
        return -x

    x0 = torch.tensor([[1.0]], dtype=F64)
    sol = dopri5(v, x0, Tolerance(1e-6, 1e-8), t_0=t_0, t_1=t_1)
    assert min(seen) == t_0 and t_0 <= max(seen) <= t_1
    assert max(seen) == pytest.approx(t_1, abs=1e-12)  # the last step is cut to end on t_1
    assert sol.x_1.item() == pytest.approx(math.exp(-(t_1 - t_0)), rel=1e-5)


@pytest.mark.parametrize("x0", [2.0, 1.0 / 0.999])
def test_a_solution_that_blows_up_fails_with_a_clear_error(x0):
    # dx/dt = x^2, x(0) = x0: x(t) = x0 / (1 - x0 t) is infinite at t = 1 / x0 < 1
    with pytest.raises(SolverFailed) as info:
        dopri5(lambda x, t: x**2, torch.tensor([[x0]], dtype=F64), Tolerance(1e-6, 1e-8))
    message = str(info.value)
    for fragment in ("dopri5 at rtol=1e-06, atol=1e-08 did not reach t = 1.0", "steps accepted", "underflow in dt"):
        assert fragment in message, message


def test_too_many_steps_fail_with_a_clear_error():
    # dx/dt = 2000 cos(2000 t) needs about a hundred steps per period at this tolerance: far over MAX_STEPS
    with pytest.raises(SolverFailed, match=f"max_num_steps exceeded .{MAX_STEPS}"):
        dopri5(lambda x, t: const_like(x, 2000 * math.cos(2000 * t)), torch.zeros(1, 1, dtype=F64), Tolerance(1e-8, 1e-10))


def test_integrate_reaches_the_adaptive_solver():
    """``integrate`` with an adaptive method's name and a Tolerance is that solver, bit for bit."""
    p, tol = PROBLEMS["rotation"], Tolerance(1e-5, 1e-7)
    torch.testing.assert_close(integrate(p.v, p.x_0, tol, "dopri5"), dopri5(p.v, p.x_0, tol).x_1, atol=0, rtol=0)


@pytest.mark.parametrize("method", names.ADAPTIVE_METHODS)
def test_every_adaptive_method_solves_the_rotation(method):
    """Guards: each adaptive name a config may choose reaches a solver that meets its tolerance."""
    p = PROBLEMS["rotation"]
    out = integrate(p.v, p.x_0, Tolerance(1e-7, 1e-9), method)
    torch.testing.assert_close(out, p.x_1, atol=1e-6, rtol=0)


def test_keeps_shape_and_dtype():
    x0 = torch.randn(5, 3, generator=torch.Generator().manual_seed(0))
    out = dopri5(lambda x, t: -x, x0, Tolerance(1e-3, 1e-5)).x_1
    assert out.shape == x0.shape and out.dtype == torch.float32


def test_counted_records_the_callbacks():
    f = Counted(lambda x, t: x)
    f(torch.tensor(0.0), torch.zeros(1))
    f.callback_accept_step(None, None, None)
    f.callback_reject_step(None, None, None)
    f.callback_reject_step(None, None, None)
    assert (f.calls, f.accepted, f.rejected) == (1, 1, 2)
