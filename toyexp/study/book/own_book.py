"""A sweep's own book: its analysis and run pages built into a small Jupyter Book of their own.

``toyexp sweep my.yaml --build-book`` ends here, once the analysis is done: the sweep's
``book_dir`` gets

- ``_config.yml``: the report's settings that make a book of executed notebooks build offline
  and fail on any warning (no execution, only the TOC's files, MathJax from the
  ``sphinx-mathjax-offline`` wheel, the same MyST and notebook output settings), titled with
  the sweep's ``title`` or the sweep file's name; the bibliography only if a page cites;
- ``index.md``, the front page: what ran (tasks, variants, seeds, grid, the sweep file) and the
  analysis' headline (``abstract.md``, which the sweep writes);
- ``_toc.yml``: the front page, the analysis page ``<page>.ipynb``, then the run pages the sweep
  already nests task > variant > seed (``runs/appendix.yml``, when ``run_pages`` is true);
- ``_static/wrap.css``, the report's stylesheet that wraps long code lines;

then ``jupyter-book build <book_dir> -W -n --keep-going`` runs, its output kept in
``_build/jupyter-book.log``. A failed build is an :class:`Outcome` "failed" naming its first
problem; the runs and the analysis stay as they are. The report's own ``book/`` is never built
here: ``make book`` builds it from ``_toc.base.yml``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml

from ...run.files import PROJECT_ROOT, display_path, resolve_path, shipped, write_text
from ...schema import ConfigError
from ..execution.outcome import Outcome
from ..sweep.plan import describe
from .report_paths import ShownPaths, shown_as
from ..sweep.sweep_file import Sweep

FRONT = "index"  # the front page: index.md, so the built book opens on it (index.html)
FRONT_TITLE, ANALYSIS_TITLE = "What ran", "Analysis"  # in the sidebar, under the book's title (the analysis page may carry it too)
WRAP_CSS = shipped("book/_static/wrap.css")  # the report's: long code lines wrap (a sweep file's overrides)
LOG = "_build/jupyter-book.log"
APPENDIX_FILE = "runs/appendix.yml"  # as run_pages writes it (not imported: that module loads torch)
REPORT_BIB = shipped("book/references.bib")

# The report's book/_config.yml, less what belongs to the report (its title, author, bibliography);
# tests/study/book/test_own_book.py keeps the two equal.
SETTINGS = {
    "only_build_toc_files": True,
    "exclude_patterns": ["_build", "**.ipynb_checkpoints"],
    "execute": {"execute_notebooks": "off"},  # papermill executed every notebook during the sweep
    "parse": {"myst_enable_extensions": ["dollarmath", "amsmath"]},
    "sphinx": {
        "extra_extensions": ["sphinx-mathjax-offline"],  # formulas render with no network
        "config": {
            "nb_output_stderr": "remove",
            "nb_render_markdown_format": "myst",
            "html_show_copyright": False,
            "suppress_warnings": ["mystnb.unknown_mime_type"],
        },
    },
    "html": {"use_repository_button": False, "use_issues_button": False, "use_edit_page_button": False},
}


def jupyter_book() -> str | None:
    """The ``jupyter-book`` command beside this Python, else on the PATH; None when not installed."""
    beside = Path(sys.executable).parent / "jupyter-book"
    return str(beside) if beside.is_file() else shutil.which("jupyter-book")


def check(sweep: Sweep, book_dir: str | Path) -> None:
    """Raise ConfigError (one line), before anything runs, when ``--build-book`` cannot build this sweep's book."""
    book = resolve_path(book_dir).resolve()
    if book.is_relative_to((PROJECT_ROOT / "book").resolve()):
        raise ConfigError(f"--build-book builds a sweep's own book, and {display_path(book)!r} is the report's, "
                          "which make book builds; leave --build-book out")
    if sweep.page == FRONT:
        raise ConfigError(f"page {FRONT!r} is the front page of the sweep's own book (--build-book); "
                          "set page to another name, e.g. analysis")
    if jupyter_book() is None:
        raise ConfigError("--build-book needs jupyter-book, which is not installed; "
                          "pip install 'jupyter-book>=1.0.4,<2' sphinx-mathjax-offline (both in .[dev])")


def config(title: str, cites: bool) -> dict:
    """The book's ``_config.yml``: the report's settings, this title, and the bibliography if ``cites``."""
    return {"title": title, "author": "", **SETTINGS, **({"bibtex_bibfiles": ["references.bib"]} if cites else {})}


