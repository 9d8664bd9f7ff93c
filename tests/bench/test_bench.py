"""``toyexp bench``: that it measures and reports consistently (not how fast anything is)."""

import argparse
import json
import math
import os

import nbformat
import pytest
import torch

from toyexp.bench import add_parser
from toyexp.bench import command as bench
from toyexp.bench import loops as bench_loops
from toyexp.bench import report as bench_report
from toyexp.bench.results import BenchResult, NotebookCost, Settings, StudySweepCost, SweepCost
from toyexp.bench.loops import StepCost
from toyexp.core.modes import build_mode
from toyexp.core.nets import ConcatMLP
from toyexp.core.paths import l2_loss


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_parser(parser.add_subparsers())
    return parser.parse_args(["bench", *argv])


def positive(x) -> bool:
    return isinstance(x, (int, float)) and math.isfinite(x) and x > 0


@pytest.mark.parametrize("mode", ["regression", "flow"])
def test_reference_loss_is_the_mode_loss(mode):
    """The loops written in the benchmark train on exactly the loss of toyexp's modes."""
    torch.manual_seed(0)
    model = ConcatMLP(1, 1, 16, 2, activation="relu")
    c, x_1, x_0 = torch.rand(8, 1), torch.randn(8, 1), torch.randn(8, 1)
    torch.manual_seed(1)
    ours = bench_loops.reference_loss(model, mode, c, x_1, x_0=x_0)
    torch.manual_seed(1)
    t = torch.rand(8, 1)  # the draw reference_loss makes for flow
    assert torch.allclose(ours, build_mode(mode).loss(model, c, x_0, x_1, t=t, ell=l2_loss))


def test_notebook_phases_split_the_wall_time():
    nb = nbformat.v4.new_notebook()
    cells = [("import toyexp\ncfg = ...", 1.5), ("members = toyexp.start_group(cfg, seeds)", 0.25), ("trained = toyexp.fit_group(members)", 4.0),
             ("results = toyexp.evaluate_group(members, trained)", 0.5), ("plots.save_and_show(figures, d)", 0.75),
             ("records = toyexp.finish_group(members, trained, results)", 0.125), ("x = 1", 0.0625)]
    for source, seconds in cells:
        cell = nbformat.v4.new_code_cell(source)
        cell.metadata["papermill"] = {"duration": seconds}
        nb.cells.append(cell)
    nb.cells.append(nbformat.v4.new_markdown_cell("## Training, not a cell that calls toyexp.fit_group("))
    nb.metadata["papermill"] = {"duration": 10.0}
    phases = bench.notebook_phases(nb, wall=10.5)
    assert phases == {"kernel start": 10.0 - 7.1875, "imports and config": 1.5, "data": 0.25, "training": 4.0, "evaluation": 0.5,
                      "plots": 0.75, "writing outputs": 0.125, "other cells": 0.0625, "papermill read/write": 0.5}
    assert sum(phases.values()) == pytest.approx(10.5)


def test_every_phase_marks_a_cell_of_each_run_notebook():
    """Guards the phase split against edits of the notebooks: each phase's mark is in a code cell
    of every run notebook (a renamed step would count its time as "other cells")."""
    from toyexp.study.sweep.plan import notebook_for
    from toyexp.tasks import built_in

    for task in built_in():
        sources = [c.source for c in nbformat.read(notebook_for(task), as_version=4).cells if c.cell_type == "code"]
        assert [p for p, mark in bench.NOTEBOOK_PHASES.items() if not any(mark in s for s in sources)] == [], task


@pytest.mark.training
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
        assert all(positive(r) for r in ratios.values())  # the arithmetic: test_report_from_fixed_timings

    nb = report["notebook"]
    assert all(positive(nb[k]) for k in ("wall_seconds", "train_seconds", "overhead_seconds"))
    assert all(positive(nb["phases"][p]) for p in ("kernel start", "imports and config", "training", "evaluation", "plots"))
    assert all(math.isfinite(s) and s >= 0 for s in nb["phases"].values())
    assert sum(nb["phases"].values()) == pytest.approx(nb["wall_seconds"])

    sweep = report["sweep"]
    assert sweep["runs"] == 2 and sweep["jobs"] == os.cpu_count()
    assert all(positive(sweep[k]) for k in ("serial_seconds", "parallel_seconds", "efficiency", "parallel_over_ideal"))
    assert positive(report["memory"]["peak_mb"])

    study = report["study"]
    assert study["runs"] == os.cpu_count() and study["jobs"] == os.cpu_count() and study["train_steps"] == 40  # 20 epochs of 2 batches
    assert all(positive(study[k]) for k in ("wall", "cpu", "run_seconds", "train_seconds", "cpu_per_run", "dataloader_cpu_per_run"))
    assert study["cpu"] > study["run_seconds"] > study["train_seconds"]  # the kernels' CPU was collected, not only this process's
    assert len(report["targets"]) == 9

    out = capsys.readouterr().out
    for heading in ("1. Training cost per step", "2. One papermill run", "3. Sweep of 2", "4. Peak memory",
                    f"5. Sweep of {os.cpu_count()} recon regression runs", "Targets"):
        assert heading in out
    assert f"JSON: {path}" in out


