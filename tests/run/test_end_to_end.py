"""Every mode, and the options no notebook uses, trained end to end through the public run steps.

Tiny settings (20 training points, one minibatch per epoch, 20 epochs) keep each run well under a
second. The predictions a run stores are re-derived here from its saved final network with a few
lines per mode, written from the definitions in modes.py's docstring, not with the package's code.
"""

import json
import math

import numpy as np
import pytest
import torch

import toyexp
from notebook_chain import notebook_chain
from toyexp.core import names
from toyexp.core.nets import ConcatMLP, FiLMMLP
from toyexp.run.steps import INFERENCE_SEED_OFFSET

pytestmark = pytest.mark.training

T_STAR = 0.7  # not the default 0.9, so the configured value must reach the prediction
TINY = ["training.num_epochs=20", "training.eval_interval=10", "training.save_interval=10", "training.log_interval=10",
        "network.hidden_dim=16", "evaluation.initial_dist=gaussian", "training.initial_dist=gaussian",
        f"training.mip_t_star={T_STAR}"]


def run_steps(out_dir, *overrides, mode="flow", task="recon", seed=42):
    """The notebook's chain: config, start_run, data, network, fit, evaluate_run, finish_run."""
    cfg = toyexp.load_config(task, quick=True, mode=mode, seed=seed,
                             overrides=[*TINY, f"experiment.output_dir={out_dir}", *overrides])
    chain = notebook_chain(cfg)
    return cfg, chain.ctx, chain.initial, chain.trained


# --- each mode's prediction, written out -------------------------------------------------------


def column(x, value):
    return torch.full((len(x), 1), float(value))


def regression(net, c, x_0, method, n):
    return net(torch.zeros_like(x_0), c, column(x_0, 0))


def flow(net, c, x_0, method, n):
    """dx/dt = v(x, c, t) from t = 0 to 1 in n equal steps: Euler, or classic Runge-Kutta."""
    x, h = x_0, 1.0 / n
    for k in range(n):
        t = k * h
        if method == "euler":
            x = x + h * net(x, c, column(x, t))
        else:
            k1 = net(x, c, column(x, t))
            k2 = net(x + h / 2 * k1, c, column(x, t + h / 2))
            k3 = net(x + h / 2 * k2, c, column(x, t + h / 2))
            k4 = net(x + h * k3, c, column(x, t + h))
            x = x + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    return x


def straight_flow(net, c, x_0, method, n):
    """From x_s to x_t: ((1 - t) / (1 - s)) x_s + ((t - s) / (1 - s)) net(x_s, c, 0), on s_k = k / n."""
    x = x_0
    for k in range(n):
        s, t = k / n, (k + 1) / n
        x = (1 - t) / (1 - s) * x + (t - s) / (1 - s) * net(x, c, column(x, 0))
    return x


def mip(net, c, x_0, method, n):
    a_0 = net(x_0, c, column(x_0, 0))
    return net((1 - T_STAR) * x_0 + T_STAR * a_0, c, column(x_0, T_STAR))


def mip_one_step(net, c, x_0, method, n):
    return net(x_0, c, column(x_0, 0))


# mode -> (prediction, the (method, steps) evaluated for methods [euler, rk4] and steps [1, 4], NFE)
REFERENCE = {
    "regression": (regression, [("euler", 4)], lambda method, n: 1),
    "flow": (flow, [("euler", 1), ("euler", 4), ("rk4", 1), ("rk4", 4)], lambda method, n: {"euler": 1, "rk4": 4}[method] * n),
    "straight_flow": (straight_flow, [("euler", 1), ("euler", 4)], lambda method, n: n),
    "mip": (mip, [("euler", 4)], lambda method, n: 2),
    "mip_one_step": (mip_one_step, [("euler", 4)], lambda method, n: 1),
}


def final_network(cfg, ctx, dim):
    net = toyexp.build_network(cfg.network, dim)
    net.load_state_dict(torch.load(ctx.dir / "checkpoints" / "final_model.pt", weights_only=True)["model"])
    return net


