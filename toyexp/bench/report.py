"""The figures of ``toyexp bench`` as a table and as JSON, each next to its target.

Every ratio is computed here once, from the numbers reported beside it, so the table, the
JSON and a reader's own division agree.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass

from ..run.provenance import provenance
from ..run.record import plain
from .results import FIRST_SEED, RUN_OVERRIDES, BenchResult, NotebookCost, Settings, StudySweepCost, SweepCost
from .loops import DEFAULT_THREADS, StepCost

LOOP_NAMES = {
    "toyexp": "toyexp.train.train",
    "lean": "lean: randperm indexing, 1 thread, torch.optim.Adam(foreach=True)",
    "dataloader": "common: DataLoader(shuffle=True), default threads, Adam(foreach=True)",
}
# Our training step against the lean loop's, on the CPU clock: both loops run on one thread,
# so their CPU time is their cost, while their wall time also counts whatever else the
# machine runs. Issue 12 asks for at most 0.65 (fused Adam, few small ops per step).
LEAN_TARGET = 0.65
# Issue 12 as well: a seed-default run in a sweep costs at most 0.35 x the CPU of the DataLoader
# loop's training alone, and the notebook around it (kernel, imports, resets, papermill, the
# cells outside start_run ... finish_run) under 1 s, amortised over the sweep's runs.
STUDY_TARGET, STUDY_OVERHEAD_TARGET = 0.35, 1.0


@dataclass(frozen=True)
class Target:
    name: str
    measured: float
    limit: float  # the target is met when measured <= limit
    unit: str  # "x" for a ratio

    @property
    def passed(self) -> bool:
        return self.measured <= self.limit


def training_ratios(costs: list[StepCost]) -> dict[str, float]:
    """toyexp's cost per step over each reference's, CPU and wall, for one mode."""
    by_loop = {c.loop: c for c in costs}
    ours = by_loop["toyexp"]
    return {
        f"toyexp_over_{ref}_{clock}": getattr(ours, clock) / getattr(by_loop[ref], clock)
        for ref in ("lean", "dataloader") for clock in ("cpu", "wall")
    }


def notebook_overhead(nb: NotebookCost) -> float:
    """Everything in a run but the training cell: kernel, imports, data, evaluation, plots, files."""
    return nb.wall - nb.phases["training"]


def sweep_ratios(sweep: SweepCost) -> dict[str, float]:
    ideal = sweep.serial / sweep.jobs
    return {"ideal_parallel_seconds": ideal, "parallel_over_ideal": sweep.parallel / ideal,
            "efficiency": sweep.serial / (sweep.jobs * sweep.parallel)}


def study_ratios(study: StudySweepCost, training: list[StepCost]) -> dict[str, float]:
    """The warm-kernel sweep per run, against the regression DataLoader loop's CPU for the same steps."""
    dataloader = next(c for c in training if c.mode == "regression" and c.loop == "dataloader")
    cpu_per_run = study.cpu / study.runs
    dataloader_per_run = dataloader.cpu * study.train_steps
    return {
        "cpu_per_run": cpu_per_run,
        "dataloader_cpu_per_run": dataloader_per_run,
        "cpu_per_run_over_dataloader": cpu_per_run / dataloader_per_run,
        "overhead_per_run": (study.cpu - study.run_seconds) / study.runs,
        "train_share": study.train_seconds / study.cpu,
        "efficiency": study.cpu / (study.jobs * study.wall),
    }


def modes(result: BenchResult) -> dict[str, list[StepCost]]:
    out: dict[str, list[StepCost]] = {}
    for cost in result.training:
        out.setdefault(cost.mode, []).append(cost)
    return out


def targets(result: BenchResult) -> list[Target]:
    """The issue's targets, each with the measured figure it is judged on."""
    out = []
    for mode, costs in modes(result).items():
        ratios = training_ratios(costs)
        out.append(Target(f"{mode}: toyexp / lean loop, CPU per step", ratios["toyexp_over_lean_cpu"], LEAN_TARGET, "x"))
        out.append(Target(f"{mode}: toyexp / DataLoader loop, CPU per step", ratios["toyexp_over_dataloader_cpu"], 0.5, "x"))
    out.append(Target("notebook overhead (all but training), fresh kernel", notebook_overhead(result.notebook), 3.0, "s"))
    sweep = sweep_ratios(result.sweep)
    out.append(Target(f"sweep --jobs {result.sweep.jobs} wall / (serial / {result.sweep.jobs})", sweep["parallel_over_ideal"], 1.25, "x"))
    out.append(Target("peak memory of one run", result.memory_mb, 500.0, "MB"))
    study = study_ratios(result.study, result.training)
    out.append(Target("study sweep: CPU per run / DataLoader loop's", study["cpu_per_run_over_dataloader"], STUDY_TARGET, "x"))
    out.append(Target("study sweep: notebook overhead per run, amortised", study["overhead_per_run"], STUDY_OVERHEAD_TARGET, "s"))
    return out


def machine() -> dict:
    return {"cpu_count": os.cpu_count(), "default_torch_threads": DEFAULT_THREADS, **plain(provenance())}


