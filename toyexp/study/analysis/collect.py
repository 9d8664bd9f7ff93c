"""Collecting runs for the analysis: exactly the runs a sweep planned, or every run folder under
a results folder.

A run folder holds config.yaml from its start and metrics.json (written last, atomically) once
it is done. It is complete when its metrics.json reads as a record of this toyexp
(:func:`toyexp.run.record.read_record`) and its predictions.npz has the dense grid. Which run it
is (task, variant, grid point, mode, seed) is read from the record, never from the folder's
path.

A study reads its own runs (:func:`collect_sweep`): each run its plan names, found in the
folder the plan gives it and read only when its record holds that run's identity and config.
Any other run under the results folder (a notebook's quick run, another sweep's, a run by hand)
is counted in one line of the overview and never read. :func:`collect` reads every run folder
under a folder, for the analysis notebook pointed at a folder by hand; there the seeds of a row
must share their config, or :class:`RunsDisagree` names the two runs and the key.
"""

from __future__ import annotations

import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ...core.metrics import Evaluation
from ...run.files import display_path, resolve_path
from ...run.outputs import load_predictions
from ...run.sections import Config
from ...run.record import RecordError, RunRecord, read_record
from ...run.target import Target
from ...schema import change_text, differences
from ...tasks import task_names
from ...tasks.base import Final
from ..sweep.plan import PlannedRun, plan
from ..book.report_paths import shown_as
from ..sweep.sweep_file import load_sweep

PREDICTION_KEYS = ("c_train", "x_train", "c_grid", "x_grid", "pred_grid")
PER_RUN_KEYS = ("experiment.seed", "experiment.output_dir")  # what the seeds of one row may differ in


class RunsDisagree(ValueError):
    """Two runs the analysis would compare as seeds of one config were run with different configs."""


@dataclass(frozen=True, kw_only=True)
class Predictions:
    """What the analysis reads of a run's predictions.npz: the training samples and the dense grid."""

    c_train: np.ndarray  # (N, 1)
    x_train: np.ndarray  # (N, D)
    c_grid: np.ndarray  # (G, 1)
    x_grid: np.ndarray  # (G, D) the target
    pred_grid: np.ndarray  # (G, D) the prediction


@dataclass(frozen=True)
class CollectedRun:
    """A complete run: its record, its folder and its predictions on the dense grid."""

    record: RunRecord
    folder: Path
    predictions: Predictions = field(repr=False, compare=False)


@dataclass(frozen=True, kw_only=True)
class Member:
    """One seed of a row of the analysis: a trained network's run, or a classical baseline fitted
    to the same samples (with the config and target of the network's run it was fitted to)."""

    seed: int
    final: Final
    predictions: Predictions = field(repr=False, compare=False)
    evaluations: tuple[Evaluation, ...] = ()  # a network's, at every integrator setting; () for a baseline
    config: Config = field(repr=False, compare=False)  # the (network) run's resolved config
    target: Target = field(repr=False, compare=False)  # what that run recorded about its target

    @classmethod
    def of(cls, run: CollectedRun) -> Member:
        r = run.record
        return cls(seed=r.seed, final=r.final, predictions=run.predictions, evaluations=r.evaluations, config=r.config,
                   target=r.target)


