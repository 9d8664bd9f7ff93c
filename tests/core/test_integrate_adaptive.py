"""Tests for the adaptive solver (toyexp.core.adaptive) against ODEs with closed-form solutions,
its counted cost against an independent count, and the config keys that select it."""

import math

import pytest
import torch
from torch import nn

from toyexp import ConfigError, load_config
from toyexp.core.adaptive import ADAPTIVE, MAX_STEPS, Counted, SolverFailed, Tolerance, dopri5
from toyexp.core.integrate import METHODS, STEPS, integrate
from toyexp.core.metrics import evaluate
from toyexp.core.modes import build_mode

F64 = torch.float64
A_ROT = torch.tensor([[0.0, -1.0], [1.0, 0.0]], dtype=F64)  # dx/dt = A x rotates by angle t
X0_ROT = torch.tensor([[1.0, 0.0], [0.3, -2.0]], dtype=F64)


def const_like(x, value):
    return torch.full_like(x, value)


# Each problem: velocity v(x, t), x(0) and the exact x(1), written out by hand.
PROBLEMS = {
    # dx/dt = -x: x(1) = x0 e^-1
    "decay": (lambda x, t: -x, torch.tensor([[2.0], [-0.5]], dtype=F64),
              torch.tensor([[2.0], [-0.5]], dtype=F64) * math.exp(-1)),
    # dx/dt = t cos t: x(1) = x0 + [t sin t + cos t]_0^1 = x0 + sin 1 + cos 1 - 1
    "t_cos_t": (lambda x, t: const_like(x, t * math.cos(t)), torch.tensor([[0.25]], dtype=F64),
                torch.tensor([[0.25 + math.sin(1.0) + math.cos(1.0) - 1.0]], dtype=F64)),
    # dx/dt = A x, A the 90-degree rotation generator: x(1) = x0 R(1)^T, R(1) = [[cos 1, -sin 1], [sin 1, cos 1]]
    "rotation": (lambda x, t: x @ A_ROT.T, X0_ROT,
                 X0_ROT @ torch.tensor([[math.cos(1.0), -math.sin(1.0)], [math.sin(1.0), math.cos(1.0)]], dtype=F64).T),
    # dx/dt = 20 cos 20t: x(1) = x0 + sin 20 (fast enough that dopri5 rejects steps)
    "fast_cosine": (lambda x, t: const_like(x, 20 * math.cos(20 * t)), torch.tensor([[0.5]], dtype=F64),
                    torch.tensor([[0.5 + math.sin(20.0)]], dtype=F64)),
}
SMOOTH = ["decay", "t_cos_t", "rotation"]


def solve(problem, rtol, atol=None):
    v, x0, exact = PROBLEMS[problem]
    sol = dopri5(v, x0, Tolerance(rtol, rtol * 1e-2 if atol is None else atol))
    return sol, (sol.x_1 - exact).abs().max().item(), exact


def test_rotation_reference_is_the_matrix_exponential():
    _, x0, exact = PROBLEMS["rotation"]
    torch.testing.assert_close(exact, x0 @ torch.linalg.matrix_exp(A_ROT).T, atol=1e-14, rtol=0)


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


@pytest.mark.parametrize("problem", list(PROBLEMS))
@pytest.mark.parametrize("rtol", [1e-3, 1e-6])
def test_counted_nfe_matches_an_independent_count(problem, rtol):
    v, x0, _ = PROBLEMS[problem]
    calls = []

    def counting(x, t):  # a count kept by the velocity itself, apart from the solver's counter
        calls.append(t)
        return v(x, t)

    sol = dopri5(counting, x0, Tolerance(rtol, rtol * 1e-2))
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
    sol = dopri5(v, x0, Tolerance(1e-6, 1e-8), t_0, t_1)
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


def test_integrate_reaches_the_adaptive_table():
    v, x0, _ = PROBLEMS["rotation"]
    tol = Tolerance(1e-5, 1e-7)
    assert set(ADAPTIVE) == {"dopri5"} and METHODS == (*STEPS, "dopri5")
    torch.testing.assert_close(integrate(v, x0, tol, "dopri5"), dopri5(v, x0, tol).x_1, atol=0, rtol=0)


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


# --- the evaluation: one dopri5 point per tolerance, NFE counted from the network ---------------


