"""A user's sweep never touches the report (issue 25): a sweep file without folders gets its own,
and only the report's studies may write into the report's book folder and results folders."""

import os
import re

import pytest
import yaml

from toyexp import ConfigError
from toyexp.cli import main
from toyexp.run.files import PROJECT_ROOT
from toyexp.study.sweep import report_studies
from toyexp.study.sweep.plan import plan
from toyexp.study.sweep.sweep_file import load_sweep
from sweeps import REGRESSION

STEM = "issue25-own-folders"  # a sweep file's name no one else uses: its own folders are outputs/<STEM>...
BOTH = "params/sweep.yaml and params/regimes.yaml"


def user_sweep(folder, **fields):
    """``folder/<STEM>.yaml``: one tiny run, with only the folder keys in ``fields``."""
    path = folder / f"{STEM}.yaml"
    path.write_text(yaml.safe_dump({"tasks": ["recon"], "seeds": [1], "variants": REGRESSION, **fields}, sort_keys=False))
    return path


def test_a_sweep_file_without_folders_plans_its_runs_in_folders_of_its_own(tmp_path, monkeypatch):
    """Guards issue 25: results in outputs/<stem> beside the sweep file (whatever the current folder),
    the book in outputs/<stem>/book; planning writes nothing."""
    monkeypatch.chdir(PROJECT_ROOT)  # not the sweep file's folder
    sweep = load_sweep(user_sweep(tmp_path))
    own = tmp_path / "outputs" / STEM
    assert (sweep.results_dir, sweep.book_dir) == (str(own), str(own / "book"))
    (run,) = plan(sweep)
    assert run.run_dir == own / "recon" / "regression" / "seed-1"  # the variant names the mode: not repeated
    assert run.notebook == own / "book" / "runs" / "recon" / "regression-seeds.ipynb"
    assert not own.exists() and not (PROJECT_ROOT / "outputs" / STEM).exists()


def test_a_sweep_file_naming_its_results_only_keeps_its_book_beside_them(tmp_path):
    sweep = load_sweep(user_sweep(tmp_path, results_dir=str(tmp_path / "results")))
    assert sweep.book_dir == f"{tmp_path / 'results'}/book"


def to_project(folder: str) -> str:
    """``folder`` of the project as a sweep file in tmp_path reaches it: relative to the file's folder."""
    return f"{PROJECT_ROOT}/{folder}"  # replaced per test by a path relative to tmp_path (see relative_fields)


def relative_fields(fields: dict, base) -> dict:
    return {k: os.path.relpath(v, base) for k, v in fields.items()}


REFUSED = {
    "book_dir": ({"book_dir": to_project("book")}, [],
                 f"error: sweep file '{STEM}.yaml' would write into the report's book folder 'book' (only {BOTH} do); "
                 f"leave book_dir out (its own: outputs/{STEM}/book) or set it to a folder of your own"),
    "inside the book": ({"book_dir": to_project("book/mine")}, [],
                        f"error: sweep file '{STEM}.yaml' would write into the report's book folder 'book' (only {BOTH} do); "
                        f"leave book_dir out (its own: outputs/{STEM}/book) or set it to a folder of your own"),
    "results_dir": ({"results_dir": to_project("regimes-outputs")}, [],
                    f"error: sweep file '{STEM}.yaml' would write into the report's results folder 'regimes-outputs' "
                    f"(only params/regimes.yaml does); leave results_dir out (its own: outputs/{STEM}) or set it to a folder of your own"),
    "outputs": ({"results_dir": to_project("outputs")}, [],
                f"error: sweep file '{STEM}.yaml' would write into the report's results folder 'outputs' "
                f"(only params/sweep.yaml does); leave results_dir out (its own: outputs/{STEM}) or set it to a folder of your own"),
    "--book-dir": ({}, ["--book-dir", "book"],  # from the current folder, the project
                   f"error: sweep file '{STEM}.yaml' would write into the report's book folder 'book' (only {BOTH} do) "
                   f"through --book-dir 'book'; leave --book-dir out or give it a folder of your own, e.g. outputs/{STEM}/book"),
}


