"""How far a run's numbers move between CPU code paths, and what portable mode costs.

Each run is a child process with its code-path variables set before torch is imported
(:data:`PATHS`), one torch thread, figures off. For each (task, mode, seed) the report gives
every path's final l2, its relative difference to the first path, whether its ``final`` and
``evaluations`` are bit-identical to the first path's, and its CPU seconds as a ratio to the
first path's. With ``--repeats`` the paths run interleaved (the order rotated each repeat) and
each ratio is the median of the per-repeat ratios, so a busy machine slows all paths alike.

    python -m toyexp.bench.kernel_paths --tasks recon projection lie    # drift: native, default, avx2
    python -m toyexp.bench.kernel_paths --tasks recon projection lie --paths native aten-avx2 mkl-auto
    python -m toyexp.bench.kernel_paths --paths portable portable-mkl-avx2 portable-mkl-avx portable-old-host
    python -m toyexp.bench.kernel_paths --paths native aten-default mkl-compatible portable --repeats 3

Training is at the seed defaults; evaluation as in params/sweep.yaml (``final`` is euler at
16 steps for flow, and ``evaluations`` hold every integrator and dopri5 tolerance). ``flow``
is the study's flow variant (x_0 = 0 in training and at inference).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from ..run.files import PROJECT_ROOT, resolve_path, write_json
from ..run.code_path import PORTABLE_ENV
from ..study.execution import SINGLE_THREAD
from ..study.sweep import load_sweep

# name -> the variables set for the child (every code-path variable not named is unset)
PATHS = {
    "native": {},
    "default": {"ATEN_CPU_CAPABILITY": "default", "MKL_CBWR": "COMPATIBLE"},  # torch's plain kernels, MKL's SSE2 branch
    "avx2": {"ATEN_CPU_CAPABILITY": "avx2", "MKL_CBWR": "AVX2"},  # an AVX2-only machine (MKL on AMD: AUTO)
    # portable mode, and portable mode on emulated hosts whose MKL may use less
    "portable": PORTABLE_ENV,
    "portable-mkl-avx2": {**PORTABLE_ENV, "MKL_ENABLE_INSTRUCTIONS": "AVX2"},
    "portable-mkl-avx": {**PORTABLE_ENV, "MKL_ENABLE_INSTRUCTIONS": "AVX"},
    "portable-mkl-sse4_2": {**PORTABLE_ENV, "MKL_ENABLE_INSTRUCTIONS": "SSE4_2"},
    # ... and a host from before AVX: glibc's libm also without its AVX2/FMA variants
    "portable-old-host": {**PORTABLE_ENV, "MKL_ENABLE_INSTRUCTIONS": "SSE4_2",
                          "GLIBC_TUNABLES": "glibc.cpu.hwcaps=-AVX512F,-AVX2,-FMA,-AVX"},
    # a cheaper candidate for hosts that all have AVX2: torch's AVX2 kernels everywhere, MKL pinned
    "avx2-compatible": {"ATEN_CPU_CAPABILITY": "avx2", "MKL_CBWR": "COMPATIBLE"},
    # the cost of each half of portable mode
    "aten-default": {"ATEN_CPU_CAPABILITY": "default"},
    "mkl-compatible": {"MKL_CBWR": "COMPATIBLE"},
    # each half of the avx2 path alone
    "aten-avx2": {"ATEN_CPU_CAPABILITY": "avx2"},
    "mkl-auto": {"MKL_CBWR": "AUTO"},
}
PATH_VARIABLES = ("ATEN_CPU_CAPABILITY", "MKL_CBWR", "MKL_ENABLE_INSTRUCTIONS", "MKL_DEBUG_CPU_TYPE", "GLIBC_TUNABLES")
MODES = {"regression": ["experiment.mode=regression"],
         "flow": ["experiment.mode=flow", "training.initial_dist=zeros", "evaluation.initial_dist=zeros"]}
STUDY = "params/sweep.yaml"  # its overrides (the evaluation settings) apply to every run here
CHILD = """
import json, sys, toyexp
from toyexp.run.record import record_to_json
task, seed, overrides = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
record = record_to_json(toyexp.run_all(toyexp.load_config(task, seed=seed, overrides=overrides), figures=False))
print(json.dumps({"final": record["final"], "evaluations": record["evaluations"], "train_seconds": record["training"]["seconds"],
                  "run_seconds": record["run_seconds"], "code_path": record["provenance"]["code_path"]}))
