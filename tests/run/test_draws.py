"""evaluation.num_draws: the prediction as the mean of K integrated draws of x_0 ~ N(0, I).

Known answers: with K = 1 the prediction is bit for bit the one start's; with a planted velocity
that is a constant of c, every draw ends at x_0 + v(c) exactly, so the mean of the draws is
v(c) + the mean of the x_0 draws and their spread is the spread of the x_0 draws, computed here
again with numpy. Then the record, the config's errors, and one tiny run end to end.
"""

import json

import numpy as np
import pytest
import torch
from torch import nn

import toyexp
from toyexp.core.metrics import Draws, counted_draws, evaluate, predict, spread
from toyexp.core.modes import build_mode
from toyexp.core.resolution import Tolerance
from toyexp.run.provenance import provenance
from toyexp.run.record import RunRecord, TrainingSummary, read_record, record_from_json, record_to_json
from toyexp.run.steps import INFERENCE_SEED_OFFSET, inference_x0
from toyexp.run.target import target_of
from toyexp.core.integrate import integrate
from toyexp.run.text import describe_run, draws_text
from toyexp.schema import ConfigError
from toyexp.tasks.base import Best, Final

K, M, D = 5, 7, 3


class PlantedVelocity(nn.Module):
    """v(x, c, t) = a c + b, the same at every x and t: the ODE from x_0 ends at x_0 + a c + b."""

    def __init__(self):
        super().__init__()
        self.a = nn.Parameter(torch.tensor([[0.5, -1.0, 2.0]], dtype=torch.float64))
        self.b = nn.Parameter(torch.tensor([[0.25, 0.0, -0.75]], dtype=torch.float64))
        self.sizes = []

    def forward(self, x, c, t):
        self.sizes.append(len(x))
        return (c * self.a + self.b).expand_as(x)


def planted():
    g = torch.Generator().manual_seed(3)
    c = torch.rand((M, 1), generator=g, dtype=torch.float64)
    x_0 = torch.randn((K, M, D), generator=g, dtype=torch.float64)
    return c, x_0


def test_one_draw_is_todays_prediction_bit_for_bit():
    """K = 1, given as (1, M, D) or (M, D): exactly what the mode predicts from that one start."""
    torch.manual_seed(0)
    model = toyexp.build_network(toyexp.load_config("recon").network, D)
    c, x_0 = torch.rand(50, 1), torch.randn(50, D)
    flow = build_mode("flow")
    with torch.no_grad():
        today = flow.predict(model.eval(), c, x_0, 4, method="rk4")
    assert torch.equal(predict(model, flow, c, x_0[None], resolution=4, method="rk4"), today)
    assert torch.equal(predict(model, flow, c, x_0, resolution=4, method="rk4"), today)
    (e,) = evaluate(model, flow, c, torch.zeros(50, D), x_0=x_0[None], settings=[("rk4", 4)])
    assert torch.equal(e.prediction, today) and spread(e.draws, torch.zeros(50, D)) is None


@pytest.mark.parametrize(("method", "resolution"), [("euler", 4), ("rk4", 2), ("dopri5", Tolerance(1e-6, 1e-8))])
def test_the_mean_and_spread_of_draws_under_a_planted_constant_velocity(method, resolution):
    c, x_0 = planted()
    model = PlantedVelocity()
    draws, nfe = counted_draws(model, build_mode("flow"), c, x_0, resolution=resolution, method=method)
    v = (c * model.a + model.b).detach().numpy()  # (M, D)
    x0 = x_0.numpy()
    np.testing.assert_allclose(draws.numpy(), x0 + v, rtol=0, atol=1e-12)  # each draw: x_0^(k) + v(c)
    assert set(model.sizes) == {K * M} and nfe == len(model.sizes)  # one batch of K M points per network call
    x_1 = torch.zeros(M, D, dtype=torch.float64)
    (e,) = evaluate(model, build_mode("flow"), c, x_1, x_0=x_0, settings=[(method, resolution)])
    np.testing.assert_allclose(e.prediction.numpy(), v + x0.mean(axis=0), rtol=0, atol=1e-12)
    s = spread(e.draws, x_1)
    expected_std = np.sqrt((np.std(x0, axis=0, ddof=1) ** 2).mean())  # v cancels out of the spread
    assert s.k == K
    assert s.draw_std == pytest.approx(expected_std, rel=1e-12)
    assert s.single_l2 == pytest.approx(np.sqrt(((x0[0] + v) ** 2).mean()), rel=1e-12)  # draw 0 alone


def test_the_draws_follow_from_the_run_seed_and_draw_0_is_k_1s_x_0():
    def cfg(k):
        return toyexp.load_config("recon", seed=5, overrides=["evaluation.initial_dist=gaussian", f"evaluation.num_draws={k}"])

    g = torch.Generator().manual_seed(5 + INFERENCE_SEED_OFFSET)
    expected = torch.stack([torch.randn((30, 2), generator=g) for _ in range(4)])
    four = inference_x0(cfg(4), 30, 2)
    assert torch.equal(four, expected)
    assert torch.equal(inference_x0(cfg(1), 30, 2), four[:1])


