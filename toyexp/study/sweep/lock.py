"""``<results_dir>/.sweep.lock``: one sweep at a time writes into a results folder."""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path

from ...run import resolve_path
from ...schema import ConfigError


class SweepLocked(ConfigError):
    """Another live sweep holds the results folder."""


class ResultsLock:
    """``<results_dir>/.sweep.lock``: one sweep at a time writes into a results folder.

    The file (pid, host, start time, command) appears atomically, complete, by a hard link;
    it is removed when the sweep ends. A lock from this host whose pid is no longer alive was
    left by a killed sweep: it is taken over, and ``note`` says so.
    """

    def __init__(self, results_dir: str | Path, command: list[str]):
        self.path = resolve_path(results_dir) / ".sweep.lock"
        self.holder = {"pid": os.getpid(), "host": socket.gethostname(),
                       "started": time.strftime("%Y-%m-%d %H:%M:%S"), "command": " ".join(command)}
        self.note = ""
        self.made: list[Path] = []  # the folders acquire made, deepest first: removed on release if still empty

    def acquire(self) -> None:
        self.made = [p for p in [self.path.parent, *self.path.parent.parents] if not p.exists()]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        mine = self.path.with_name(f".sweep.lock.{os.getpid()}")
        try:
            mine.write_text(json.dumps(self.holder))  # on a full disk it may stop half-way: removed below
            for _ in range(3):
                try:
                    os.link(mine, self.path)  # fails if the lock exists: atomic, and never half-written
                    return
                except FileExistsError:
                    pass
                try:
                    text = self.path.read_text()
                except FileNotFoundError:
                    continue  # released meanwhile
                other = _parse_holder(text)
                if not _is_stale(other):
                    raise SweepLocked(
                        f"results folder {str(self.path.parent)!r} is in use by another sweep: pid {other.get('pid')} on "
                        f"{other.get('host')}, started {other.get('started')} ({other.get('command')}); wait for it to end, "
                        f"or delete {str(self.path)!r} if no such sweep is running"
                    )
                self._take_over(text)
                self.note = (f"note: took over the stale lock {str(self.path)!r} of pid {other.get('pid')} on {other.get('host')} "
                             f"(started {other.get('started')}), which is no longer running")
            raise SweepLocked(f"could not lock {str(self.path)!r}: other sweeps keep taking it")
        finally:
            mine.unlink(missing_ok=True)

    def _take_over(self, stale: str) -> None:
        grabbed = self.path.with_name(f".sweep.lock.stale.{os.getpid()}")
        try:
            os.rename(self.path, grabbed)
        except FileNotFoundError:
            return  # another sweep took it over first
        if grabbed.read_text() != stale:  # a racing sweep's fresh lock: put it back
            try:
                os.link(grabbed, self.path)
            except FileExistsError:
                pass
        grabbed.unlink()

    def release(self) -> None:
        """Remove the lock if it is this process's, and the folders acquire made if nothing was
        written in them (a sweep refused after the lock leaves no folder behind)."""
        try:
            if _parse_holder(self.path.read_text()).get("pid") == os.getpid():
                self.path.unlink()
        except FileNotFoundError:
            pass
        for folder in self.made:
            try:
                folder.rmdir()
            except OSError:  # not empty: the sweep wrote into it
                break


def _parse_holder(text: str) -> dict:
    try:
        holder = json.loads(text)
    except ValueError:
        return {}
    return holder if isinstance(holder, dict) else {}


def _is_stale(holder: dict) -> bool:
    """A lock of this host whose process is gone; locks of other hosts cannot be checked."""
    pid = holder.get("pid")
    if holder.get("host") != socket.gethostname() or not isinstance(pid, int):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, another user's
    return False
