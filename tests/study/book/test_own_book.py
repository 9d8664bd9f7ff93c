"""A sweep's own book (``toyexp sweep my.yaml --build-book``, issue 25): its _config.yml, _toc.yml
and front page, built by Jupyter Book with -W into pages that load MathJax from the book itself;
a failed build is one error line and exit 1; the report's book is never built this way.

The build tests use a hand-made executed analysis notebook and run page (no training); one test
runs a tiny sweep end to end.
"""

import re
from pathlib import Path

import nbformat
import pytest
import yaml

from toyexp.cli import main
from toyexp.run.files import PROJECT_ROOT
from toyexp.study.book import own_book
from toyexp.study.execution.outcome import Outcome
from toyexp.study.sweep.outcomes import SweepReport
from toyexp.study.sweep.sweep_file import load_sweep
from sweeps import REGRESSION, TINY, write_sweep


def test_the_settings_are_the_reports():
    """Guards drift: every setting of the own book is the report's, and the report has no other
    setting but its own title, author, copyright and bibliography."""
    report = yaml.safe_load((PROJECT_ROOT / "book" / "_config.yml").read_text())
    assert {key: report[key] for key in own_book.SETTINGS} == own_book.SETTINGS
    assert set(report) - set(own_book.SETTINGS) == {"title", "author", "copyright", "bibtex_bibfiles"}
    assert own_book.config("My sweep", cites=False) == {"title": "My sweep", "author": "", **own_book.SETTINGS}
    assert own_book.config("My sweep", cites=True)["bibtex_bibfiles"] == ["references.bib"]


def test_the_front_page_says_what_ran(tmp_path):
    path = write_sweep(tmp_path, name="lr.yaml", seeds=[1, 2], variants={"regression": ["experiment.mode=regression"], "flow": []},
                       overrides=["training.num_epochs=20"], grid={"training.learning_rate": [0.01, 0.001]})
    sweep = load_sweep(path)
    page = own_book.front_page(sweep, path, sweep.book_dir, "lr")
    assert page.startswith("# What ran\n\nThis book, *lr*, is one sweep, `…/lr.yaml`, built by `toyexp sweep --build-book`")
    assert ("- **tasks**: recon\n"
            "- **variants**: regression (`experiment.mode=regression`); flow\n"
            "- **seeds**: 1, 2\n"
            "- **grid**: `training.learning_rate` in 0.01, 0.001 (2 points: learning_rate = 0.01; learning_rate = 0.001)\n"
            "- **every run**: `training.num_epochs=20`\n"
            "- **runs**: 8 = 1 task × 2 variants × 2 grid points × 2 seeds, in `…/results`\n") in page
    assert "```{include} abstract.md\n```" in page
    assert "results_dir: …/results\nbook_dir: …/book\n" in page  # the sweep file, with no folder of this machine
    assert str(tmp_path) not in page


def test_the_toc_is_the_front_page_the_analysis_then_the_runs(tmp_path):
    runs = [{"file": "runs/recon", "title": "recon", "sections": [{"file": "runs/recon/regression-seed1", "title": "seed 1"}]}]
    (tmp_path / "runs").mkdir()
    (tmp_path / "runs" / "appendix.yml").write_text(yaml.safe_dump(runs))
    assert own_book.toc(tmp_path, "mine") == {"format": "jb-book", "root": "index",
                                                "chapters": [{"file": "mine", "title": "Analysis"}, *runs]}
    (tmp_path / "runs" / "appendix.yml").unlink()  # run_pages: false
    assert own_book.toc(tmp_path, "mine")["chapters"] == [{"file": "mine", "title": "Analysis"}]


def test_a_page_that_cites_brings_the_bibliography(tmp_path):
    (tmp_path / "mine.md").write_text("Flow matching {cite}`lipman2023flow`.\n")
    assert own_book.toc(tmp_path, "mine")["chapters"] == [{"file": "mine", "title": "Analysis"}, {"file": "references"}]


