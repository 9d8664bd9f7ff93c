"""The report's own studies: the only sweeps that write into the report's folders.

The report (``make book``) is built from ``book/`` and the results of its studies, each named
here once, by the page its analysis becomes. Any other sweep (a user's own, the smoke test, a
search) writing into those folders would replace the report's pages or mix its runs with the
report's, so :func:`check_folders` refuses it before anything runs. A sweep file that names no
folders gets its own (:mod:`.sweep_file`), so a user's first sweep never comes near the report.
"""

from __future__ import annotations

from pathlib import Path

from ...run.files import PROJECT_ROOT, display_path, resolve_path, shipped
from ...schema import ConfigError
from .sweep_file import Sweep, load_sweep, own_results

STUDIES = {"analysis": "params/sweep.yaml", "regimes": "params/regimes.yaml"}  # page -> sweep file, in the package's project
BOOK = "book"  # the report's book folder, in the package's project (built by `make book`, never by a sweep)


def study_file(page: str) -> Path:
    return shipped(STUDIES[page])


def is_report_study(sweep_file: str | Path) -> bool:
    """Whether ``sweep_file`` is one of the report's own sweep files (by where it lies, not by its name)."""
    return resolve_path(sweep_file).resolve() in {study_file(page).resolve() for page in STUDIES}


def report_book() -> Path:
    return PROJECT_ROOT / BOOK


def results_folders() -> dict[Path, list[str]]:
    """Each report study's results folder -> the sweep files that write there (read from those files,
    so a study that moves its results is followed). A study whose file is missing (a copy of the
    package without ``params/``) writes nowhere."""
    folders: dict[Path, list[str]] = {}
    for page in (p for p in STUDIES if study_file(p).is_file()):
        folder = resolve_path(load_sweep(study_file(page)).results_dir).resolve()
        folders.setdefault(folder, []).append(STUDIES[page])
    return folders


def _only(files: list[str]) -> str:
    """``only params/sweep.yaml does``, ``only params/sweep.yaml and params/regimes.yaml do``."""
    return f"only {' and '.join(files)} " + ("does" if len(files) == 1 else "do")


def check_folders(sweep: Sweep, sweep_file: str | Path, book_dir_option: str | None = None) -> None:
    """Raise ConfigError (one line) when a sweep other than the report's studies would write into the
    report's book folder (its ``book_dir``, or ``--book-dir`` given as ``book_dir_option``) or into a
    report study's results folder itself (a folder under it is the sweep's own)."""
    if is_report_study(sweep_file):
        return
    shown = display_path(resolve_path(sweep_file))
    own = display_path(resolve_path(own_results(sweep_file), base=resolve_path(sweep_file).parent))
    own_book = display_path(Path(sweep.results_dir) / "book")
    results = resolve_path(sweep.results_dir).resolve()
    writers = results_folders().get(results)
    if writers:
        raise ConfigError(
            f"sweep file {shown!r} would write into the report's results folder {display_path(results)!r} "
            f"({_only(writers)}); leave results_dir out (its own: {own}) or set it to a folder of your own")
    book = resolve_path(book_dir_option or sweep.book_dir).resolve()
    if book.is_relative_to(report_book().resolve()):  # the folder, or one inside it
        where = f"the report's book folder {display_path(report_book())!r} ({_only(list(STUDIES.values()))})"
        if book_dir_option:
            raise ConfigError(f"sweep file {shown!r} would write into {where} through --book-dir {book_dir_option!r}; "
                              f"leave --book-dir out or give it a folder of your own, e.g. {own_book}")
        raise ConfigError(f"sweep file {shown!r} would write into {where}; "
                          f"leave book_dir out (its own: {own_book}) or set it to a folder of your own")