def report_json(result: BenchResult, seconds: float) -> dict:
    """Every figure, ratio and target, with the machine and the settings that produced them."""
    training = {
        mode: {
            "loops": {c.loop: {"threads": c.threads, "cpu_per_step": c.cpu, "wall_per_step": c.wall} for c in costs},
            "ratios": training_ratios(costs),
        }
        for mode, costs in modes(result).items()
    }
    nb = result.notebook
    return {
        "machine": machine(),
        "settings": {**dataclasses.asdict(result.settings), "overrides": {p: result.settings.overrides(p) for p in RUN_OVERRIDES}},
        "bench_seconds": seconds,
        "training": training,
        "notebook": {"wall_seconds": nb.wall, "phases": nb.phases, "train_seconds": nb.train_seconds,
                     "overhead_seconds": notebook_overhead(nb)},
        "sweep": {"runs": result.sweep.runs, "jobs": result.sweep.jobs, "serial_seconds": result.sweep.serial,
                  "parallel_seconds": result.sweep.parallel, **sweep_ratios(result.sweep)},
        "memory": {"peak_mb": result.memory_mb},
        "study": {**dataclasses.asdict(result.study), **study_ratios(result.study, result.training)},
        "targets": [{**dataclasses.asdict(t), "passed": t.passed} for t in targets(result)],
    }


def training_table(result: BenchResult) -> list[str]:
    s = result.settings
    lines = [f"1. Training cost per step: seed defaults, median of {s.repeats} x {s.steps} steps, warm-up excluded",
             f"   {'mode':<11} {'loop':<70} {'threads':>7} {'CPU ms/step':>12} {'wall ms/step':>13}"]
    for mode, costs in modes(result).items():
        for c in costs:
            lines.append(f"   {mode:<11} {LOOP_NAMES[c.loop]:<70} {c.threads:>7d} {1e3 * c.cpu:>12.3f} {1e3 * c.wall:>13.3f}")
        r = training_ratios(costs)
        lines.append(f"   {mode:<11} toyexp / lean: CPU {r['toyexp_over_lean_cpu']:.2f} (target <= {LEAN_TARGET:g}), wall {r['toyexp_over_lean_wall']:.2f};"
                     f" toyexp / DataLoader: CPU {r['toyexp_over_dataloader_cpu']:.2f}, wall {r['toyexp_over_dataloader_wall']:.2f}")
    return lines


def described(settings: Settings, part: str) -> str:
    return ", ".join(settings.overrides(part)) or "seed defaults"


def notebook_table(nb: NotebookCost, settings: Settings) -> list[str]:
    lines = [f"2. One papermill run of notebooks/recon.ipynb, regression ({described(settings, 'notebook')}): wall seconds by phase"]
    lines += [f"   {phase:<22} {seconds:>7.2f}" for phase, seconds in nb.phases.items()]
    lines.append(f"   {'total':<22} {nb.wall:>7.2f}   (metrics.json train_seconds {nb.train_seconds:.2f})")
    return lines


def sweep_table(sweep: SweepCost, settings: Settings) -> list[str]:
    r = sweep_ratios(sweep)
    return [
        f"3. Sweep of {sweep.runs} identical recon runs, regression ({described(settings, 'sweep')}), each into its own folder",
        f"   --jobs 1 {sweep.serial:>8.2f} s",
        f"   --jobs {sweep.jobs} {sweep.parallel:>8.2f} s   ideal {r['ideal_parallel_seconds']:.2f} s; parallel efficiency {r['efficiency']:.2f}",
    ]


def study_table(study: StudySweepCost, training: list[StepCost], settings: Settings) -> list[str]:
    r = study_ratios(study, training)
    return [
        f"5. Sweep of {study.runs} recon regression runs ({described(settings, 'study')}, seeds {FIRST_SEED}-{FIRST_SEED + study.runs - 1}) on {study.jobs} warm kernels",
        f"   wall {study.wall:.2f} s, CPU {study.cpu:.2f} s (parallel efficiency {r['efficiency']:.2f}); training {100 * r['train_share']:.0f} % of the CPU",
        f"   CPU per run {r['cpu_per_run']:.2f} s; the DataLoader loop's CPU for the same {study.train_steps} steps {r['dataloader_cpu_per_run']:.2f} s:"
        f" {r['cpu_per_run_over_dataloader']:.2f} x (target <= {STUDY_TARGET:g})",
        f"   notebook overhead per run, amortised (CPU less the runs' own run_seconds) {r['overhead_per_run']:.2f} s",
    ]


def report_table(result: BenchResult, seconds: float) -> str:
    """The printed report: the five sections, then every target with pass or MISS."""
    info = machine()
    git = info["git"]
    commit = f"{(git['commit'] or 'unknown')[:10]}{' (dirty)' if git['dirty'] else ''}"
    s = result.settings
    head = (f"toyexp bench{' --quick' if s.quick else ''}: {info['cpu_count']} cores (default torch threads {DEFAULT_THREADS}), "
            f"torch {info['torch']}, {info['platform']}, commit {commit}")
    lines = [head, "", *training_table(result), "", *notebook_table(result.notebook, s), "", *sweep_table(result.sweep, s), ""]
    lines += [f"4. Peak memory of one run, regression ({described(s, 'memory')}), in a child process: {result.memory_mb:.1f} MB", ""]
    lines += [*study_table(result.study, result.training, s), "", "Targets"]
    for t in targets(result):
        lines.append(f"   {t.name:<58} {t.measured:>8.2f} {t.unit:<2} <= {t.limit:<6g} {'pass' if t.passed else 'MISS'}")
    lines.append(f"(bench took {seconds:.1f} s)")
    return "\n".join(lines)
