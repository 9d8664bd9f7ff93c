"""Evaluation in chunks (toyexp.core.metrics): the network sees at most EVAL_CHUNK points per call,
and the predictions, errors and counted NFE are those of one call over all points."""

import torch
from torch import nn

from toyexp.core import metrics
from toyexp.core.adaptive import Tolerance
from toyexp.core.metrics import EVAL_CHUNK, counted_predict, evaluate
from toyexp.core.modes import build_mode
from toyexp.core.nets import ConcatMLP

F64 = torch.float64


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
    settings = (["euler", "rk4", "dopri5"], [1, 3], [Tolerance(1e-6, 1e-8)])
    whole, chunked = Linear(), Linear()
    expected_predictions, predictions = {}, {}
    expected = evaluate(whole, build_mode("flow"), c, x_1, x_0, *settings, expected_predictions)
    monkeypatch.setattr(metrics, "EVAL_CHUNK", 7)
    got = evaluate(chunked, build_mode("flow"), c, x_1, x_0, *settings, predictions)

    assert got == expected  # method, steps, counted NFE, l1 and l2 of every setting
    assert [e.nfe for e in got][:4] == [1, 3, 4, 12]  # euler 1 and 3 steps, rk4 1 and 3 steps: one NFE per batched call
    for key, pred in expected_predictions.items():
        assert torch.equal(predictions[key], pred), key
    # one Euler step of dx/dt = 2x + 3c + 5t from t = 0: x_0 + (2 x_0 + 3 c) = 3 x_0 + 3 c
    torch.testing.assert_close(predictions["euler", 1], 3 * x_0 + 3 * c, rtol=0, atol=1e-15)
    assert set(whole.sizes) == {30}
    assert set(chunked.sizes) == {7, 2} and len(chunked.sizes) == 5 * len(whole.sizes)  # 7 + 7 + 7 + 7 + 2


def test_at_most_one_chunk_is_one_unchanged_call():
    """Guards today's runs (num_eval 1000 <= EVAL_CHUNK): their predictions are bit for bit those of
    the network called on all points at once."""
    torch.manual_seed(0)
    model = ConcatMLP(3, 1, 32, 2, "relu")
    c, x_0 = torch.rand(EVAL_CHUNK, 1), torch.randn(EVAL_CHUNK, 3)
    flow = build_mode("flow")
    with torch.no_grad():
        direct = flow.predict(model.eval(), c, x_0, 2, "midpoint")
    model.train()
    sizes = []
    model.register_forward_pre_hook(lambda module, args: sizes.append(len(args[0])))

    pred, nfe = counted_predict(model, flow, c, x_0, 2, "midpoint")

    assert torch.equal(pred, direct)
    assert nfe == 4 and sizes == [EVAL_CHUNK] * 4  # midpoint: 2 evaluations a step
    assert model.training  # evaluation mode only while predicting
