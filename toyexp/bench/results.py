"""What ``toyexp bench`` measured, as frozen records: the settings, and each part's costs."""

from __future__ import annotations

from dataclasses import dataclass

from .loops import StepCost

RUN_OVERRIDES = {  # part -> (full, quick); [] is the seed defaults
    "notebook": ([], ["training.num_epochs=50"]),
    "sweep": (["training.num_epochs=300"], ["training.num_epochs=20"]),
    "memory": ([], ["training.num_epochs=20"]),
}

@dataclass(frozen=True)
class Settings:
    steps: int  # training steps per timed repeat
    repeats: int
    sweep_runs: int
    cores: int
    quick: bool

    def overrides(self, part: str) -> list[str]:
        """The config overrides of the ``"notebook"``, ``"sweep"`` or ``"memory"`` runs."""
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


@dataclass(frozen=True)
class BenchResult:
    settings: Settings
    training: list[StepCost]
    notebook: NotebookCost
    sweep: SweepCost
    memory_mb: float  # peak RSS of one run, 10^6 bytes