@pytest.mark.parametrize("dry_run", [[], ["--dry-run"]], ids=["run", "dry run"])
@pytest.mark.parametrize("case", REFUSED)
def test_a_user_sweep_into_the_reports_folders_is_refused_before_anything_runs(tmp_path, monkeypatch, capsys, case, dry_run):
    """Guards issue 25: one line naming the file, the report's folder, who writes there and what to
    set instead; exit 2, no folder made (neither the sweep's own nor the report's). The sweep file
    reaches the report's folders by paths relative to its own folder; the messages show paths
    from the current folder (the project's own, as they are typed there)."""
    fields, options, message = REFUSED[case]
    path = user_sweep(tmp_path, **relative_fields(fields, tmp_path))
    monkeypatch.chdir(PROJECT_ROOT)
    message = message.replace(f"'{STEM}.yaml'", repr(str(path))).replace(f"outputs/{STEM}", str(tmp_path / "outputs" / STEM))
    message = message.replace(f"{PROJECT_ROOT}/", "")
    book_before = sorted(p.name for p in (PROJECT_ROOT / "book").iterdir())
    assert main(["sweep", str(path), *options, *dry_run]) == 2
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", message + "\n")
    assert [p.name for p in tmp_path.iterdir()] == [path.name]
    assert not (PROJECT_ROOT / "outputs" / STEM).exists()
    assert not (PROJECT_ROOT / "outputs" / STEM).exists()
    assert sorted(p.name for p in (PROJECT_ROOT / "book").iterdir()) == book_before


@pytest.mark.parametrize("page", report_studies.STUDIES)
def test_the_reports_own_studies_write_into_the_report(capsys, page):
    """A dry run of each report study (one run selected) is not refused and plans into the report's folders."""
    path = report_studies.study_file(page)
    sweep = load_sweep(path)
    (run,) = [r for r in plan(sweep) if r.task == "recon" and r.variant == "flow" and r.seed == 42][:1]
    assert main(["sweep", str(path), "--dry-run", "--only", re.sub(r"([\[\]*?])", r"[\1]", run.id)]) == 0
    out = capsys.readouterr().out
    assert f"analysis: would write book/{page}.ipynb" in out and "dry run: nothing was executed or written" in out


def test_every_shipped_sweep_file_keeps_to_its_own_folders():
    """Every sweep file under params/ passes the check: the studies write into the report, the others
    (smoke, search) into folders of their own."""
    files = sorted((PROJECT_ROOT / "params").glob("*.yaml"))
    assert {f.name for f in files} >= {"sweep.yaml", "regimes.yaml", "smoke.yaml", "search.yaml"}
    for path in files:
        report_studies.check_folders(load_sweep(path), path)
    assert {report_studies.is_report_study(path) for path in files if path.stem in ("smoke", "search")} == {False}


def test_a_copy_of_a_report_study_elsewhere_is_not_the_study(tmp_path, monkeypatch):
    """The report's studies are known by where their file lies, not by its name or its text; a copy's
    relative folders are its own (from its folder), and its absolute ones are refused."""
    monkeypatch.chdir(PROJECT_ROOT)  # the message shows the report's folder as a path from here
    copy = tmp_path / "sweep.yaml"
    copy.write_text((PROJECT_ROOT / "params" / "sweep.yaml").read_text())
    assert load_sweep(copy).results_dir == str(tmp_path.parent / "outputs")  # ../outputs from its own folder
    report_studies.check_folders(load_sweep(copy), copy)  # its folders are not the report's
    copy.write_text(copy.read_text().replace("../outputs", str(PROJECT_ROOT / "outputs")))
    with pytest.raises(ConfigError, match="would write into the report's results folder 'outputs'"):
        report_studies.check_folders(load_sweep(copy), copy)


def test_make_book_runs_exactly_the_report_studies():
    """The Makefile's `runs` target and STUDIES name the same sweep files, in the same order."""
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    recipe = makefile.split("\nruns:", 1)[1].split("\n\n", 1)[0]
    assert re.findall(r"toyexp sweep (\S+)", recipe) == list(report_studies.STUDIES.values())
