"""Tests of a whole run (config -> data -> network -> fit -> evaluate -> files), outputs and nets."""

import json
import logging
import math
import sys

import pytest
import torch
import yaml

import toyexp
from notebook_chain import close_log, notebook_chain
from toyexp.run import files as outputs
from toyexp.run import notebook
from toyexp.run.steps import inference_x0
from toyexp.core.nets import ACTIVATIONS, ConcatMLP, FiLMMLP

EPOCHS, INTERVAL = 30, 10
SMALL = [f"training.num_epochs={EPOCHS}", f"training.eval_interval={INTERVAL}",
         f"training.save_interval={INTERVAL}", f"training.log_interval={INTERVAL}", "network.hidden_dim=16"]
TIMING = {"train_seconds", "run_seconds", "provenance"}


def run_chain(out_dir, *overrides, mode="flow", seed=42, task="recon"):
    cfg = toyexp.load_config(task, quick=True, mode=mode, seed=seed,
                             overrides=[*SMALL, f"experiment.output_dir={out_dir}", *overrides])
    chain = notebook_chain(cfg)
    return cfg, chain.run, chain.data, chain.metrics


def comparable(metrics):
    return {k: v for k, v in metrics.items() if k not in TIMING}


def test_flushes_denormals_reads_the_mode_it_was_given():
    for on in (True, False):
        torch.set_flush_denormal(on)
        assert outputs.flushes_denormals() is on
        assert (torch.tensor(1e-39).item() == 0.0) is on  # 1e-39 is below float32's smallest normal, 1.18e-38


# --- determinism --------------------------------------------------------------------------


@pytest.mark.training
@pytest.mark.parametrize("mode", ["flow", "regression"])
def test_same_seed_same_metrics_other_seed_different(tmp_path, mode):
    noisy = ["training.initial_dist=gaussian", "evaluation.initial_dist=gaussian"]
    _, _, _, a = run_chain(tmp_path / "a", *noisy, mode=mode)
    _, _, _, b = run_chain(tmp_path / "b", *noisy, mode=mode)
    _, _, _, c = run_chain(tmp_path / "c", *noisy, mode=mode, seed=43)
    assert a["final"]["l2"] > 0
    assert a["final"] == b["final"] and a["evaluations"] == b["evaluations"]
    assert a["best_epoch"] == b["best_epoch"] and a["history"] == b["history"] and a["best"] == b["best"]
    a_rest, b_rest = comparable(a), comparable(b)
    a_rest["config"] = b_rest["config"] = None  # the output folders differ
    assert a_rest == b_rest
    assert c["final"]["l1"] != a["final"]["l1"] and c["final"]["l2"] != a["final"]["l2"]
    assert c["history"]["eval_l2"] != a["history"]["eval_l2"]


# --- run folder -----------------------------------------------------------------------------


def euler_rmse(model, c, x_0, x_1, num_steps):
    """sqrt(mean (x(1) - x_1)^2), x(1) from Euler steps of dx/dt = model(x, c, t), written out here."""
    x, h = x_0.clone(), 1.0 / num_steps
    with torch.no_grad():
        for k in range(num_steps):
            x = x + h * model(x, c, torch.full((len(c), 1), k * h))
    return math.sqrt(((x - x_1) ** 2).mean().item())


