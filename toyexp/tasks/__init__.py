"""The tasks, one folder each, and the one registry that lists them.

A task is a :class:`~toyexp.tasks.base.Task` object. ``register`` adds one (a task defined
outside the package included), ``get_task`` finds one by name; nothing else needs editing.
"""

from __future__ import annotations

from ..schema import ConfigError, did_you_mean, valid
from .base import Dataset, Metric, Section, Task
from .lie import TASK as LIE
from .projection import TASK as PROJECTION
from .recon import TASK as RECON

TASKS: dict[str, Task] = {}


def register(task: Task) -> Task:
    """Add ``task`` to the registry under ``task.name`` (replacing a task of the same name)."""
    TASKS[task.name] = task
    return task


def get_task(name: str) -> Task:
    """The registered task called ``name``; a ConfigError names the valid ones."""
    if name not in TASKS:
        raise ConfigError(f"task {name!r} is unknown{did_you_mean(name, TASKS)}; valid tasks: {valid(TASKS)}")
    return TASKS[name]


for _task in (RECON, PROJECTION, LIE):
    register(_task)

__all__ = ["TASKS", "register", "get_task", "Task", "Dataset", "Metric", "Section"]
