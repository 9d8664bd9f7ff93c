"""Running a sweep: :func:`run_sweep` plans it, holds its results folder, executes the runs, writes
the book's pages and executes the analysis, and returns a :class:`SweepReport`.

The ``toyexp sweep`` command is this function with its options from the command line. A bad
sweep file, an ``--only`` that matches nothing, a results folder another sweep holds or one that
cannot be written raise :class:`ConfigError` before anything runs. Everything after that ends in
the report: which runs were done, skipped, failed, interrupted (Ctrl-C) or not started, and why
the sweep stopped if it did (a full disk: free space, then ``--resume``).
"""

from __future__ import annotations

import fnmatch
import os
import signal
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..run.code_path import PORTABLE_ENV
from ..run.files import display_path, resolve_path
from ..schema import ConfigError
from . import book
from .disk import no_space
from .execute import Job, Outcome, execute_notebook
from .executors import run_dask, run_local, run_slurm
from .kernels import KERNELS
from .lock import ResultsLock
from .plan import ANALYSIS_NOTEBOOK, PlannedRun, is_complete, notebook_for, plan, prepare
from .report_paths import ShownPaths
from .sweep_file import Sweep, load_sweep

STATUSES = ("done", "skipped", "failed", "interrupted", "not started")
EXECUTORS = ("local", "dask", "slurm")


@dataclass(frozen=True)
class SweepOptions:
    """How to run a sweep (the options of ``toyexp sweep``)."""

    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)  # runs at a time
    resume: bool = False  # skip runs whose metrics.json is complete for the same config
    only: str | None = None  # a glob over run ids: only those run
    executor: str = "local"  # local, dask or slurm
    fresh_kernels: bool = False  # local: a fresh kernel per run instead of --jobs warm ones
    cell_timeout: float | None = None  # seconds a cell may run before its run fails
    portable: bool = False  # every kernel on portable mode's code path
    scheduler: str | None = None  # a Dask scheduler's address (None: a LocalCluster)
    slurm_cluster: str | None = None  # submitit's cluster ("local" in tests)
    book_dir: str | None = None  # where the run notebooks and the analysis go (None: the sweep file's)
    analysis: bool = True  # execute the analysis notebook after the runs
    command: tuple[str, ...] = ()  # the command line, recorded in the lock

    def check(self) -> None:
        """Raise ConfigError naming an option whose value cannot be used."""
        if self.jobs < 1:
            raise ConfigError(f"--jobs {self.jobs} is invalid; it must be at least 1")
        if self.cell_timeout is not None and not self.cell_timeout > 0:
            raise ConfigError(f"--cell-timeout {self.cell_timeout:g} is invalid; it must be a number of seconds above 0")
        if self.executor not in EXECUTORS:
            raise ConfigError(f"--executor {self.executor!r} is invalid; valid: {', '.join(EXECUTORS)}")


@dataclass(frozen=True)
class SweepReport:
    """What became of a sweep: every run's outcome (and the analysis'), and why it stopped.

    ``stopped`` is "" when it ran to the end, "interrupted" after Ctrl-C, "no space" when the
    disk filled up (``problem`` names the folder), "pages" when the book pages could not be
    written (``problem`` says why).
    """

    runs: tuple[PlannedRun, ...]
    outcomes: tuple[Outcome, ...]
    stopped: str = ""
    problem: str = ""

    @property
    def failed(self) -> bool:
        return any(o.status == "failed" for o in self.outcomes)

    def table(self) -> str:
        """A table of the runs: done / skipped / failed (with the notebook of each failed run), and
        after Ctrl-C interrupted / not started."""
        order = {r.id: i for i, r in enumerate(self.runs)}
        rows = sorted(self.outcomes, key=lambda o: order.get(o.id, len(order)))
        counts = {k: sum(o.status == k for o in self.outcomes) for k in STATUSES}
        lines = [f"{'run':<44} {'status':<11} {'seconds':>8}  notebook / error"]
        for o in rows:
            detail = f"{o.notebook}: {o.error}" if o.status == "failed" else ""
            lines.append(f"{o.id:<44} {o.status:<11} {o.seconds:>8.1f}  {detail}")
        total = f"{counts['done']} done, {counts['skipped']} skipped, {counts['failed']} failed"
        if counts["interrupted"] or counts["not started"]:
            total += f", {counts['interrupted']} interrupted, {counts['not started']} not started"
        lines.append(total)
        return "\n".join(lines)


