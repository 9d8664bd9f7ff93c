"""Exact identities of flow matching on the linear path x_t = (1 - t) x_0 + t x_1."""

import pytest
import torch
from torch import nn

from toyexp.core.modes import flow_loss, flow_predict, regression_loss, regression_predict
from toyexp.core.nets import ConcatMLP, FiLMMLP
from toyexp.core.paths import LOSSES, linear_path, path_velocity

B, D = 6, 3


def f(c):
    """A deterministic target x_1 = f(c), (B, 1) -> (B, D), written independently of the tasks."""
    return torch.cat([torch.sin(3 * c), c**2 - 0.5, torch.cos(c) + 2 * c], dim=-1)


class Oracle(nn.Module):
    """v(x, c, t) = (f(c) - x) / (1 - t): the velocity that carries x at time t to f(c) at t = 1."""

    def __init__(self):
        super().__init__()
        self.times = []

    def forward(self, x, c, t):
        assert t.shape == (len(c), 1)
        self.times.append(float(t[0, 0]))
        return (f(c) - x) / (1 - t)


def conditions(dtype):
    return torch.linspace(-1.0, 2.0, B, dtype=dtype)[:, None]  # (B, 1)


def initial(dist, dtype, seed=0):
    if dist == "zeros":
        return torch.zeros(B, D, dtype=dtype)
    return torch.randn(B, D, dtype=dtype, generator=torch.Generator().manual_seed(seed))


EULER_CASES = [(torch.float32, 1e-5, n) for n in (1, 2, 3, 7, 16)] + [(torch.float64, 1e-10, n) for n in (1, 2, 3, 7, 16)]


@pytest.mark.parametrize("dtype,tol,num_steps", EULER_CASES)
@pytest.mark.parametrize("dist", ["zeros", "gaussian"])
def test_euler_with_optimal_velocity_lands_on_target(dtype, tol, dist, num_steps):
    c, model = conditions(dtype), Oracle()
    out = flow_predict(model, c, initial(dist, dtype), num_steps, method="euler")
    torch.testing.assert_close(out, f(c), atol=tol, rtol=0)
    # euler evaluates at t = k / n, k < n, so never at t = 1 where the oracle divides by 0
    assert model.times == pytest.approx([k / num_steps for k in range(num_steps)], abs=1e-7)


def test_flow_predict_is_not_just_returning_x_1():
    # a velocity that is not the oracle's does not land on f(c): the identity above is real
    c = conditions(torch.float64)
    half = lambda x, c_, t: 0.5 * (f(c_) - x) / (1 - t)  # noqa: E731
    out = flow_predict(half, c, initial("gaussian", torch.float64), 4, method="euler")
    assert (out - f(c)).abs().max() > 1e-2


def small_net(kind, dtype=torch.float32, activation="tanh"):
    torch.manual_seed(0)  # tests/conftest.py restores the global RNG after each test
    cls = {"concat": ConcatMLP, "film": FiLMMLP}[kind]
    return cls(D, 1, hidden_dim=16, num_layers=2, activation=activation).to(dtype)


@pytest.mark.parametrize("kind", ["concat", "film"])
@pytest.mark.parametrize("loss", ["l1", "l2"])
def test_flow_loss_at_x0_zero_t_zero_is_regression_loss(kind, loss):
    model = small_net(kind)
    c = conditions(torch.float32)
    x_1 = f(c)
    x_0 = torch.zeros(B, D)
    t = torch.zeros(B, 1)
    ell = LOSSES[loss]
    flow = flow_loss(model, c, x_0, x_1, t=t, ell=ell)
    regression = regression_loss(model, c, x_0, x_1, t=t, ell=ell)
    assert flow.item() > 0  # a nontrivial comparison
    assert torch.equal(flow, regression)


