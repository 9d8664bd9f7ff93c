"""The run steps (toyexp.run.steps): the folder a run writes, what its context computes once and
the later steps read, determinism, the device, and a target a short run learns."""

import dataclasses
import json
import logging
import math

import pytest
import torch
import yaml

import toyexp
from notebook_chain import notebook_chain
from toyexp.core.integrate import integrate
from toyexp.run import steps
from toyexp.run.steps import INFERENCE_SEED_OFFSET, close_log, inference_x0

EPOCHS, INTERVAL = 30, 10
SMALL = [f"training.num_epochs={EPOCHS}", f"training.eval_interval={INTERVAL}",
         f"training.save_interval={INTERVAL}", f"training.log_interval={INTERVAL}", "network.hidden_dim=16"]


def config(out_dir, *overrides, mode="flow", seed=42, task="recon"):
    return toyexp.load_config(task, quick=True, mode=mode, seed=seed, overrides=[*SMALL, f"experiment.output_dir={out_dir}", *overrides])


def started(cfg):
    ctx = toyexp.start_run(cfg)
    close_log(ctx.log)
    return ctx


# --- the context ------------------------------------------------------------------------------


def test_start_run_draws_x_0_from_the_run_seed():
    """x_0 at inference: initial_dist's draw from the seed plus INFERENCE_SEED_OFFSET, one row per evaluation input
    (and one draw of them, K = 1, by default: tests/run/test_draws.py has K > 1)."""
    cfg = toyexp.load_config("recon", seed=5, overrides=["evaluation.initial_dist=gaussian", "dataset.num_eval=30"])
    expected = torch.randn((30, 1), generator=torch.Generator().manual_seed(5 + INFERENCE_SEED_OFFSET))
    assert torch.equal(inference_x0(cfg, 30, 1), expected[None])
    zeros = toyexp.load_config("recon", overrides=["dataset.num_eval=30"])
    assert torch.equal(inference_x0(zeros, 30, 1), torch.zeros(1, 30, 1))


def test_the_context_holds_the_data_x_0_and_final_setting(tmp_path):
    cfg = config(tmp_path, "evaluation.initial_dist=gaussian", "evaluation.integration_method=[rk4, euler]", seed=3)
    ctx = started(cfg)
    assert ctx.dir == tmp_path / "flow" / "seed-3" and (ctx.dir / "config.yaml").is_file()
    assert (ctx.cfg, ctx.task.name, ctx.mode.name) == (cfg, "recon", "flow")
    assert torch.equal(ctx.data.c_eval, toyexp.make_dataset(cfg).c_eval)
    assert torch.equal(ctx.x_0, inference_x0(cfg, cfg.dataset.num_eval, 1))
    assert ctx.final_setting == ("rk4", 4)  # the first method at the most steps of the quick preset's [1, 4]


@pytest.mark.training
def test_x_0_and_the_final_setting_are_computed_once_and_read_by_fit_and_evaluate(tmp_path, monkeypatch):
    """Guards the one place x_0 and the final setting come from: counted while a whole run takes its
    steps, and, swapped in the context, what both the best-model tracking and ``final`` use."""
    counts = {"x_0": 0, "final": 0}
    draw = steps.inference_x0

    def counted_x0(*args):
        counts["x_0"] += 1
        return draw(*args)

    monkeypatch.setattr(steps, "inference_x0", counted_x0)
    cfg = config(tmp_path, "evaluation.integration_method=[euler, rk4]", "dataset.num_eval=50")
    ctx = toyexp.start_run(cfg)
    final = type(ctx.mode).final
    monkeypatch.setattr(type(ctx.mode), "final", lambda self, *a: counts.__setitem__("final", counts["final"] + 1) or final(self, *a))
    x_0 = torch.randn(ctx.x_0.shape, generator=torch.Generator().manual_seed(0))
    ctx = dataclasses.replace(ctx, x_0=x_0, final_setting=("rk4", 1))  # not what the config would give
    try:
        model = toyexp.build_network(cfg.network, ctx.data.dim)
        trained = toyexp.fit(ctx, model, progress=False)
        result = toyexp.evaluate_run(ctx, model, trained)
    finally:
        close_log(ctx.log)
    assert counts == {"x_0": 1, "final": 0}  # drawn once by start_run; nothing asks again
    assert (result.final.method, result.final.resolution, result.final.nfe) == ("rk4", 1, 4)
    with torch.no_grad():
        model.eval()
        pred = integrate(lambda x, t: model(x, ctx.data.c_eval, torch.full((len(x), 1), t)), x_0[0], 1, "rk4")
    assert result.final.l2 == pytest.approx(((pred - ctx.data.x_eval) ** 2).mean().sqrt().item(), rel=1e-6)
    assert trained.history.eval_l2[-1] == pytest.approx(result.final.l2, rel=1e-6)  # fit tracked the same setting