REPORT_BOOK = ("error: --build-book builds a sweep's own book, and 'book' is the report's, which make book builds; "
               "leave --build-book out\n")


@pytest.mark.parametrize("argv, fields, message", [
    (["params/sweep.yaml", "--build-book"], None, REPORT_BOOK),
    (["params/regimes.yaml", "--build-book"], None, REPORT_BOOK),
    (["--build-book", "--no-analysis"], {}, "error: --build-book builds the sweep's analysis page into its book; leave out --no-analysis\n"),
    (["--build-book"], {"page": "index"},
     "error: page 'index' is the front page of the sweep's own book (--build-book); set page to another name, e.g. analysis\n"),
])
def test_a_book_that_cannot_be_built_is_refused_before_anything_runs(tmp_path, capsys, argv, fields, message):
    if fields is not None:
        argv = [str(write_sweep(tmp_path, **fields)), *argv]
    else:
        argv = [str(PROJECT_ROOT / argv[0]), *argv[1:], "--dry-run"]  # dry run: even a broken check writes nothing
    assert main(["sweep", *argv]) == 2
    assert capsys.readouterr() == ("", message)
    assert [p.name for p in tmp_path.iterdir()] == (["sweep.yaml"] if fields is not None else [])


def test_a_dry_run_says_where_the_book_would_be(tmp_path, monkeypatch, capsys):
    path = write_sweep(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["sweep", str(path), "--build-book", "--dry-run"]) == 0
    assert "analysis: would write book/analysis.ipynb\nbook: would build book/_build/html/index.html\n" in capsys.readouterr().out


def test_a_failed_build_is_one_error_line_and_exit_1(tmp_path, monkeypatch, capsys):
    """The CLI's end of a failed build: the table's book line, then one error line naming the first
    problem and the log; the runs' outcomes stay as they were (exit 1, not 2: the runs ran)."""
    log = tmp_path / "book" / "_build" / "jupyter-book.log"
    report = SweepReport(runs=(), outcomes=(Outcome(id="recon/regression/seed-1", status="done", notebook="nb.ipynb",
                                                    seconds=1.0),), stopped="",
                         analysis=Outcome(id="analysis", status="done",
                                          notebook=str(tmp_path / "book" / "analysis.ipynb")),
                         book=Outcome(id="book", status="failed", notebook=str(log), seconds=2.0,
                                      error="WARNING: toc reference not found"))
    monkeypatch.setattr("toyexp.study.sweep.runner.run_sweep", lambda *args, **kwargs: report)
    monkeypatch.chdir(tmp_path)
    assert main(["sweep", "whatever.yaml", "--build-book"]) == 1
    out, err = capsys.readouterr()
    assert out.endswith("1 done, 0 skipped, 0 failed\nanalysis: done (book/analysis.ipynb)\n"
                        "book: failed (book/_build/jupyter-book.log): WARNING: toc reference not found\n")
    assert err == ("error: the sweep's book did not build: WARNING: toc reference not found; its runs and its analysis are kept; "
                   "jupyter-book's output: book/_build/jupyter-book.log\n")


def analysis_notebook() -> nbformat.NotebookNode:
    """An executed analysis page: a formula in its text and a printed table."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Analysis\n\nThe path $x_t = (1 - t)\\,x_0 + t\\,x_1$ and its velocity\n\n"
                                      "$$v = x_1 - x_0.$$"),
        nbformat.v4.new_code_cell("print('l2 0.1250')", execution_count=1,
                                  outputs=[nbformat.v4.new_output("stream", name="stdout", text="l2 0.1250\n")]),
    ]
    return nb


def hand_made_book(folder: Path) -> Path:
    """What a tiny sweep leaves in its book folder, by hand: the analysis page and its abstract,
    one run page under the appendix's entries."""
    folder.mkdir()
    nbformat.write(analysis_notebook(), folder / "analysis.ipynb")
    (folder / "abstract.md").write_text("**[Analysis](analysis)**\n\n- regression fits recon best.\n")
    run = analysis_notebook()
    run.cells[0].source = run.cells[0].source.replace("# Analysis", "# recon: regression, seed 1")
    (folder / "runs" / "recon").mkdir(parents=True)
    nbformat.write(run, folder / "runs" / "recon" / "regression-seed1.ipynb")
    (folder / "runs" / "recon.md").write_text("# recon\n\n[regression](recon/regression.md)\n")
    (folder / "runs" / "recon" / "regression.md").write_text("# recon: regression\n\n[seed 1](regression-seed1.ipynb)\n")
    entries = [{"file": "runs/recon", "title": "recon", "sections": [{"file": "runs/recon/regression", "title": "regression",
                "sections": [{"file": "runs/recon/regression-seed1", "title": "seed 1"}]}]}]
    (folder / "runs" / "appendix.yml").write_text(yaml.safe_dump(entries))
    return folder


