"""The mechanism measurement against planted velocity fields whose answers are worked out here.

The target is f(c) = (sin 2πc, c²) on M = 40 inputs; from x_0 = 0 the path is x_t = t f(c).
"""

import math

import pytest
import torch

from toyexp.core.mechanism import euler_endpoints, mechanism, path_curves, random_cycle

M = 40
C = torch.linspace(0, 1, M, dtype=torch.float64)[:, None]


def f(c):
    return torch.cat([torch.sin(2 * math.pi * c), c**2], dim=-1)


def g(c):  # what the planted field returns at t = 0: some other function of c
    return torch.cat([torch.cos(3 * c), 1 - c], dim=-1)


X1 = f(C)
ZEROS = torch.zeros_like(X1)
GAUSS = torch.randn(X1.shape, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
TIMES = (0.0, 0.01, 0.1, 0.5, 0.9)


def c_free(x, c, t):
    """x / t for t > 0 and g(c) at t = 0: reads c only where x_t = 0 for every c."""
    return torch.where(t > 0, x / t.clamp_min(1e-300), g(c))


def reads_c(x, c, t):
    return f(c)


def linear(a, b):
    return lambda x, c, t: a * x + b * f(c)


def rms(a):
    return float((a**2).mean().sqrt())


def test_random_cycle_is_a_permutation_without_fixed_points():
    for m in (2, 3, 40):
        pi = random_cycle(m, seed=5)
        assert sorted(pi.tolist()) == list(range(m))
        assert all(pi[i] != i for i in range(m))
        seen, i = {0}, int(pi[0])  # one cycle through all m
        while i != 0:
            seen.add(i)
            i = int(pi[i])
        assert len(seen) == m


def test_a_c_free_field_has_no_c_share_and_no_error_after_t_0():
    curves = path_curves(c_free, C, ZEROS, X1, times=TIMES)
    for t, s, e_u, e_0 in zip(curves.t, curves.c_share, curves.error_exact, curves.error_c_free):
        if t > 0:
            assert s == pytest.approx(0, abs=1e-24) and e_0 == pytest.approx(0, abs=1e-12)
            assert e_u == pytest.approx(0, abs=1e-12)  # from x_0 = 0, x_t / t is x_1 - x_0 on the path
    assert curves.c_share[0] == pytest.approx(1)  # at t = 0 it reads c only
    assert curves.error_exact[0] == pytest.approx(rms(g(C) - X1))
    assert math.isnan(curves.error_c_free[0])
    assert curves.velocity_rms == pytest.approx(rms(X1))


def test_a_field_of_c_only_has_c_share_one_and_no_error_against_x_1():
    curves = path_curves(reads_c, C, ZEROS, X1, times=TIMES)
    assert curves.c_share == pytest.approx((1,) * len(TIMES))
    assert curves.error_exact == pytest.approx((0,) * len(TIMES), abs=1e-12)
    pi = random_cycle(M)  # read with another input's c it returns f(c_π(i)), not x_t / t = f(c_i)
    assert curves.error_c_free[1:] == pytest.approx((rms(f(C[pi]) - X1),) * (len(TIMES) - 1))


def test_from_a_gaussian_start_the_exact_error_of_f_c_is_the_start():
    curves = path_curves(reads_c, C, GAUSS, X1, times=TIMES)
    assert curves.error_exact == pytest.approx((rms(GAUSS),) * len(TIMES))  # v - (x_1 - x_0) = x_0
    pi = random_cycle(M)
    for t, e_0 in zip(curves.t[1:], curves.error_c_free[1:]):  # f(c_π) - x_t / t = f(c_π) - f(c) - (1 - t) x_0 / t
        assert e_0 == pytest.approx(rms(f(C[pi]) - X1 - (1 - t) / t * GAUSS))


@pytest.mark.parametrize("a, b", [(1.0, 1.0), (0.5, 2.0), (3.0, -0.5)])
def test_a_mix_has_the_closed_form_share(a, b):
    # on x_t = t f(c): v = a t f(c) + b f(c), of which b f(c) moves with c at fixed x_t
    curves = path_curves(linear(a, b), C, ZEROS, X1, times=TIMES)
    pi = random_cycle(M)
    for t, s, e_u, e_0 in zip(curves.t, curves.c_share, curves.error_exact, curves.error_c_free):
        assert s == pytest.approx(b**2 / (a * t + b) ** 2)
        assert e_u == pytest.approx(abs(a * t + b - 1) * rms(X1))
        if t > 0:  # a t f(c) + b f(c_π) against f(c)
            assert e_0 == pytest.approx(rms((a * t - 1) * X1 + b * f(C[pi])))


def test_the_share_mixes_x_over_t_and_f_c_as_lambda_squared():
    lam = 0.3
    curves = path_curves(lambda x, c, t: (1 - lam) * c_free(x, c, t) + lam * f(c), C, ZEROS, X1, times=TIMES[1:])
    assert curves.c_share == pytest.approx((lam**2,) * (len(TIMES) - 1))


def test_euler_on_the_c_free_field_predicts_the_t_0_output_at_every_step_count():
    steps = (1, 2, 3, 7, 16, 64)
    ends = euler_endpoints(c_free, C, ZEROS, X1, steps=steps)
    assert [e.steps for e in ends] == list(steps)
    for e in ends:
        assert e.gap == pytest.approx(0, abs=1e-12)
        assert e.explained == pytest.approx(1)
        assert e.l2 == pytest.approx(rms(g(C) - X1))


def test_euler_on_a_field_of_c_only_lands_on_the_target():
    # dx/dt = f(c) from 0: x(1) = f(c) at any step count, and the 1-step prediction is already it
    for e in euler_endpoints(reads_c, C, ZEROS, X1, steps=(1, 4)):
        assert e.l2 == pytest.approx(0, abs=1e-12) and e.gap == pytest.approx(0, abs=1e-12)


def test_euler_gap_of_a_linear_field_is_worked_out_by_hand():
    # v = x + f(c) from 0, two steps of 1/2: x = f/2, then f/2 + (f/2 + f)/2 = 5 f / 4; one step: f
    ends = mechanism(linear(1.0, 1.0), C, ZEROS, X1, times=(0.5,), steps=(1, 2)).endpoints
    assert ends[1].l2 == pytest.approx(0.25 * rms(X1))
    assert ends[1].gap == pytest.approx(0.25 * rms(X1))
    spread = float(((1.25 * X1 - 1.25 * X1.mean(0)) ** 2).sum())
    assert ends[1].explained == pytest.approx(1 - float(((0.25 * X1) ** 2).sum()) / spread)


def test_a_real_network_runs_through_in_its_own_dtype():
    torch.manual_seed(0)
    from toyexp.core.config import NetworkConfig
    from toyexp.core.nets import build_network

    net = build_network(NetworkConfig(hidden_dim=8, num_layers=2), dim_x=2)
    result = mechanism(net, C.float(), ZEROS.float(), X1.float(), times=(0.0, 0.5), steps=(1, 16))
    assert len(result.path.c_share) == 2 and result.endpoint(1).gap == 0.0
    assert all(0 <= s for s in result.path.c_share)


@pytest.mark.parametrize("kwargs, named", [
    ({"c": C[:1], "x_0": ZEROS[:1], "x_1": X1[:1]}, "c: 1 evaluation input"),
    ({"c": C, "x_0": ZEROS[:3], "x_1": X1}, "c, x_0, x_1: shapes"),
    ({"times": (0.0, 1.0)}, "times: [1.0]"),
    ({"times": ()}, "times: empty"),
])
def test_bad_input_of_the_path_is_named(kwargs, named):
    args = {"c": C, "x_0": ZEROS, "x_1": X1, "times": TIMES} | kwargs
    with pytest.raises(ValueError, match=f"^{named}".replace("[", r"\[").replace("]", r"\]")):
        path_curves(reads_c, **args)


def test_bad_steps_are_named():
    with pytest.raises(ValueError, match=r"^steps: \[0, 4\]; valid"):
        euler_endpoints(reads_c, C, ZEROS, X1, steps=(0, 4))
