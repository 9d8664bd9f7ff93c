"""A copy of the report's sources built with jupyter-book as `make book` builds it, for the tests
that check what the built pages show."""

import shutil
import subprocess
import sys
from pathlib import Path

from toyexp.run.files import PROJECT_ROOT


def copy_book(dest: Path) -> Path:
    """The book's Markdown pages, its configuration and TOC files, its bibliography and ``_static``,
    copied to ``dest``."""
    dest.mkdir(parents=True)
    book = PROJECT_ROOT / "book"
    for f in [*book.glob("*.md"), *book.glob("_*.yml"), *book.glob("*.bib")]:
        shutil.copy(f, dest / f.name)
    shutil.copytree(book / "_static", dest / "_static")
    return dest


def build_book(src: Path) -> Path:
    """``jupyter-book build src -W -n --keep-going`` (any warning fails it); the HTML folder."""
    build = subprocess.run(
        [str(Path(sys.executable).parent / "jupyter-book"), "build", str(src), "-W", "-n", "--keep-going"],
        capture_output=True, text=True, timeout=600,
    )
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    return src / "_build" / "html"