def front_page(sweep: Sweep, sweep_file: str | Path, book_dir: str | Path, title: str) -> str:
    """Markdown: what the sweep ran (the counts multiply to its runs), its headline, its sweep file."""
    shown = ShownPaths.of(sweep.results_dir, book_dir, sweep_file)  # the file's text shows no folder of this machine
    *what, runs = describe(sweep)
    lines = [
        f"# {FRONT_TITLE}", "",
        f"This book, *{title}*, is one sweep, `{shown_as(sweep_file)}`, built by `toyexp sweep --build-book` from its runs and its "
        "analysis. The project's report is built apart, by `make book`.", "",
        *what, f"{runs}, in `{shown_as(sweep.results_dir)}`", "",
        "## What it found", "", "```{include} abstract.md", "```", "",
        "## The sweep file", "", "```yaml", shown.text(sweep.source).rstrip(), "```",
    ]
    return "\n".join(lines) + "\n"


def toc(book: Path, page: str) -> dict:
    """``_toc.yml``: the front page, the analysis page, then the run pages' entries (if the sweep wrote them)."""
    appendix = book / APPENDIX_FILE
    runs = (yaml.safe_load(appendix.read_text()) or []) if appendix.is_file() else []
    chapters = [{"file": page, "title": ANALYSIS_TITLE}, *runs]
    if cites(book, chapters):
        chapters.append({"file": "references"})
    return {"format": "jb-book", "root": FRONT, "chapters": chapters}


def _files(entries: list[dict]) -> list[str]:
    return [f for e in entries for f in (e["file"], *_files(e.get("sections", [])))]


def cites(book: Path, chapters: list[dict]) -> bool:
    """Whether a page of the TOC (its .md or .ipynb) cites with ``{cite}``."""
    pages = [book / f"{f}{suffix}" for f in _files(chapters) for suffix in (".md", ".ipynb")]
    return any("{cite}" in p.read_text() for p in pages if p.is_file())


def write_book(sweep: Sweep, sweep_file: str | Path, book_dir: str | Path) -> Path:
    """Write the book's ``_config.yml``, ``_toc.yml`` and front page into ``book_dir`` (see the module docstring)."""
    book = resolve_path(book_dir)
    title = sweep.title or Path(sweep_file).stem
    contents = toc(book, sweep.page)
    cited = {"file": "references"} in contents["chapters"]
    if cited:  # the report's bibliography, and a page listing what the pages cite
        write_text(book / "references.bib", REPORT_BIB.read_text())
        write_text(book / "references.md", "# References\n\n```{bibliography}\n```\n")
    header = "# generated by `toyexp sweep --build-book`; do not edit\n"
    write_text(book / "_config.yml", header + yaml.safe_dump(config(title, cited), sort_keys=False))
    write_text(book / "_toc.yml", header + yaml.safe_dump(contents, sort_keys=False))
    write_text(book / f"{FRONT}.md", front_page(sweep, sweep_file, book_dir, title))
    if WRAP_CSS.is_file():  # Jupyter Book links every stylesheet of _static (an installed package has none: code scrolls)
        write_text(book / "_static" / WRAP_CSS.name, WRAP_CSS.read_text())
    return book


def index(book_dir: str | Path) -> Path:
    """The built book's first page."""
    return resolve_path(book_dir) / "_build" / "html" / "index.html"


def build(book_dir: str | Path) -> Outcome:
    """``jupyter-book build <book_dir> -W -n --keep-going``: "done" with the built index.html, or
    "failed" with its log and its first problem (any warning fails it)."""
    book = resolve_path(book_dir)
    start = time.perf_counter()
    done = subprocess.run([jupyter_book(), "build", str(book), "-W", "-n", "--keep-going"],
                          capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode == 0 and index(book).is_file():
        return Outcome(id="book", status="done", notebook=str(index(book)), seconds=seconds)
    log = book / LOG
    write_text(log, done.stdout + done.stderr)
    return Outcome(id="book", status="failed", notebook=str(log), seconds=seconds,
                   error=first_problem(done.stdout + done.stderr))


def first_problem(output: str) -> str:
    """The first warning or error line of jupyter-book's output (else its last line), shortened."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    found = next((line for line in lines if "WARNING" in line or "ERROR" in line or "Error" in line), lines[-1] if lines else "")
    return found if len(found) <= 300 else found[:297] + "..."


def build_own_book(sweep: Sweep, sweep_file: str | Path, book_dir: str | Path, analysis: Outcome | None) -> Outcome:
    """The sweep's own book, written and built once its analysis is done; "not started" otherwise."""
    if analysis is None or analysis.status != "done":
        return Outcome(id="book", status="not started", notebook=str(resolve_path(book_dir)),
                       error="its analysis page did not finish, so it was not built")
    try:
        write_book(sweep, sweep_file, book_dir)
    except OSError as err:  # a full disk or a read-only folder: the runs and the analysis are already in place
        return Outcome(id="book", status="failed", notebook=str(resolve_path(book_dir)),
                       error=f"cannot write its files: {err}")
    return build(book_dir)
