"""The tasks, one folder each, and the registry that finds them.

A built-in task is a folder ``toyexp/tasks/<name>/`` with a ``config.py`` that defines
``DATASET_CONFIG`` (its dataset keys) and a ``task.py`` that defines ``TASK`` (the task object);
the registry finds every such folder, so adding a task adds nothing here. A task kept in a
package of its own registers in every process (sweep kernels included) through an entry point
in the group ``toyexp.tasks`` whose value is its Task class::

    [project.entry-points."toyexp.tasks"]
    line = "line_task:Line"

and ``register(task)`` adds one inside a single process. The registry reads only the config
modules until a task object is asked for (:func:`get_task`): checking a config or a sweep file
imports no torch.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from importlib.metadata import entry_points
from typing import TYPE_CHECKING

from ..schema import ConfigError, did_you_mean, valid
from .config import DatasetConfig

if TYPE_CHECKING:
    from .base import Task

ENTRY_POINT_GROUP = "toyexp.tasks"
_REGISTERED: dict[str, Task] = {}  # by register() and the entry points


@functools.cache
def built_in() -> tuple[str, ...]:
    """The task folders of the package, by name."""
    return tuple(sorted(m.name for m in pkgutil.iter_modules(__path__) if m.ispkg))


def task_names() -> list[str]:
    """Every task: the built-in ones by name, then those registered (entry points, register())."""
    if not _scanned:
        load_entry_points()
    return [*built_in(), *(name for name in _REGISTERED if name not in built_in())]


def dataset_config(name: str) -> type[DatasetConfig]:
    """The dataset keys of the task called ``name`` (for a built-in task, without importing it)."""
    _check(name)
    if name in _REGISTERED:
        return _REGISTERED[name].dataset_config
    return importlib.import_module(f"{__name__}.{name}.config").DATASET_CONFIG


def get_task(name: str) -> Task:
    """The task object called ``name``; a ConfigError names the valid ones."""
    _check(name)
    if name in _REGISTERED:
        return _REGISTERED[name]
    return importlib.import_module(f"{__name__}.{name}.task").TASK


def register(task: Task) -> Task:
    """Add ``task`` to the registry under ``task.name`` (replacing a task of the same name)."""
    _REGISTERED[task.name] = task
    return task


def unregister(name: str) -> None:
    """Remove a task that :func:`register` (or an entry point) added; the next
    :func:`load_entry_points` registers an entry point's task again."""
    _REGISTERED.pop(name, None)
    for value in [v for v, registered in _loaded.items() if registered == name]:
        del _loaded[value]


def _check(name: str) -> None:
    names = task_names()
    if name not in names:
        raise ConfigError(f"task {name!r} is unknown{did_you_mean(name, names)}; valid tasks: {valid(names)}")


_loaded: dict[str, str] = {}  # entry points already loaded: value -> the name of the task each registered
_scanned = False  # whether the entry points were read at least once in this process


def load_entry_points() -> None:
    """Register the tasks that installed packages declare in the ``toyexp.tasks`` group (each once;
    call it again after a plugin's folder joins sys.path)."""
    global _scanned
    _scanned = True
    for point in entry_points(group=ENTRY_POINT_GROUP):
        if point.value in _loaded:
            continue
        try:
            task = point.load()
        except Exception as err:  # a broken plugin names itself instead of breaking every config
            raise ConfigError(f"the task entry point {point.name} = {point.value!r} does not load: {err}") from err
        _loaded[point.value] = register(task() if isinstance(task, type) else task).name


__all__ = ["built_in", "task_names", "dataset_config", "get_task", "register", "unregister", "load_entry_points"]