@dataclass(frozen=True)
class Started:
    """What a sweep is about to do, for the caller to show before the runs."""

    runs: int
    to_execute: int
    complete: int
    failed_before: tuple[Outcome, ...]  # runs whose folder could not be written
    description: str  # the executor, its kernels and the number at a time


def run_sweep(sweep_file: str | Path, options: SweepOptions = SweepOptions(),
              on_start: Callable[[Started], None] = lambda s: None,
              on_done: Callable[[Outcome], None] = lambda o: None) -> SweepReport:
    """Run the sweep of ``sweep_file`` with ``options``: see the module docstring.

    ``on_start`` is told what will run, and ``on_done`` of each run as it ends (a progress bar).
    Raises ConfigError before anything runs for a bad sweep file, option, selection or lock.
    """
    options.check()
    sweep = load_sweep(sweep_file)
    book_dir = options.book_dir or sweep.book_dir
    runs = plan(sweep, book_dir)
    selected = [r for r in runs if fnmatch.fnmatch(r.id, options.only)] if options.only else runs
    if not selected:
        raise ConfigError(f"--only {options.only!r} matches no run; run ids look like 'recon/flow/seed-42'")
    lock = ResultsLock(sweep.results_dir, list(options.command))
    try:
        lock.acquire()
    except OSError as err:
        if no_space(err):
            return SweepReport(tuple(selected), (), "no space", shown(sweep.results_dir))
        raise ConfigError(f"cannot write in the results folder {shown(sweep.results_dir)}: {err}") from None
    if lock.note:
        print(lock.note, file=sys.stderr)
    KERNELS.stopping.clear()
    main_thread = threading.current_thread() is threading.main_thread()  # only it may handle signals
    previous = _on_ctrl_c(lock) if main_thread else None
    try:
        return _run(sweep, str(sweep_file), book_dir, selected, options, on_start, on_done)
    finally:
        if main_thread:
            signal.signal(signal.SIGINT, previous)
        lock.release()


def shown(folder: str | Path) -> str:
    """A folder of the sweep as the terminal shows it: relative to the project, else absolute."""
    return display_path(resolve_path(folder))


def _on_ctrl_c(lock: ResultsLock):
    """Ctrl-C (to the process or its whole group): the first stops the sweep, the second exits at once.

    Returns the handler it replaces.
    """
    def handler(signum, frame) -> None:
        if not KERNELS.stopping.is_set():
            print("\nCtrl-C: stopping (running kernels are interrupted, no new run starts); Ctrl-C again to exit at once", file=sys.stderr)
            threading.Thread(target=KERNELS.stop, daemon=True).start()
            KERNELS.stopping.set()
            return
        KERNELS.signal(signal.SIGKILL)
        lock.release()
        print("\nCtrl-C again: exiting now", file=sys.stderr)
        os._exit(130)

    return signal.signal(signal.SIGINT, handler)


def _prepare(runs: list[PlannedRun]) -> tuple[list[PlannedRun], list[Outcome]]:
    """Write each run's params.yaml: the runs ready to go, and the outcomes of those that cannot
    write their folder (after a full disk, every later run is not started)."""
    ready, unready = [], []
    for i, run in enumerate(runs):
        try:
            prepare(run)
            ready.append(run)
        except OSError as err:  # this run cannot write its folder; the others go on, unless the disk is full
            full = no_space(err)
            unready.append(Outcome(run.id, "failed", str(run.notebook), 0.0, f"cannot write {run.run_dir}: {err}",
                                   "run" if full else ""))
            if full:  # no run would get further than this one
                unready += [Outcome(r.id, "not started", str(r.notebook)) for r in ready + runs[i + 1:]]
                return [], unready
    return ready, unready


