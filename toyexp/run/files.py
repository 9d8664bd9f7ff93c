"""Writing results: atomic files, checkpoints and the provenance recorded with every result."""

from __future__ import annotations

import datetime
import json
import os
import platform
import subprocess
import tempfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np
import torch
import yaml

from .kernel_path import kernel_path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def resolve_path(path: str | Path) -> Path:
    """Relative paths are relative to the project root, wherever the kernel was started."""
    path = Path(path).expanduser()
    return path if path.is_absolute() else PROJECT_ROOT / path


def atomic_write(path: Path, write) -> None:
    """Write through a temporary file in the same folder, then rename over ``path``.

    The file gets the mode a plain ``open(path, "w")`` would give (0666 less the umask), not
    mkstemp's private 0600: results and book pages are meant to be read by others.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.fchmod(fd, 0o666 & ~_umask())
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)  # the only way to read it is to set it
    os.umask(mask)
    return mask


def write_text(path: Path, text: str) -> None:
    def write(tmp: str) -> None:
        Path(tmp).write_text(text)

    atomic_write(path, write)


def write_json(path: Path, obj: Any) -> None:
    write_text(path, json.dumps(obj, indent=2, allow_nan=True) + "\n")


def write_yaml(path: Path, obj: Any) -> None:
    write_text(path, yaml.safe_dump(obj, sort_keys=False))


def write_npz(path: Path, **arrays: np.ndarray) -> None:
    def write(tmp: str) -> None:
        with open(tmp, "wb") as fh:
            np.savez(fh, **arrays)

    atomic_write(path, write)


def save_checkpoint(path: Path, state: dict[str, torch.Tensor], epoch: int) -> None:
    """A checkpoint that loads with ``torch.load(path, weights_only=True)``."""
    payload = {"model": {k: v.detach().cpu() for k, v in state.items()}, "epoch": epoch}
    atomic_write(path, lambda tmp: torch.save(payload, tmp))


def package_version() -> str:
    """toyexp's installed version (``unknown`` when it runs from a folder without being installed)."""
    try:
        return version("toyexp")
    except PackageNotFoundError:
        return "unknown"


def git_commit() -> dict[str, Any]:
    """The project's git commit and whether the work tree had changes (None outside git)."""

    def git(*args: str) -> str | None:
        try:
            out = subprocess.run(["git", *args], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.SubprocessError):
            return None
        return out.stdout.strip() if out.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": commit, "dirty": bool(status) if status is not None else None}


def flushes_denormals() -> bool:
    """Whether this thread flushes denormal floats to zero (torch.set_flush_denormal, which
    has no getter): half the smallest normal float32 is a denormal, or 0 when flushed."""
    return torch.tensor(torch.finfo(torch.float32).tiny).div(2).item() == 0.0


def provenance() -> dict[str, Any]:
    """Versions, platform, git state, time, the CPU's denormal mode and code path (:func:`kernel_path`):
    what is needed to reproduce a result."""
    return {
        "flush_denormal": flushes_denormals(),
        "kernels": kernel_path(),
        "toyexp": package_version(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "numpy": np.__version__,
        "platform": platform.platform(),
        "git": git_commit(),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }


def display_path(path: Path) -> str:
    """``path`` relative to the project root when it lies inside it, else absolute."""
    path = Path(path)
    return str(path.relative_to(PROJECT_ROOT)) if path.is_relative_to(PROJECT_ROOT) else str(path)
