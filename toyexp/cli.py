"""The ``toyexp`` command: ``toyexp sweep`` runs a study, ``toyexp bench`` measures speed."""

from __future__ import annotations

import argparse
import fnmatch
import os
import signal
import sys
import threading

from tqdm import tqdm

from . import bench
from .run import display_path, resolve_path
from .run.kernel_path import PORTABLE_ENV
from .schema import ConfigError
from .study import book
from .study.disk import no_space, no_space_line
from .study.execute import KERNELS, Outcome, execute_notebook, run_dask, run_local, run_slurm
from .study.lock import ResultsLock
from .study.report_paths import ShownPaths
from .study.sweep import RunSpec, is_complete, load_sweep, notebook_for, plan, prepare

STATUSES = ("done", "skipped", "failed", "interrupted", "not started")
NO_SPACE = 3  # the disk or the quota filled up: free space, then --resume
INTERRUPTED = 130  # the shell's exit code for a process stopped by SIGINT


def _sweep_parser(sub) -> None:
    p = sub.add_parser("sweep", help="run every (task, variant, seed) of a sweep file, then the analysis")
    p.add_argument("sweep_file", nargs="?", default="params/sweep.yaml", help="sweep file (default: params/sweep.yaml)")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="runs in parallel (default: CPU cores)")
    p.add_argument("--resume", action="store_true", help="skip runs whose metrics.json is complete for the same config")
    p.add_argument("--only", metavar="PATTERN", help="only run ids matching this glob, e.g. 'recon/flow*/seed-4[23]'")
    p.add_argument("--executor", choices=["local", "dask", "slurm"], default="local",
                   help="local (default): --jobs warm kernels, each kept for many runs; dask, slurm: a fresh kernel per run "
                        "(their workers outlive the sweep, and a kept kernel would outlive it with them)")
    p.add_argument("--fresh-kernels", action="store_true",
                   help="local executor: a fresh kernel for every run instead of --jobs warm ones (each warm kernel imports "
                        "torch and toyexp once and is reset between runs; a run that fails gets its kernel replaced)")
    p.add_argument("--cell-timeout", type=float, default=None, metavar="SECONDS",
                   help="fail a run whose notebook has a cell running longer than this (a wedged run); its kernel "
                        "is stopped and replaced, the other runs go on (default: no limit)")
    p.add_argument("--portable", action="store_true",
                   help="portable mode: every run's kernel starts with ATEN_CPU_CAPABILITY=default and MKL_CBWR=COMPATIBLE, "
                        "for numbers that are the same on any x86-64 CPU (about 2.5 times the CPU time; see README)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler address (default: a LocalCluster)")
    p.add_argument("--slurm-cluster", default=None, help=argparse.SUPPRESS)  # "local" runs submitit locally (tests)
    p.add_argument("--book-dir", default=None, help="where run notebooks and the analysis go (default: the sweep file's book_dir, else book)")
    p.add_argument("--no-analysis", action="store_true", help="skip executing the analysis notebook")
    p.set_defaults(func=sweep_command)


def sweep_command(args: argparse.Namespace) -> int:
    if args.jobs < 1:
        print(f"error: --jobs {args.jobs} is invalid; it must be at least 1", file=sys.stderr)
        return 2
    if args.cell_timeout is not None and not args.cell_timeout > 0:
        print(f"error: --cell-timeout {args.cell_timeout:g} is invalid; it must be a number of seconds above 0", file=sys.stderr)
        return 2
    try:
        sweep = load_sweep(args.sweep_file)
        book_dir = args.book_dir or sweep.book_dir
        specs = plan(sweep, book_dir)
    except ConfigError as err:
        return _error(err)
    if args.only:
        specs = [s for s in specs if fnmatch.fnmatch(s.id, args.only)]
        if not specs:
            return _error(f"--only {args.only!r} matches no run; run ids look like 'recon/flow/seed-42'")
    lock = ResultsLock(sweep.results_dir, ["toyexp", *args.argv])
    try:
        lock.acquire()
    except ConfigError as err:
        return _error(err)
    except OSError as err:
        if no_space(err):
            print(no_space_line(_shown(sweep.results_dir)), file=sys.stderr)
            return NO_SPACE
        return _error(f"cannot write in the results folder {_shown(sweep.results_dir)}: {err}")
    if lock.note:
        print(lock.note, file=sys.stderr)
    KERNELS.stopping.clear()
    main_thread = threading.current_thread() is threading.main_thread()  # only it may handle signals
    previous = _on_ctrl_c(lock) if main_thread else None
    try:
        return _run(args, sweep, book_dir, specs)
    finally:
        if main_thread:
            signal.signal(signal.SIGINT, previous)
        lock.release()


def _error(err) -> int:
    print("error: " + " ".join(str(err).split()), file=sys.stderr)  # always one line
    return 2


def _shown(folder: str) -> str:
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
        os._exit(INTERRUPTED)

    return signal.signal(signal.SIGINT, handler)