@dataclass(frozen=True, kw_only=True)
class Collection:
    root: Path
    runs: tuple[CollectedRun, ...]  # complete runs, sorted by (task, grid point, variant, seed)
    incomplete: tuple[Path, ...]  # run folders without a readable record and predictions
    problems: tuple[str, ...] = ()  # why a folder with a metrics.json was not read (another format...)
    unplanned: tuple[Path, ...] = ()  # run folders under root that the sweep does not plan: never read
    not_run: int = 0  # planned runs whose folder does not exist yet

    def tasks(self, order: list[str] | None = None) -> list[str]:
        """The tasks with complete runs: in ``order`` (a sweep file's) where it names them, then by name."""
        present = {r.record.task for r in self.runs}
        ranked = [t for t in (order or []) if t in present]
        return ranked + [t for t in task_names() if t in present and t not in ranked]

    def points(self, task: str) -> list[dict[str, Any]]:
        """The grid points of ``task``, in the order they were collected ([{}] without a grid)."""
        seen: list[dict] = []
        for r in self.select(task):
            if r.record.grid_point not in seen:
                seen.append(r.record.grid_point)
        return seen

    def variants(self, task: str, point: dict[str, Any] | None = None) -> list[str]:
        return list(dict.fromkeys(r.record.variant for r in self.select(task, point=point)))

    def overview(self, order: list[str] | None = None) -> str:
        """How many runs were found, and a line per task and variant with its seeds (and, on a
        grid, how many points hold how many seeds)."""
        lines = [f"{len(self.runs)} complete and {len(self.incomplete)} incomplete runs under {shown_as(self.root)}"
                 + (f"; {self.not_run} planned runs have not run" if self.not_run else "")]
        if self.unplanned:
            shown = ", ".join(str(p.relative_to(self.root)) for p in self.unplanned[:3])
            lines.append(f"  not read: {len(self.unplanned)} run folder{'' if len(self.unplanned) == 1 else 's'} under "
                         f"{shown_as(self.root)} that this sweep does not plan ({shown}{', …' if len(self.unplanned) > 3 else ''})")
        for task in self.tasks(order):
            points = self.points(task)
            if len(points) <= 1:
                for variant in self.variants(task, points[0] if points else None):
                    lines.append(f"  {task} · {variant}: seeds {[r.record.seed for r in self.select(task, variant)]}")
                continue
            for variant in self.variants(task):
                held = Counter(len(self.select(task, variant, point)) for point in points)
                counts = ", ".join(f"{n} seed{'' if n == 1 else 's'} at {held[n]} point{'' if held[n] == 1 else 's'}" for n in sorted(held, reverse=True))
                lines.append(f"  {task} · {variant}: {len(points)} grid points; {counts}")
        return "\n".join(lines + [f"  not read: {p}" for p in self.problems])

    def select(self, task: str, variant: str | None = None, point: dict[str, Any] | None = None) -> list[CollectedRun]:
        """The runs of ``task`` (of ``variant`` and at grid ``point`` when given), by seed."""
        return [r for r in self.runs if r.record.task == task and variant in (None, r.record.variant)
                and (point is None or r.record.grid_point == point)]


def point_key(point: dict[str, Any]) -> tuple:
    """A sort key of a grid point: by key, numbers by value (25 before 100), then text."""
    return tuple((k, (0, v, "") if isinstance(v, (int, float)) else (1, 0, str(v))) for k, v in sorted(point.items()))


def _read_predictions(folder: Path) -> Predictions | None:
    try:
        return Predictions(**load_predictions(folder, PREDICTION_KEYS))
    except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile):
        return None


def run_folders(root: Path) -> set[Path]:
    """Every folder under ``root`` holding a config.yaml or a metrics.json: a run, complete or not."""
    return {p.parent for name in ("config.yaml", "metrics.json") for p in root.rglob(name)} if root.is_dir() else set()


def collect_sweep(sweep_file: str | Path) -> Collection:
    """The runs of the sweep in ``sweep_file``, but for its budget check: see the module docstring."""
    sweep = load_sweep(sweep_file)
    planned = plan(sweep)
    return collect_planned([r for r in planned if not r.budget], sweep.results_dir, also=[r for r in planned if r.budget])


def collect_budget_check(sweep_file: str | Path) -> Collection:
    """The budget-check runs of the sweep in ``sweep_file`` (:mod:`.plan`), read as
    :func:`collect_planned` reads a sweep's runs; each record's grid point holds its budget's keys."""
    sweep = load_sweep(sweep_file)
    planned = plan(sweep)
    return collect_planned([r for r in planned if r.budget], sweep.results_dir, also=[r for r in planned if not r.budget])


