"""The steps of a sweep that runs, once :func:`~.runner.run_sweep` holds its results folder:
skip the complete runs (``--resume``), write each run's parameters, execute one notebook per group
(the seeds of a variant at a grid point left to run, trained together: the executors see groups,
the report sees runs), write the book's pages, execute the analysis. Ctrl-C stops it cleanly (a
second Ctrl-C at once).
"""

from __future__ import annotations

import os
import signal
import sys
import threading

from ...run.code_path import PORTABLE_ENV
from ...run.files import display_path, resolve_path
from ..book import front, run_pages
from ..book.report_paths import ShownPaths
from ..execution.disk import no_space
from ..execution.execute import Job, execute_notebook
from ..execution.executors import run_dask, run_local, run_slurm
from ..execution.kernels import KERNELS
from ..execution.outcome import Outcome
from .lock import ResultsLock
from .plan import ANALYSIS_NOTEBOOK, PlannedGroup, PlannedRun, complete_record, groups_of, is_complete, notebook_for, plan, prepare, stale_change
from .outcomes import Started, SweepOptions, SweepReport
from .sweep_file import Sweep


def _shown(folder) -> str:
    """A folder of the sweep as the terminal shows it: relative to the current folder, else absolute."""
    return display_path(resolve_path(folder))


def execute_sweep(sweep: Sweep, sweep_file: str, book_dir: str, runs: list[PlannedRun], *, options: SweepOptions,
                  lock: ResultsLock, on_start, on_done) -> SweepReport:
    """Every step after the lock (see the module docstring); Ctrl-C is handled while they run."""
    KERNELS.stopping.clear()
    main_thread = threading.current_thread() is threading.main_thread()  # only it may handle signals
    previous = _on_ctrl_c(lock) if main_thread else None
    try:
        return _run(sweep, sweep_file, book_dir, runs, options=options, on_start=on_start, on_done=on_done)
    finally:
        if main_thread:
            signal.signal(signal.SIGINT, previous)


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
            unready.append(Outcome(id=run.id, status="failed", notebook=str(run.notebook), seconds=0.0,
                                   error=f"cannot write {run.run_dir}: {err}",
                                   no_space="run" if full else ""))
            if full:  # no run would get further than this one
                unready += [Outcome(id=r.id, status="not started",
                                    notebook=str(r.notebook)) for r in ready + runs[i + 1:]]
                return [], unready
    return ready, unready


def _execute(jobs: list[Job], options: SweepOptions, results_dir: str, on_done) -> list[Outcome]:
    if options.executor == "dask":
        return run_dask(jobs, options.jobs, on_done, options.scheduler)
    if options.executor == "slurm":
        return run_slurm(jobs, options.jobs, on_done, resolve_path(results_dir) / ".submitit",
                         cluster=options.slurm_cluster)
    return run_local(jobs, options.jobs, on_done, fresh=options.fresh_kernels)


