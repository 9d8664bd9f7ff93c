"""Each training mode's loss and prediction against values worked out by hand.

The "network" is the fixed linear map model(x, c, t) = 2 x + 3 c + 5 t, so every number below
can be checked on paper. Batch: c = (1, 2), x_0 = (0.5, -1), x_1 = (1, 4), t = (0.25, 0.5).
"""

import pytest
import torch

from toyexp.core import names
from toyexp.core.modes import MODES, build_mode
from toyexp.core.paths import l1_loss, l2_loss
from toyexp.core.resolution import Tolerance


def model(x, c, t):
    return 2 * x + 3 * c + 5 * t


def col(*values):
    return torch.tensor(values, dtype=torch.float64)[:, None]


C, X0, X1, T = col(1.0, 2.0), col(0.5, -1.0), col(1.0, 4.0), col(0.25, 0.5)


LOSS_BY_HAND = [
    ("regression", (2.0**2 + 2.0**2) / 2),  # net(0, c, 0) = 3c = (3, 6) against (1, 4)
    ("flow", (5.0**2 + 6.5**2) / 2),  # x_t = (0.625, 1.5): v = (5.5, 11.5) against x_1 - x_0 = (0.5, 5)
    ("straight_flow", (3.25**2 + 5.0**2) / 2),  # net(x_t, c, 0) = (4.25, 9) against (1, 4)
    # net(x_0, c, 0) = (4, 4); x_t* = (0.95, 3.5), net(x_t*, c, 0.9) = (9.4, 17.5)
    ("mip", (3.0**2 + 0.0**2) / 2 + (8.4**2 + 13.5**2) / 2),
    ("mip_one_step", (3.0**2 + 0.0**2) / 2 + (8.4**2 + 13.5**2) / 2),
]
PREDICTION_BY_HAND = [
    ("regression", 7, (3.0, 6.0)),
    ("flow", 1, (4.5, 3.0)),  # one Euler step: x_0 + v(x_0, c, 0) = 3 x_0 + 3 c
    # s = 0 -> 1/2: x̂_1 = (4, 4), x = (x_0 + x̂_1) / 2 = (2.25, 1.5); 1/2 -> 1: x = x̂_1 = (7.5, 9)
    ("straight_flow", 2, (7.5, 9.0)),
    ("mip", 3, (14.8, 17.5)),  # a_0 = (4, 4); net(0.1 x_0 + 0.9 a_0, c, 0.9) = (14.8, 17.5)
    ("mip_one_step", 3, (4.0, 4.0)),
]


def test_every_mode_is_worked_out_by_hand():
    """Guards: a new mode in tuple(MODES) cannot skip the hand-worked loss and prediction below."""
    assert sorted(name for name, _ in LOSS_BY_HAND) == sorted(tuple(MODES))
    assert sorted(name for name, _, _ in PREDICTION_BY_HAND) == sorted(tuple(MODES))


@pytest.mark.parametrize("name, expected", LOSS_BY_HAND)
def test_loss_by_hand(name, expected):
    loss = build_mode(name, t_star=0.9).loss(model, C, X0, X1, t=T, ell=l2_loss)
    assert loss.item() == pytest.approx(expected, rel=1e-12)


def test_l1_loss_by_hand():
    loss = build_mode("regression").loss(model, C, X0, X1, t=T, ell=l1_loss)
    assert loss.item() == pytest.approx((2.0 + 2.0) / 2)


