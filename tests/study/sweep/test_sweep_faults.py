"""Faults a user meets that are not a full disk (tests/study/sweep/test_full_disk.py): a results folder
that cannot be written, and a run notebook edited into a syntax error."""

import os
from pathlib import Path

import nbformat
import pytest
import yaml

from toyexp.cli import main
from toyexp.run.files import PROJECT_ROOT
from toyexp.study.sweep import steps

TINY = [
    "training.num_epochs=20", "training.eval_interval=10", "training.save_interval=10", "network.hidden_dim=16",
    "network.num_layers=1", "dataset.num_eval=100", "evaluation.num_eval_steps=[1, 2]",
]


def write_sweep(folder: Path, tasks=("recon",), results: Path | None = None) -> Path:
    path = folder / "sweep.yaml"
    path.write_text(yaml.safe_dump({
        "tasks": list(tasks), "seeds": [1], "variants": {"regression": ["experiment.mode=regression"]},
        "overrides": TINY, "results_dir": str(results or folder / "results"), "book_dir": str(folder / "book"),
    }))
    return path


@pytest.fixture
def read_only_folder(tmp_path, tmpfs):
    """An empty folder this process cannot write: chmod 0555, or, for root (whom chmod does not
    stop), a read-only tmpfs; skipped where neither is possible."""
    folder = tmp_path / "read-only"
    if os.geteuid() != 0:
        folder.mkdir()
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)
        return
    yield tmpfs.mount(folder, "64k", read_only=True)


def test_a_read_only_results_folder_is_one_line(tmp_path, read_only_folder, capsys, executors):
    """Guards: a results folder that cannot be written stops the sweep before anything runs:
    exit 2, one line naming the folder and the reason."""
    assert main(["sweep", str(write_sweep(tmp_path, results=read_only_folder)), "--no-analysis"]) == 2
    out, err = capsys.readouterr()
    assert err.count("\n") == 1 and err.startswith(f"error: cannot write in the results folder {read_only_folder}: ")
    assert "Read-only file system" in err or "Permission denied" in err
    assert out == "" and list(read_only_folder.iterdir()) == [] and executors.calls == []


def broken_copy(notebook: Path, dest: Path, anchor: str, broken: str) -> tuple[Path, int, int]:
    """``notebook`` with the line ``broken`` added at the end of the cell that starts with
    ``anchor``; the copy, that cell's number (from 1) and the line's number in the cell."""
    nb = nbformat.read(notebook, as_version=4)
    number, cell = next((i, c) for i, c in enumerate(nb.cells, 1) if c.source.startswith(anchor))
    cell.source = cell.source.rstrip("\n") + "\n" + broken
    nbformat.write(nb, dest)
    return dest, number, len(cell.source.splitlines())


@pytest.mark.slow
def test_a_notebook_with_a_syntax_error_fails_its_runs_and_the_others_go_on(tmp_path, monkeypatch, capsys):
    """Guards: the runs of a notebook edited into a syntax error fail with one line naming the
    notebook, the cell, the line and its text; the runs of the other tasks complete; exit 1."""
    broken, cell, line = broken_copy(PROJECT_ROOT / "notebooks" / "recon.ipynb", tmp_path / "recon-edited.ipynb",
                                     "from IPython.display import Markdown", "x = = 1")
    real_notebook_for = steps.notebook_for
    monkeypatch.setattr(steps, "notebook_for", lambda task: broken if task == "recon" else real_notebook_for(task))
    assert main(["sweep", str(write_sweep(tmp_path, tasks=("recon", "projection"))), "--jobs", "1", "--no-analysis"]) == 1
    out, err = capsys.readouterr()
    expected = f"SyntaxError in {broken}, cell {cell}, line {line} (x = = 1): invalid syntax"
    failed = [row for row in (out + err).splitlines() if row.startswith("FAILED ")]
    assert failed == [f"FAILED recon/regression/seed-1: {expected}"]
    assert "1 done, 0 skipped, 1 failed" in out and "Traceback" not in err
    assert (tmp_path / "results" / "projection" / "regression" / "seed-1" / "metrics.json").is_file()
