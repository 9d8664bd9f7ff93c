"""A flow run evaluated with dopri5 through toyexp.run_all: metrics.json records one point per
tolerance with the NFE counted, re-counted here from the saved network with torchdiffeq directly;
and the run's error-against-NFE figure shows dopri5 as points beside the fixed-step lines."""

import json
import math

import matplotlib
import numpy as np
import pytest
import torch
from torchdiffeq import odeint

import toyexp
from toyexp.core.metrics import Evaluation
from toyexp.core.resolution import Tolerance
from toyexp.run import style
from toyexp.run.plots import error_vs_nfe
from toyexp.run.record import record_to_json
from toyexp.run.steps import INFERENCE_SEED_OFFSET
from toyexp.run.text import evaluation_table, resolution_text, span_text

matplotlib.use("Agg")

TINY = ["training.num_epochs=20", "training.eval_interval=10", "training.save_interval=10", "training.log_interval=10",
        "network.hidden_dim=16", "dataset.num_train=12", "dataset.num_eval=64",
        "evaluation.initial_dist=gaussian", "training.initial_dist=gaussian", "evaluation.num_eval_steps=[1, 4]"]


def run(tmp_path, methods, rtol):
    cfg = toyexp.load_config("recon", mode="flow", seed=3, overrides=[
        *TINY, f"experiment.output_dir={tmp_path}", f"evaluation.integration_method={methods}", f"evaluation.rtol={rtol}"])
    record = toyexp.run_all(cfg, figures=True)
    run_dir = tmp_path / "flow" / "seed-3"
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics == json.loads(json.dumps(record_to_json(record)))
    return cfg, metrics, run_dir


def recount(cfg, run_dir, rtol, atol):
    """dopri5 on the saved final network, with torchdiffeq called here and its calls counted here."""
    with np.load(run_dir / "predictions.npz") as z:
        c, x_1 = torch.from_numpy(z["c_eval"]), torch.from_numpy(z["x_eval"])
    net = toyexp.build_network(cfg.network, x_1.shape[1])
    net.load_state_dict(torch.load(run_dir / "checkpoints" / "final_model.pt", weights_only=True)["model"])
    net.eval()
    g = torch.Generator().manual_seed(cfg.experiment.seed + INFERENCE_SEED_OFFSET)
    x_0 = torch.randn(x_1.shape, generator=g)
    calls = []

    def f(t, x):
        calls.append(float(t))
        return net(x, c, torch.full((len(x), 1), float(t)))

    with torch.no_grad():
        t = torch.tensor([0.0, 1.0], dtype=torch.float64)
        x = odeint(f, x_0, t, rtol=rtol, atol=atol, method="dopri5", options={"step_t": t[1:]})[-1]
    return len(calls), math.sqrt(((x - x_1) ** 2).mean().item())


@pytest.mark.training
def test_flow_run_records_counted_nfe_per_tolerance(tmp_path):
    cfg, metrics, run_dir = run(tmp_path, "[euler, dopri5]", "[1e-2, 1e-4]")
    dopri = [e for e in metrics["evaluations"] if e["method"] == "dopri5"]
    assert [e["rtol"] for e in dopri] == [1e-2, 1e-4] and all(e["atol"] == 1e-5 for e in dopri)
    assert all(e["num_steps"] is None for e in dopri)
    for e in dopri:
        nfe, l2 = recount(cfg, run_dir, e["rtol"], e["atol"])
        assert e["nfe"] == nfe and (nfe - 2) % 6 == 0  # 2 + 6 per attempted step
        assert e["l2"] == pytest.approx(l2, rel=1e-5)
    assert dopri[0]["nfe"] < dopri[1]["nfe"]
    # euler stays first, so `final` is euler at the most steps, as without dopri5
    final = metrics["final"]
    assert (final["method"], final["num_steps"], final["nfe"], final["rtol"], final["atol"]) == ("euler", 4, 4, None, None)
    assert (run_dir / "plots" / "error_vs_nfe.png").stat().st_size > 0
    table = evaluation_table(tuple(Evaluation(method=e["method"],
                                              resolution=e["num_steps"] if e["rtol"] is None else Tolerance(e["rtol"], e["atol"]),
                                              nfe=e["nfe"], l1=e["l1"], l2=e["l2"]) for e in metrics["evaluations"]))
    assert table.splitlines()[0].split() == ["method", "steps", "NFE", "l1", "l2", "rtol"]
    assert table.splitlines()[-1].split()[:3] == ["dopri5", "-", str(dopri[-1]["nfe"])]
    assert table.splitlines()[-1].split()[-1] == "1e-04" and table.splitlines()[1].split()[-1] == "-"


