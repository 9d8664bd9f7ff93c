"""Running a sweep: :func:`run_sweep` plans it, holds its results folder, executes the runs, writes
the book's pages and executes the analysis, and returns a :class:`SweepReport`.

The ``toyexp sweep`` command is this function with its options from the command line. A bad
sweep file, a sweep other than the report's studies that would write into the report's folders
(:mod:`.report_studies`), an ``--only`` that matches nothing, a results folder another sweep holds
or one that cannot be written raise :class:`ConfigError` before anything runs. Everything after that ends in
the report: which runs were done, skipped, failed, interrupted (Ctrl-C) or not started, and why
the sweep stopped if it did (a full disk: free space, then ``--resume``).

With ``build_book`` (``--build-book``), once the analysis is done, the sweep's ``book_dir`` is
built into a Jupyter Book of its own (:mod:`.own_book`); the report shows where its index.html is.

With ``dry_run`` it stops after the plan, taking no lock: the report lists the runs, each
"complete" (what ``--resume`` skips) or "planned", and nothing is executed or written.

Everything up to the lock reads only the sweep file and imports no torch, papermill or
matplotlib, so a bad sweep file and a folder held by another sweep are answered at once; the
plan and the steps of a sweep that runs (:mod:`.steps`) come after the lock.
"""

from __future__ import annotations

import fnmatch
import sys
from dataclasses import replace
from pathlib import Path
from typing import Callable

from ...run.files import display_path, resolve_path
from ...schema import ConfigError
from ..book import own_book
from ..execution.disk import no_space
from ..execution.outcome import Outcome
from . import report_studies
from .lock import ResultsLock
from .outcomes import Started, SweepOptions, SweepReport
from .plan import PlannedRun, is_complete, plan
from .sweep_file import Sweep, load_sweep


def run_sweep(sweep_file: str | Path, options: SweepOptions = SweepOptions(),
              on_start: Callable[[Started], None] = lambda s: None,
              on_done: Callable[[Outcome], None] = lambda o: None) -> SweepReport:
    """Run the sweep of ``sweep_file`` with ``options``: see the module docstring.

    ``on_start`` is told what will run, and ``on_done`` of each run as it ends (a progress bar).
    Raises ConfigError before anything runs for a bad sweep file, option, lock or selection. The
    lock is taken before the plan resolves every run's config (600 for the regimes study), so a
    folder another sweep holds is refused at once.
    """
    options.check()
    sweep = load_sweep(sweep_file)
    report_studies.check_folders(sweep, sweep_file, options.book_dir)  # a user's sweep never writes into the report
    book_dir = options.book_dir or sweep.book_dir
    if options.build_book:
        own_book.check(sweep, book_dir)
    if options.dry_run:  # no lock either: a lock makes the results folder
        return dry_run(sweep, book_dir, options)
    lock = ResultsLock(sweep.results_dir, list(options.command))  # first: a held folder is refused at once
    try:
        lock.acquire()
    except OSError as err:
        if no_space(err):
            return SweepReport(runs=(), outcomes=(), stopped="no space",
                               problem=display_path(resolve_path(sweep.results_dir)))
        raise ConfigError(f"cannot write in the results folder {display_path(resolve_path(sweep.results_dir))}: {err}") from None
    if lock.note:
        print(lock.note, file=sys.stderr)
    try:
        selected = select(plan(sweep, book_dir), options.only)
        from .steps import execute_sweep  # papermill, the kernels and the book: only once a sweep runs

        report = execute_sweep(sweep, str(sweep_file), book_dir, selected, options=options, lock=lock,
                               on_start=on_start, on_done=on_done)
        if options.build_book and not report.stopped:  # still holding the folder: no sweep rewrites the pages mid-build
            report = replace(report, book=own_book.build_own_book(sweep, sweep_file, book_dir, report.analysis))
        return report
    finally:
        lock.release()


def select(runs: list[PlannedRun], only: str | None) -> list[PlannedRun]:
    """The runs whose id matches the glob ``only`` (all without one); ConfigError if none does."""
    selected = [r for r in runs if fnmatch.fnmatch(r.id, only)] if only else runs
    if not selected:
        raise ConfigError(f"--only {only!r} matches no run; run ids look like {runs[0].id!r}")
    return selected


def dry_run(sweep: Sweep, book_dir: str, options: SweepOptions) -> SweepReport:
    """The sweep's plan as a report stopped at "dry run": each selected run "complete" (what
    ``--resume`` skips) or "planned", and the analysis "planned" unless ``--no-analysis``. It
    reads the run folders and writes nothing."""
    runs = select(plan(sweep, book_dir), options.only)
    outcomes = tuple(Outcome(id=r.id, status="complete" if is_complete(r, options.portable) else "planned",
                             notebook=str(r.notebook))
                     for r in runs)
    analysis = Outcome(id="analysis", status="planned",
                       notebook=str(resolve_path(book_dir) / f"{sweep.page}.ipynb")) if options.analysis else None
    book = Outcome(id="book", status="planned", notebook=str(own_book.index(book_dir))) if options.build_book else None
    return SweepReport(runs=tuple(runs), outcomes=outcomes, stopped="dry run", analysis=analysis, book=book)
