"""The book pages of a sweep: run pages opening with their result, variant and task pages, and the
appendix's TOC entries (the TOC itself: test_front.py).

Runs are hand-made (a metrics.json with round numbers and a small executed-looking notebook),
so every number on a page is known in advance; nothing trains.
"""

import dataclasses
from pathlib import Path

import nbformat
import pytest
import yaml

from toyexp.run.record import TrainingSummary, write_record
from toyexp.study.book import run_pages
from toyexp.study.sweep.plan import groups_of, plan
from toyexp.study.sweep.sweep_file import load_sweep
from toyexp.tasks.base import Final

VARIANTS = {"regression": ["experiment.mode=regression"], "flow": ["experiment.mode=flow", "training.initial_dist=gaussian"]}
L2 = {("regression", 42): 0.25, ("regression", 43): 0.35, ("flow", 42): 0.125}  # flow seed 43 never finished


def run_notebook(title: str) -> nbformat.NotebookNode:
    """The shape of an executed run notebook: title cell with intro, parameters, injected
    parameters, a section, and the narrative cell at the end."""
    nb = nbformat.v4.new_notebook()
    code = nbformat.v4.new_code_cell
    nb.cells = [
        nbformat.v4.new_markdown_cell(f"# {title}\n\n*Reconstruction*\nWe learn $f$."),
        code("seed = None", metadata={"tags": ["parameters"]}),
        code('# Parameters\nsweep_file = "/somewhere/params/sweep.yaml"\n', metadata={"tags": ["injected-parameters"]}),
        nbformat.v4.new_markdown_cell("## Training"),
        code("train()"),
        code("Markdown(describe_run(...))", metadata={"tags": ["remove-input", "run-summary"]}),
    ]
    nb.metadata["papermill"] = {"input_path": str(Path.cwd() / "notebooks" / "recon.ipynb"), "output_path": "/elsewhere/out.ipynb"}
    return nb


def finish(run, record, l2: float, seconds: float) -> None:
    """The metrics.json of ``run`` (a PlannedRun): l2 at rk4 with 4 steps, trained 300 epochs in ``seconds``."""
    mode = run.config["experiment"]["mode"]
    final = Final(method="rk4", resolution=4, nfe=16 if mode == "flow" else 1, l1=0.1, l2=l2)
    done = record(run.task, run.variant, mode, run.seed, final, config=run.config)
    run.run_dir.mkdir(parents=True, exist_ok=True)
    training = TrainingSummary(epochs=300, steps=600, seconds=seconds, best_epoch=300, eval_epochs=(300,), eval_l2=(l2,))
    write_record(run.run_dir / "metrics.json", dataclasses.replace(done, training=training))


@pytest.fixture
def sweep_and_specs(tmp_path, run_record):
    path = tmp_path / "sweep.yaml"
    path.write_text(yaml.safe_dump({"tasks": ["recon"], "seeds": [42, 43], "variants": VARIANTS,
                                    "overrides": ["training.num_epochs=300"], "results_dir": str(tmp_path / "results")}, sort_keys=False))
    sweep = load_sweep(path)
    specs = plan(sweep, tmp_path / "book")
    for group in groups_of(specs):
        group.notebook.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(run_notebook(group.title), group.notebook)
    for spec in specs:
        l2 = L2.get((spec.variant, spec.seed))
        if l2 is not None:
            finish(spec, run_record, l2, 2.5 + spec.seed - 42)
    return sweep, specs


def test_run_page_opens_with_its_result_and_hides_parameters(sweep_and_specs):
    sweep, specs = sweep_and_specs
    run_pages.write_pages(sweep, specs, specs[0].notebook.parents[2])
    nb = nbformat.read(next(s.notebook for s in specs if s.id == "recon/flow/seed-42"), as_version=4)
    sources = [c.source for c in nb.cells]
    assert sources[0] == "# recon: flow, seeds 42, 43"
    assert sources[1] == "**recon · flow · seed 42**: l2 = 0.1250 (rk4, 4 steps, NFE 16); trained for 300 epochs (600 steps) in 2.5 s."
    assert sources[2] == "Markdown(describe_run(...))"  # the narrative, moved up from the end
    assert sources[3] == "*Reconstruction*\nWe learn $f$."  # the title cell's intro follows
    assert sources[-2:] == ["## Training", "train()"]
    removed = [c.source.splitlines()[0] for c in nb.cells if "remove-cell" in c.metadata.get("tags", [])]
    assert removed == ["seed = None", "# Parameters"]
    assert nb.metadata["papermill"]["input_path"] == "notebooks/recon.ipynb"  # inside the project: relative
    nbformat.validate(nb)


