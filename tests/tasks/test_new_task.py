"""A fifth built-in task is its folder, its notebook and its params, and nothing else.

The test copies the package, the notebooks, the tests, the docs and pyproject.toml into a
temporary project, adds a task folder ``toyexp/tasks/cubic/`` (config.py, task.py, methods.md),
its notebook (recon's cells, as docs/reference.md#adding-a-task says) and a sweep file (the
report's default study, ``params/sweep.yaml``, the one sweep besides the regimes study that may
write into the report's book), and runs the whole chain there without editing any other file:
the registry finds it and its config loads; the notebook, executed as ``make notebooks`` does,
passes in the copy the tests every task must pass (the notebook tests, nbval on it, the task
contract: the suite's own files, selected with ``-k cubic``), which fail once its notebook is
gone; the docs that name every task ask for it by name; a two-seed sweep runs it with the
analysis and the report's pages; and import-linter checks it (the independence contract includes
it, so an import of another task's folder breaks the contract).
"""

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import jupytext
import nbformat
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

    def describe(self, metrics):
        return f"The largest absolute error is {metrics.max_abs:.4f}."


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
#
# The cells of `notebooks/recon.py` with the task's name and text.

# %% tags=["parameters", "remove-cell"]
experiment: dict = {}
dataset: dict = {}
network: dict = {}
training: dict = {}
evaluation: dict = {}
mode = None
seed = None
seeds = None
overrides: list = []

# %%
from IPython.display import Markdown

import toyexp
from toyexp.run import plots
from toyexp.run.text import describe_group, evaluation_tables, training_summary

cfg = toyexp.config_from_parameters("cubic", experiment=experiment, dataset=dataset, network=network, training=training,
                                    evaluation=evaluation, mode=mode, seed=seed, overrides=overrides)
print(f"mode: {cfg.experiment.mode}")

# %%
members = toyexp.start_group(cfg, seeds)

# %% tags=["nbval-ignore-output"]
trained = toyexp.fit_group(members)
print(training_summary(members, trained))

# %%
results = toyexp.evaluate_group(members, trained)
print(evaluation_tables(members, results))

# %%
if cfg.experiment.figures:
    for member, t, result in zip(members, trained, results):
        plots.save_and_show(plots.run_figures(member.ctx, t, result), member.ctx.dir / "plots")

# %%
records = toyexp.finish_group(members, trained, results)

# %% tags=["remove-input", "run-summary"]
Markdown(describe_group(members, results))
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
    shutil.copytree(ROOT / "tests", root / "tests", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "docs", root / "docs")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, root / name)
    folder = root / "toyexp" / "tasks" / "cubic"
    folder.mkdir()
    (folder / "__init__.py").write_text('"""cubic: x = a c^3 - c, a fifth task."""\n')
    (folder / "config.py").write_text(CONFIG.lstrip())
    (folder / "task.py").write_text(TASK.lstrip())
    (folder / "methods.md").write_text("The target is $x = a c^3 - c$ on $[c_{\\min}, c_{\\max}]$.\n")
    notebook = jupytext.reads(NOTEBOOK.lstrip(), fmt="py:percent")
    jupytext.write(notebook, root / "notebooks" / "cubic.py", fmt="py:percent")  # the source a person edits
    jupytext.write(notebook, root / "notebooks" / "cubic.ipynb")  # its pair, executed by `executed`
    (root / "params").mkdir()
    (root / "params" / "sweep.yaml").write_text(SWEEP.lstrip())
    return root


