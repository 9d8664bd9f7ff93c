"""``toyexp bench``: what a training step, a notebook run, a sweep and a run's memory cost.

The sub-command's parser is here; the measurements (:mod:`.command`) are imported when it runs.
"""

from __future__ import annotations

import argparse
import sys


def add_parser(subparsers) -> argparse.ArgumentParser:
    """The ``bench`` sub-command."""
    p = subparsers.add_parser("bench", help="measure training, notebook, sweep and memory costs; write them as JSON")
    p.add_argument("--quick", action="store_true", help="tiny step counts and very short runs (CI; under a minute)")
    p.add_argument("--json", metavar="PATH", help="where to write the figures (default: outputs/bench/bench-<timestamp>.json; relative to the current folder)")
    p.add_argument("--repeats", type=int, help="timed repeats of each training loop; the median is reported (default: 5, quick: 3)")
    p.add_argument("--steps", type=int, help="training steps per repeat (default: 1000, quick: 100)")
    p.add_argument("--sweep-runs", type=int, help="identical runs in the sweep (default: 2 x cores, quick: 2)")
    p.add_argument("--study-runs", type=int, help="seed-default runs in the warm-kernel sweep (default: 6 x cores, quick: cores, 20 epochs)")
    p.add_argument("--members", type=int, metavar="E", help="only this: the training CPU of E seeds trained together against one by one, as a ratio")
    p.set_defaults(func=_bench)
    return p


def _bench(args: argparse.Namespace) -> int:
    if args.members is not None:
        from .members import members_report

        if args.members < 2:
            print(f"error: --members {args.members} is invalid; it must be at least 2", file=sys.stderr)
            return 2
        print(members_report(args.members, args.steps or (100 if args.quick else 1000), args.repeats or (1 if args.quick else 3)))
        return 0
    from .command import bench_command

    return bench_command(args)


__all__ = ["add_parser"]
