"""The notebooks: each Jupytext pair is in sync, and each committed .ipynb carries outputs.

nbval itself (configured in pyproject.toml) re-executes the committed notebooks and compares
their outputs; these tests make sure there is something for it to compare.
"""

from pathlib import Path

import jupytext
import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
SOURCES = sorted(NOTEBOOKS.glob("*.py"))


def test_there_are_notebooks():
    assert {p.stem for p in SOURCES} >= {"recon", "projection"}


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
