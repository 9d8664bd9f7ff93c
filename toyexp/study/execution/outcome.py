"""What came of executing one notebook: an :class:`Outcome`.

The executors return one per job, and the sweep one per planned run (a run that never started
is an outcome too); the sweep's own book reports its build as one. It is defined here, below
the sweep and the book, so that both read it without importing each other, and it imports
nothing, so that a sweep refused before it starts never loads papermill.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# "interrupted" by Ctrl-C; a dry run's runs are "planned", or "complete" when --resume would skip them
Status = Literal["done", "failed", "skipped", "interrupted", "not started", "planned", "complete"]


@dataclass(frozen=True, kw_only=True)
class Outcome:
    id: str
    status: Status
    notebook: str
    seconds: float = 0.0
    error: str = ""
    no_space: str = ""  # the disk was full writing: "notebook" (the executed notebook) or "run" (the run's files)