def test_tidying_twice_changes_nothing(sweep_and_specs):
    sweep, specs = sweep_and_specs
    run_pages.write_pages(sweep, specs, specs[0].notebook.parents[2])
    first = {s.notebook: (s.notebook.read_text(), s.notebook.stat().st_mtime_ns) for s in specs}
    run_pages.write_pages(sweep, specs, specs[0].notebook.parents[2])
    assert {s.notebook: (s.notebook.read_text(), s.notebook.stat().st_mtime_ns) for s in specs} == first  # not even rewritten


def test_variant_page_tables_its_seeds(sweep_and_specs):
    sweep, specs = sweep_and_specs
    root = specs[0].notebook.parents[2]
    run_pages.write_pages(sweep, specs, root)
    page = (root / "runs" / "recon" / "regression.md").read_text()
    rows = [line for line in page.splitlines() if line.startswith("| 4")]
    assert rows == [
        "| 42 | 0.2500 | — | 1 | 2.5 s | [its page](regression-seeds.ipynb) |",
        "| 43 | 0.3500 | — | 1 | 3.5 s | [its page](regression-seeds.ipynb) |",
    ]
    assert "l2 = 0.3000 ± 0.0707" in page  # mean and sample std of 0.25 and 0.35
    assert "`experiment.mode=regression`" in page and "num_epochs" not in page  # the variant's own overrides only
    flow = (root / "runs" / "recon" / "flow.md").read_text()
    assert "| 43 | | not complete | | | |" in flow


def test_a_grid_variant_page_names_its_point_and_reads_its_stem_from_the_plan(tmp_path):
    """A variant at a grid point: its page is runs/<task>/<the run's stem>.md, and lists the
    variant's overrides and the point's, not the sweep's (nothing has run: every seed incomplete)."""
    path = tmp_path / "sweep.yaml"
    path.write_text(yaml.safe_dump({"tasks": ["recon"], "seeds": [42], "variants": VARIANTS, "overrides": ["training.num_epochs=300"],
                                    "grid": {"dataset.num_train": [8, 16]}, "results_dir": str(tmp_path / "results")}))
    sweep = load_sweep(path)
    run_pages.write_pages(sweep, plan(sweep, tmp_path / "book"), tmp_path / "book")
    page = (tmp_path / "book" / "runs" / "recon" / "flow-num_train=16.md").read_text()
    assert page.startswith("# recon: flow (num_train = 16)\n")
    assert ("The runs of `recon` with `experiment.mode=flow`, `training.initial_dist=gaussian`, `dataset.num_train=16`, "
            "one per seed.") in page
    assert sorted(p.name for p in (tmp_path / "book" / "runs" / "recon").iterdir()) == [
        "flow-num_train=16.md", "flow-num_train=8.md", "regression-num_train=16.md", "regression-num_train=8.md"]


def test_task_page_links_its_variants(sweep_and_specs):
    sweep, specs = sweep_and_specs
    root = specs[0].notebook.parents[2]
    run_pages.write_pages(sweep, specs, root)
    page = (root / "runs" / "recon.md").read_text()
    assert "| [regression](recon/regression.md) | regression | 2 of 2 | 0.3000 ± 0.0707 |" in page
    assert "| [flow](recon/flow.md) | flow | 1 of 2 | 0.1250 ± — |" in page


def test_the_appendix_entries_nest_task_variant_seed(sweep_and_specs):
    """The TOC entries of the runs (runs/appendix.yml, which front.write_toc puts under the appendix):
    task, then its variants in the sweep file's order, then the seeds that completed."""
    sweep, specs = sweep_and_specs
    root = specs[0].notebook.parents[2]
    run_pages.write_pages(sweep, specs, root)
    (task,) = yaml.safe_load((root / run_pages.APPENDIX_FILE).read_text())
    assert (task["file"], task["title"]) == ("runs/recon", "recon")
    variants = {v["title"]: v for v in task["sections"]}
    assert list(variants) == list(sweep.variants)  # in the sweep file's order
    assert variants["regression"]["file"] == "runs/recon/regression"
    assert [s["file"] for s in variants["regression"]["sections"]] == ["runs/recon/regression-seeds"]  # one page for the group
    assert [s["title"] for s in variants["flow"]["sections"]] == ["seed 42"]  # the unfinished seed is not named