@pytest.mark.parametrize("name, steps, expected", PREDICTION_BY_HAND)
def test_prediction_by_hand(name, steps, expected):
    pred = build_mode(name, t_star=0.9).predict(model, C, X0, steps, method="euler")
    torch.testing.assert_close(pred, col(*expected), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("num_steps", [1, 2, 3, 7, 16, 100])
def test_straight_flow_on_an_oracle_lands_on_x_1(num_steps):
    oracle = lambda x, c, t: X1  # noqa: E731  always predicts the true endpoint
    x_0 = torch.randn(2, 1, dtype=torch.float64, generator=torch.Generator().manual_seed(num_steps))
    pred = build_mode("straight_flow").predict(oracle, C, x_0, num_steps, method="euler")
    torch.testing.assert_close(pred, X1, rtol=0, atol=1e-14)


def test_straight_flow_never_sees_the_time():
    seen = []
    recorder = lambda x, c, t: seen.append(t.clone()) or x  # noqa: E731
    mode = build_mode("straight_flow")
    mode.loss(recorder, C, X0, X1, t=T, ell=l2_loss)
    mode.predict(recorder, C, X0, 5, method="euler")
    assert len(seen) == 6 and all((t == 0).all() for t in seen)


def test_settings_and_final():
    methods, steps = ["rk4", "euler"], [1, 4]
    flow, straight, mip = build_mode("flow"), build_mode("straight_flow"), build_mode("mip")
    assert flow.settings(methods, steps) == [("rk4", 1), ("rk4", 4), ("euler", 1), ("euler", 4)]
    assert flow.final(methods, steps) == ("rk4", 4)
    assert straight.settings(methods, steps) == [("euler", 1), ("euler", 4)] and straight.final(methods, steps) == ("euler", 4)
    assert mip.settings(methods, steps) == [("rk4", 4)] == [mip.final(methods, steps)]


def test_final_is_the_tightest_tolerance_when_dopri5_comes_first():
    tols = [Tolerance(1e-2, 1e-5), Tolerance(1e-4, 1e-5)]
    flow = build_mode("flow")
    assert flow.settings(["dopri5", "euler"], [1, 4], tols) == [("dopri5", tols[0]), ("dopri5", tols[1]), ("euler", 1), ("euler", 4)]
    assert flow.final(["dopri5", "euler"], [1, 4], tols) == ("dopri5", tols[-1])
    assert flow.final(["euler", "dopri5"], [1, 4], tols) == ("euler", 4)
    assert build_mode("straight_flow").settings(["dopri5", "euler"], [1, 4], tols) == [("euler", 1), ("euler", 4)]
    assert build_mode("regression").settings(["dopri5"], [1, 4], tols) == [("dopri5", tols[-1])]


def counted(name, steps, method):
    """The prediction of mode ``name`` with the hand model, and how many times it called the model."""
    calls = []

    def counting(x, c, t):
        calls.append(1)
        return model(x, c, t)

    return build_mode(name, t_star=0.9).predict(counting, C, X0, steps, method=method), len(calls)


@pytest.mark.parametrize("name", sorted(names.MODES))
@pytest.mark.parametrize("method", names.FIXED_STEP_METHODS)
@pytest.mark.parametrize("steps", [1, 3])
def test_cost_is_the_number_of_calls_a_prediction_makes(name, method, steps):
    """Known answer for Mode.cost: the calls of a wrapped network, counted here."""
    mode = build_mode(name)
    used = mode.method or method  # straight_flow's steps are Euler's whatever the method
    assert mode.cost(used, steps) == counted(name, steps, used)[1]


@pytest.mark.parametrize("name", sorted(names.MODES))
def test_a_mode_integrates_exactly_when_its_steps_change_its_prediction(name):
    """Guards Mode.integrates (which decides the settings evaluated): against the hand model's
    predictions at 1 and 3 steps of each method."""
    predictions = [counted(name, n, m)[0] for m in names.FIXED_STEP_METHODS for n in (1, 3)]
    changes = any(not torch.equal(p, predictions[0]) for p in predictions)
    assert build_mode(name).integrates == changes


def test_straight_flow_ignores_the_method():
    """Its steps are Euler's for the velocity (x̂_1 - x) / (1 - s), whatever the integrator: Mode.method."""
    euler = counted("straight_flow", 3, "euler")[0]
    assert all(torch.equal(counted("straight_flow", 3, m)[0], euler) for m in names.FIXED_STEP_METHODS)
    assert build_mode("straight_flow").method == "euler"