def fixed_result() -> BenchResult:
    """Timings chosen so that every ratio is a round number worked out by hand below."""
    ms = 1e-3
    training = [
        StepCost(mode="regression", loop="toyexp", threads=1, cpu=1.2 * ms, wall=2.5 * ms),
        StepCost(mode="regression", loop="lean", threads=1, cpu=2.0 * ms, wall=2.0 * ms),
        StepCost(mode="regression", loop="dataloader", threads=2, cpu=8.0 * ms, wall=4.0 * ms),
        StepCost(mode="flow", loop="toyexp", threads=1, cpu=3.0 * ms, wall=3.0 * ms),
        StepCost(mode="flow", loop="lean", threads=1, cpu=3.0 * ms, wall=3.2 * ms),
        StepCost(mode="flow", loop="dataloader", threads=2, cpu=5.0 * ms, wall=6.0 * ms),
    ]
    phases = {"kernel start": 2.5, "imports and config": 1.0, "data": 0.1, "training": 2.0, "evaluation": 0.2,
              "plots": 0.1, "writing outputs": 0.05, "other cells": 0.0, "papermill read/write": 0.05}
    return BenchResult(settings=Settings(steps=10, repeats=3, sweep_runs=2, cores=2, quick=True, study_runs=4),
                       training=training,
                       notebook=NotebookCost(phases=phases, wall=6.0, train_seconds=1.9),
                       sweep=SweepCost(runs=2, jobs=2, serial=10.0, parallel=6.0),
                       memory_mb=380.0,
                       study=StudySweepCost(runs=4, jobs=2, wall=10.0, cpu=16.0, run_seconds=14.0, train_seconds=12.0, train_steps=1000))


def test_report_from_fixed_timings():
    """The ratios, overhead, sweep efficiency and pass/MISS verdicts of a report built from fixed
    timings equal numbers worked out by hand: a swapped numerator, a wrong clock or a
    reversed comparison with the limit would fail here."""
    report = bench_report.report_json(fixed_result(), seconds=42.0)
    assert report["training"]["regression"]["ratios"] == pytest.approx(
        {"toyexp_over_lean_cpu": 0.6, "toyexp_over_lean_wall": 1.25, "toyexp_over_dataloader_cpu": 0.15, "toyexp_over_dataloader_wall": 0.625})
    assert report["training"]["flow"]["ratios"] == pytest.approx(
        {"toyexp_over_lean_cpu": 1.0, "toyexp_over_lean_wall": 0.9375, "toyexp_over_dataloader_cpu": 0.6, "toyexp_over_dataloader_wall": 0.5})
    assert report["training"]["regression"]["loops"]["dataloader"] == {"threads": 2, "cpu_per_step": 8e-3, "wall_per_step": 4e-3}
    assert report["notebook"]["overhead_seconds"] == pytest.approx(4.0)  # 6.0 wall - 2.0 training
    assert report["sweep"]["ideal_parallel_seconds"] == pytest.approx(5.0)  # 10 s serial over 2 jobs
    assert report["sweep"]["parallel_over_ideal"] == pytest.approx(1.2)
    assert report["sweep"]["efficiency"] == pytest.approx(10 / 12)
    assert report["bench_seconds"] == 42.0 and report["memory"]["peak_mb"] == 380.0
    study = report["study"]  # 16 CPU-s over 4 runs; the regression DataLoader loop's 8 ms x 1000 steps
    assert (study["cpu_per_run"], study["dataloader_cpu_per_run"]) == pytest.approx((4.0, 8.0))
    assert study["cpu_per_run_over_dataloader"] == pytest.approx(0.5)
    assert study["overhead_per_run"] == pytest.approx(0.5)  # (16 - 14 s of runs) / 4
    assert (study["train_share"], study["efficiency"]) == pytest.approx((0.75, 0.8))  # 12 / 16; 16 / (2 x 10)

    verdicts = [(t["name"], pytest.approx(t["measured"]), t["limit"], t["passed"]) for t in report["targets"]]
    assert verdicts == [
        ("regression: toyexp / lean loop, CPU per step", 0.6, 0.65, True),
        ("regression: toyexp / DataLoader loop, CPU per step", 0.15, 0.5, True),
        ("flow: toyexp / lean loop, CPU per step", 1.0, 0.65, False),
        ("flow: toyexp / DataLoader loop, CPU per step", 0.6, 0.5, False),
        ("notebook overhead (all but training), fresh kernel", 4.0, 3.0, False),
        ("sweep --jobs 2 wall / (serial / 2)", 1.2, 1.25, True),
        ("peak memory of one run", 380.0, 500.0, True),
        ("study sweep: CPU per run / DataLoader loop's", 0.5, 0.35, False),
        ("study sweep: notebook overhead per run, amortised", 0.5, 1.0, True),
    ]


def test_report_table_prints_the_fixed_verdicts():
    """The printed table carries the same hand-worked ratios and verdicts as the JSON."""
    table = bench_report.report_table(fixed_result(), seconds=42.0)
    assert "regression  toyexp / lean: CPU 0.60 (target <= 0.65), wall 1.25; toyexp / DataLoader: CPU 0.15, wall 0.62" in table
    assert "ideal 5.00 s; parallel efficiency 0.83" in table
    assert "CPU per run 4.00 s; the DataLoader loop's CPU for the same 1000 steps 8.00 s: 0.50 x (target <= 0.35)" in table
    rows = [line.split() for line in table.split("\nTargets\n")[1].splitlines() if line.startswith("   ")]
    assert [(row[-5], row[-1]) for row in rows] == [("0.60", "pass"), ("0.15", "pass"), ("1.00", "MISS"), ("0.60", "MISS"),
                                                    ("4.00", "MISS"), ("1.20", "pass"), ("380.00", "pass"), ("0.50", "MISS"),
                                                    ("0.50", "pass")]
    assert "(bench took 42.0 s)" in table
