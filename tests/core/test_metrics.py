"""Evaluation (toyexp.core.metrics): errors by hand, the NFE counted from the network's calls at
every setting (the adaptive one included), and evaluation in chunks of EVAL_CHUNK points that
changes no prediction, error or count."""

import math

import numpy as np
import pytest
import torch
from torch import nn

from problems import A_ROT, PROBLEMS
from toyexp.core import metrics
from toyexp.core.adaptive import dopri5
from toyexp.core.metrics import EVAL_CHUNK, Evaluation, counted_predict, distance_to_nearest, evaluate, l1_error, l2_error, training_spacing
from toyexp.core.modes import build_mode
from toyexp.core.nets import ConcatMLP
from toyexp.core.resolution import Tolerance

F64 = torch.float64


def test_errors_by_hand():
    pred, target = torch.tensor([[1.0, 2.0], [3.0, 4.0]]), torch.tensor([[0.0, 2.0], [1.0, 1.0]])
    # residuals 1, 0, 2, 3: mean |r| = 6 / 4, sqrt(mean r^2) = sqrt(14 / 4)
    assert l1_error(pred, target) == pytest.approx(1.5) and l2_error(pred, target) == pytest.approx(math.sqrt(3.5))


def test_spacing_and_distance_by_hand():
    c_train = np.array([[0.9], [0.0], [0.2], [0.5]])  # unsorted; gaps 0.2, 0.3, 0.4: median 0.3
    assert training_spacing(c_train) == pytest.approx(0.3)
    assert distance_to_nearest(np.array([[0.1], [0.5], [1.2], [-0.5]]), c_train) == pytest.approx([0.1, 0.0, 0.3, 0.5])


def test_an_evaluation_knows_its_steps_or_its_tolerance():
    fixed, tol = Evaluation(method="rk4", resolution=8, nfe=32, l1=0.1, l2=0.2), Tolerance(1e-4, 1e-6)
    adaptive = Evaluation(method="dopri5", resolution=tol, nfe=38, l1=0.1, l2=0.2)
    assert (fixed.steps, fixed.tolerance, fixed.setting) == (8, None, ("rk4", 8))
    assert (adaptive.steps, adaptive.tolerance, adaptive.setting) == (None, tol, ("dopri5", tol))


class Rotation(nn.Module):
    """v(x, c, t) = A x whatever c and t: the rotation problem as a 'network' of the flow mode."""

    def forward(self, x, c, t):
        return x @ A_ROT.T


def test_evaluate_counts_network_calls_at_every_setting():
    """Known answers for the cost: a fixed-step method's NFE is its tableau's stages times the
    steps, dopri5's is what the solver counts on the same problem, and each error is the
    prediction's, which is returned with it."""
    mode, p = build_mode("flow"), PROBLEMS["rotation"]
    c = torch.zeros(2, 1, dtype=F64)
    tols = [Tolerance(1e-3, 1e-5), Tolerance(1e-6, 1e-8)]
    settings = mode.settings(["euler", "dopri5", "rk4"], [2, 8], tols)
    evaluated = evaluate(Rotation(), mode, c, p.x_1, x_0=p.x_0, settings=settings)
    evals = [e.evaluation for e in evaluated]
    assert [e.setting for e in evals] == [("euler", 2), ("euler", 8), ("dopri5", tols[0]), ("dopri5", tols[1]), ("rk4", 2), ("rk4", 8)]
    assert [e.nfe for e in evals if e.steps is not None] == [2, 8, 8, 32]  # euler 1 stage, rk4 4 stages
    for e, pred in ((x.evaluation, x.prediction) for x in evaluated):
        assert e.l2 == pytest.approx(((pred - p.x_1) ** 2).mean().sqrt().item(), rel=1e-12)
        assert e.l1 == pytest.approx((pred - p.x_1).abs().mean().item(), rel=1e-12)
        if e.tolerance is not None:
            sol = dopri5(lambda x, t: x @ A_ROT.T, p.x_0, e.tolerance)
            assert e.nfe == sol.nfe and torch.equal(pred, sol.x_1)
    loose, tight = evals[2], evals[3]
    assert loose.nfe < tight.nfe and loose.l2 > tight.l2


class Linear(nn.Module):
    """v(x, c, t) = 2 x + 3 c + 5 t, elementwise (so no chunking can change a bit), recording the
    number of points of each call."""

    def __init__(self):
        super().__init__()
        self.sizes = []

    def forward(self, x, c, t):
        self.sizes.append(len(x))
        return 2 * x + 3 * c + 5 * t


def test_chunks_change_no_prediction_error_or_nfe(monkeypatch):
    """Guards the chunked evaluation of a large evaluation set: every setting, the adaptive one
    included, gives the predictions and NFE of the unchunked call, while no call sees more than
    a chunk."""
    c = torch.linspace(0, 1, 30, dtype=F64)[:, None]
    x_0 = torch.linspace(-1, 1, 60, dtype=F64).reshape(30, 2)
    x_1 = torch.sin(3 * c).expand(30, 2)
    flow = build_mode("flow")
    settings = flow.settings(["euler", "rk4", "dopri5"], [1, 3], [Tolerance(1e-6, 1e-8)])
    whole, chunked = Linear(), Linear()
    expected = evaluate(whole, flow, c, x_1, x_0=x_0, settings=settings)
    monkeypatch.setattr(metrics, "EVAL_CHUNK", 7)
    got = evaluate(chunked, flow, c, x_1, x_0=x_0, settings=settings)

    assert [e.evaluation for e in got] == [e.evaluation for e in expected]  # method, resolution, counted NFE, l1 and l2
    assert [e.evaluation.nfe for e in got][:4] == [1, 3, 4, 12]  # euler 1 and 3 steps, rk4 1 and 3 steps: one NFE per batched call
    for a, b in zip(got, expected):
        assert torch.equal(a.prediction, b.prediction), a.evaluation.setting
    # one Euler step of dx/dt = 2x + 3c + 5t from t = 0: x_0 + (2 x_0 + 3 c) = 3 x_0 + 3 c
    torch.testing.assert_close(got[0].prediction, 3 * x_0 + 3 * c, rtol=0, atol=1e-15)
    assert set(whole.sizes) == {30}
    assert set(chunked.sizes) == {7, 2} and len(chunked.sizes) == 5 * len(whole.sizes)  # 7 + 7 + 7 + 7 + 2


def test_at_most_one_chunk_is_one_unchanged_call():
    """Guards today's runs (num_eval 1000 <= EVAL_CHUNK): their predictions are bit for bit those of
    the network called on all points at once."""
    torch.manual_seed(0)
    model = ConcatMLP(3, 1, 32, 2, activation="relu")
    c, x_0 = torch.rand(EVAL_CHUNK, 1), torch.randn(EVAL_CHUNK, 3)
    flow = build_mode("flow")
    with torch.no_grad():
        direct = flow.predict(model.eval(), c, x_0, 2, method="midpoint")
    model.train()
    sizes = []
    model.register_forward_pre_hook(lambda module, args: sizes.append(len(args[0])))

    pred, nfe = counted_predict(model, flow, c, x_0, resolution=2, method="midpoint")

    assert torch.equal(pred, direct)
    assert nfe == 4 and sizes == [EVAL_CHUNK] * 4  # midpoint: 2 evaluations a step
    assert model.training  # evaluation mode only while predicting
