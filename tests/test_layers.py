"""The layering is enforced: import-linter's contracts in pyproject.toml (layers, a core that
imports no task, tasks independent of each other) all hold."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_are_kept():
    """Guards against an upward import (e.g. core importing a task) creeping in."""
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    assert lint, "lint-imports is not installed: pip install -e '.[dev]'"
    out = subprocess.run([lint], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    assert "0 broken" in out.stdout


def test_every_part_of_the_package_is_in_a_layer():
    """Guards the layers contract against a new subpackage or module that no layer names (it
    would be free to import anything, and to be imported by anything)."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (layers,) = [c["layers"] for c in config["contracts"] if c["type"] == "layers"]
    parts = {f"toyexp.{p.stem}" for p in (ROOT / "toyexp").iterdir()
             if (p.is_dir() and (p / "__init__.py").is_file()) or (p.suffix == ".py" and not p.stem.startswith("_"))}
    assert parts - set(layers) == set(), "add these to the layers contract in pyproject.toml"
