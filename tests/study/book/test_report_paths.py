"""The report never shows the machine's folders: a results folder outside the project is shown
by its name or as the sweep file writes it, in every run page, book page and the analysis."""

import json
from pathlib import Path

import nbformat
import pytest
import yaml

from toyexp.cli import main
from toyexp.run.files import PROJECT_ROOT
from toyexp.study.book.report_paths import ShownPaths, shown_as

TINY = [
    "training.num_epochs=20", "training.eval_interval=10", "training.save_interval=10", "network.hidden_dim=16",
    "network.num_layers=1", "dataset.num_eval=100", "evaluation.num_eval_steps=[1, 2]",
]


def test_each_folder_is_shown_relative_to_the_project_or_as_written_or_by_its_name(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert shown_as("outputs/smoke") == "outputs/smoke"
    assert shown_as(PROJECT_ROOT / "outputs" / "x") == "outputs/x"  # absolute, but inside the project
    assert shown_as("../scratch/r") == "../scratch/r"  # relative, outside: as written
    assert shown_as("~/scratch/r") == "~/scratch/r"
    assert shown_as(tmp_path / "data" / "results") == "…/results"
    assert shown_as(str(tmp_path / "sweep.yaml")) == "…/sweep.yaml"


def test_paths_are_replaced_in_every_form_and_only_whole_folders(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    results = tmp_path / "data" / "results"
    shown = ShownPaths.of(str(results), "~/book", None)
    assert shown.text(f"run folder: {results}/recon/flow/seed-1") == "run folder: …/results/recon/flow/seed-1"
    assert shown.text(f"'{results}'; {results}") == "'…/results'; …/results"
    assert shown.text(f"{results}2/x and {results}.old") == f"{results}2/x and {results}.old"  # other folders
    assert shown.text(f"{tmp_path}/home/book/runs/a.ipynb") == "~/book/runs/a.ipynb"  # ~ as the kernel expands it
    folded = tmp_path / "data" / "x" / ".." / "results"  # written with '..': the kernel may print either form
    assert ShownPaths.of(str(folded)).text(f"{results}/a") == "…/results/a"
    assert ShownPaths.of().text(str(results)) == str(results)
    accented = tmp_path / "résultats"
    papermill = f'"experiment.output_dir={tmp_path}/r\\xe9sultats/recon"'  # how papermill writes the parameter
    assert ShownPaths.of(str(accented)).text(papermill) == '"experiment.output_dir=…/résultats/recon"'


def test_a_notebook_is_rewritten_everywhere_but_in_its_images(tmp_path):
    results = tmp_path / "results"
    nb = nbformat.v4.new_notebook(metadata={"papermill": {"parameters": {"overrides": [f"experiment.output_dir={results}/recon"]}}})
    nb.cells = [nbformat.v4.new_code_cell(f"x = '{results}'", outputs=[
        nbformat.v4.new_output("stream", text=f"run folder: {results}/recon\n"),
        nbformat.v4.new_output("display_data", data={"text/markdown": f"`{results}`", "image/png": f"{results}"}),
    ])]
    ShownPaths.of(str(results)).notebook(nb)
    text = json.dumps(nb, ensure_ascii=False)
    assert str(results) in nb.cells[0].outputs[1].data["image/png"]  # image data is never touched
    assert text.count(str(results)) == 1 and text.count("…/results") == 4


def files_of(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): p.read_text() for p in folder.rglob("*") if p.is_file() and p.suffix in (".ipynb", ".md", ".yml")}


@pytest.fixture(scope="module")
def foreign_sweep(tmp_path_factory):
    """A sweep whose results and book folders lie outside the project, under a path with spaces,
    an apostrophe and accents, with the analysis; its exit code and the folders."""
    root = tmp_path_factory.mktemp("outside") / "résultats d'essai" / "ü 1"
    root.mkdir(parents=True)
    path = root / "sweep.yaml"
    path.write_text(yaml.safe_dump({
        "tasks": ["recon"], "seeds": [1], "variants": {"regression": ["experiment.mode=regression"]},
        "overrides": TINY, "results_dir": str(root / "results"), "book_dir": str(root / "book"),
    }, allow_unicode=True))
    code = main(["sweep", str(path), "--jobs", "1"])
    return code, root


@pytest.mark.slow
def test_a_results_path_with_spaces_and_accents_just_works(foreign_sweep, capsys):
    """Guards: a sweep into a folder named with spaces, an apostrophe and accents completes, with
    its run, its pages and the analysis."""
    code, root = foreign_sweep
    assert code == 0
    metrics = json.loads((root / "results" / "recon" / "regression" / "seed-1" / "metrics.json").read_text())
    assert metrics["config"]["experiment"]["output_dir"] == str(root / "results" / "recon")
    pages = {"runs/recon/regression-seeds.ipynb", "runs/recon.md", "runs/recon/regression.md", "analysis.ipynb"}
    assert pages <= set(files_of(root / "book"))


@pytest.mark.slow
def test_no_page_shows_the_machines_folders(foreign_sweep):
    """Guards: the absolute folder of a results folder outside the project appears in no executed
    notebook and no book page (run folder line, config, papermill's record, the analysis and its
    copy of the sweep file); the run page names its folder by the results folder's name instead."""
    _, root = foreign_sweep
    machine = str(root.parents[1])  # the temporary folder above 'résultats d'essai'
    pages = files_of(root / "book")
    assert [name for name, text in pages.items() if machine in text] == []
    run = nbformat.reads(pages["runs/recon/regression-seeds.ipynb"], as_version=4)
    printed = "".join(o.get("text", "") for c in run.cells if c.cell_type == "code" for o in c.outputs)
    assert "run folder: …/results/recon/regression/seed-1" in printed
    assert "output_dir: …/results/recon\n" in printed  # the whole config, as the page shows it
    analysis = nbformat.reads(pages["analysis.ipynb"], as_version=4)
    injected = next(c for c in analysis.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert "results_dir = \"…/results\"" in injected.source  # the page hides the cell; its download keeps it
    assert "results_dir: …/results" in json.dumps(analysis, ensure_ascii=False)  # the sweep file, under provenance
