"""The notebooks: one run notebook per built-in task plus the analysis, each Jupytext pair in sync,
and each committed .ipynb carrying outputs.

The set of notebooks comes from the task registry (``toyexp.tasks.built_in``), so a new task
folder is checked here as soon as it exists, and ``-k <task>`` selects its tests
(``tests/tasks/test_new_task.py`` runs them in a copy of the project with a fifth task). nbval
itself (configured in pyproject.toml) re-executes the committed notebooks and compares their
outputs, numbers cut to two significant digits by tests/nbval-sanitize.cfg; these tests make sure
there is something for it to compare and that the comparison means something.
"""

import re
from pathlib import Path

import jupytext
import nbformat
import pytest
from nbval.plugin import get_sanitize_patterns

import toyexp
from toyexp.run.notebook import QUICK_MODE
from toyexp.tasks import built_in

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
RUN_NOTEBOOKS = built_in()  # a run notebook per task folder of the package, named after it (plugins carry their own)
SOURCES = [NOTEBOOKS / f"{name}.py" for name in (*RUN_NOTEBOOKS, "analysis")]
EMPTY = {"experiment": {}, "dataset": {}, "network": {}, "training": {}, "evaluation": {}, "mode": None, "seed": None, "overrides": []}


def test_there_are_notebooks():
    """Exactly a run notebook per built-in task and the analysis: a task without its notebook, or a
    notebook without its task (deleted or renamed), fails."""
    assert {p.stem for p in NOTEBOOKS.glob("*.py")} == {*RUN_NOTEBOOKS, "analysis"}


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_each_notebook_has_its_source_and_its_executed_pair(source):
    """The Jupytext source a person edits and the .ipynb that nbval and papermill read."""
    assert source.is_file(), f"{source.stem} has no notebook source notebooks/{source.name}"
    assert source.with_suffix(".ipynb").is_file(), f"{source.name} has no paired {source.stem}.ipynb: run `make notebooks`"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_pair_in_sync(source):
    """The .ipynb has exactly the cells (type, source, tags) of the .py source."""
    notebook = source.with_suffix(".ipynb")
    assert notebook.exists(), f"{source.name} has no paired {notebook.name}: run `make notebooks`"

    def cells(path):
        return [(c.cell_type, c.source, c.metadata.get("tags", [])) for c in jupytext.read(path).cells]

    assert cells(notebook) == cells(source), f"{source.name} and {notebook.name} differ: run `make notebooks`"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_committed_notebook_is_executed(source):
    """nbval only checks cells that were executed, so every code cell must carry a count."""
    nb = nbformat.read(source.with_suffix(".ipynb"), as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.execution_count for c in code), f"{source.name}: re-execute with `make notebooks`"
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert not errors, f"{source.name}: the committed notebook has an error output"


def committed_text(name: str) -> str:
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    return "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)


def test_a_committed_run_notebook_trains_flow():
    """nbval re-runs flow training through a run notebook: its committed outputs show a flow model
    evaluated at several step counts (not only the regression baseline)."""
    flows = [name for name in RUN_NOTEBOOKS if "mode: flow" in committed_text(name)]
    assert flows, "no committed run notebook trains flow"
    for name in flows:
        table = committed_text(name)
        assert re.search(r"^euler +1 +1 ", table, re.M) and re.search(r"^rk4 +4 +16 ", table, re.M), name


def test_quick_preset_mode_and_its_precedence():
    """The quick preset (a notebook run with its own defaults) trains QUICK_MODE; the notebook's
    section, `mode` and overrides still win, and papermill runs (quick=False) keep the package
    default, regression."""
    assert QUICK_MODE == "flow"
    quick = lambda **kw: toyexp.config_from_parameters("recon", **{**EMPTY, **kw}, quick=True).experiment.mode  # noqa: E731
    assert quick() == "flow"
    assert quick(experiment={"mode": "mip"}) == "mip"
    assert quick(mode="regression") == "regression"
    assert quick(overrides=["experiment.mode=straight_flow"]) == "straight_flow"
    assert toyexp.config_from_parameters("recon", **EMPTY, quick=False).experiment.mode == "regression"


def sanitize(text: str) -> str:
    for regex, replace in get_sanitize_patterns((ROOT / "tests" / "nbval-sanitize.cfg").read_text()):
        text = re.sub(regex, replace, text)
    return text


def test_sanitizer_file_is_the_one_nbval_uses():
    """pyproject's addopts point nbval at tests/nbval-sanitize.cfg."""
    assert "--nbval-sanitize-with tests/nbval-sanitize.cfg" in (ROOT / "pyproject.toml").read_text()
    assert len(get_sanitize_patterns((ROOT / "tests" / "nbval-sanitize.cfg").read_text())) >= 3


@pytest.mark.parametrize("stored,fresh", [
    ("l2 = 0.0431 and l1 = 0.0324", "l2 = 0.0438 and l1 = 0.0321"),  # last digits
    ("euler         4     4    0.4083    0.5483", "euler         4     4    0.4089    0.5487"),
    ("99.971% of the energy; 1.893 degrees", "99.978% of the energy; 1.899 degrees"),
    ("‖P² − P‖ = 2.8e-16", "‖P² − P‖ = 3.1e-16"),
    ("in 1.1 s", "in 12.7 s"),
])
def test_sanitizer_absorbs_last_digit_differences(stored, fresh):
    """A floating-point difference in the trailing digits compares equal."""
    assert sanitize(stored) == sanitize(fresh)


@pytest.mark.parametrize("stored,fresh", [
    ("l2 = 0.0431", "l2 = 0.0461"),  # 7% worse
    ("l2 = 0.5483", "l2 = 0.5983"),
    ("1.893 degrees", "2.893 degrees"),
    ("99.971% of the energy", "98.971% of the energy"),
    ("l2 = 0.3129", "l2 = 0.03129"),  # an order of magnitude
    ("frequencies: [2.0, 5.0, 11.0]", "frequencies: [2.0, 5.0, 13.0]"),
    ("euler         4     4", "euler         4     1"),  # integers are compared as they are
])
def test_sanitizer_keeps_real_changes(stored, fresh):
    """A change of a result beyond the kept two significant digits still fails nbval."""
    assert sanitize(stored) != sanitize(fresh)


def tags_of(name: str) -> list[tuple[str, list[str]]]:
    return [(c.source, c.metadata.get("tags", [])) for c in jupytext.read(NOTEBOOKS / f"{name}.py").cells]


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_nbval_markers_are_cell_tags(source):
    """nbval reads its markers from cell tags too; a comment would show on the book page."""
    assert "NBVAL_" not in source.read_text()


@pytest.mark.parametrize("name", RUN_NOTEBOOKS)
def test_run_notebook_cells_the_book_relies_on(name):
    """The book's run pages (toyexp.study.book.run_pages) hide the parameter cells and move the narrative
    cell, the last one, under the title; the training cell's timings are not compared by nbval."""
    cells = tags_of(name)
    parameters = [tags for _, tags in cells if "parameters" in tags]
    assert parameters == [["parameters", "remove-cell"]]
    source, tags = cells[-1]
    assert set(tags) == {"remove-input", "run-summary"} and "describe_group" in source
    training = [tags for src, tags in cells if "toyexp.fit_group(" in src]
    assert training == [["nbval-ignore-output"]]