def test_rerun_replaces_stale_metrics(tmp_path):
    cfg = toyexp.load_config(quick=True, overrides=[*SMALL, f"experiment.output_dir={tmp_path}"])
    folder = tmp_path / "regression" / "seed-42"
    folder.mkdir(parents=True)
    (folder / "metrics.json").write_text("{}")
    started(cfg)
    assert not (folder / "metrics.json").exists()


def test_logger_does_not_propagate(tmp_path):
    ctx = started(toyexp.load_config(quick=True, overrides=[f"experiment.output_dir={tmp_path}"]))
    assert ctx.log.propagate is False and isinstance(ctx.log, logging.Logger)


# --- device -----------------------------------------------------------------------------------


def test_cuda_without_gpu_falls_back_to_cpu(tmp_path, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    cfg = toyexp.load_config(quick=True, overrides=["experiment.device=cuda", f"experiment.output_dir={tmp_path}"])
    with pytest.warns(RuntimeWarning, match="no CUDA device"):
        ctx = started(cfg)
    assert ctx.device == torch.device("cpu")
    log = (ctx.dir / "train.log").read_text()
    assert "WARNING" in log and "no CUDA device" in log


@pytest.mark.parametrize("device", ["cpu", "auto"])
def test_cpu_and_auto_without_gpu_do_not_warn(tmp_path, monkeypatch, device, recwarn):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    ctx = started(toyexp.load_config(quick=True, overrides=[f"experiment.device={device}", f"experiment.output_dir={tmp_path}"]))
    assert ctx.device == torch.device("cpu")
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


# --- determinism ------------------------------------------------------------------------------


@pytest.mark.training
@pytest.mark.parametrize("mode", ["flow", "regression"])
def test_same_seed_same_metrics_other_seed_different(tmp_path, mode):
    noisy = ["training.initial_dist=gaussian", "evaluation.initial_dist=gaussian"]
    a = notebook_chain(config(tmp_path / "a", *noisy, mode=mode)).record
    b = notebook_chain(config(tmp_path / "b", *noisy, mode=mode)).record
    c = notebook_chain(config(tmp_path / "c", *noisy, mode=mode, seed=43)).record
    assert a.final.l2 > 0
    assert (a.final, a.best, a.evaluations) == (b.final, b.best, b.evaluations)
    assert (a.training.eval_l2, a.training.best_epoch) == (b.training.eval_l2, b.training.best_epoch)
    assert c.final.l1 != a.final.l1 and c.final.l2 != a.final.l2
    assert c.training.eval_l2 != a.training.eval_l2


# --- the run folder ---------------------------------------------------------------------------


def euler_rmse(model, c, x_0, x_1, num_steps):
    """sqrt(mean (x(1) - x_1)^2), x(1) from Euler steps of dx/dt = model(x, c, t), written out here."""
    x, h = x_0.clone(), 1.0 / num_steps
    with torch.no_grad():
        for k in range(num_steps):
            x = x + h * model(x, c, torch.full((len(c), 1), k * h))
    return math.sqrt(((x - x_1) ** 2).mean().item())


@pytest.mark.training
def test_run_folder_layout(tmp_path):
    cfg = config(tmp_path, mode="flow", seed=7)
    chain = notebook_chain(cfg)
    folder = tmp_path / "flow" / "seed-7"
    assert chain.ctx.dir == folder and folder.is_dir()
    assert toyexp.load_config("recon", sections=yaml.safe_load((folder / "config.yaml").read_text())) == cfg

    log = (folder / "train.log").read_text()
    for epoch in range(INTERVAL, EPOCHS + 1, INTERVAL):
        assert f"epoch {epoch}  train_loss" in log and f"epoch {epoch}  eval_l2" in log
    assert f"trained {EPOCHS} epochs" in log

    on_disk = json.loads((folder / "metrics.json").read_text())
    assert (on_disk["format"], on_disk["task"], on_disk["variant"], on_disk["mode"], on_disk["seed"]) == (2, "recon", "flow", "flow", 7)
    assert on_disk["config"] == cfg.to_dict() and on_disk["training"]["seconds"] > 0
    prov = on_disk["provenance"]
    assert prov["torch"] == torch.__version__ and {"commit", "dirty"} <= set(prov["git"])
    assert prov["flush_denormal"] is True  # start_run turns it on (x86 and ARM CPUs support it)

    # one evaluation per (method, steps), and final = the first method at the largest step count
    pairs = {(e["method"], e["num_steps"]): e for e in on_disk["evaluations"]}
    assert sorted(pairs) == [("euler", 1), ("euler", 4), ("rk4", 1), ("rk4", 4)] and len(on_disk["evaluations"]) == 4
    assert (on_disk["final"]["method"], on_disk["final"]["num_steps"]) == ("euler", 4)
    assert on_disk["final"]["l2"] == pairs[("euler", 4)]["l2"]

    # best epoch: an evaluation epoch with the lowest eval l2
    training = on_disk["training"]
    assert training["eval_epochs"] == [10, 20, 30]
    assert training["best_epoch"] == training["eval_epochs"][training["eval_l2"].index(min(training["eval_l2"]))]
    assert on_disk["best"]["epoch"] == training["best_epoch"]

    ckpt = folder / "checkpoints"
    names = {p.name for p in ckpt.iterdir()}
    assert names == {"best_model.pt", "final_model.pt", "checkpoint_10.pt", "checkpoint_20.pt", "checkpoint_30.pt"}
    states = {}
    for name in names:
        payload = torch.load(ckpt / name, weights_only=True)
        fresh = toyexp.build_network(cfg.network, 1)
        fresh.load_state_dict(payload["model"])  # strict: every key matches
        states[name] = (payload["epoch"], fresh)
    assert states["final_model.pt"][0] == EPOCHS and states["checkpoint_20.pt"][0] == 20
    assert states["best_model.pt"][0] == training["best_epoch"]
    final_sd, last_sd = states["final_model.pt"][1].state_dict(), states["checkpoint_30.pt"][1].state_dict()
    assert all(torch.equal(final_sd[k], last_sd[k]) for k in final_sd)
    assert not all(torch.equal(final_sd[k], states["checkpoint_10.pt"][1].state_dict()[k]) for k in final_sd)

    # re-evaluating the final and the best checkpoint reproduces the recorded final and best l2
    data = chain.ctx.data
    x_0 = torch.zeros(len(data.c_eval), 1)  # evaluation.initial_dist = zeros
    final_l2 = euler_rmse(states["final_model.pt"][1], data.c_eval, x_0, data.x_eval, 4)
    assert final_l2 == pytest.approx(on_disk["final"]["l2"], rel=1e-5)
    best_l2 = euler_rmse(states["best_model.pt"][1], data.c_eval, x_0, data.x_eval, 4)
    assert best_l2 == pytest.approx(min(training["eval_l2"]), rel=1e-5) == pytest.approx(on_disk["best"]["l2"], rel=1e-5)
    assert best_l2 <= final_l2 * (1 + 1e-6)


@pytest.mark.training
def test_regression_learns_an_easy_target(tmp_path):
    cfg = config(tmp_path, "dataset.num_components=1", "network.hidden_dim=32", "training.num_epochs=300",
                 "training.eval_interval=100", "training.save_interval=1000", "training.log_interval=100", mode="regression")
    chain = notebook_chain(cfg)
    # f(c) = sin(2c + 0.3), written out here; its RMS over the evaluation set
    data = chain.ctx.data
    c = data.c_eval[:, 0].double()
    torch.testing.assert_close(data.x_eval[:, 0].double(), torch.sin(2 * c + 0.3), atol=1e-6, rtol=0)
    rms = math.sqrt((torch.sin(2 * c + 0.3) ** 2).mean().item())
    assert rms > 0.5
    assert chain.record.final.l2 < 0.1 * rms
    # regression costs one network evaluation whatever the step count, and is evaluated once
    assert [e.nfe for e in chain.record.evaluations] == [1]
