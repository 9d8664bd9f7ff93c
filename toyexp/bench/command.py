"""``toyexp bench``: what a training step, a notebook run, a sweep and a run's memory cost.

Five measurements in one process, each printed next to a reference or a target:

1. CPU and wall seconds per training step at the seed defaults, for each mode, through
   :func:`toyexp.train.train` and through two loops written here on the same loss: the
   common DataLoader loop and a lean one-thread loop;
2. one papermill run of ``notebooks/recon.ipynb``, its wall time split into phases;
3. a sweep of identical runs at ``--jobs 1`` and ``--jobs <cores>``;
4. the peak resident memory of one run, in a child process;
5. a sweep of different seed-default runs on warm kernels, as ``toyexp sweep`` runs the
   study: its CPU per run against the DataLoader loop's for the same training, and the
   notebook overhead per run, amortised.

The table and the JSON (:mod:`toyexp.bench.report`) let the figures be compared across commits.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Iterator

import nbformat

from ..run.config import load_config
from ..run.files import PROJECT_ROOT, display_path, resolve_path, run_directory, write_json
from ..run.record import RunRecord, read_record
from ..study.execution import SINGLE_THREAD, Job, Outcome, execute_notebook, run_local
from ..study.sweep import notebook_for
from .loops import training_costs
from .report import report_json, report_table
from .results import FIRST_SEED, BenchResult, NotebookCost, Settings, StudySweepCost, SweepCost

NOTEBOOK_PHASES = {  # phase -> text that marks its cell; the first match wins
    "imports and config": "import toyexp", "data": "start_group(", "training": "fit_group(",
    "evaluation": "evaluate_group(", "plots": "save_and_show(", "writing outputs": "finish_group(",
}
MEMORY_SCRIPT = """
import resource, sys, toyexp
cfg = toyexp.load_config("recon", overrides=sys.argv[1:])
toyexp.run_all(cfg, figures=False)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


class BenchError(RuntimeError):
    """A measurement that could not be taken (a failed notebook run, a child that died)."""


# 2.-4. Notebook, sweep, memory ------------------------------------------------------------


def checked(outcome: Outcome) -> Outcome:
    if outcome.status != "done":
        raise BenchError(f"notebook run {outcome.id} failed ({outcome.notebook}): {outcome.error}")
    return outcome


def notebook_phases(nb: nbformat.NotebookNode, wall: float) -> dict[str, float]:
    """Seconds by phase from papermill's per-cell durations.

    The kernel start is papermill's notebook duration less the cells; what is left of
    ``wall`` is papermill reading and writing the notebook.
    """
    phases = {"kernel start": 0.0, **dict.fromkeys(NOTEBOOK_PHASES, 0.0), "other cells": 0.0}
    for cell in nb.cells:
        if cell.cell_type == "code":
            phase = next((p for p, mark in NOTEBOOK_PHASES.items() if mark in cell.source), "other cells")
            phases[phase] += cell.metadata.get("papermill", {}).get("duration") or 0.0
    total = nb.metadata.papermill.duration
    phases["kernel start"] = total - sum(phases.values())
    phases["papermill read/write"] = wall - total
    return phases


def notebook_cost(folder: Path, overrides: list[str]) -> NotebookCost:
    """One papermill run of the recon notebook in regression mode into ``folder``."""
    overrides = [f"experiment.output_dir={folder / 'outputs'}", *overrides]
    params = {"mode": "regression", "overrides": overrides}
    folder.mkdir(parents=True, exist_ok=True)
    outcome = checked(execute_notebook(Job(run_id="bench/notebook", notebook=str(notebook_for("recon")),
                                           output=str(folder / "recon.ipynb"), parameters=params)))
    nb = nbformat.read(outcome.notebook, as_version=4)
    record = read_record(run_directory(load_config("recon", mode="regression", overrides=overrides)) / "metrics.json")
    return NotebookCost(notebook_phases(nb, outcome.seconds), outcome.seconds, record.training.seconds)


# 3. A sweep of identical runs -------------------------------------------------------------


def recon_runs(folder: Path, runs: dict[str, dict], label: str, overrides: list[str]) -> list[Job]:
    """Jobs for run_local: recon in regression mode, one per ``runs`` entry (name -> extra
    notebook parameters), each writing to ``folder/<name>``."""
    folder.mkdir(parents=True, exist_ok=True)
    return [
        Job(run_id=f"bench/{label}/{name}", notebook=str(notebook_for("recon")), output=str(folder / f"{name}.ipynb"),
            parameters={"mode": "regression", **extra, "overrides": [f"experiment.output_dir={folder / name}",
                                                                     *overrides]})
        for name, extra in runs.items()
    ]


def timed_sweep(batch: list, jobs: int) -> float:
    """Wall seconds of ``batch`` run ``jobs`` at a time on warm kernels; any failed run is an error."""
    start = time.perf_counter()
    outcomes = run_local(batch, jobs, lambda outcome: None)
    seconds = time.perf_counter() - start
    for outcome in outcomes:
        checked(outcome)
    return seconds


def sweep_seconds(folder: Path, runs: int, jobs: int, overrides: list[str]) -> float:
    """Wall seconds of ``runs`` identical recon runs, ``jobs`` at a time, each in its own folder."""
    return timed_sweep(recon_runs(folder, {f"run-{i}": {} for i in range(runs)}, f"jobs-{jobs}", overrides), jobs)


def sweep_cost(folder: Path, runs: int, cores: int, overrides: list[str]) -> SweepCost:
    serial = sweep_seconds(folder / "jobs-1", runs, 1, overrides)
    return SweepCost(runs, cores, serial, sweep_seconds(folder / f"jobs-{cores}", runs, cores, overrides))


