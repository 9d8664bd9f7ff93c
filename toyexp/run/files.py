"""Where results go and how they are written: relative paths from the user's folder, and files
written whole or not at all (a temporary file in the same folder, renamed into place).

A relative path means what it means to any other command: on the command line, from the current
folder; in a sweep file, from that file's folder (:func:`toyexp.study.sweep.sweep_file.load_sweep`
makes its folders absolute, so a sweep's kernels write where it planned whatever their folder);
a run's ``experiment.output_dir``, from the folder its process runs in (papermill's caller's
folder, or the notebook's folder in JupyterLab and nbval). Only what ships with the package
(the run notebooks, the studies' sweep files, the demo runs, the book's style) is found from
the package, by :func:`shipped`.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from ..schema import change_text

if TYPE_CHECKING:
    from .config import Config

# The folder holding the package: in a checkout, the project with its notebooks/, params/ and
# book/. Never the base of a user's relative path.
PROJECT_ROOT = Path(__file__).resolve().parents[2]
# An installed (non-editable) package has no project: its wheel carries copies of the files it
# needs from there (setup.py's SHIPPED), in this folder of the package.
SHIPPED_IN_PACKAGE = Path(__file__).resolve().parents[1] / "_shipped"


def shipped(relative: str | Path) -> Path:
    """A file that ships with the package (``notebooks/recon.ipynb``, ``params/smoke.yaml``): the
    project's own in a checkout (or an editable install), else the installed wheel's copy."""
    in_project = PROJECT_ROOT / relative
    return in_project if in_project.exists() or not SHIPPED_IN_PACKAGE.is_dir() else SHIPPED_IN_PACKAGE / relative


def resolve_path(path: str | Path, base: str | Path | None = None) -> Path:
    """``path`` made absolute: ``~`` expanded, a relative path taken from ``base`` (default: the
    current folder, as any command line tool does), ``..`` folded (``params/../outputs``: ``outputs``)."""
    path = Path(path).expanduser()
    return Path(os.path.normpath(path if path.is_absolute() else Path(base or Path.cwd()).absolute() / path))


def run_directory(cfg: Config) -> Path:
    """A run's folder, ``<output_dir>/<variant>[/<grid point>]/seed-<seed>`` (a relative output_dir
    from the current folder): the one place the layout is written, for the run that fills it and
    the sweep that plans it.

    The folders name the run's identity. A run by hand is named by its mode (its variant defaults
    to it): ``outputs/recon/flow/seed-42``. A sweep sets ``output_dir`` to ``<results_dir>/<task>``
    and the variant and grid point to its own, so its mode is not repeated:
    ``<results_dir>/recon/flow/num_train=16/seed-1``.
    """
    e = cfg.experiment
    point = point_label(e.grid_point)
    return resolve_path(e.output_dir) / e.variant / (point or ".") / f"seed-{e.seed}"


def point_label(point: dict[str, Any]) -> str:
    """``learning_rate=0.001,num_train=25`` for a grid point (the last part of each dotted key):
    its folder's name; "" for none."""
    return ",".join(f"{key.split('.')[-1]}={value_text(value)}" for key, value in point.items())


def value_text(value: Any) -> str:
    """A config value as a folder name or a dotted override writes it: text as is, the rest as JSON."""
    return value if isinstance(value, str) else json.dumps(value)


def finished_config(directory: Path) -> dict | None:
    """The config recorded by the finished run in ``directory`` (its metrics.json, written last);
    None when there is none or it does not read."""
    try:
        config = json.loads((directory / "metrics.json").read_text())["config"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return config if isinstance(config, dict) else None


def set_aside(directory: Path, config: dict) -> tuple[Path, str] | None:
    """Move a complete run of another config out of the way of the run of ``config`` about to use
    ``directory``: to ``<directory>.previous-<k>`` beside it (the first free k), so nothing is
    replaced silently. Returns where it went and how its config differs; None when the folder
    holds no complete run (no readable metrics.json) or one of this config (a rerun replaces it)."""
    recorded = finished_config(directory)
    change = change_text(recorded, json.loads(json.dumps(config))) if recorded is not None else ""  # lists, not tuples
    if not change:
        return None
    k = 1
    while directory.with_name(f"{directory.name}.previous-{k}").exists():
        k += 1
    target = directory.with_name(f"{directory.name}.previous-{k}")
    os.rename(directory, target)
    return target, change


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


def display_path(path: str | Path) -> str:
    """``path`` relative to the current folder when it lies inside it, else absolute: a path the
    user can open from where they typed the command (or where the notebook runs)."""
    path, here = Path(path).absolute(), Path.cwd()
    return str(path.relative_to(here)) if path.is_relative_to(here) else str(path)