@pytest.mark.parametrize("kind", ["concat", "film"])
def test_flow_loss_at_other_t_differs_from_regression_loss(kind):
    # the equality above needs t = 0: at t = 0.5 the network sees a different input
    model = small_net(kind)
    c = conditions(torch.float32)
    x_1, x_0 = f(c), torch.zeros(B, D)
    t = torch.full((B, 1), 0.5)
    ell = LOSSES["l2"]
    assert flow_loss(model, c, x_0, x_1, t=t, ell=ell) != regression_loss(model, c, x_0, x_1, t=t, ell=ell)


@pytest.mark.parametrize("loss", ["l1", "l2"])
@pytest.mark.parametrize("dist", ["zeros", "gaussian"])
def test_flow_loss_of_the_optimal_velocity_is_zero(loss, dist):
    # on the path, (x_1 - x_t) / (1 - t) = x_1 - x_0 = u for every t < 1
    c = conditions(torch.float64)
    x_1, x_0 = f(c), initial(dist, torch.float64, seed=1)
    t = torch.rand(B, 1, dtype=torch.float64, generator=torch.Generator().manual_seed(2)) * 0.99
    assert flow_loss(Oracle(), c, x_0, x_1, t=t, ell=LOSSES[loss]).item() == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("loss,formula", [
    ("l2", lambda a, b: ((a - b) ** 2).mean()),
    ("l1", lambda a, b: (a - b).abs().mean()),
])
def test_flow_loss_formula(loss, formula):
    model = small_net("concat", torch.float64)
    c = conditions(torch.float64)
    x_1, x_0 = f(c), initial("gaussian", torch.float64, seed=3)
    t = torch.rand(B, 1, dtype=torch.float64, generator=torch.Generator().manual_seed(4))
    x_t = (1 - t) * x_0 + t * x_1
    expected = formula(model(x_t, c, t), x_1 - x_0)
    torch.testing.assert_close(flow_loss(model, c, x_0, x_1, t=t, ell=LOSSES[loss]), expected, atol=1e-14, rtol=0)


def test_linear_path_endpoints_and_velocity():
    x_0, x_1 = initial("gaussian", torch.float64, 5), f(conditions(torch.float64))
    assert torch.equal(linear_path(x_0, x_1, torch.zeros(B, 1, dtype=torch.float64)), x_0)
    assert torch.equal(linear_path(x_0, x_1, torch.ones(B, 1, dtype=torch.float64)), x_1)
    mid = linear_path(x_0, x_1, torch.full((B, 1), 0.5, dtype=torch.float64))
    torch.testing.assert_close(mid, (x_0 + x_1) / 2, atol=1e-15, rtol=0)
    # d x_t / dt by a central difference equals the path velocity
    t, h = torch.full((B, 1), 0.3, dtype=torch.float64), 1e-4
    fd = (linear_path(x_0, x_1, t + h) - linear_path(x_0, x_1, t - h)) / (2 * h)
    torch.testing.assert_close(path_velocity(x_0, x_1), fd, atol=1e-9, rtol=0)
    torch.testing.assert_close(path_velocity(x_0, x_1), x_1 - x_0, atol=0, rtol=0)


class Counting(nn.Module):
    def __init__(self, inner):
        super().__init__()
        self.inner, self.calls = inner, []

    def forward(self, x, c, t):
        self.calls.append((x.clone(), t.clone()))
        return self.inner(x, c, t)


@pytest.mark.parametrize("kind", ["concat", "film"])
def test_regression_predict_ignores_x0_steps_and_method(kind):
    model = Counting(small_net(kind))
    c = conditions(torch.float32)
    reference = model.inner(torch.zeros(B, D), c, torch.zeros(B, 1))
    with torch.no_grad():
        for dist in ["zeros", "gaussian"]:
            for num_steps in [1, 5]:
                for method in ["euler", "rk4"]:
                    model.calls.clear()
                    out = regression_predict(model, c, initial(dist, torch.float32), num_steps, method=method)
                    assert torch.equal(out, reference)
                    assert len(model.calls) == 1  # one evaluation at x = 0, t = 0
                    x, t = model.calls[0]
                    assert not x.any() and not t.any()