def _run(sweep: Sweep, sweep_file: str, book_dir: str, runs: list[PlannedRun], *, options: SweepOptions,
         on_start, on_done) -> SweepReport:
    skipped = [r for r in runs if options.resume and is_complete(r, options.portable)]
    stale = tuple((r.id, change) for r in runs if r not in skipped and (change := stale_change(r)))  # before they move aside
    ready, unready = _prepare([r for r in runs if r not in skipped])
    env = PORTABLE_ENV if options.portable else None
    groups = {g.id: g for g in groups_of(ready)}
    jobs = [Job(run_id=g.id, notebook=str(notebook_for(g.runs[0].task)), output=str(g.notebook),
                parameters=g.parameters, title=g.title, cell_timeout=options.cell_timeout, env=env)
            for g in groups.values()]
    kernels = "fresh kernels" if options.fresh_kernels or options.executor != "local" else "warm kernels"
    kernels += ", portable mode" if options.portable else ""
    on_start(Started(runs=len(runs), to_execute=len(ready), complete=len(skipped),
                     failed_before=tuple(o for o in unready if o.status == "failed"),
                     description=f"{options.jobs} at a time ({options.executor}, {kernels})", stale=stale))
    full = ""  # the folder of a full disk; then the pages and the analysis wait for --resume
    outcomes: list[Outcome] = []

    def group_done(outcome: Outcome) -> None:  # the executor reports groups, the sweep their runs
        for member in member_outcomes(groups[outcome.id], outcome):
            outcomes.append(member)
            on_done(member)

    try:
        _execute(jobs, options, sweep.results_dir, group_done)
    except OSError as err:  # the executor's own files (submitit's job folder) found the disk full
        if not no_space(err):
            raise
        outcomes, full = [Outcome(id=r.id, status="not started",
                                  notebook=str(r.notebook)) for r in ready], _shown(sweep.results_dir)
    outcomes += unready + [Outcome(id=r.id, status="skipped", notebook=str(r.notebook)) for r in skipped]
    if KERNELS.stopping.is_set():  # Ctrl-C: no analysis; --resume continues from here
        return SweepReport(runs=tuple(runs), outcomes=tuple(outcomes), stopped="interrupted")
    full = full or _full_folder(outcomes, sweep.results_dir, book_dir)
    if full:
        return SweepReport(runs=tuple(runs), outcomes=tuple(outcomes), stopped="no space", problem=full)
    analysis = None
    try:
        if sweep.run_pages:
            run_pages.write_pages(sweep, plan(sweep, book_dir), book_dir)  # every run of the sweep, not only --only's
        if options.analysis:
            analysis = _analysis(sweep, sweep_file, book_dir)
            full = _full_folder([analysis], sweep.results_dir, book_dir)
        front.write_front(book_dir)  # the TOC and the abstract, from every page the book holds now
    except OSError as err:
        if no_space(err):
            return SweepReport(runs=tuple(runs), outcomes=tuple(outcomes), stopped="no space", problem=_shown(book_dir),
                               analysis=analysis)
        return SweepReport(runs=tuple(runs), outcomes=tuple(outcomes), stopped="pages",
                           problem=f"cannot write the book pages in {_shown(book_dir)}: {err}",
                           analysis=analysis)
    stopped = "interrupted" if KERNELS.stopping.is_set() else "no space" if full else ""
    return SweepReport(runs=tuple(runs), outcomes=tuple(outcomes), stopped=stopped, problem=full, analysis=analysis)


def member_outcomes(group: PlannedGroup, outcome: Outcome) -> list[Outcome]:
    """Each run's outcome from its group's: all done when the group's notebook ran to its end (it
    raises when a seed diverged); otherwise a run whose metrics.json is complete is done (a seed
    that diverged fails alone) and the others share the group's status and error. Each run is
    given its share of the seconds."""
    share = outcome.seconds / len(group.runs)
    members = []
    for run in group.runs:
        if outcome.status == "done" or complete_record(run) is not None:
            members.append(Outcome(id=run.id, status="done", notebook=outcome.notebook, seconds=share))
        else:
            members.append(Outcome(id=run.id, status=outcome.status, notebook=outcome.notebook, seconds=share,
                                   error=outcome.error, no_space=outcome.no_space))
    return members


def _analysis(sweep: Sweep, sweep_file: str, book_dir: str) -> Outcome:
    """The analysis notebook executed into ``<book_dir>/<page>.ipynb`` (its headline beside it, for
    the abstract), its paths as the report shows them."""
    output = resolve_path(book_dir) / f"{sweep.page}.ipynb"
    output.parent.mkdir(parents=True, exist_ok=True)  # without run pages nothing else made the book folder
    # absolute, so the kernel reads and writes them whatever its folder; tidy_analysis shows them as the report does
    parameters = {"results_dir": sweep.results_dir, "sweep_file": str(resolve_path(sweep_file)),
                  "headline_file": str(front.headline_path(resolve_path(book_dir), sweep.page))}
    # a study's title replaces the notebook's heading: the page is that study's, not the demo's
    analysis = execute_notebook(Job(run_id="analysis", notebook=str(ANALYSIS_NOTEBOOK), output=str(output),
                                    parameters=parameters, title=sweep.title or None,
                                    subtitle=False))
    if analysis.status != "done":
        return analysis
    try:
        run_pages.tidy_analysis(output, ShownPaths.of(sweep.results_dir, book_dir, sweep_file))
    except OSError as err:
        return Outcome(id="analysis", status="failed", notebook=str(output), seconds=analysis.seconds,
                       error=f"cannot write its notebook: {err}",
                       no_space="notebook" if no_space(err) else "")
    return analysis


def _full_folder(outcomes: list[Outcome], results_dir: str, book_dir: str) -> str:
    """The folder a full disk stopped the sweep in ("" if none did): a run's own files go to
    the results folder, the notebooks to the book folder."""
    where = next((o.no_space for o in outcomes if o.no_space), "")
    return _shown(book_dir if where == "notebook" else results_dir) if where else ""