"""


@dataclass(frozen=True, kw_only=True)
class PathRun:
    """One child run on one code path."""

    task: str
    mode: str
    seed: int
    path: str
    repeat: int
    final: dict
    evaluations: list
    code_path: dict  # provenance.code_path as the child recorded it
    cpu_seconds: float  # the child's user + system CPU
    train_seconds: float


def path_env(path: str) -> dict[str, str]:
    """This process's environment with one torch thread and only ``path``'s code-path variables."""
    env = {k: v for k, v in os.environ.items() if k not in PATH_VARIABLES}
    return {**env, **SINGLE_THREAD, **PATHS[path]}


def child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_on_path(task: str, mode: str, seed: int, path: str, *, repeat: int, overrides: list[str],
                folder: Path) -> PathRun:
    """One run in a child process on ``path``; its folder under ``folder``."""
    out = folder / f"{task}-{mode}-{seed}-{path}-{repeat}"
    argv = [sys.executable, "-c", CHILD, task, str(seed), f"experiment.output_dir={out}", *MODES[mode], *overrides]
    before = child_cpu()
    child = subprocess.run(argv, capture_output=True, text=True, cwd=PROJECT_ROOT, env=path_env(path), check=False)
    cpu = child_cpu() - before
    if child.returncode != 0:
        raise RuntimeError(f"{task} {mode} seed {seed} on {path} exited with {child.returncode}: {child.stderr.strip()[-2000:]}")
    result = json.loads(child.stdout.strip().splitlines()[-1])
    return PathRun(task=task, mode=mode, seed=seed, path=path, repeat=repeat, final=result["final"],
                   evaluations=result["evaluations"], code_path=result["code_path"], cpu_seconds=cpu,
                   train_seconds=result["train_seconds"])


def relative_difference(a: float, b: float) -> float:
    return abs(a - b) / abs(b) if b else abs(a - b)


def report(runs: list[PathRun], paths: list[str]) -> str:
    """One block per (task, mode, seed): each path's final l2, its difference to the first path,
    bit-identity of ``final`` and ``evaluations`` with the first path, CPU s and its ratio."""
    lines = []
    groups = sorted({(r.task, r.mode, r.seed) for r in runs}, key=str)
    for task, mode, seed in groups:
        mine = [r for r in runs if (r.task, r.mode, r.seed) == (task, mode, seed)]
        first = [r for r in mine if r.path == paths[0]]
        ref = first[0]
        lines.append(f"\n{task} {mode} seed {seed} (reference: {paths[0]})")
        lines.append(f"  {'path':<22} {'capability':<10} {'mkl_cbwr':<10} {'final l2':<22} {'rel. diff':>9}  "
                     f"{'final ==':<8} {'evals ==':<8} {'CPU s':>6} {'ratio':>6}")
        for path in paths:
            on = [r for r in mine if r.path == path]
            if not on:
                continue
            r = on[0]
            repeats_equal = all(o.final == r.final and o.evaluations == r.evaluations for o in on)
            ratios = [o.cpu_seconds / f.cpu_seconds for o in on for f in first if f.repeat == o.repeat]
            lines.append(
                f"  {path:<22} {r.code_path['capability']:<10} {str(r.code_path['mkl_cbwr']):<10} {r.final['l2']!r:<22} "
                f"{relative_difference(r.final['l2'], ref.final['l2']):>9.1e}  {str(r.final == ref.final):<8} "
                f"{str(r.evaluations == ref.evaluations):<8} {statistics.median(o.cpu_seconds for o in on):>6.1f} "
                f"{statistics.median(ratios) if ratios else float('nan'):>6.2f}"
                + ("" if repeats_equal else "  (repeats differ!)")
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m toyexp.bench.kernel_paths", description=__doc__.split("\n\n")[0])
    p.add_argument("--tasks", nargs="+", default=["recon"])
    p.add_argument("--modes", nargs="+", default=list(MODES), choices=list(MODES))
    p.add_argument("--seeds", nargs="+", type=int, default=[42])
    p.add_argument("--paths", nargs="+", default=["native", "default", "avx2"], choices=list(PATHS),
                   help="code paths; the first is the reference (default: native default avx2)")
    p.add_argument("--repeats", type=int, default=1, help="interleaved repeats, for the CPU ratios (default: 1)")
    p.add_argument("--overrides", nargs="*", default=[], help="extra config overrides, e.g. training.num_epochs=30")
    p.add_argument("--json", default="outputs/bench/kernel_paths.json", help="where to write every run (relative to the current folder)")
    args = p.parse_args(argv)
    if args.repeats < 1:
        p.error(f"--repeats {args.repeats} is invalid; it must be at least 1")
    overrides = [*load_sweep(STUDY).overrides, *args.overrides]
    runs = []
    with tempfile.TemporaryDirectory(prefix="toyexp-kernel-paths-") as tmp:
        for repeat in range(args.repeats):
            order = args.paths[repeat % len(args.paths):] + args.paths[:repeat % len(args.paths)]
            for task in args.tasks:
                for mode in args.modes:
                    for seed in args.seeds:
                        for path in order:
                            runs.append(run_on_path(task, mode, seed, path, repeat=repeat, overrides=overrides,
                                                    folder=Path(tmp)))
                            print(f"{task} {mode} seed {seed} {path} (repeat {repeat}): l2 {runs[-1].final['l2']!r}, "
                                  f"{runs[-1].cpu_seconds:.1f} CPU s", file=sys.stderr, flush=True)
    write_json(resolve_path(args.json), {"overrides": overrides, "paths": {p: PATHS[p] for p in args.paths},
                                          "runs": [asdict(r) for r in runs]})
    print(report(runs, args.paths))
    return 0


if __name__ == "__main__":
    sys.exit(main())