def _run(args: argparse.Namespace, sweep, book_dir, specs: list[RunSpec]) -> int:
    skipped = [s for s in specs if args.resume and is_complete(s, args.portable)]
    pending = [s for s in specs if s not in skipped]
    todo, unready = [], []
    for i, spec in enumerate(pending):
        try:
            prepare(spec)
            todo.append(spec)
        except OSError as err:  # this run cannot write its folder; the others go on, unless the disk is full
            full = no_space(err)
            unready.append(Outcome(spec.id, "failed", str(spec.notebook), 0.0, f"cannot write {spec.run_dir}: {err}",
                                   "run" if full else ""))
            if full:  # no run would get further than this one
                unready += [Outcome(s.id, "not started", str(s.notebook)) for s in todo + pending[i + 1:]]
                todo = []
                break
    env = PORTABLE_ENV if args.portable else None
    jobs = [(str(notebook_for(s.task)), str(s.notebook), s.parameters, s.title, s.id, args.cell_timeout, env) for s in todo]
    kernels = "fresh kernels" if args.fresh_kernels or args.executor != "local" else "warm kernels"
    kernels += ", portable mode" if args.portable else ""
    print(f"{len(specs)} runs: {len(todo)} to execute, {len(skipped)} already complete; {args.jobs} at a time ({args.executor}, {kernels})")
    for outcome in unready:
        if outcome.status == "failed":
            print(f"FAILED {outcome.id}: {outcome.error}", file=sys.stderr)

    bar = tqdm(total=len(todo), desc="runs", unit="run", file=sys.stderr)

    def on_done(outcome: Outcome) -> None:
        bar.update()
        if outcome.status == "failed":
            bar.write(f"FAILED {outcome.id}: {outcome.error}")

    full = ""  # the folder of a full disk; then the pages and the analysis wait for --resume
    try:
        if args.executor == "dask":
            outcomes = run_dask(jobs, args.jobs, on_done, args.scheduler)
        elif args.executor == "slurm":
            folder = resolve_path(sweep.results_dir) / ".submitit"
            outcomes = run_slurm(jobs, args.jobs, on_done, folder, args.slurm_cluster)
        else:
            outcomes = run_local(jobs, args.jobs, on_done, fresh=args.fresh_kernels)
    except OSError as err:  # the executor's own files (submitit's job folder) found the disk full
        if not no_space(err):
            raise
        outcomes, full = [Outcome(job[4], "not started", job[1]) for job in jobs], _shown(sweep.results_dir)
    bar.close()
    outcomes += unready + [Outcome(s.id, "skipped", str(s.notebook)) for s in skipped]
    if KERNELS.stopping.is_set():  # Ctrl-C: no analysis; --resume continues from here
        print(summary(outcomes, specs))
        return INTERRUPTED

    full = full or _full_folder(outcomes, sweep.results_dir, book_dir)
    unwritten = ""  # why the book pages could not be written, when not for a full disk
    if not full:
        try:
            book.write_pages(sweep, plan(sweep, book_dir), book_dir)  # every run of the sweep, not only --only's
        except OSError as err:
            if no_space(err):
                full = _shown(book_dir)
            else:
                unwritten = f"cannot write the book pages in {_shown(book_dir)}: {err}"
    if not (full or unwritten or args.no_analysis):
        outcomes.append(_analysis(args, sweep, book_dir))
        full = _full_folder(outcomes[-1:], sweep.results_dir, book_dir)
    print(summary(outcomes, specs))
    if KERNELS.stopping.is_set():  # Ctrl-C during the analysis
        return INTERRUPTED
    if full:
        print(no_space_line(full), file=sys.stderr)
        return NO_SPACE
    if unwritten:
        print("error: " + " ".join(unwritten.split()), file=sys.stderr)
    return 1 if unwritten or any(o.status == "failed" for o in outcomes) else 0


def _analysis(args: argparse.Namespace, sweep, book_dir) -> Outcome:
    """The analysis notebook executed into ``<book_dir>/analysis.ipynb``, its paths as the report shows them."""
    output = resolve_path(book_dir) / "analysis.ipynb"
    analysis = execute_notebook(
        str(notebook_for("analysis")), str(output),
        {"results_dir": sweep.results_dir, "sweep_file": display_path(resolve_path(args.sweep_file))},
        None, "analysis",
    )
    if analysis.status != "done":
        return analysis
    try:
        book.tidy_analysis(output, ShownPaths.of(sweep.results_dir, book_dir, args.sweep_file))
    except OSError as err:
        return Outcome("analysis", "failed", str(output), analysis.seconds, f"cannot write its notebook: {err}",
                       "notebook" if no_space(err) else "")
    return analysis


def _full_folder(outcomes: list[Outcome], results_dir: str, book_dir: str) -> str:
    """The folder a full disk stopped the sweep in ("" if none did): a run's own files go to
    the results folder, the notebooks to the book folder."""
    where = next((o.no_space for o in outcomes if o.no_space), "")
    return _shown(book_dir if where == "notebook" else results_dir) if where else ""


def summary(outcomes: list[Outcome], specs: list[RunSpec]) -> str:
    """A table of the runs: done / skipped / failed (with the notebook of each failed run), and
    after Ctrl-C interrupted / not started."""
    order = {s.id: i for i, s in enumerate(specs)}
    rows = sorted(outcomes, key=lambda o: order.get(o.id, len(order)))
    counts = {k: sum(o.status == k for o in outcomes) for k in STATUSES}
    lines = [f"{'run':<44} {'status':<11} {'seconds':>8}  notebook / error"]
    for o in rows:
        detail = f"{o.notebook}: {o.error}" if o.status == "failed" else ""
        lines.append(f"{o.id:<44} {o.status:<11} {o.seconds:>8.1f}  {detail}")
    total = f"{counts['done']} done, {counts['skipped']} skipped, {counts['failed']} failed"
    if counts["interrupted"] or counts["not started"]:
        total += f", {counts['interrupted']} interrupted, {counts['not started']} not started"
    lines.append(total)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="toyexp", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    _sweep_parser(sub)
    bench.add_parser(sub)
    args = parser.parse_args(argv)
    args.argv = sys.argv[1:] if argv is None else list(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
