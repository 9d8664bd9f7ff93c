"""A full disk during a sweep: telling it from other failures.

Once the disk (or the user's quota) is full, every later run would fail at its first write, so
the sweep stops starting runs, skips the book pages and the analysis, and asks for
``--resume`` once there is space. A full disk is told by the errno of the error, in the
sweep's own process (writing a notebook, a page, the lock) or in a run's kernel, whose
exception arrives as text: ``OSError: [Errno 28] No space left on device``.
"""

from __future__ import annotations

import errno
import re

FULL = (errno.ENOSPC, errno.EDQUOT)  # no space left on the device; disk quota exceeded
_ERRNO = re.compile(r"\[Errno (\d+)\]")  # how an OSError's text starts


def no_space(err: BaseException) -> bool:
    """Whether ``err`` says the disk or the quota is full: an OSError with that errno, or
    papermill's error for a cell whose OSError had it."""
    if isinstance(err, OSError):
        return err.errno in FULL
    from papermill.exceptions import PapermillExecutionError  # a kernel's error: papermill is loaded by then

    if isinstance(err, PapermillExecutionError):
        found = _ERRNO.match(err.evalue or "")
        return found is not None and int(found[1]) in FULL
    return False


def no_space_line(folder: str) -> str:
    """The sweep's last line after a full disk."""
    return f"error: no space left on device (or quota exceeded) in {folder}; free space and run again with --resume"