class Rotation(nn.Module):
    """v(x, c, t) = A x whatever c and t: the rotation problem as a 'network' of the flow mode."""

    def forward(self, x, c, t):
        return x @ A_ROT.T


def test_evaluate_counts_network_calls_for_every_method():
    model, mode = Rotation(), build_mode("flow")
    c = torch.zeros(2, 1, dtype=F64)
    _, x0, exact = PROBLEMS["rotation"]
    tols = [Tolerance(1e-3, 1e-5), Tolerance(1e-6, 1e-8)]
    evals = evaluate(model, mode, c, exact, x0, ["euler", "dopri5", "rk4"], [2, 8], tols)
    assert [e.setting for e in evals] == [("euler", 2), ("euler", 8), ("dopri5", tols[0]), ("dopri5", tols[1]),
                                          ("rk4", 2), ("rk4", 8)]
    for e in evals:
        if e.method in STEPS:  # counted network calls agree with the step count of a fixed-step method
            assert (e.nfe, e.rtol, e.atol) == (mode.cost(e.method, e.num_steps), None, None)
        else:  # and with the solver's own count for dopri5
            sol = dopri5(lambda x, t: x @ A_ROT.T, x0, Tolerance(e.rtol, e.atol))
            assert e.num_steps is None and e.nfe == sol.nfe
            assert e.l2 == pytest.approx(((sol.x_1 - exact) ** 2).mean().sqrt().item(), rel=1e-12)
    d_loose, d_tight = evals[2], evals[3]
    assert d_loose.nfe < d_tight.nfe and d_loose.l2 > d_tight.l2
    assert evals[2].to_dict() == {"method": "dopri5", "num_steps": None, "nfe": d_loose.nfe, "l1": d_loose.l1,
                                  "l2": d_loose.l2, "rtol": 1e-3, "atol": 1e-5}


def test_final_is_the_tightest_tolerance_when_dopri5_comes_first():
    tols = [Tolerance(1e-2, 1e-5), Tolerance(1e-4, 1e-5)]
    flow = build_mode("flow")
    assert flow.final(["dopri5", "euler"], [1, 4], tols) == ("dopri5", tols[-1])
    assert flow.final(["euler", "dopri5"], [1, 4], tols) == ("euler", 4)
    assert build_mode("straight_flow").settings(["dopri5", "euler"], [1, 4], tols) == [("euler", 1), ("euler", 4)]
    assert build_mode("regression").settings(["dopri5"], [1, 4], tols) == [("dopri5", tols[-1])]


# --- config ---------------------------------------------------------------------------------


def test_config_defaults_and_tolerances():
    ev = load_config().evaluation
    assert (ev.rtol, ev.atol) == (1e-3, 1e-5)
    ev = load_config(overrides=["evaluation.integration_method=[euler, dopri5]", "evaluation.rtol=[1e-4, 1e-2, 1e-3]",
                                "evaluation.atol=1e-6"]).evaluation
    assert ev.methods == ["euler", "dopri5"]
    assert ev.tolerances == [Tolerance(1e-2, 1e-6), Tolerance(1e-3, 1e-6), Tolerance(1e-4, 1e-6)]  # loose to tight


def raises(*fragments, overrides):
    with pytest.raises(ConfigError) as info:
        load_config(overrides=overrides)
    for fragment in fragments:
        assert fragment in str(info.value), (fragment, str(info.value))


@pytest.mark.parametrize("override,fragments", [
    ("evaluation.rtol=0", ("evaluation.rtol", "0.0", "positive")),
    ("evaluation.rtol=-1e-3", ("evaluation.rtol", "-0.001", "positive")),
    ("evaluation.rtol=[1e-3, 0]", ("evaluation.rtol", "0.0", "positive")),
    ("evaluation.rtol=tight", ("evaluation.rtol", "'tight'", "a number or list of a number")),
    ("evaluation.atol=0", ("evaluation.atol", "0.0", "positive")),
    ("evaluation.atol=[1e-5, 1e-6]", ("evaluation.atol", "'1e-5', '1e-6'", "a number")),
    ("evaluation.integration_method=dopri4", ("evaluation.integration_method", "'dopri4'", "did you mean 'dopri5'", "'rk4'")),
    ("evaluation.integration_method=[euler, dopri]", ("evaluation.integration_method", "'dopri'", "'dopri5'")),
])
def test_config_errors_name_key_value_and_what_is_valid(override, fragments):
    raises(*fragments, overrides=[override])
