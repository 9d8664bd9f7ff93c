"""The test suite leaves the project as it found it: a snapshot of the working tree before the
session, compared with one after.

Every test writes under a temporary folder; a test that writes into the project instead (a
results folder, a book page, a changed tracked file) would make a later ``make book`` read runs
it never planned. The snapshot lists, from ``git status``, every changed tracked file and every
untracked or ignored file with its size and modification time, less the caches a run of the
suite may write: the virtual environment, byte code and the package's egg-info.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

CACHES = (".venv/", "__pycache__/", ".egg-info/", ".pytest_cache/", ".import_linter_cache/")  # set-up, imports, lint-imports


def snapshot(root: Path) -> dict[str, tuple] | None:
    """``{path: (git status, size, mtime_ns)}`` of what differs from the commit under ``root``;
    None when ``root`` is not a git work tree (a copy, an installed package)."""
    try:
        out = subprocess.run(
            ["git", "status", "--porcelain=v1", "-z", "--ignored=traditional", "--untracked-files=all", "--", ".",
             ":(exclude).venv"],
            cwd=root, capture_output=True, timeout=120, check=True,
        ).stdout.decode()
    except (OSError, subprocess.SubprocessError):
        return None
    found = {}
    for entry in filter(None, out.split("\0")):
        status, path = entry[:2], entry[3:]
        if any(cache in f"/{path}" for cache in CACHES) or status.startswith("R"):
            continue
        try:
            stat = (root / path).stat()
            found[path] = (status, stat.st_size, stat.st_mtime_ns)
        except OSError:  # deleted
            found[path] = (status, None, None)
    return found


def changes(before: dict[str, tuple], after: dict[str, tuple]) -> list[str]:
    """What appeared, changed or went away between two snapshots, one line each."""
    lines = [f"written: {p}" for p in sorted(after.keys() - before.keys())]
    lines += [f"changed: {p}" for p in sorted(after.keys() & before.keys()) if after[p] != before[p]]
    lines += [f"restored or removed: {p}" for p in sorted(before.keys() - after.keys())]
    return lines
