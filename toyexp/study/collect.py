"""Collecting a sweep's runs: every run folder under a results folder, complete or not.

A run folder holds config.yaml from its start and metrics.json (written last, atomically) once
it is done. It is complete when its metrics.json reads as a record of this toyexp
(:func:`toyexp.run.record.read_record`) and its predictions.npz has the dense grid. Which run it
is (task, variant, grid point, mode, seed) is read from the record, never from the folder's
path; folders may sit anywhere under the results folder.
"""

from __future__ import annotations

import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..core.metrics import Evaluation
from ..run.files import resolve_path
from ..run.outputs import load_predictions
from ..run.record import RecordError, RunRecord, read_record
from ..tasks import task_names
from ..tasks.base import Final
from .report_paths import shown_as

PREDICTION_KEYS = ("c_train", "x_train", "c_grid", "x_grid", "pred_grid")


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class Member:
    """One seed of a row of the analysis: a trained network's run, or a classical baseline fitted
    to the same samples."""

    seed: int
    final: Final
    predictions: Predictions = field(repr=False, compare=False)
    evaluations: tuple[Evaluation, ...] = ()  # a network's, at every integrator setting; () for a baseline
    config: dict = field(default_factory=dict, repr=False, compare=False)  # the (network) run's resolved config

    @classmethod
    def of(cls, run: CollectedRun) -> Member:
        r = run.record
        return cls(r.seed, r.final, run.predictions, r.evaluations, r.config)


@dataclass(frozen=True)
class Collection:
    root: Path
    runs: tuple[CollectedRun, ...]  # complete runs, sorted by (task, grid point, variant, seed)
    incomplete: tuple[Path, ...]  # run folders without a readable record and predictions
    problems: tuple[str, ...] = ()  # why a folder with a metrics.json was not read (another format...)

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
        lines = [f"{len(self.runs)} complete and {len(self.incomplete)} incomplete runs under {shown_as(self.root)}"]
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


def collect(results_dir: str | Path) -> Collection:
    """Every run folder under ``results_dir`` (relative paths from the project root).

    A folder holding config.yaml or metrics.json is a run: complete when its record and its
    predictions read, incomplete otherwise. A missing or corrupt file never raises.
    """
    root = resolve_path(results_dir)
    found = {p.parent for name in ("config.yaml", "metrics.json") for p in root.rglob(name)} if root.is_dir() else set()
    runs, incomplete, problems = [], [], []
    for folder in found:
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
    runs.sort(key=lambda r: (r.record.task, point_key(r.record.grid_point), r.record.variant, r.record.seed, str(r.folder)))
    return Collection(root, tuple(runs), tuple(sorted(incomplete)), tuple(sorted(problems)))