@pytest.mark.training
def test_run_folder_layout(tmp_path):
    cfg, run, data, metrics = run_chain(tmp_path, mode="flow", seed=7)
    folder = tmp_path / "flow" / "seed-7"
    assert run.dir == folder and folder.is_dir()

    loaded = toyexp.load_config("recon", sections=yaml.safe_load((folder / "config.yaml").read_text()))
    assert loaded == cfg

    log = (folder / "train.log").read_text()
    for epoch in range(INTERVAL, EPOCHS + 1, INTERVAL):
        assert f"epoch {epoch}  train_loss" in log and f"epoch {epoch}  eval_l2" in log
    assert f"trained {EPOCHS} epochs" in log

    on_disk = json.loads((folder / "metrics.json").read_text())
    assert on_disk == json.loads(json.dumps(metrics))
    for key in ["task", "mode", "seed", "final", "evaluations", "best_epoch", "train_seconds", "config", "provenance"]:
        assert key in on_disk, key
    assert (on_disk["task"], on_disk["mode"], on_disk["seed"]) == ("recon", "flow", 7)
    assert {"l1", "l2"} <= set(on_disk["final"])
    assert on_disk["config"] == cfg.to_dict()
    assert on_disk["train_seconds"] > 0
    prov = on_disk["provenance"]
    assert prov["torch"] == torch.__version__ and {"commit", "dirty"} <= set(prov["git"])
    assert prov["flush_denormal"] is True  # start_run turns it on (x86 and ARM CPUs support it)

    # one evaluation per (method, steps); nfe = evaluations per step * steps for flow
    per_step = {"euler": 1, "rk4": 4}
    pairs = {(e["method"], e["num_steps"]): e for e in on_disk["evaluations"]}
    assert set(pairs) == {("euler", 1), ("euler", 4), ("rk4", 1), ("rk4", 4)}
    assert len(on_disk["evaluations"]) == 4
    for (method, n), e in pairs.items():
        assert e["nfe"] == per_step[method] * n
    # final = first method at the largest step count
    assert (on_disk["final"]["method"], on_disk["final"]["num_steps"]) == ("euler", 4)
    assert on_disk["final"]["l2"] == pairs[("euler", 4)]["l2"]

    # best epoch: an evaluation epoch with the lowest eval l2
    hist = on_disk["history"]
    assert hist["eval_epochs"] == [10, 20, 30]
    assert on_disk["best_epoch"] == hist["eval_epochs"][hist["eval_l2"].index(min(hist["eval_l2"]))]

    ckpt = folder / "checkpoints"
    names = {p.name for p in ckpt.iterdir()}
    assert names == {"best_model.pt", "final_model.pt", "checkpoint_10.pt", "checkpoint_20.pt", "checkpoint_30.pt"}
    states = {}
    for name in names:
        payload = torch.load(ckpt / name, weights_only=True)
        fresh = toyexp.build_network(cfg.network, data.dim)
        fresh.load_state_dict(payload["model"])  # strict: every key matches
        states[name] = (payload["epoch"], fresh)
    assert states["final_model.pt"][0] == EPOCHS and states["checkpoint_20.pt"][0] == 20
    assert states["best_model.pt"][0] == on_disk["best_epoch"]
    final_sd, last_sd = states["final_model.pt"][1].state_dict(), states["checkpoint_30.pt"][1].state_dict()
    assert all(torch.equal(final_sd[k], last_sd[k]) for k in final_sd)
    assert not all(torch.equal(final_sd[k], states["checkpoint_10.pt"][1].state_dict()[k]) for k in final_sd)

    # re-evaluating the final checkpoint reproduces the recorded final l2 and the best l2
    x_0 = torch.zeros(len(data.c_eval), 1)  # evaluation.initial_dist = zeros
    assert torch.equal(inference_x0(cfg, len(data.c_eval), 1), x_0)
    final_l2 = euler_rmse(states["final_model.pt"][1], data.c_eval, x_0, data.x_eval, 4)
    assert final_l2 == pytest.approx(on_disk["final"]["l2"], rel=1e-5)
    best_l2 = euler_rmse(states["best_model.pt"][1], data.c_eval, x_0, data.x_eval, 4)
    assert best_l2 == pytest.approx(min(hist["eval_l2"]), rel=1e-5)
    assert best_l2 <= final_l2 * (1 + 1e-6)


def test_rerun_replaces_stale_metrics(tmp_path):
    cfg = toyexp.load_config(quick=True, overrides=[*SMALL, f"experiment.output_dir={tmp_path}"])
    folder = tmp_path / "regression" / "seed-42"
    folder.mkdir(parents=True)
    (folder / "metrics.json").write_text("{}")
    run = toyexp.start_run(cfg)
    close_log(run)
    assert not (folder / "metrics.json").exists()


# --- learning -------------------------------------------------------------------------------