# 4. Peak memory of one run ------------------------------------------------------------------


def peak_memory_mb(folder: Path, overrides: list[str]) -> float:
    """Peak RSS of one run (config, data, training, evaluation, metrics) in a child python, in MB."""
    argv = [sys.executable, "-c", MEMORY_SCRIPT, f"experiment.output_dir={folder}", *overrides]
    child = subprocess.run(argv, check=False, capture_output=True, text=True, cwd=PROJECT_ROOT, env={**os.environ, **SINGLE_THREAD})
    if child.returncode != 0:
        raise BenchError(f"the memory run exited with {child.returncode}: {child.stderr.strip()[-2000:]}")
    maxrss = int(child.stdout.split()[-1])
    return maxrss * (1 if sys.platform == "darwin" else 1024) / 1e6  # ru_maxrss: bytes on macOS, KiB on Linux


# 5. A sweep of seed-default runs on warm kernels ----------------------------------------------


def cpu_seconds() -> float:
    """CPU seconds of this process and of its children that have exited and been waited for."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def study_sweep_cost(folder: Path, runs: int, jobs: int, overrides: list[str]) -> StudySweepCost:
    """``runs`` recon regression runs (seeds FIRST_SEED, FIRST_SEED + 1, ...) on ``jobs`` warm kernels.

    The kernels are children of this process and are shut down (and waited for) before
    run_local returns, so their CPU time is in RUSAGE_CHILDREN by then.
    """
    seeds = range(FIRST_SEED, FIRST_SEED + runs)
    batch = recon_runs(folder, {f"seed-{seed}": {"seed": seed} for seed in seeds}, "study", overrides)
    cpu = cpu_seconds()
    wall = timed_sweep(batch, jobs)
    cpu = cpu_seconds() - cpu
    records: list[RunRecord] = [
        read_record(run_directory(load_config("recon", mode="regression", seed=job.parameters["seed"],
                                        overrides=job.parameters["overrides"])) / "metrics.json")
        for job in batch
    ]
    run_seconds = sum(r.run_seconds for r in records)
    if cpu < run_seconds / 2:  # the kernels' time is missing: they were not waited for
        raise BenchError(f"the study sweep measured {cpu:.1f} CPU-s for {run_seconds:.1f} s of runs: kernel CPU time was not collected")
    return StudySweepCost(runs=runs, jobs=jobs, wall=wall, cpu=cpu, run_seconds=run_seconds,
                          train_seconds=sum(r.training.seconds for r in records), train_steps=records[0].training.steps)


# The command ------------------------------------------------------------------------------


@contextlib.contextmanager
def restored_environ() -> Iterator[None]:
    """execute_notebook pins its kernels to one thread through os.environ; undo that afterwards."""
    saved = dict(os.environ)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def progress(text: str) -> None:
    print(f"bench: {text}", file=sys.stderr, flush=True)


def run_bench(settings: Settings, folder: Path, say: Callable[[str], None]) -> BenchResult:
    """All five measurements, with temporary files under ``folder``."""
    training = []
    for mode in ("regression", "flow"):
        say(f"training cost per step ({mode}): {settings.repeats} x {settings.steps} steps of each loop")
        training += training_costs(mode, settings.steps, settings.repeats)
    say("one papermill run of notebooks/recon.ipynb")
    notebook = notebook_cost(folder / "notebook", settings.overrides("notebook"))
    say(f"sweep of {settings.sweep_runs} runs at --jobs 1 and --jobs {settings.cores}")
    sweep = sweep_cost(folder / "sweep", settings.sweep_runs, settings.cores, settings.overrides("sweep"))
    say("peak memory of one run")
    memory = peak_memory_mb(folder / "memory", settings.overrides("memory"))
    say(f"sweep of {settings.study_runs} seed-default runs on {settings.cores} warm kernels")
    study = study_sweep_cost(folder / "study", settings.study_runs, settings.cores, settings.overrides("study"))
    return BenchResult(settings=settings, training=training, notebook=notebook, sweep=sweep, memory_mb=memory,
                       study=study)


def settings_from(args: argparse.Namespace) -> Settings:
    """Resolve the options; --quick changes the defaults of those not given."""
    cores = os.cpu_count() or 1
    quick = bool(args.quick)
    steps = args.steps if args.steps is not None else (100 if quick else 1000)  # 20 steps (16 ms) gave ratios that moved by 0.1 between calls
    repeats = args.repeats if args.repeats is not None else (3 if quick else 5)
    runs = args.sweep_runs if args.sweep_runs is not None else (2 if quick else 2 * cores)
    # six runs per kernel: the kernels' start-up is shared as in a real sweep (the study has 45 per kernel)
    study = args.study_runs if args.study_runs is not None else (cores if quick else 6 * cores)
    for option, value in (("--steps", steps), ("--repeats", repeats), ("--sweep-runs", runs), ("--study-runs", study)):
        if value < 1:
            raise ValueError(f"{option} {value} is invalid; it must be at least 1")
    return Settings(steps=steps, repeats=repeats, sweep_runs=runs, cores=cores, quick=quick, study_runs=study)


def bench_command(args: argparse.Namespace) -> int:
    try:
        settings = settings_from(args)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = resolve_path(args.json or f"outputs/bench/bench-{stamp}.json")
    start = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory(prefix="toyexp-bench-") as tmp, restored_environ():
            result = run_bench(settings, Path(tmp), progress)
    except BenchError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    seconds = time.perf_counter() - start
    write_json(path, report_json(result, seconds))
    print(report_table(result, seconds))
    print(f"JSON: {display_path(path)}")
    return 0