def _execute(jobs: list[Job], options: SweepOptions, results_dir: str, on_done) -> list[Outcome]:
    if options.executor == "dask":
        return run_dask(jobs, options.jobs, on_done, options.scheduler)
    if options.executor == "slurm":
        return run_slurm(jobs, options.jobs, on_done, resolve_path(results_dir) / ".submitit", options.slurm_cluster)
    return run_local(jobs, options.jobs, on_done, fresh=options.fresh_kernels)


def _run(sweep: Sweep, sweep_file: str, book_dir: str, runs: list[PlannedRun], options: SweepOptions,
         on_start, on_done) -> SweepReport:
    skipped = [r for r in runs if options.resume and is_complete(r, options.portable)]
    ready, unready = _prepare([r for r in runs if r not in skipped])
    env = PORTABLE_ENV if options.portable else None
    jobs = [Job(r.id, str(notebook_for(r.task)), str(r.notebook), r.parameters, r.title, options.cell_timeout, env)
            for r in ready]
    kernels = "fresh kernels" if options.fresh_kernels or options.executor != "local" else "warm kernels"
    kernels += ", portable mode" if options.portable else ""
    on_start(Started(len(runs), len(jobs), len(skipped), tuple(o for o in unready if o.status == "failed"),
                     f"{options.jobs} at a time ({options.executor}, {kernels})"))
    full = ""  # the folder of a full disk; then the pages and the analysis wait for --resume
    try:
        outcomes = _execute(jobs, options, sweep.results_dir, on_done)
    except OSError as err:  # the executor's own files (submitit's job folder) found the disk full
        if not no_space(err):
            raise
        outcomes, full = [Outcome(j.run_id, "not started", j.output) for j in jobs], shown(sweep.results_dir)
    outcomes += unready + [Outcome(r.id, "skipped", str(r.notebook)) for r in skipped]
    if KERNELS.stopping.is_set():  # Ctrl-C: no analysis; --resume continues from here
        return SweepReport(tuple(runs), tuple(outcomes), "interrupted")
    full = full or _full_folder(outcomes, sweep.results_dir, book_dir)
    if full:
        return SweepReport(tuple(runs), tuple(outcomes), "no space", full)
    try:
        book.write_pages(sweep, plan(sweep, book_dir), book_dir)  # every run of the sweep, not only --only's
    except OSError as err:
        if no_space(err):
            return SweepReport(tuple(runs), tuple(outcomes), "no space", shown(book_dir))
        return SweepReport(tuple(runs), tuple(outcomes), "pages", f"cannot write the book pages in {shown(book_dir)}: {err}")
    if options.analysis:
        outcomes.append(_analysis(sweep, sweep_file, book_dir))
        full = _full_folder(outcomes[-1:], sweep.results_dir, book_dir)
    stopped = "interrupted" if KERNELS.stopping.is_set() else "no space" if full else ""
    return SweepReport(tuple(runs), tuple(outcomes), stopped, full)


def _analysis(sweep: Sweep, sweep_file: str, book_dir: str) -> Outcome:
    """The analysis notebook executed into ``<book_dir>/analysis.ipynb``, its paths as the report shows them."""
    output = resolve_path(book_dir) / "analysis.ipynb"
    parameters = {"results_dir": sweep.results_dir, "sweep_file": display_path(resolve_path(sweep_file))}
    analysis = execute_notebook(Job("analysis", str(ANALYSIS_NOTEBOOK), str(output), parameters))
    if analysis.status != "done":
        return analysis
    try:
        book.tidy_analysis(output, ShownPaths.of(sweep.results_dir, book_dir, sweep_file))
    except OSError as err:
        return Outcome("analysis", "failed", str(output), analysis.seconds, f"cannot write its notebook: {err}",
                       "notebook" if no_space(err) else "")
    return analysis


def _full_folder(outcomes: list[Outcome], results_dir: str, book_dir: str) -> str:
    """The folder a full disk stopped the sweep in ("" if none did): a run's own files go to
    the results folder, the notebooks to the book folder."""
    where = next((o.no_space for o in outcomes if o.no_space), "")
    return shown(book_dir if where == "notebook" else results_dir) if where else ""