@pytest.mark.parametrize("draws", [Draws(k=16, draw_std=0.375, single_l2=0.5), None])
def test_the_record_reads_back_with_and_without_draws(draws):
    record = RunRecord(
        task="recon", variant="flow-gaussian", grid_point={}, mode="flow", seed=1,
        final=Final(method="euler", resolution=16, nfe=16, l1=0.1, l2=0.2,
                    draws=draws), best=Best(3, 0.1, 0.2), evaluations=(),
        training=TrainingSummary(epochs=10, steps=10, seconds=0.5, best_epoch=3, eval_epochs=(3,),
                                 eval_l2=(0.2,)), run_seconds=1.0, device="cpu", num_threads=1,
        config=(cfg := toyexp.load_config("recon")), target=target_of(cfg), provenance=provenance())
    data = json.loads(json.dumps(record_to_json(record)))
    assert record_from_json(data) == record
    if draws is None:
        assert "draws" not in data["final"]  # a file of one draw is written as before the key existed
    else:
        assert data["final"]["draws"] == {"k": 16, "draw_std": 0.375, "single_l2": 0.5}


@pytest.mark.parametrize(("value", "words"), [
    (0, "evaluation.num_draws: 0 is invalid; it must be at least 1"),
    ("abc", "evaluation.num_draws"),
    (2.5, "evaluation.num_draws"),
])
def test_a_bad_num_draws_is_one_line_naming_the_key(value, words):
    with pytest.raises(ConfigError) as err:
        toyexp.load_config("recon", overrides=["evaluation.initial_dist=gaussian", f"evaluation.num_draws={value}"])
    message = str(err.value)
    assert words in message and "\n" not in message
    if value == "abc":
        assert "'abc'" in message


def test_more_than_one_draw_from_x_0_0_is_refused():
    with pytest.raises(ConfigError, match=r"evaluation.num_draws: 4 is invalid with evaluation.initial_dist 'zeros'.*use 1"):
        toyexp.load_config("recon", overrides=["evaluation.num_draws=4"])
    assert toyexp.load_config("recon", overrides=["evaluation.num_draws=1"]).evaluation.num_draws == 1


def test_the_run_text_names_the_draws_only_when_there_are_several():
    final = Final(method="euler", resolution=16, nfe=16, l1=0.1, l2=0.125,
                  draws=Draws(k=16, draw_std=0.25, single_l2=0.3))
    assert draws_text(final) == (
        "That prediction is the mean of 16 integrated draws of x_0 at each point: one draw alone has l2 = 0.3000 "
        "(the mean 0.1250), and single draws spread around the mean by 0.2500 (the RMS of their per-point standard deviation).")


@pytest.mark.training
def test_a_tiny_run_with_draws_records_and_saves_their_spread(tmp_path):
    """A whole run at K = 4: the final l2 is the mean's, the record keeps the spread, predictions.npz the grid's std."""
    cfg = toyexp.load_config("recon", mode="flow", seed=2, overrides=[
        "training.num_epochs=3", "training.eval_interval=2", "training.save_interval=10", "network.hidden_dim=8",
        "dataset.num_train=10", "dataset.num_eval=40", "evaluation.num_eval_steps=[1, 2]",
        "training.initial_dist=gaussian", "evaluation.initial_dist=gaussian", "evaluation.num_draws=4",
        f"experiment.output_dir={tmp_path}"])
    ctx = toyexp.start_run(cfg)
    model = toyexp.build_network(cfg.network, ctx.data.dim)
    trained = toyexp.fit(ctx, model, progress=False)
    result = toyexp.evaluate_run(ctx, model, trained)
    record = toyexp.finish_run(ctx, trained, result)
    assert ctx.x_0.shape == (4, 40, 1)

    def ends(c, x_0):  # (K, B, 1): each draw integrated on its own, as a loop of K integrations would
        with torch.no_grad():
            model.eval()
            return torch.stack([integrate(lambda x, t: model(x, c, torch.full((len(x), 1), t)), x, 2, "euler") for x in x_0])

    def l2(pred):
        return ((pred - ctx.data.x_eval) ** 2).mean().sqrt().item()

    draws = ends(ctx.data.c_eval, ctx.x_0)
    assert record.final.l2 == pytest.approx(l2(draws.mean(0)), rel=1e-5)
    assert record.final.draws.k == 4
    assert record.final.draws.single_l2 == pytest.approx(l2(draws[0]), rel=1e-5)
    assert record.final.draws.draw_std == pytest.approx(draws.std(0).pow(2).mean().sqrt().item(), rel=1e-5)
    assert read_record(ctx.dir / "metrics.json") == record
    grid = ends(result.c_grid, ctx.x_0[:, : len(result.c_grid)])
    with np.load(ctx.dir / "predictions.npz") as z:
        np.testing.assert_allclose(z["pred_grid"], grid.mean(0).numpy(), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(z["std_grid"], grid.std(0).numpy(), rtol=1e-5, atol=1e-6)
    assert "the mean of 4 integrated draws" in describe_run(ctx, result)
