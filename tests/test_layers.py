"""The layering is enforced: import-linter's contracts in pyproject.toml (layers, a core that
imports no task, tasks independent of each other) all hold."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_are_kept():
    """Guards against an upward import (e.g. core importing a task) creeping in."""
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    assert lint, "lint-imports is not installed: pip install -e '.[dev]'"
    out = subprocess.run([lint], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    assert "0 broken" in out.stdout


def _layers(top: str) -> set[str]:
    """The modules named by the layers contract whose top layer is ``top`` (``a | b`` is two)."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (layers,) = [c["layers"] for c in config["contracts"] if c["type"] == "layers" and c["layers"][0] == top]
    return {name.strip() for layer in layers for name in layer.split("|")}


def _parts(folder: Path, package: str) -> set[str]:
    """Each subpackage and public module directly under ``folder``, as ``package.<name>``."""
    return {f"{package}.{p.stem}" for p in folder.iterdir()
            if (p.is_dir() and (p / "__init__.py").is_file()) or (p.suffix == ".py" and not p.stem.startswith("_"))}


def test_every_part_of_the_package_is_in_a_layer():
    """Guards the layers contract against a new subpackage or module that no layer names (it
    would be free to import anything, and to be imported by anything)."""
    assert _parts(ROOT / "toyexp", "toyexp") - _layers("toyexp.cli") == set(), "add these to the layers contract in pyproject.toml"


def test_every_part_of_the_study_is_in_a_layer():
    """The same for the study's own layers: a module put directly under toyexp/study/, beside the
    four subpackages, would escape them."""
    parts = _parts(ROOT / "toyexp" / "study", "toyexp.study")
    assert parts == {"toyexp.study.sweep", "toyexp.study.execution", "toyexp.study.analysis", "toyexp.study.book"}
    assert parts == _layers("toyexp.study.sweep"), "add these to the study's layers contract in pyproject.toml"


@pytest.mark.parametrize("package", ["toyexp.study", "toyexp.study.sweep", "toyexp.study.execution",
                                     "toyexp.study.analysis", "toyexp.study.book"])
def test_each_public_face_of_the_study_exports_what_it_names(package):
    """Guards the public faces (issue 26): every name in a subpackage's ``__all__`` resolves, and
    every module its docstring names (``like_this``) exists in it or in a subpackage it names."""
    import importlib
    import re

    face = importlib.import_module(package)
    assert all(getattr(face, name) is not None for name in face.__all__)
    folder = Path(face.__file__).parent
    modules = {p.stem for p in folder.rglob("*.py")} | {p.name for p in folder.iterdir() if p.is_dir()}
    named = set(re.findall(r"``([a-z_]+)``", face.__doc__)) | set(re.findall(r"^\s{4}([a-z_]+)/", face.__doc__, re.M))
    assert named and named - modules == set(), f"{package}'s docstring names modules it does not have"


def test_users_import_the_study_as_before():
    """What the README, the notebooks and a user's script import from the study still resolves."""
    import toyexp.study
    from toyexp.study import SweepOptions, run_sweep
    from toyexp.study.sweep.runner import run_sweep as defined

    assert run_sweep is defined and toyexp.study.run_sweep is defined and SweepOptions().jobs >= 1
