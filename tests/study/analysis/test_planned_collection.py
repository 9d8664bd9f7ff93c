"""A study reads exactly its own runs: the runs its plan names, found by their recorded identity and
config, whatever else lies under its results folder.

Foreign runs planted next to a sweep's own (a notebook's quick-preset run, a run of another sweep
file, a run with another num_eval) are counted in one line of the overview and never read; a run
of another config in a planned run's own folder is not read either, and says why. The analysis
pointed at a bare folder (no sweep file) refuses to compare seeds of different configs, naming
both runs and the key.
"""

import json
import shutil

import nbformat
import pytest

from toyexp.cli import main
from toyexp.study.analysis import collect
from toyexp.study.analysis.collect import RunsDisagree, collect_planned, collect_sweep
from toyexp.study.sweep.plan import plan
from toyexp.study.analysis.results import task_results
from toyexp.study.sweep.sweep_file import load_sweep
from sweeps import TINY, write_sweep

VARIANTS = {"regression": ["experiment.mode=regression"], "flow": ["experiment.mode=flow"]}


def plant_planned(write_run, path):
    """A complete run in each planned run's folder, recording that run's identity and config."""
    planned = plan(load_sweep(path))
    results = path.parent / "results"
    for i, run in enumerate(planned):
        write_run(results, run.task, run.variant, run.config["experiment"]["mode"], run.seed,
                  {"l1": 0.1 * (i + 1), "l2": 0.2 * (i + 1)}, config=run.config, folder=run.run_dir.relative_to(results))
    return planned


def with_key(config: dict, section: str, key: str, value) -> dict:
    return {**config, section: {**config[section], key: value}}


def plant_foreign(write_run, results, planned):
    """Three runs the sweep does not plan, each claiming to be recon · flow, seed 1 (as a quick-preset
    run, a run of another sweep file and a run with another num_eval do)."""
    flow = next(r for r in planned if r.variant == "flow")
    quick = with_key(flow.config, "experiment", "output_dir", "outputs/quick/recon")
    write_run(results, "recon", "flow", "flow", 1, {"l1": 9.0, "l2": 9.0}, config=quick, folder="quick/recon/flow/seed-1")
    write_run(results, "recon", "other", "flow", 1, {"l1": 8.0, "l2": 8.0}, config=flow.config, folder="other/flow/seed-1")
    write_run(results, "recon", "flow", "flow", 1, {"l1": 7.0, "l2": 7.0},
              config=with_key(flow.config, "dataset", "num_eval", 50), folder="recon/flow/num_eval=50/flow/seed-1")


def test_foreign_runs_are_counted_and_never_read(tmp_path, write_run):
    path = write_sweep(tmp_path, seeds=[1, 2], variants=VARIANTS)
    planned = plant_planned(write_run, path)
    own = collect_sweep(path)
    plant_foreign(write_run, tmp_path / "results", planned)
    with_foreign = collect_sweep(path)

    assert {r.folder for r in with_foreign.runs} == {r.run_dir for r in planned}
    assert [r.record for r in with_foreign.runs] == [r.record for r in own.runs]
    assert not own.unplanned and len(with_foreign.unplanned) == 3
    overview, alone = with_foreign.overview().splitlines(), own.overview().splitlines()
    assert [overview[0], *overview[2:]] == alone  # the count and the tasks' lines do not change
    assert overview[1].startswith("  not read: 3 run folders under ") and "that this sweep does not plan" in overview[1]
    assert "quick/recon/flow/seed-1" in overview[1]
    assert len(collect.collect(tmp_path / "results").runs) == 7  # a bare folder reads them all


def test_a_run_of_another_config_in_a_planned_folder_is_not_read_and_says_why(tmp_path, write_run):
    path = write_sweep(tmp_path, seeds=[1, 2], variants=VARIANTS)
    planned = plant_planned(write_run, path)
    stale = planned[1]
    shutil.rmtree(stale.run_dir)
    write_run(tmp_path / "results", stale.task, stale.variant, "regression", stale.seed, {"l1": 5.0, "l2": 5.0},
              config=with_key(stale.config, "training", "num_epochs", 999), folder=stale.run_dir.relative_to(tmp_path / "results"))
    found = collect_sweep(path)
    assert stale.run_dir not in {r.folder for r in found.runs} and found.incomplete == (stale.run_dir,)
    (problem,) = found.problems
    assert problem.startswith(str(stale.run_dir.relative_to(tmp_path / "results")))
    assert "its config differs from the sweep's: training.num_epochs 999 → 20 (recorded → planned)" in problem
    assert "--resume" in problem


