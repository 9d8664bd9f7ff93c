"""The ``toyexp`` command: ``toyexp sweep`` runs a study, ``toyexp bench`` measures speed.

This module parses arguments, calls :func:`toyexp.study.run_sweep` and prints; it
imports the study (and with it torch, papermill and matplotlib) only once a command runs, so
``--help`` answers at once.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from pathlib import Path

from .schema import ConfigError

NO_SPACE = 3  # the disk or the quota filled up: free space, then --resume
INTERRUPTED = 130  # the shell's exit code for a process stopped by SIGINT


def _sweep_parser(sub) -> None:
    p = sub.add_parser("sweep", help="run every (task, variant, seed) of a sweep file, then the analysis")
    p.add_argument("sweep_file", nargs="?", help="sweep file, e.g. params/smoke.yaml (without one: this help, and nothing runs)")
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
    p.add_argument("--book-dir", default=None, help="where run notebooks and the analysis go (default: the sweep file's book_dir, else "
                        "<results_dir>/book); never the report's book/ but from the report's own studies")
    p.add_argument("--no-analysis", action="store_true", help="skip executing the analysis notebook")
    p.add_argument("--build-book", action="store_true",
                   help="after the analysis, make the sweep's book folder a small Jupyter Book of its own (its _config.yml, "
                        "_toc.yml and a front page saying what ran), build it and print where its index.html is "
                        "(not for the report's book/, which make book builds)")
    p.add_argument("--dry-run", action="store_true",
                   help="print the plan (each run, its folder, its notebook, which runs --resume would skip) and "
                        "execute and write nothing")
    p.set_defaults(func=sweep_command, help_text=p.format_help)


def sweep_command(args: argparse.Namespace) -> int:
    if args.sweep_file is None:  # a bare `toyexp sweep` is a question, not a 90-run study
        print(args.help_text(), file=sys.stderr)
        print("error: no sweep file given, so nothing ran; give one, e.g. toyexp sweep params/smoke.yaml", file=sys.stderr)
        return 2
    from .run.files import display_path
    from .study import SweepOptions, run_sweep

    options = SweepOptions(
        jobs=args.jobs, resume=args.resume, only=args.only, executor=args.executor, fresh_kernels=args.fresh_kernels,
        cell_timeout=args.cell_timeout, portable=args.portable, scheduler=args.scheduler,
        slurm_cluster=args.slurm_cluster, book_dir=args.book_dir, analysis=not args.no_analysis,
        dry_run=args.dry_run, build_book=args.build_book, command=("toyexp", *args.argv),
    )
    progress = Progress()
    try:
        report = run_sweep(args.sweep_file, options, progress.start, progress.done)
    except ConfigError as err:
        return error(err)
    progress.close()
    if report.stopped == "dry run":
        print(report.plan_table(args.resume))
        return 0
    if report.outcomes:
        print(report.table())
    if report.stopped == "interrupted":
        print(f"interrupted by Ctrl-C; to finish the sweep: {resume_command(args.argv)}", file=sys.stderr)
        return INTERRUPTED
    if report.stopped == "no space":
        print(f"error: no space left on device (or quota exceeded) in {report.problem}; "
              "free space and run again with --resume", file=sys.stderr)
        return NO_SPACE
    if report.stopped == "pages":
        error(report.problem)
        return 1
    if report.book and report.book.status == "failed":
        error(f"the sweep's book did not build: {report.book.error}; its runs and its analysis are kept; "
              f"jupyter-book's output: {display_path(Path(report.book.notebook))}")
    return 1 if report.failed else 0


def resume_command(argv: list[str]) -> str:
    """The command that finishes an interrupted sweep: ``argv`` (``sweep`` and its arguments, as
    typed, the sweep file's path included) with ``--resume``, quoted for a shell."""
    return shlex.join(["toyexp", *(a for a in argv if a != "--resume"), "--resume"])


class Progress:
    """The sweep on the terminal: what will run, a progress bar, and a line per failed run."""

    def __init__(self):
        self.bar = None

    def start(self, started) -> None:
        from tqdm import tqdm

        head, *stale = started.lines()
        print(f"{head}; {started.description}")
        for line in stale:
            print(line)
        for outcome in started.failed_before:
            print(f"FAILED {outcome.id}: {outcome.error}", file=sys.stderr)
        self.bar = tqdm(total=started.to_execute, desc="runs", unit="run", file=sys.stderr)

    def done(self, outcome) -> None:
        self.bar.update()
        if outcome.status == "failed":
            self.bar.write(f"FAILED {outcome.id}: {outcome.error}")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def error(err) -> int:
    print("error: " + " ".join(str(err).split()), file=sys.stderr)  # always one line
    return 2


def main(argv: list[str] | None = None) -> int:
    from .bench import add_parser

    parser = argparse.ArgumentParser(prog="toyexp", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    _sweep_parser(sub)
    add_parser(sub)
    args = parser.parse_args(argv)
    args.argv = sys.argv[1:] if argv is None else list(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