def run(project: Path, args: list[str], timeout: int = 600) -> subprocess.CompletedProcess:
    """A command in the copied project, importing its toyexp (not the installed one)."""
    env = {**os.environ, "PYTHONPATH": str(project)}
    return subprocess.run(args, cwd=project, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def executed(project):
    """The copy with the new notebook executed in place, as `make notebooks` does (the quick preset)."""
    jupyter = shutil.which("jupyter", path=str(Path(sys.executable).parent)) or "jupyter"
    out = run(project, [jupyter, "nbconvert", "--to", "notebook", "--execute", "--inplace", "notebooks/cubic.ipynb"], timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    return project


def pytest_in(project: Path, args: list[str]) -> subprocess.CompletedProcess:
    """pytest in the copy, with the copy's settings (pyproject's addopts: nbval and its sanitizer)."""
    return run(project, [sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider", *args], timeout=300)


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


# The tests every task must pass, selected for the new one by `-k`: its notebook pair (test_notebooks),
# nbval on its executed notebook, and the task contract; each id below must pass.
NEW_TASK_TESTS = ["tests/test_notebooks.py", "tests/tasks/test_base.py", "tests/tasks/test_noise_and_bandwidth.py", "notebooks/cubic.ipynb"]
MUST_PASS = ["tests/test_notebooks.py::test_there_are_notebooks", "tests/test_notebooks.py::test_pair_in_sync[cubic]",
             "tests/test_notebooks.py::test_committed_notebook_is_executed[cubic]",
             "tests/test_notebooks.py::test_run_notebook_cells_the_book_relies_on[cubic]",
             "tests/tasks/test_base.py::test_a_built_in_task_fulfils_the_contract[cubic]",
             "tests/tasks/test_noise_and_bandwidth.py::test_noise_reaches_the_training_targets_only[cubic]"]


@pytest.mark.slow
def test_the_new_task_passes_the_tests_of_every_task_in_the_copy(executed):
    """The suite's own tests, run in the copy: the registry-driven lists pick the new task up."""
    out = pytest_in(executed, [*NEW_TASK_TESTS, "-k", "cubic or there_are_notebooks"])
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
    passed = {line.split(" PASSED")[0] for line in out.stdout.splitlines() if " PASSED" in line}
    assert set(MUST_PASS) <= passed, sorted(set(MUST_PASS) - passed)
    cells = [p for p in passed if re.match(r"notebooks/cubic\W+ipynb::Cell \d+$", p)]  # nbval: an item per code cell
    notebook = nbformat.read(executed / "notebooks" / "cubic.ipynb", as_version=4)
    assert len(cells) == sum(c.cell_type == "code" for c in notebook.cells), out.stdout[-3000:]


@pytest.mark.slow
def test_the_copy_fails_without_the_new_notebook(executed):
    """Guards the check above: the same tests fail, naming the task, when its notebook is missing."""
    aside = executed / "aside"
    aside.mkdir(exist_ok=True)
    for suffix in (".py", ".ipynb"):
        (executed / "notebooks" / f"cubic{suffix}").rename(aside / f"cubic{suffix}")
    try:
        out = pytest_in(executed, ["tests/test_notebooks.py", "-k", "cubic or there_are_notebooks"])
    finally:
        for suffix in (".py", ".ipynb"):
            (aside / f"cubic{suffix}").rename(executed / "notebooks" / f"cubic{suffix}")
    assert out.returncode == 1 and "FAILED tests/test_notebooks.py::test_there_are_notebooks" in out.stdout, out.stdout[-3000:]
    assert "cubic has no notebook source notebooks/cubic.py" in out.stdout


@pytest.mark.slow
def test_the_docs_that_name_every_task_ask_for_the_new_one(project):
    """The README's table, the reference's list and the intro's set-up must name the new task; a line
    in each, as docs/reference.md#adding-a-task says, is all they need."""
    forgotten = pytest_in(project, ["tests/test_task_lists.py"])
    # Each place is checked by name: how often pytest repeats a message (the short summary is cut to
    # the terminal's width, which CI sets differently) is not what this test is about.
    said = {place: f"{place} does not name the task(s) ['cubic']" in forgotten.stdout
            for place in ("README.md", "docs/reference.md", "book/intro.md")}
    assert forgotten.returncode == 1 and all(said.values()), (said, forgotten.stdout[-3000:])
    readme, reference, intro = project / "README.md", project / "docs" / "reference.md", project / "book" / "intro.md"
    originals = {path: path.read_text() for path in (readme, reference, intro)}
    try:
        readme.write_text(originals[readme].replace("| `lie` |", "| `cubic` | a cubic |\n| `lie` |", 1))
        reference.write_text(originals[reference].replace("\n- `lie`:", "\n- `cubic`: a cubic;\n- `lie`:", 1))
        intro.write_text(originals[intro].replace("(`lie`).", "(`lie`), and a cubic (`cubic`).", 1))
        named = pytest_in(project, ["tests/test_task_lists.py"])
    finally:
        for path, text in originals.items():
            path.write_text(text)
    assert named.returncode == 0, named.stdout[-3000:]
