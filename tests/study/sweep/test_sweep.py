"""A sweep end to end on tiny settings: runs on 2 jobs with failing runs, resume, the analysis and
the built book; and the Dask and Slurm executors giving the runs of the local one."""

from toyexp.core.baselines import BASELINES
import json
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

from toyexp.cli import main
from toyexp.run.record import read_record
from book_build import build_book, copy_book
from sweeps import TINY, write_sweep

OVERRIDES = [*TINY, "evaluation.integration_method=[euler, rk4]"]
VARIANTS = {
    "regression": ["experiment.mode=regression"],
    "flow": ["experiment.mode=flow", "training.initial_dist=zeros", "evaluation.initial_dist=zeros"],
    "flow-gaussian": ["experiment.mode=flow", "training.initial_dist=gaussian", "evaluation.initial_dist=gaussian"],
}


def metrics_files(results: Path) -> dict[str, float]:
    return {str(p.relative_to(results)): p.stat().st_mtime_ns for p in results.rglob("metrics.json")}


@pytest.mark.slow
def test_smoke_sweep_chain(tmp_path, capsys):
    """Runs with 2 jobs, a failing run, resume, the analysis and the book, end to end."""
    book, results = copy_book(tmp_path / "book"), tmp_path / "results"
    variants = {**VARIANTS, "broken": ["experiment.mode=regression"]}
    path = write_sweep(tmp_path, tasks=["recon", "projection", "lie"], seeds=[42, 43], variants=variants, overrides=OVERRIDES,
                       book_dir=str(book))
    for seed in (42, 43):  # recon/broken fails half-way through training: it cannot write a checkpoint
        run_dir = results / "recon" / "broken" / f"seed-{seed}"
        run_dir.mkdir(parents=True)
        (run_dir / "checkpoints").write_text("a file where the checkpoint folder should be")
    results.joinpath("projection").mkdir(parents=True)
    results.joinpath("projection", "broken").write_text("projection/broken cannot even make its folder")

    assert main(["sweep", str(path), "--jobs", "2", "--book-dir", str(book)]) == 1
    out = capsys.readouterr().out
    assert f"20 done, 0 skipped, 4 failed\nanalysis: done ({book / 'analysis.ipynb'})\n" in out  # lie/broken works
    failed = [line for line in out.splitlines() if "/broken/" in line and " failed " in line]
    assert len(failed) == 4
    assert all(str(book / "runs" / "recon") in line and "FileExistsError" in line for line in failed[:2]), out
    assert all("cannot write" in line for line in failed[2:])
    broken_nb = nbformat.read(book / "runs" / "recon" / "broken-seeds.ipynb", as_version=4)
    assert any(o.output_type == "error" for c in broken_nb.cells if c.cell_type == "code" for o in c.outputs)
    done = metrics_files(results)
    assert len(done) == 20  # 3 variants x 2 seeds x 3 experiments, and lie/broken
    for path in done:  # each run records who it is: task/variant/seed-N, its mode the variant's
        task, variant, seed = path.split("/")[:3]
        record = read_record(results / path)
        assert (record.task, record.variant, record.grid_point, f"seed-{record.seed}") == (task, variant, {}, seed)
        assert f"experiment.mode={record.mode}" in variants[variant]
    run_nb = nbformat.read(book / "runs" / "projection" / "flow-gaussian-seeds.ipynb", as_version=4)
    assert run_nb.cells[0].source.startswith("# projection: flow-gaussian, seeds 42, 43")
    assert (book / "analysis.ipynb").is_file()

    # Resume: only the run whose outputs were deleted runs again.
    victim = "recon/flow/seed-43/metrics.json"
    (results / victim).unlink()
    path = write_sweep(tmp_path, tasks=["recon", "projection", "lie"], seeds=[42, 43], variants=VARIANTS, overrides=OVERRIDES,
                       book_dir=str(book))
    assert main(["sweep", str(path), "--jobs", "2", "--resume", "--book-dir", str(book)]) == 0
    out = capsys.readouterr().out
    assert "18 runs: 1 to execute, 17 already complete" in out
    after = metrics_files(results)
    changed = sorted(k for k in after if after[k] != done.get(k))
    assert changed == [victim]

    for nb in (book / "runs" / "recon").glob("broken-*.ipynb"):
        nb.unlink()  # a failed run's notebook is kept for inspection; the report leaves it out
    check_built_book(build_book(book))