def test_a_full_disk_leaves_every_page_whole(sweep_and_specs, monkeypatch, run_record):
    """Guards: when the disk fills up while the pages are written, the error reaches the caller,
    every page is either its previous version or its new one (never a torn file) and no
    temporary file is left: run pages, variant and task pages and the appendix's TOC entries."""
    import errno
    import os

    sweep, specs = sweep_and_specs
    root = specs[0].notebook.parents[2]
    run_pages.write_pages(sweep, specs, root)
    pages = [p for p in root.rglob("*") if p.is_file() and p.suffix in (".md", ".yml", ".ipynb")]
    before = {p: p.read_text() for p in pages}
    flow43 = next(s for s in specs if s.id == "recon/flow/seed-43")  # now it finishes: every page changes
    finish(flow43, run_record, 0.5, 1.0)
    real_write_text, written = Path.write_text, []

    def fills_after_two(self, text, *args, **kwargs):  # the third page's write stops half-way
        if len(written) == 2:
            real_write_text(self, text[: len(text) // 2], *args, **kwargs)
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        written.append(self)
        return real_write_text(self, text, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", fills_after_two)
    with pytest.raises(OSError) as raised:
        run_pages.write_pages(sweep, specs, root)
    monkeypatch.undo()
    assert raised.value.errno == errno.ENOSPC and len(written) == 2
    assert [p.name for p in root.rglob("*") if p.is_file() and p not in before] == []
    changed = [p for p in pages if p.read_text() != before[p]]
    assert len(changed) == 2  # the two pages written before the disk filled, whole
    for page in pages:
        if page.suffix == ".ipynb":
            nbformat.validate(nbformat.read(page, as_version=4))
        elif page.suffix == ".yml":
            yaml.safe_load(page.read_text())
    run_pages.write_pages(sweep, specs, root)  # space again: every page is brought up to date
    assert all(p.read_text() != before[p] for p in pages if p.name in ("flow.md", "recon.md", "appendix.yml"))


def test_each_grid_point_of_a_variant_gets_its_own_page(tmp_path, run_record):
    """Guards the pages of a sweep with a grid: a variant page per (variant, grid point), titled with
    the point, naming the overrides of its runs, its seeds under it in the TOC."""
    path = tmp_path / "sweep.yaml"
    path.write_text(yaml.safe_dump({"tasks": ["recon"], "seeds": [42], "variants": {"flow": ["experiment.mode=flow"]},
                                    "grid": {"training.learning_rate": [0.01, 0.001]},
                                    "results_dir": str(tmp_path / "results")}))
    sweep = load_sweep(path)
    runs = plan(sweep, tmp_path / "book")
    for run, l2 in zip(runs, (0.25, 0.5)):
        run.notebook.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(run_notebook(run.title), run.notebook)
        finish(run, run_record, l2, 1.0)
    run_pages.write_pages(sweep, runs, tmp_path / "book")
    page = (tmp_path / "book" / "runs" / "recon" / "flow-learning_rate=0.001.md").read_text()
    assert page.startswith("# recon: flow (learning_rate = 0.001)\n")
    assert "| 42 | 0.5000 | rk4, 4 steps | 16 | 1.0 s | [its page](flow-learning_rate=0.001-seeds.ipynb) |" in page
    assert "with `experiment.mode=flow`, `training.learning_rate=0.001`, one per seed" in page
    task = (tmp_path / "book" / "runs" / "recon.md").read_text()
    assert "| [flow (learning_rate = 0.01)](recon/flow-learning_rate=0.01.md) | flow | 1 of 1 | 0.2500 ± — |" in task
    (entry,) = yaml.safe_load((tmp_path / "book" / run_pages.APPENDIX_FILE).read_text())
    assert [(v["title"], [s["file"] for s in v["sections"]]) for v in entry["sections"]] == [
        ("flow (learning_rate = 0.01)", ["runs/recon/flow-learning_rate=0.01-seeds"]),
        ("flow (learning_rate = 0.001)", ["runs/recon/flow-learning_rate=0.001-seeds"]),
    ]
