"""Relative paths mean what a user expects (issue 25, part 4): on the command line, from the
current folder; in a sweep file, from the file's folder; a run's output_dir, from the folder its
process runs in. Only the package's own notebooks and studies are found from the package."""

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from toyexp.cli import main
from toyexp.run.config import load_config
from toyexp.run.files import PROJECT_ROOT, run_directory
from toyexp.study.sweep.plan import ANALYSIS_NOTEBOOK, notebook_for, plan
from toyexp.study.sweep.sweep_file import load_sweep
from sweeps import REGRESSION, TINY


def sweep_in(folder: Path, **fields) -> Path:
    """``folder/my.yaml``: one tiny recon regression run, with ``fields`` (relative folders) as written."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "my.yaml"
    path.write_text(yaml.safe_dump({"tasks": ["recon"], "seeds": [1], "variants": REGRESSION, "overrides": TINY, **fields}))
    return path


def test_a_sweep_files_relative_folders_start_at_its_own_folder(tmp_path, monkeypatch):
    sweep_in(tmp_path / "sub", results_dir="results", book_dir="../pages")
    monkeypatch.chdir(tmp_path)
    sweep = load_sweep("sub/my.yaml")
    assert (sweep.results_dir, sweep.book_dir) == (str(tmp_path / "sub" / "results"), str(tmp_path / "pages"))
    (run,) = plan(sweep)
    assert run.run_dir.is_relative_to(tmp_path / "sub" / "results")
    assert run.notebook == tmp_path / "pages" / "runs" / "recon" / "regression-seeds.ipynb"
    monkeypatch.chdir(tmp_path / "sub")  # the same file from its own folder: the same folders
    assert load_sweep("my.yaml") == sweep


def test_the_command_line_finds_a_sweep_file_from_the_current_folder(tmp_path, monkeypatch, capsys):
    """Guards issue 25: `toyexp sweep my.yaml` in a subfolder found '<project>/my.yaml' instead.
    The dry run shows the planned folders as paths from here, beside the sweep file."""
    sweep_in(tmp_path / "sub", results_dir="results")
    monkeypatch.chdir(tmp_path / "sub")
    assert main(["sweep", "my.yaml", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "results/recon/regression/" in out and "results/book/runs/recon/regression-seeds.ipynb" in out
    monkeypatch.chdir(tmp_path)
    assert main(["sweep", "sub/my.yaml", "--dry-run"]) == 0
    assert "sub/results/recon/regression/" in capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["my.yaml", "sub"]  # a dry run writes nothing


def test_a_missing_sweep_file_is_named_as_given(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["sweep", "nope.yaml"]) == 2
    assert capsys.readouterr().err == (f"error: sweep file 'nope.yaml' does not exist (relative paths start at the "
                                       f"current folder, {str(tmp_path)!r})\n")
    assert main(["sweep", "params/smoke.yaml", "--dry-run"]) == 2  # the package's own, asked for from elsewhere
    err = capsys.readouterr().err
    assert err.startswith("error: sweep file 'params/smoke.yaml' does not exist")
    assert err.endswith(f"; the package's own is {str(PROJECT_ROOT / 'params' / 'smoke.yaml')!r}\n")


def test_a_runs_relative_output_dir_starts_at_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cfg = load_config("recon", overrides=["experiment.output_dir=mine", "experiment.mode=flow"])
    assert run_directory(cfg) == tmp_path / "mine" / "flow" / "seed-42"


def test_the_packaged_notebooks_are_found_from_any_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert notebook_for("recon") == PROJECT_ROOT / "notebooks" / "recon.ipynb" and notebook_for("recon").is_file()
    assert ANALYSIS_NOTEBOOK.is_file()


@pytest.mark.slow
def test_a_sweep_from_another_folder_writes_beside_its_file(tmp_path):
    """A real sweep (one tiny run, its analysis) started in one folder, its file in another with
    relative folders: every file lands beside the sweep file, none in the current folder."""
    sweep_in(tmp_path / "study", results_dir="results")
    (tmp_path / "here").mkdir()
    done = subprocess.run([sys.executable, "-m", "toyexp", "sweep", "../study/my.yaml", "--jobs", "1"],
                          cwd=tmp_path / "here", capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert list((tmp_path / "study" / "results").rglob("metrics.json"))
    assert (tmp_path / "study" / "results" / "book" / "analysis.ipynb").is_file()
    assert str(tmp_path / "study" / "results" / "book" / "analysis.ipynb") in done.stdout  # outside here: absolute
    assert list((tmp_path / "here").iterdir()) == []
