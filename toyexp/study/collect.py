"""Collecting a sweep's runs: every run folder under a results folder, complete or not.

A run folder is ``<results_dir>/<task>/<variant>/<mode>/seed-<seed>/``, the task one of the
registry's and the mode one of ``core.modes.MODES``. The variant is every folder between the
task and the mode (a grid point adds levels, e.g. the variant ``flow/learning_rate=0.001``).
A run is complete when its metrics.json (written last, atomically) and predictions.npz both read.
"""

from __future__ import annotations

import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..core.modes import MODES
from ..run import load_predictions, resolve_path
from ..tasks import TASKS

SEED_DIR = re.compile(r"seed-(-?\d+)")


@dataclass(frozen=True)
class RunRecord:
    task: str
    variant: str
    mode: str
    seed: int
    run_dir: Path
    metrics: dict  # the run's metrics.json
    predictions: dict[str, np.ndarray] = field(repr=False, compare=False)  # its predictions.npz: PREDICTION_KEYS


@dataclass(frozen=True)
class Collection:
    root: Path
    runs: tuple[RunRecord, ...]  # complete runs, sorted by (experiment, variant, seed)
    incomplete: tuple[Path, ...]  # run folders without a readable metrics.json and predictions.npz

    def tasks(self) -> list[str]:
        """The tasks with complete runs, in the registry's order."""
        present = {r.task for r in self.runs}
        return [t for t in TASKS if t in present]

    def variants(self, task: str) -> list[str]:
        return list(dict.fromkeys(r.variant for r in self.runs if r.task == task))

    def select(self, task: str, variant: str | None = None) -> list[RunRecord]:
        return [r for r in self.runs if r.task == task and variant in (None, r.variant)]


PREDICTION_KEYS = ("c_train", "x_train", "c_grid", "x_grid", "pred_grid")


def _read_metrics(path: Path) -> dict | None:
    """The metrics of a complete run, or None when the file is missing, unreadable or not a run's."""
    try:
        metrics = json.loads(path.read_text())
        return metrics if isinstance(metrics["final"]["l2"], (int, float)) else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _read_predictions(run_dir: Path) -> dict[str, np.ndarray] | None:
    try:
        return load_predictions(run_dir, PREDICTION_KEYS)  # the grid only: its size is bounded, num_eval's is not
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile):
        return None


def collect(results_dir: str | Path) -> Collection:
    """Every run folder under ``results_dir`` (relative paths from the project root).

    Folders holding config.yaml or metrics.json at ``<task>/<variant>/<mode>/seed-<seed>``
    are runs: complete when metrics.json and predictions.npz both read, incomplete otherwise.
    Folders outside that layout (e.g. single notebook runs at ``recon/flow/seed-42``, or another
    sweep nested inside) are ignored. A missing or corrupt file never raises.
    """
    root = resolve_path(results_dir)
    found = {p.parent for name in ("config.yaml", "metrics.json") for p in root.rglob(name)} if root.is_dir() else set()
    runs, incomplete = [], []
    for run_dir in found:
        parts = run_dir.relative_to(root).parts
        seed = SEED_DIR.fullmatch(parts[-1]) if len(parts) >= 4 else None
        if seed is None or parts[0] not in TASKS or parts[-2] not in MODES:
            continue
        metrics, arrays = _read_metrics(run_dir / "metrics.json"), _read_predictions(run_dir)
        if metrics is None or arrays is None:
            incomplete.append(run_dir)
            continue
        runs.append(RunRecord(parts[0], "/".join(parts[1:-2]), parts[-2], int(seed.group(1)), run_dir, metrics, arrays))
    runs.sort(key=lambda r: (r.task, r.variant, r.seed, r.mode, str(r.run_dir)))
    return Collection(root, tuple(runs), tuple(sorted(incomplete)))