class Page(HTMLParser):
    """The image sources and the table rows (cell texts) of an HTML page."""

    def __init__(self, path: Path):
        super().__init__()
        self.images, self.rows, self._cell = [], [], None
        self.feed(path.read_text())

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.images.append(dict(attrs).get("src", ""))
        elif tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = ""

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(self._cell.strip())
            self._cell = None


def check_built_book(html: Path) -> None:
    """Guards against a broken book: every image on the analysis page is a PNG that exists, its
    tables list each variant of the sweep with both seeds once per experiment, and every run has
    its page. Substrings like '<img' would pass for broken links and empty tables."""
    page = Page(html / "analysis.html")
    assert len(page.images) >= 3, page.images  # at least one figure per experiment
    for src in page.images:
        image = (html / src).resolve()
        assert not src.startswith(("http:", "https:")) and image.is_file(), src
        assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", src
    for variant in [*VARIANTS, *BASELINES]:  # the variants, then the classical baselines
        # final-error tables, one for l1 and one for l2 per task: variant, n, mean ± std, 95 % CI
        rows = [r for r in page.rows if r[:2] == [variant, "2"] and len(r) == 4 and r[3].startswith("[")]
        assert len(rows) == 6, (variant, page.rows)  # recon, projection, lie; n = 2 seeds
    for experiment in ("recon", "projection", "lie"):
        for variant in VARIANTS:  # one page per variant: its two seeds, trained together
            page = html / "runs" / experiment / f"{variant}-seeds.html"
            assert page.is_file(), (experiment, variant)
            assert all(f"seed {seed}" in page.read_text() for seed in (42, 43)), (experiment, variant)


EXECUTOR_VARIANTS = {"regression": VARIANTS["regression"], "flow-gaussian": VARIANTS["flow-gaussian"]}


def final_metrics(results: Path) -> dict[str, dict]:
    """Each run folder (relative to ``results``) -> its metrics.json's ``final``."""
    return {str(p.parent.relative_to(results)): json.loads(p.read_text())["final"] for p in results.rglob("metrics.json")}


@pytest.fixture(scope="module")
def local_finals(tmp_path_factory) -> dict[str, dict]:
    """The executors' runs (one regression, one flow from Gaussian noise), on the local executor."""
    tmp = tmp_path_factory.mktemp("local")
    path = write_sweep(tmp, seeds=[42], variants=EXECUTOR_VARIANTS, overrides=OVERRIDES)
    assert main(["sweep", str(path), "--jobs", "2", "--no-analysis", "--book-dir", str(tmp / "book")]) == 0
    return final_metrics(tmp / "results")


@pytest.mark.slow
@pytest.mark.parametrize("executor", ["dask", "slurm"])
def test_other_executors_run_the_same_runs(tmp_path, capsys, executor, local_finals):
    """Guards: Dask and submitit execute the same runs as the local executor, with bit-identical
    final metrics run by run (a worker that lost the seed, the thread setting or a parameter,
    or a run executed twice or not at all, fails here)."""
    path = write_sweep(tmp_path, seeds=[42], variants=EXECUTOR_VARIANTS, overrides=OVERRIDES)
    extra = ["--slurm-cluster", "local"] if executor == "slurm" else []
    rc = main(["sweep", str(path), "--jobs", "2", "--executor", executor, "--no-analysis", "--book-dir", str(tmp_path / "book"), *extra])
    assert rc == 0, capsys.readouterr()
    assert "2 done, 0 skipped, 0 failed" in capsys.readouterr().out
    assert sorted(local_finals) == ["recon/flow-gaussian/seed-42", "recon/regression/seed-42"]
    assert final_metrics(tmp_path / "results") == local_finals
