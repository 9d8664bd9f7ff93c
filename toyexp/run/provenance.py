"""What is recorded with every result so that it can be reproduced: versions, platform, the git
commit, the date, and the CPU's denormal mode and code path."""

from __future__ import annotations

import datetime
import platform
import subprocess
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version

import numpy as np
import torch

from .code_path import CodePath, code_path
from .files import PROJECT_ROOT


@dataclass(frozen=True)
class GitState:
    commit: str | None  # None outside git
    dirty: bool | None  # uncommitted changes to tracked files


@dataclass(frozen=True, kw_only=True)
class Provenance:
    toyexp: str
    python: str
    torch: str
    numpy: str
    platform: str
    git: GitState
    code_path: CodePath
    flush_denormal: bool  # torch.set_flush_denormal's state while the run trained
    date: str  # ISO 8601, UTC, when the run finished


def package_version() -> str:
    """toyexp's installed version (``unknown`` when it runs from a folder without being installed)."""
    try:
        return version("toyexp")
    except PackageNotFoundError:
        return "unknown"


def git_state() -> GitState:
    """The project's git commit and whether the work tree had changes (None outside git)."""

    def git(*args: str) -> str | None:
        try:
            out = subprocess.run(["git", *args], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.SubprocessError):
            return None
        return out.stdout.strip() if out.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no")
    return GitState(commit, bool(status) if status is not None else None)


def flushes_denormals() -> bool:
    """Whether this thread flushes denormal floats to zero (torch.set_flush_denormal, which
    has no getter): half the smallest normal float32 is a denormal, or 0 when flushed."""
    return torch.tensor(torch.finfo(torch.float32).tiny).div(2).item() == 0.0


def provenance() -> Provenance:
    """This process's provenance, now."""
    return Provenance(
        toyexp=package_version(), python=platform.python_version(), torch=torch.__version__, numpy=np.__version__,
        platform=platform.platform(), git=git_state(), code_path=code_path(), flush_denormal=flushes_denormals(),
        date=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    )
