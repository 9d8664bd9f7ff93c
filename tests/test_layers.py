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


def _imports_in(path: Path) -> set[tuple[str, str]]:
    """(module, name) for every ``from toyexp... import name``, and (module, "") for every ``import
    toyexp...``, in a Python file or in the Python blocks of a Markdown file."""
    import ast
    import re

    text = path.read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S) if path.suffix == ".md" else [text]
    found = set()
    for node in (n for block in blocks for n in ast.walk(ast.parse(block))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("toyexp"):
            found |= {(node.module, alias.name) for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {(alias.name, "") for alias in node.names if alias.name.startswith("toyexp")}
    return found


def test_what_users_import_keeps_working():
    """Guards the stable public face (issue 26): what the issue names, and every ``toyexp`` import the
    README, the docs and the notebooks write, resolves, whichever module it moved to."""
    import importlib

    named = {("toyexp.run", "load_config"), ("toyexp.run", "run_all"), ("toyexp.tasks", "get_task"),
             ("toyexp.core.baselines", "BASELINES"), ("toyexp.study", "run_sweep"), ("toyexp", "load_config"),
             ("toyexp", "run_all"), ("toyexp", "get_task")}
    texts = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), *sorted((ROOT / "notebooks").glob("*.py"))]
    imports = named.union(*(_imports_in(p) for p in texts))
    assert len(imports) > len(named)  # the texts' own imports were found

    def resolves(module: str, name: str) -> bool:
        if not name or getattr(importlib.import_module(module), name, None) is not None:
            return True
        try:  # a submodule: ``from toyexp.run import plots``
            return importlib.import_module(f"{module}.{name}") is not None
        except ModuleNotFoundError:
            return False

    missing = [f"{m}.{n}" for m, n in sorted(imports) if not resolves(m, n)]
    assert not missing, f"no longer importable: {missing}"