@pytest.mark.training
def test_dopri5_first_makes_final_the_tightest_tolerance(tmp_path):
    cfg, metrics, run_dir = run(tmp_path, "[dopri5, euler]", "[1e-4, 1e-2]")
    final = metrics["final"]
    tight = next(e for e in metrics["evaluations"] if e["method"] == "dopri5" and e["rtol"] == 1e-4)
    assert (final["method"], final["num_steps"], final["rtol"], final["atol"]) == ("dopri5", None, 1e-4, 1e-5)
    assert (final["nfe"], final["l2"]) == (tight["nfe"], tight["l2"])
    assert final["nfe"] == recount(cfg, run_dir, 1e-4, 1e-5)[0]


def test_error_vs_nfe_draws_dopri5_as_points_and_the_legend_outside():
    evals = [Evaluation(method="euler", resolution=n, nfe=n, l1=0.0, l2=1.0 / n) for n in (1, 2, 4)]
    evals += [Evaluation(method="rk4", resolution=n, nfe=4 * n, l1=0.0, l2=0.1 / n**4) for n in (1, 2, 4)]
    evals += [Evaluation(method="dopri5", resolution=Tolerance(rtol, 1e-5), nfe=nfe, l1=0.0, l2=l2) for nfe, l2,
              rtol in [(14, 1e-2, 1e-2), (38, 1e-4, 1e-4)]]
    fig = error_vs_nfe(evals, "t")
    ax = fig.axes[0]
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert set(lines) == {"euler", "rk4", "dopri5 (one point per rtol)"}
    dopri = lines["dopri5 (one point per rtol)"]
    assert dopri.get_linestyle() == "None" and dopri.get_marker() == "D"
    assert list(dopri.get_xdata()) == [14, 38] and list(dopri.get_ydata()) == [1e-2, 1e-4]
    assert lines["euler"].get_linestyle() == "-"
    assert [t.get_text() for t in ax.texts] == ["1e-02", "1e-04"]  # each point names its tolerance
    for name, line in [("euler", lines["euler"]), ("rk4", lines["rk4"]), ("dopri5", dopri)]:
        assert matplotlib.colors.same_color(line.get_color(), style.colour(name))
    fig.canvas.draw()
    legend, axes = ax.get_legend().get_window_extent(), ax.get_window_extent()
    assert legend.x0 >= axes.x1  # right of the axes: never over the data
    assert ax.get_legend().get_texts()[0].get_fontsize() == style.FONT_SIZES["legend.fontsize"]
    matplotlib.pyplot.close(fig)


def test_sentences_name_a_tolerance_instead_of_steps():
    fixed = [Evaluation(method="euler", resolution=n, nfe=n, l1=0.0, l2=0.1) for n in (1, 16)]
    adaptive = [Evaluation(method="dopri5", resolution=Tolerance(r, 1e-5), nfe=k, l1=0.0, l2=0.1) for k,
                r in [(14, 1e-2), (50, 1e-4)]]
    assert resolution_text(fixed[1]) == "16 steps" and span_text(*fixed) == "1 to 16 steps"
    assert resolution_text(adaptive[1]) == "rtol 1e-04" and span_text(*adaptive) == "rtol 1e-02 to rtol 1e-04"