def test_planned_runs_not_yet_run_are_counted(tmp_path, write_run):
    path = write_sweep(tmp_path, seeds=[1, 2, 3], variants=VARIANTS)
    planned = plan(load_sweep(path))
    found = collect_planned(planned, tmp_path / "results")
    assert found.runs == () and found.not_run == 6 and "6 planned runs have not run" in found.overview()


def test_seeds_of_different_configs_are_refused_by_name_in_a_bare_folder(tmp_path, write_run):
    """Guards: the error names both runs and the key, instead of a ValueError deep in the summary."""
    path = write_sweep(tmp_path, seeds=[1, 2], variants=VARIANTS)
    planned = plant_planned(write_run, path)
    flow = next(r for r in planned if r.variant == "flow")
    write_run(tmp_path / "results", "recon", "flow", "flow", 3, {"l1": 1.0, "l2": 1.0},
              config=with_key(with_key(flow.config, "dataset", "num_eval", 50), "experiment", "seed", 3), folder="by-hand/seed-3")
    with pytest.raises(RunsDisagree, match=r"recon/flow/seed-1 and .*by-hand/seed-3 are seeds of recon · flow "
                                           r"but differ in dataset.num_eval \(100 against 50\)"):
        task_results(collect.collect(tmp_path / "results"), "recon", {})
    assert task_results(collect_sweep(path), "recon", {}) is not None  # the sweep reads its own runs only


def analysis_outputs(book) -> list:
    """Every output of the executed analysis page but the overview's and the provenance cell's."""
    nb = nbformat.read(book / "analysis.ipynb", as_version=4)
    cells = [c for c in nb.cells if c.cell_type == "code" and "overview(" not in c.source
             and "nbval-ignore-output" not in c.metadata.get("tags", [])]
    return [[{k: v for k, v in o.items() if k != "execution_count"} for o in c.outputs] for c in cells]


def book_files(book) -> list[str]:
    return sorted(str(p.relative_to(book)) for p in book.rglob("*") if p.is_file())


@pytest.mark.slow
def test_the_analysis_and_the_book_pages_ignore_planted_runs(tmp_path, capsys):
    """A real tiny sweep, its analysis run twice: alone, then with a quick-preset run, another sweep
    file's run and a run with another num_eval planted under its results folder. Every output of
    the analysis but the overview line, the abstract's headline and the TOC come out the same."""
    path = write_sweep(tmp_path, seeds=[1, 2], variants=VARIANTS, overrides=[*TINY, "evaluation.integration_method=[euler]"])
    assert main(["sweep", str(path), "--jobs", "2"]) == 0, capsys.readouterr()
    book, results = tmp_path / "book", tmp_path / "results"
    before = analysis_outputs(book), (book / "analysis.headline.md").read_text(), book_files(book)

    own = results / "recon" / "flow" / "seed-1"
    for folder, key, value in [("quick/recon/flow/seed-42", "output_dir", "outputs/quick/recon"),
                               ("another-sweep/recon/flow/flow/seed-1", "variant", "flow"),
                               ("recon/flow/num_eval=60/flow/seed-1", "num_eval", 60)]:
        shutil.copytree(own, results / folder)
        metrics = json.loads((results / folder / "metrics.json").read_text())
        section = "dataset" if key == "num_eval" else "experiment"
        metrics["config"][section][key] = value
        metrics["final"]["l2"] *= 10
        (results / folder / "metrics.json").write_text(json.dumps(metrics))
    assert main(["sweep", str(path), "--resume"]) == 0, capsys.readouterr()
    after = analysis_outputs(book), (book / "analysis.headline.md").read_text(), book_files(book)
    assert after == before
    overview = nbformat.read(book / "analysis.ipynb", as_version=4).cells
    text = "".join(o.get("text", "") for c in overview if c.cell_type == "code" for o in c.outputs)
    assert "not read: 3 run folders under" in text
    page = nbformat.read(book / "analysis.ipynb", as_version=4)
    shown = "".join(o.get("data", {}).get("text/markdown", "") for c in page.cells if c.cell_type == "code" for o in c.outputs)
    assert "This page analyses one study, the sweep file" in shown and "- **runs**: 4 = 1 task × 2 variants" in shown
    notebook_only = [c for c in page.cells if "notebook-only" in c.metadata.get("tags", [])]
    assert notebook_only and all("remove-cell" in c.metadata["tags"] for c in notebook_only)  # the demo's text is not on the page
