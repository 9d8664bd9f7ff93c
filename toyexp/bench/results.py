"""What ``toyexp bench`` measured, as frozen records: the settings, and each part's costs."""

from __future__ import annotations

from dataclasses import dataclass

from .loops import StepCost

RUN_OVERRIDES = {  # part -> (full, quick); [] is the seed defaults
    "notebook": ([], ["training.num_epochs=50"]),
    "sweep": (["training.num_epochs=300"], ["training.num_epochs=20"]),
    "memory": ([], ["training.num_epochs=20"]),
    "study": ([], ["training.num_epochs=20"]),
}

FIRST_SEED = 42  # the study sweep's runs take seeds 42, 43, ...


@dataclass(frozen=True, kw_only=True)
class Settings:
    steps: int  # training steps per timed repeat
    repeats: int
    sweep_runs: int
    cores: int
    quick: bool
    study_runs: int  # seed-default runs (seeds FIRST_SEED, FIRST_SEED + 1, ...) in the warm-kernel sweep

    def overrides(self, part: str) -> list[str]:
        """The config overrides of the ``"notebook"``, ``"sweep"``, ``"memory"`` or ``"study"`` runs."""
        return RUN_OVERRIDES[part][self.quick]


@dataclass(frozen=True)
class NotebookCost:
    phases: dict[str, float]  # seconds by phase, in order; they sum to ``wall``
    wall: float  # execute_notebook's wall time
    train_seconds: float  # metrics.json: the training loop alone


@dataclass(frozen=True)
class SweepCost:
    runs: int
    jobs: int  # runs in parallel in the second sweep (the cores)
    serial: float  # wall seconds at --jobs 1
    parallel: float  # wall seconds at --jobs <jobs>


@dataclass(frozen=True, kw_only=True)
class StudySweepCost:
    """A sweep of different runs on warm kernels, as ``toyexp sweep`` executes the study."""

    runs: int
    jobs: int
    wall: float  # seconds, first kernel start to last kernel shut down
    cpu: float  # CPU seconds of the sweep: the kernels (reaped children) and the papermill client
    run_seconds: float  # summed over the runs: metrics.json run_seconds (start_run to finish_run)
    train_seconds: float  # summed over the runs: metrics.json train_seconds
    train_steps: int  # optimiser steps of one run


@dataclass(frozen=True, kw_only=True)
class BenchResult:
    settings: Settings
    training: list[StepCost]
    notebook: NotebookCost
    sweep: SweepCost
    memory_mb: float  # peak RSS of one run, 10^6 bytes
    study: StudySweepCost