@pytest.mark.parametrize("architecture", ["concat", "film"])
@pytest.mark.parametrize("mode", names.MODES)
def test_every_mode_trains_and_predicts_by_its_definition(tmp_path, mode, architecture):
    """Guards: every mode (and both networks) runs end to end, and metrics.json and predictions.npz hold
    the mode's own prediction, its errors and its NFE at every evaluated setting."""
    if mode not in REFERENCE:
        pytest.fail(f"mode {mode!r} has no prediction written out in REFERENCE; add one from its definition")
    cfg, ctx, _, _ = run_steps(tmp_path, f"network.architecture={architecture}", mode=mode)
    assert (cfg.evaluation.methods, cfg.evaluation.steps) == (["euler", "rk4"], [1, 4])  # what REFERENCE assumes
    metrics = json.loads((ctx.dir / "metrics.json").read_text())
    assert (metrics["mode"], metrics["variant"]) == (mode, mode) and metrics["config"]["network"]["architecture"] == architecture
    final = metrics["final"]
    assert {"l1", "l2", "nfe", "method", "num_steps"} <= set(final)
    assert (final["method"], final["num_steps"]) == ("euler", 4)  # the first method at the most steps

    reference, settings, cost = REFERENCE[mode]
    with np.load(ctx.dir / "predictions.npz") as z:
        c, x_1, stored = (torch.from_numpy(z[k]) for k in ("c_eval", "x_eval", "pred_eval"))
    g = torch.Generator().manual_seed(cfg.experiment.seed + INFERENCE_SEED_OFFSET)
    x_0 = torch.randn(x_1.shape, generator=g)  # evaluation.initial_dist = gaussian
    net = final_network(cfg, ctx, x_1.shape[1])
    assert isinstance(net, FiLMMLP if architecture == "film" else ConcatMLP)

    evaluations = {(e["method"], e["num_steps"]): e for e in metrics["evaluations"]}
    assert sorted(evaluations) == sorted(settings)
    with torch.no_grad():
        for method, n in settings:
            pred = reference(net, c, x_0, method, n)
            e = evaluations[(method, n)]
            assert e["nfe"] == cost(method, n), (method, n)
            assert e["l1"] == pytest.approx((pred - x_1).abs().mean().item(), rel=1e-5)
            assert e["l2"] == pytest.approx(math.sqrt(((pred - x_1) ** 2).mean().item()), rel=1e-5)
        torch.testing.assert_close(stored, reference(net, c, x_0, "euler", 4), rtol=1e-5, atol=1e-6)
    assert (final["l1"], final["l2"], final["nfe"]) == tuple(evaluations[("euler", 4)][k] for k in ("l1", "l2", "nfe"))
    assert math.isfinite(final["l2"]) and final["nfe"] == cost("euler", 4)


# --- options no notebook uses ------------------------------------------------------------------


def test_l1_loss_is_the_mean_absolute_error(tmp_path):
    """Guards: training.loss_type=l1 reaches the loop as mean |residual| (not squared, not summed), and trains."""
    cfg, ctx, initial, trained = run_steps(tmp_path, "training.loss_type=l1", "training.batch_size=64", mode="regression")
    assert cfg.dataset.num_train <= cfg.training.batch_size  # one minibatch per epoch: the epoch loss is a full mean
    data = ctx.data
    with torch.no_grad():
        residual = initial(torch.zeros_like(data.x_train), data.c_train, torch.zeros(len(data.c_train), 1)) - data.x_train
    first = trained.history.train_loss[0]  # the loss of the untrained network
    assert first == pytest.approx(residual.abs().mean().item(), rel=1e-6)
    assert first != pytest.approx((residual ** 2).mean().item(), rel=1e-3)
    metrics = json.loads((ctx.dir / "metrics.json").read_text())
    assert metrics["config"]["training"]["loss_type"] == "l1" and math.isfinite(metrics["final"]["l2"])
    assert trained.history.train_loss[-1] < first


def off_subspace(pred, basis):
    """mean_n |(I - Q Q^T) x_n| / |x_n|."""
    outside = pred - pred @ basis @ basis.T
    return (outside.norm(dim=1) / pred.norm(dim=1)).mean().item()


def test_projection_with_three_intervals(tmp_path):
    """Guards: num_intervals=3 runs end to end and reports each interval against its own subspace,
    their means, and the two interior boundaries."""
    cfg, ctx, _, _ = run_steps(tmp_path, "dataset.num_intervals=3", mode="regression", task="projection")
    final = json.loads((ctx.dir / "metrics.json").read_text())["final"]["task_metrics"]
    with np.load(ctx.dir / "predictions.npz") as z:
        c, x_1, pred = (torch.from_numpy(z[k]).double() for k in ("c_eval", "x_eval", "pred_eval"))
    c = c[:, 0]
    lo, hi, k = cfg.dataset.c_min, cfg.dataset.c_max, cfg.dataset.low_dim
    assert len(final["per_interval"]) == 3
    for i, entry in enumerate(final["per_interval"]):
        inside = (c >= lo + i * (hi - lo) / 3) & (c < lo + (i + 1) * (hi - lo) / 3)
        basis = torch.linalg.svd(x_1[inside], full_matrices=False).Vh[:k].T  # the targets span the true subspace
        assert entry["off_subspace"] == pytest.approx(off_subspace(pred[inside], basis), abs=1e-5), i
    assert final["off_subspace"] == pytest.approx(np.mean([p["off_subspace"] for p in final["per_interval"]]), rel=1e-12)
    boundaries = final["boundaries"]
    assert [b["c"] for b in boundaries] == pytest.approx([lo + (hi - lo) / 3, lo + 2 * (hi - lo) / 3])
    for b in boundaries:
        assert b["num_points"] == int(((c - b["c"]).abs() <= 0.03).sum()) > 0
