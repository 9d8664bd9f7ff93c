"""The tasks, one folder each, and the one registry that lists them.

A task is a :class:`~toyexp.tasks.base.Task` object. ``register`` adds one (a task defined
outside the package included), ``get_task`` finds one by name; nothing else needs editing.

A task kept in a package of its own registers in every process, sweep kernels included, by
declaring an entry point in the group ``toyexp.tasks`` whose value is its Task class::

    [project.entry-points."toyexp.tasks"]
    line = "line_task:Line"
"""

from __future__ import annotations

from importlib.metadata import entry_points

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


ENTRY_POINT_GROUP = "toyexp.tasks"


def load_entry_points() -> None:
    """Register the tasks that installed packages declare in the ``toyexp.tasks`` entry-point group."""
    for point in entry_points(group=ENTRY_POINT_GROUP):
        try:
            task = point.load()
        except Exception as err:  # a broken plugin names itself instead of breaking every import
            raise ConfigError(f"the task entry point {point.name} = {point.value!r} does not load: {err}") from err
        register(task() if isinstance(task, type) else task)


for _task in (RECON, PROJECTION, LIE):
    register(_task)
load_entry_points()

__all__ = ["TASKS", "register", "get_task", "Task", "Dataset", "Metric", "Section"]