def collect_planned(planned: list[PlannedRun], results_dir: str | Path, also: list[PlannedRun] = ()) -> Collection:
    """The ``planned`` runs, each read from its own folder when its record is that run: the same
    identity (task, variant, grid point, seed) and the same config. A record of another config
    (the sweep file changed since) is listed as incomplete, with the first key that differs.
    The folders of ``also`` (the sweep's other runs, read elsewhere) are not counted as unplanned."""
    root = resolve_path(results_dir)
    runs, incomplete, problems, not_run = [], [], [], 0
    for run in planned:
        if not run.run_dir.is_dir():
            not_run += 1
            continue
        try:
            record = read_record(run.run_dir / "metrics.json")
        except OSError:
            record = None
        except RecordError as err:
            record = None
            problems.append(f"{_under(run.run_dir, root)}: {err}")
        stale = _not_the_planned_run(record, run) if record is not None else ""
        if stale:
            problems.append(f"{_under(run.run_dir, root)}: {stale}; `toyexp sweep --resume` runs it again")
        predictions = _read_predictions(run.run_dir) if record is not None and not stale else None
        if predictions is None:
            incomplete.append(run.run_dir)
        else:
            runs.append(CollectedRun(record, run.run_dir, predictions))
    planned_folders = {r.run_dir for r in [*planned, *also]}
    unplanned = tuple(sorted(f for f in run_folders(root) if f not in planned_folders))
    return Collection(root=root, runs=sorted_runs(runs), incomplete=tuple(sorted(incomplete)),
                      problems=tuple(sorted(problems)), unplanned=unplanned, not_run=not_run)


def _under(folder: Path, root: Path) -> str:
    """A run folder as the report shows it: relative to the results folder."""
    return str(folder.relative_to(root)) if folder.is_relative_to(root) else display_path(folder)


def _not_the_planned_run(record: RunRecord, run: PlannedRun) -> str:
    """Why ``record`` is not the record of ``run`` ("" when it is)."""
    identity = (record.task, record.variant, record.grid_point, record.seed)
    if identity != (run.task, run.variant, run.grid_point, run.seed):
        return f"it records run {identity}, not {(run.task, run.variant, run.grid_point, run.seed)}"
    change = change_text(record.config.to_dict(), run.config)
    return f"its config differs from the sweep's: {change} (recorded → planned)" if change else ""


def check_alike(runs: list[CollectedRun]) -> None:
    """Raise :class:`RunsDisagree` unless the ``runs`` (the seeds of one row) share their config
    but for the seed and the output folder, naming the first two runs that differ and the key."""
    first = runs[0]
    for other in runs[1:]:
        changed = differences(first.record.config.to_dict(), other.record.config.to_dict(), ignore=PER_RUN_KEYS)
        if changed:
            key, a, b = changed[0]
            raise RunsDisagree(
                f"{display_path(first.folder)} and {display_path(other.folder)} are seeds of {first.record.task} · "
                f"{first.record.variant} but differ in {key} ({a!r} against {b!r}): point the analysis at a folder "
                "holding one config per variant, or give it the sweep file that planned the runs")


def sorted_runs(runs: list[CollectedRun]) -> tuple[CollectedRun, ...]:
    return tuple(sorted(runs, key=lambda r: (r.record.task, point_key(r.record.grid_point), r.record.variant,
                                             r.record.seed, str(r.folder))))


def collect(results_dir: str | Path) -> Collection:
    """Every run folder under ``results_dir`` (a relative path from the current folder).

    A folder holding config.yaml or metrics.json is a run: complete when its record and its
    predictions read, incomplete otherwise. A missing or corrupt file never raises.
    """
    root = resolve_path(results_dir)
    runs, incomplete, problems = [], [], []
    for folder in run_folders(root):
        try:
            record = read_record(folder / "metrics.json")
        except OSError:
            record = None
        except RecordError as err:
            record = None
            problems.append(f"{folder.relative_to(root)}: {err}")
        predictions = _read_predictions(folder) if record is not None else None
        if record is None or predictions is None:
            incomplete.append(folder)
        elif record.task in task_names():
            runs.append(CollectedRun(record, folder, predictions))
    return Collection(root=root, runs=sorted_runs(runs), incomplete=tuple(sorted(incomplete)),
                      problems=tuple(sorted(problems)))
