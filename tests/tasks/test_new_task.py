"""A fifth built-in task is its folder, its notebook and its params, and nothing else.

The test copies the package, the notebooks and pyproject.toml into a temporary project, adds a
task folder ``toyexp/tasks/cubic/`` (config.py, task.py, methods.md), its notebook and a sweep
file (the report's default study, ``params/sweep.yaml``, the one sweep besides the regimes study
that may write into the report's book), and runs the whole chain there without editing any other
file: the registry finds it, its config loads, a two-seed sweep runs it with the analysis and the
report's pages, and
import-linter checks it (the independence contract includes it, so an import of another
task's folder breaks the contract).
"""

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import jupytext
import pytest

ROOT = Path(__file__).resolve().parents[2]

CONFIG = '''
"""cubic's dataset keys: the sampling keys and the target's coefficient."""

from dataclasses import dataclass

from ..config import DatasetConfig


@dataclass(frozen=True)
class CubicConfig(DatasetConfig):
    a: float = 1.0


DATASET_CONFIG = CubicConfig
'''

TASK = '''
"""The cubic task object: x = a c^3 - c."""

from dataclasses import dataclass
from pathlib import Path

import torch

from ..base import Metric, Task
from ..sampling import Samples
from .config import CubicConfig


class Cubic(Samples):
    @property
    def dim(self) -> int:
        return 1

    def target(self, c):
        return (self.cfg.a * c.double() ** 3 - c.double()).float()


@dataclass(frozen=True)
class CubicMetrics:
    max_abs: float


class CubicTask(Task):
    name = "cubic"
    title = "A cubic"
    description = "The scalar target $x = a c^3 - c$."
    methods = Path(__file__).with_name("methods.md").read_text()
    dataset_config = CubicConfig
    metrics_type = CubicMetrics
    summary_metrics = (Metric("max_abs", "largest absolute error"),)

    def dataset(self, cfg, seed):
        return Cubic(cfg, seed)

    def metrics(self, data, c, pred):
        return CubicMetrics(float((pred - data.target(c)).abs().max()))


TASK = CubicTask()
'''

NOTEBOOK = '''
# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # A cubic: the run notebook of a fifth task

# %% tags=["parameters"]
experiment: dict = {}
dataset: dict = {}
network: dict = {}
training: dict = {}
evaluation: dict = {}
mode = None
seed = None
overrides: list = []

# %%
import toyexp

cfg = toyexp.config_from_parameters("cubic", experiment=experiment, dataset=dataset, network=network, training=training,
                                    evaluation=evaluation, mode=mode, seed=seed, overrides=overrides)
record = toyexp.run_all(cfg, figures=False)
print(f"l2 {record.final.l2:.4f}, largest absolute error {record.final.task_metrics.max_abs:.4f}")
'''

SWEEP = """
tasks: [cubic]
seeds: [1, 2]
variants:
  regression: [experiment.mode=regression]
  flow: [experiment.mode=flow]
overrides: [training.num_epochs=20, network.hidden_dim=16, network.num_layers=2, dataset.num_train=8, dataset.num_eval=64]
results_dir: ../outputs/cubic
book_dir: ../book
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A copy of the project with the fifth task added: only new files, in its folder, notebook and params."""
    root = tmp_path_factory.mktemp("project")
    shutil.copytree(ROOT / "toyexp", root / "toyexp", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "notebooks", root / "notebooks", ignore=shutil.ignore_patterns("demo-results", ".ipynb_checkpoints"))
    shutil.copytree(ROOT / "book", root / "book", ignore=shutil.ignore_patterns("_build", "runs", "tasks", "*.ipynb"))
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    folder = root / "toyexp" / "tasks" / "cubic"
    folder.mkdir()
    (folder / "__init__.py").write_text('"""cubic: x = a c^3 - c, a fifth task."""\n')
    (folder / "config.py").write_text(CONFIG.lstrip())
    (folder / "task.py").write_text(TASK.lstrip())
    (folder / "methods.md").write_text("The target is $x = a c^3 - c$ on $[c_{\\min}, c_{\\max}]$.\n")
    jupytext.write(jupytext.reads(NOTEBOOK.lstrip(), fmt="py:percent"), root / "notebooks" / "cubic.ipynb")
    (root / "params").mkdir()
    (root / "params" / "sweep.yaml").write_text(SWEEP.lstrip())
    return root


def run(project: Path, args: list[str], timeout: int = 600) -> subprocess.CompletedProcess:
    """A command in the copied project, importing its toyexp (not the installed one)."""
    env = {**os.environ, "PYTHONPATH": str(project)}
    return subprocess.run(args, cwd=project, env=env, capture_output=True, text=True, timeout=timeout)


def python(project: Path, code: str) -> str:
    out = run(project, [sys.executable, "-c", textwrap.dedent(code)])
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout.strip()


def test_the_registry_finds_the_new_folder_and_its_config_loads(project):
    found = json.loads(python(project, """
        import json, toyexp
        from toyexp.tasks import task_names
        cfg = toyexp.load_config("cubic", overrides=["dataset.a=2"])
        print(json.dumps({"where": toyexp.__file__, "tasks": task_names(), "a": cfg.dataset.a}))
    """))
    assert found["where"].startswith(str(project))
    assert "cubic" in found["tasks"] and {"recon", "projection", "lie"} <= set(found["tasks"])
    assert found["a"] == 2.0


@pytest.mark.slow
def test_a_sweep_runs_the_new_task_through_the_analysis_and_the_book(project):
    out = run(project, [sys.executable, "-m", "toyexp", "sweep", "params/sweep.yaml", "--jobs", "2"])
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert "4 done, 0 skipped, 0 failed\nanalysis: done (book/analysis.ipynb)\n" in out.stdout  # runs counted, the analysis apart
    analysis = (project / "book" / "analysis.ipynb").read_text()
    assert "A cubic" in analysis and "largest absolute error" in analysis
    assert "A cubic" in (project / "book" / "tasks" / "cubic.md").read_text()
    assert "tasks/cubic" in (project / "book" / "_toc.yml").read_text()


def test_import_linter_checks_the_new_task_too(project):
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or "lint-imports"
    kept = run(project, [lint], timeout=300)
    assert kept.returncode == 0 and "0 broken" in kept.stdout, kept.stdout[-3000:]
    task = project / "toyexp" / "tasks" / "cubic" / "task.py"
    original = task.read_text()
    task.write_text(original + "\nfrom ..recon import config as _recon_config  # another task's folder\n")
    try:
        broken = run(project, [lint], timeout=300)
    finally:
        task.write_text(original)
    assert broken.returncode != 0
    assert "toyexp.tasks.cubic is not allowed to import toyexp.tasks.recon" in broken.stdout, broken.stdout[-3000:]