@pytest.mark.training
def test_regression_learns_an_easy_target(tmp_path):
    cfg, _, data, metrics = run_chain(
        tmp_path, "dataset.num_components=1", "network.hidden_dim=32", "training.num_epochs=300",
        "training.eval_interval=100", "training.save_interval=1000", "training.log_interval=100", mode="regression",
    )
    # f(c) = sin(2c + 0.3), written out here; its RMS over the evaluation set
    c = data.c_eval[:, 0].double()
    torch.testing.assert_close(data.x_eval[:, 0].double(), torch.sin(2 * c + 0.3), atol=1e-6, rtol=0)
    rms = math.sqrt((torch.sin(2 * c + 0.3) ** 2).mean().item())
    assert rms > 0.5
    assert metrics["final"]["l2"] < 0.1 * rms
    # regression costs one network evaluation whatever the step count
    assert all(e["nfe"] == 1 for e in metrics["evaluations"])
    assert len({e["l2"] for e in metrics["evaluations"]}) == 1


# --- device -----------------------------------------------------------------------------------


def test_cuda_without_gpu_falls_back_to_cpu(tmp_path, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    cfg = toyexp.load_config(quick=True, overrides=["experiment.device=cuda", f"experiment.output_dir={tmp_path}"])
    with pytest.warns(RuntimeWarning, match="no CUDA device"):
        run = toyexp.start_run(cfg)
    close_log(run)
    assert run.device == torch.device("cpu")
    log = (run.dir / "train.log").read_text()
    assert "WARNING" in log and "no CUDA device" in log


@pytest.mark.parametrize("device", ["cpu", "auto"])
def test_cpu_and_auto_without_gpu_do_not_warn(tmp_path, monkeypatch, device, recwarn):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    cfg = toyexp.load_config(quick=True, overrides=[f"experiment.device={device}", f"experiment.output_dir={tmp_path}"])
    run = toyexp.start_run(cfg)
    close_log(run)
    assert run.device == torch.device("cpu")
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


# --- atomic writes ----------------------------------------------------------------------------


def test_write_json_atomic_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "sub" / "m.json"
    outputs.write_json(path, {"a": 1, "b": [1.5, float("nan")]})
    assert [p.name for p in path.parent.iterdir()] == ["m.json"]
    loaded = json.loads(path.read_text())
    assert loaded["a"] == 1 and loaded["b"][0] == 1.5 and math.isnan(loaded["b"][1])
    outputs.write_json(path, {"a": 2})  # overwrite in place
    assert json.loads(path.read_text()) == {"a": 2}
    assert [p.name for p in path.parent.iterdir()] == ["m.json"]


def test_failed_write_leaves_original_untouched(tmp_path):
    path = tmp_path / "m.json"
    outputs.write_json(path, {"keep": True})
    before = path.read_bytes()

    def half_then_fail(tmp):
        with open(tmp, "w") as fh:
            fh.write('{"partial": ')
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        outputs.atomic_write(path, half_then_fail)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.json"]

    with pytest.raises(TypeError):
        outputs.write_json(path, {"bad": object()})  # not serialisable
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.json"]


def test_interrupted_write_cleans_up(tmp_path):
    path = tmp_path / "x.txt"

    def interrupted(tmp):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        outputs.atomic_write(path, interrupted)
    assert list(tmp_path.iterdir()) == []


def test_resolve_path(tmp_path):
    assert outputs.resolve_path(tmp_path) == tmp_path
    assert outputs.resolve_path("outputs/x") == outputs.PROJECT_ROOT / "outputs" / "x"


# --- networks ---------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", [ConcatMLP, FiLMMLP])
@pytest.mark.parametrize("dim", [1, 8])
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_networks_share_the_call_signature(cls, dim, activation):
    gen = torch.Generator().manual_seed(0)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        model = cls(dim, 1, hidden_dim=12, num_layers=2, activation=activation)  # 12: neither an input nor an output size
    B = 5
    x, c, t = (torch.randn(B, dim, generator=gen), torch.randn(B, 1, generator=gen), torch.rand(B, 1, generator=gen))
    out = model(x, c, t)
    assert out.shape == (B, dim) and out.dtype == torch.float32 and torch.isfinite(out).all()
    # the output depends on each of x, c and t
    assert not torch.allclose(model(x + 1, c, t), out)
    assert not torch.allclose(model(x, c + 1, t), out)
    assert not torch.allclose(model(x, c, t + 1), out)
    # rows are independent: a batch gives the same as its rows one at a time
    rows = torch.cat([model(x[i : i + 1], c[i : i + 1], t[i : i + 1]) for i in range(B)])
    torch.testing.assert_close(rows, out, atol=1e-6, rtol=0)
    out.sum().backward()
    assert all(p.grad is not None for p in model.parameters())


TORCH_ACTIVATIONS = {"relu": torch.nn.ReLU, "gelu": torch.nn.GELU, "silu": torch.nn.SiLU, "tanh": torch.nn.Tanh}


def linear_shapes(architecture, d, c, h, layers):
    """(in, out) of every Linear, written out from the definitions in nets.py's docstrings."""
    hidden = [(h, h)] * (layers - 1)
    if architecture == "concat":  # [x, c, t] -> hidden layers -> output
        return [(d + c + 1, h), *hidden, (h, d)]
    # x -> first hidden layer, the other hidden layers, FiLM encoder (c, t) -> (gamma, beta) per layer, output
    return [(d, h), *hidden, (c + 1, h), (h, 2 * h * layers), (h, d)]


@pytest.mark.parametrize("architecture,cls", [("concat", ConcatMLP), ("film", FiLMMLP)])
@pytest.mark.parametrize("num_layers", [1, 3])
@pytest.mark.parametrize("activation", sorted(TORCH_ACTIVATIONS))
def test_build_network_follows_the_config(architecture, cls, num_layers, activation):
    """Guards: architecture, hidden_dim, num_layers and activation each reach the network built.

    hidden 12, x 3, c 1: no size equals another, so a swapped dimension shows.
    """
    assert set(TORCH_ACTIVATIONS) == set(ACTIVATIONS)  # a new activation needs its line here
    cfg = toyexp.load_config(overrides=[f"network.architecture={architecture}", "network.hidden_dim=12",
                                        f"network.num_layers={num_layers}", f"network.activation={activation}"])
    with torch.random.fork_rng(devices=[]):
        model = toyexp.build_network(cfg.network, 3)
    assert type(model) is cls
    linears = [(m.in_features, m.out_features) for m in model.modules() if isinstance(m, torch.nn.Linear)]
    assert sorted(linears) == sorted(linear_shapes(architecture, 3, 1, 12, num_layers))

    # the activation applied: only the configured kind exists, and a forward pass calls it once per
    # hidden layer (plus once inside the FiLM encoder)
    expected = TORCH_ACTIVATIONS[activation]
    kinds = {type(m) for m in model.modules() if type(m) in TORCH_ACTIVATIONS.values()}
    assert kinds == {expected}
    calls = []
    for m in model.modules():
        if type(m) is expected:
            m.register_forward_hook(lambda *_: calls.append(1))
    out = model(torch.zeros(2, 3), torch.zeros(2, 1), torch.zeros(2, 1))
    assert out.shape == (2, 3)
    assert len(calls) == num_layers + (architecture == "film")


# --- notebook glue ----------------------------------------------------------------------------


def test_papermill_injected_false_outside_ipython():
    assert "IPython" not in sys.modules or __import__("IPython").get_ipython() is None
    assert notebook.papermill_injected() is False


class FakeShell:
    def __init__(self, cells):
        self.user_ns = {"In": cells}


@pytest.mark.parametrize("cells,expected", [
    (["", "import toyexp", "# Parameters\nseed = 3\n"], True),
    (["", "import toyexp", "# Parameters are below\n"], True),
    (["", "import toyexp", "x = 1  # Parameters"], False),
    ([], False),
])
def test_papermill_injected_reads_the_input_history(monkeypatch, cells, expected):
    IPython = pytest.importorskip("IPython")
    monkeypatch.setattr(IPython, "get_ipython", lambda: FakeShell(cells))
    assert notebook.papermill_injected() is expected


def test_config_from_parameters_quick_follows_papermill(monkeypatch):
    empty = dict(experiment={}, dataset={}, network={}, training={}, evaluation={}, mode=None, seed=None, overrides=[])
    assert toyexp.config_from_parameters("recon", **empty).training.num_epochs == 1500  # quick outside papermill
    IPython = pytest.importorskip("IPython")
    monkeypatch.setattr(IPython, "get_ipython", lambda: FakeShell(["# Parameters\n"]))
    assert toyexp.config_from_parameters("recon", **empty).training.num_epochs == 5000


def test_logger_does_not_propagate(tmp_path):
    cfg = toyexp.load_config(quick=True, overrides=[f"experiment.output_dir={tmp_path}"])
    run = toyexp.start_run(cfg)
    close_log(run)
    assert run.log.propagate is False and isinstance(run.log, logging.Logger)