def script_sources(page: Path) -> list[str]:
    return re.findall(r'<script[^>]*\ssrc="([^"]+)"', page.read_text())


@pytest.mark.slow
def test_a_sweeps_own_book_builds_with_W_and_loads_mathjax_from_itself(tmp_path):
    sweep = load_sweep(write_sweep(tmp_path, name="tiny.yaml", title="A tiny sweep"))
    book = hand_made_book(tmp_path / "book")
    own_book.write_book(sweep, tmp_path / "tiny.yaml", book)
    assert yaml.safe_load((book / "_config.yml").read_text()) == own_book.config("A tiny sweep", cites=False)
    assert yaml.safe_load((book / "_toc.yml").read_text())["chapters"][0] == {"file": "analysis", "title": "Analysis"}
    built = own_book.build(book)
    assert built == Outcome(id="book", status="done", notebook=str(book / "_build" / "html" / "index.html"),
                            seconds=built.seconds)
    html = book / "_build" / "html"
    for page in (html / "index.html", html / "analysis.html", html / "runs" / "recon" / "regression-seed1.html"):
        sources = script_sources(page)
        assert not [s for s in sources if s.startswith(("http:", "https:", "//"))], (page, sources)
        mathjax = [s for s in sources if "mathjax" in s.lower()]
        assert mathjax, (page, sources)
        assert all((page.parent / s.split("?")[0]).is_file() for s in mathjax), mathjax
    index = (html / "index.html").read_text()
    assert "A tiny sweep" in index and "regression fits recon best." in index  # the front page, its headline included
    assert 'href="analysis.html"' in index


@pytest.mark.slow
def test_a_book_that_does_not_build_fails_naming_its_first_problem(tmp_path):
    sweep = load_sweep(write_sweep(tmp_path))
    book = hand_made_book(tmp_path / "book")
    (book / "analysis.ipynb").unlink()  # the TOC names a page that is not there
    own_book.write_book(sweep, tmp_path / "sweep.yaml", book)
    built = own_book.build(book)
    assert (built.status, built.notebook) == ("failed", str(book / own_book.LOG))
    assert "WARNING" in built.error and "analysis" in built.error, built.error
    assert built.error in (book / own_book.LOG).read_text()


@pytest.mark.slow
@pytest.mark.training
def test_toyexp_sweep_build_book_end_to_end(tmp_path, monkeypatch, capsys):
    """A two-run sweep with --build-book: its runs, its analysis, then its book, whose index.html
    the last line names as a path from here."""
    path = write_sweep(tmp_path, name="tiny.yaml", variants={**REGRESSION, "flow": ["experiment.mode=flow"]}, overrides=TINY)
    monkeypatch.chdir(tmp_path)
    assert main(["sweep", str(path), "--jobs", "1", "--build-book"]) == 0
    out = capsys.readouterr().out
    assert out.endswith("2 done, 0 skipped, 0 failed\nanalysis: done (book/analysis.ipynb)\n"
                        "book: done (book/_build/html/index.html)\n"), out
    html = tmp_path / "book" / "_build" / "html"
    assert {p.name for p in html.glob("*.html")} >= {"index.html", "analysis.html"}
    assert (html / "runs" / "recon" / "flow-seeds.html").is_file()
