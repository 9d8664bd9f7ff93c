"""``toyexp bench``: that it measures and reports consistently (not how fast anything is)."""

import argparse
import json
import math
import os

import nbformat
import pytest
import torch

from toyexp import bench, bench_loops
from toyexp.modes import MODES
from toyexp.nets import ConcatMLP
from toyexp.paths import l2_loss


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    bench.add_parser(parser.add_subparsers())
    return parser.parse_args(["bench", *argv])


def positive(x) -> bool:
    return isinstance(x, (int, float)) and math.isfinite(x) and x > 0


@pytest.mark.parametrize("mode", ["regression", "flow"])
def test_reference_loss_is_the_mode_loss(mode):
    """The loops written in the benchmark train on exactly the loss of toyexp's modes."""
    torch.manual_seed(0)
    model = ConcatMLP(1, 1, 16, 2, "relu")
    c, x_1, x_0 = torch.rand(8, 1), torch.randn(8, 1), torch.randn(8, 1)
    torch.manual_seed(1)
    ours = bench_loops.reference_loss(model, mode, c, x_1, x_0)
    torch.manual_seed(1)
    t = torch.rand(8, 1)  # the draw reference_loss makes for flow
    assert torch.allclose(ours, MODES[mode].loss(model, c, x_0, x_1, t, l2_loss))


def test_notebook_phases_split_the_wall_time():
    nb = nbformat.v4.new_notebook()
    cells = [("import toyexp\ncfg = ...", 1.5), ("run = toyexp.start_run(cfg)", 0.25), ("trained = toyexp.fit(run, data, model)", 4.0),
             ("results = toyexp.evaluate_run(run, data, model, trained)", 0.5), ("plots.save_and_show(figures, d)", 0.75),
             ("metrics = toyexp.finish_run(run, trained, results)", 0.125), ("x = 1", 0.0625)]
    for source, seconds in cells:
        cell = nbformat.v4.new_code_cell(source)
        cell.metadata["papermill"] = {"duration": seconds}
        nb.cells.append(cell)
    nb.cells.append(nbformat.v4.new_markdown_cell("## Training, not a cell that calls toyexp.fit("))
    nb.metadata["papermill"] = {"duration": 10.0}
    phases = bench.notebook_phases(nb, wall=10.5)
    assert phases == {"kernel start": 10.0 - 7.1875, "imports and config": 1.5, "data": 0.25, "training": 4.0, "evaluation": 0.5,
                      "plots": 0.75, "writing outputs": 0.125, "other cells": 0.0625, "papermill read/write": 0.5}
    assert sum(phases.values()) == pytest.approx(10.5)


def test_training_costs_restore_threads():
    before = torch.get_num_threads()
    costs = bench_loops.training_costs("flow", steps=4, repeats=2)
    assert torch.get_num_threads() == before
    assert [c.loop for c in costs] == ["toyexp", "lean", "dataloader"]
    assert [c.threads for c in costs] == [1, 1, bench_loops.DEFAULT_THREADS]
    assert all(positive(c.cpu) and positive(c.wall) for c in costs)


@pytest.mark.parametrize("option", ["--steps", "--repeats", "--sweep-runs"])
def test_bad_counts_are_refused(option, capsys):
    assert bench.bench_command(parse(option, "0")) == 2
    assert f"{option} 0 is invalid; it must be at least 1" in capsys.readouterr().err


@pytest.mark.slow
def test_quick_bench_reports_every_section(tmp_path, capsys):
    threads, omp = torch.get_num_threads(), os.environ.get("OMP_NUM_THREADS")
    path = tmp_path / "bench.json"
    assert bench.bench_command(parse("--quick", "--json", str(path))) == 0
    assert torch.get_num_threads() == threads and os.environ.get("OMP_NUM_THREADS") == omp

    report = json.loads(path.read_text())
    assert {"machine", "settings", "training", "notebook", "sweep", "memory", "targets"} <= set(report)
    assert report["machine"]["cpu_count"] == os.cpu_count() and report["machine"]["torch"] == torch.__version__
    assert report["settings"]["quick"] and report["settings"]["sweep_runs"] == 2

    for mode in ("regression", "flow"):
        loops, ratios = report["training"][mode]["loops"], report["training"][mode]["ratios"]
        assert set(loops) == {"toyexp", "lean", "dataloader"}
        assert all(positive(loop[k]) for loop in loops.values() for k in ("cpu_per_step", "wall_per_step", "threads"))
        for ref in ("lean", "dataloader"):
            for clock in ("cpu", "wall"):
                expected = loops["toyexp"][f"{clock}_per_step"] / loops[ref][f"{clock}_per_step"]
                assert ratios[f"toyexp_over_{ref}_{clock}"] == pytest.approx(expected)

    nb = report["notebook"]
    assert all(positive(nb[k]) for k in ("wall_seconds", "train_seconds", "overhead_seconds"))
    assert all(positive(nb["phases"][p]) for p in ("kernel start", "imports and config", "training", "evaluation", "plots"))
    assert all(math.isfinite(s) and s >= 0 for s in nb["phases"].values())
    assert sum(nb["phases"].values()) == pytest.approx(nb["wall_seconds"])
    assert nb["overhead_seconds"] == pytest.approx(nb["wall_seconds"] - nb["phases"]["training"])

    sweep = report["sweep"]
    assert sweep["runs"] == 2 and sweep["jobs"] == os.cpu_count()
    assert all(positive(sweep[k]) for k in ("serial_seconds", "parallel_seconds", "efficiency", "parallel_over_ideal"))
    assert sweep["efficiency"] == pytest.approx(sweep["serial_seconds"] / (sweep["jobs"] * sweep["parallel_seconds"]))
    assert sweep["parallel_over_ideal"] == pytest.approx(sweep["parallel_seconds"] / (sweep["serial_seconds"] / sweep["jobs"]))
    assert positive(report["memory"]["peak_mb"])

    measured = {t["name"]: t["measured"] for t in report["targets"]}
    assert len(measured) == 7 and all(t["passed"] == (t["measured"] <= t["limit"]) for t in report["targets"])
    assert measured["flow: toyexp / lean loop, wall per step"] == report["training"]["flow"]["ratios"]["toyexp_over_lean_wall"]
    assert measured["peak memory of one run"] == report["memory"]["peak_mb"]

    out = capsys.readouterr().out
    for heading in ("1. Training cost per step", "2. One papermill run", "3. Sweep of 2", "4. Peak memory", "Targets"):
        assert heading in out
    assert f"JSON: {path}" in out
