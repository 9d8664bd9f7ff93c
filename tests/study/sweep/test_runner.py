"""``run_sweep``: a sweep file and its options in, a typed SweepReport out; everything that cannot
run is a ConfigError before anything runs. (The ``toyexp sweep`` command is this function with
its options from the command line: test_sweep_file.py, test_sweep_lock.py and the fault tests
check its lines and exit codes.)"""

import json
import os
import socket

import nbformat
import pytest

from toyexp import ConfigError
from toyexp.study.execution.outcome import Outcome
from toyexp.study.sweep.outcomes import Started, SweepOptions, SweepReport
from toyexp.study.sweep.plan import PlannedRun, groups_of
from toyexp.study.sweep.runner import run_sweep
from sweeps import write_sweep

VARIANTS = {"regression": ["experiment.mode=regression"], "flow": ["experiment.mode=flow"]}
IDS = ["recon/regression/seed-1", "recon/regression/seed-2", "recon/flow/seed-1", "recon/flow/seed-2"]


def test_a_sweep_reports_every_run_in_a_typed_report(tmp_path, executors):
    """Guards the report: the planned runs in plan order; one job per group (the seeds of a variant),
    told its notebook, output, seeds and overrides; an Outcome per run, each member of a failed
    group failed with its error (none wrote a metrics.json); the caller told what runs."""
    path = write_sweep(tmp_path, seeds=[1, 2], variants=VARIANTS)
    executors.outcome = lambda job: Outcome(id=job.run_id, status="failed" if "/flow/" in job.run_id else "done",
                                            notebook=job.output, seconds=2.0,
                                            error="boom" if "/flow/" in job.run_id else "")
    started, done = [], []
    report = run_sweep(path, SweepOptions(jobs=2, analysis=False), started.append, done.append)
    assert isinstance(report, SweepReport) and all(isinstance(r, PlannedRun) for r in report.runs)
    assert [r.id for r in report.runs] == IDS
    failed = {IDS[2], IDS[3]}
    assert [(o.id, o.status, o.seconds) for o in report.outcomes] == [(i, "failed" if i in failed else "done", 1.0) for i in IDS]
    assert report.outcomes == tuple(done)
    assert report.failed and (report.stopped, report.problem) == ("", "")
    (name, jobs, options), = executors.calls
    assert (name, options) == ("run_local", {"fresh": False})
    groups = groups_of(list(report.runs))
    assert [(j.run_id, j.title, j.parameters) for j in jobs] == [(g.id, g.title, g.parameters) for g in groups]
    assert [j.run_id for j in jobs] == ["recon/regression/seeds-1-2", "recon/flow/seeds-1-2"]
    assert jobs[1].parameters["seeds"] == [1, 2] and jobs[1].title == "recon: flow, seeds 1, 2"
    assert [j.output for j in jobs] == [str(g.notebook) for g in groups]
    assert started == [Started(runs=4, to_execute=4, complete=0, failed_before=(), description="2 at a time (local, warm kernels)")]
    table = report.table().splitlines()
    assert table[-1] == "2 done, 0 skipped, 2 failed"
    assert [row.split()[:2] for row in table[1:-1]] == [[i, "failed" if i in failed else "done"] for i in IDS]
    assert table[4].endswith(f"{report.runs[3].notebook}: boom")


def complete(run: PlannedRun, run_record) -> None:
    """A finished run of ``run``'s own config in its folder, and its notebook: what --resume skips."""
    from toyexp.run.record import write_record
    from toyexp.tasks.base import Final

    run.run_dir.mkdir(parents=True)
    write_record(run.run_dir / "metrics.json", run_record(run.task, run.variant, run.config["experiment"]["mode"], run.seed,
                                                          Final(method="euler", resolution=1, nfe=1, l1=0.1,
                                                                l2=0.2), config=run.config))
    run.notebook.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(f"# {run.task}")]), run.notebook)


def test_resume_reports_the_complete_runs_as_skipped(tmp_path, executors, run_record):
    """Guards --resume: a run whose record is complete for its config is not executed and is
    reported "skipped"; the others run."""
    from toyexp.study.sweep.plan import plan
    from toyexp.study.sweep.sweep_file import load_sweep

    path = write_sweep(tmp_path, seeds=[1, 2])
    first = plan(load_sweep(path))[0]
    complete(first, run_record)
    report = run_sweep(path, SweepOptions(jobs=1, resume=True, analysis=False))
    assert [(j.run_id, j.parameters["seeds"]) for j in executors.jobs] == [("recon/regression/seeds-2", [2])]  # the group's incomplete seed
    assert sorted((o.id, o.status) for o in report.outcomes) == [("recon/regression/seed-1", "skipped"),
                                                                 ("recon/regression/seed-2", "done")]
    assert not report.failed and report.table().endswith("1 done, 1 skipped, 0 failed")


@pytest.mark.parametrize("status, error, line", [
    ("done", "", "analysis: done (book/analysis.ipynb)"),
    ("failed", "NameError: x", "analysis: failed (book/analysis.ipynb): NameError: x"),
])
def test_the_closing_count_is_of_runs_and_the_analysis_has_its_line(tmp_path, monkeypatch, executors, status, error, line):
    """Guards issue 25: a 2-run sweep ends "2 done", not "3 done" with the analysis counted; the
    analysis has its own line with its notebook's path as the user opens it from the current
    folder; a failed analysis fails the sweep."""
    from toyexp.study.sweep import steps

    monkeypatch.chdir(tmp_path)
    notebook = str(tmp_path / "book" / "analysis.ipynb")
    monkeypatch.setattr(steps, "_analysis", lambda *args: Outcome(id="analysis", status=status, notebook=notebook,
                                                                  seconds=1.0, error=error))
    report = run_sweep(write_sweep(tmp_path, seeds=[1, 2]), SweepOptions(jobs=1))
    assert [o.id for o in report.outcomes] == ["recon/regression/seed-1", "recon/regression/seed-2"]
    assert report.analysis == Outcome(id="analysis", status=status, notebook=notebook, seconds=1.0, error=error)
    assert report.table().splitlines()[-2:] == ["2 done, 0 skipped, 0 failed", line]
    assert report.failed == (status == "failed")


def test_without_the_analysis_the_table_ends_with_the_count(tmp_path, executors):
    report = run_sweep(write_sweep(tmp_path), SweepOptions(jobs=1, analysis=False))
    assert report.analysis is None and report.table().splitlines()[-1] == "1 done, 0 skipped, 0 failed"


def test_resume_names_the_stale_runs_apart_from_the_missing_and_keeps_them(tmp_path, executors, run_record):
    """Guards issue 25: --resume after a change of num_epochs said "3 to execute" and replaced the old
    runs without a word. Now the caller is told which runs are stale and how their config changed,
    apart from the runs not run yet, and each old run is moved aside before its folder is reused."""
    from toyexp.run.record import write_record
    from toyexp.study.sweep.plan import plan
    from toyexp.study.sweep.sweep_file import load_sweep
    from toyexp.tasks.base import Final
    from sweeps import TINY

    old = plan(load_sweep(write_sweep(tmp_path, seeds=[1, 2, 3])))
    for run in old[:2]:  # seeds 1 and 2 finished under the old config; seed 3 never ran
        run.run_dir.mkdir(parents=True)
        write_record(run.run_dir / "metrics.json",
                     run_record("recon", "regression", "regression", run.seed,
                                Final(method="euler", resolution=1, nfe=1, l1=0.1, l2=0.2), config=run.config))
    path = write_sweep(tmp_path, seeds=[1, 2, 3], overrides=[*TINY[1:], "training.num_epochs=40"])
    started = []
    run_sweep(path, SweepOptions(jobs=1, resume=True, analysis=False), started.append)
    (s,) = started
    assert (s.runs, s.to_execute, s.complete) == (3, 3, 0)
    assert s.stale == (("recon/regression/seed-1", "training.num_epochs 20 → 40"),
                       ("recon/regression/seed-2", "training.num_epochs 20 → 40"))
    assert s.lines() == [
        "3 runs: 3 to execute, 0 already complete (1 not run yet, 2 stale: their config changed since they ran; "
        "each old run is moved aside, beside the new one)",
        "  stale: recon/regression/seed-1 (training.num_epochs 20 → 40)",
        "  stale: recon/regression/seed-2 (training.num_epochs 20 → 40)",
    ]
    for run in old[:2]:
        kept = run.run_dir.with_name(f"{run.run_dir.name}.previous-1")
        assert json.loads((kept / "metrics.json").read_text())["config"] == json.loads(json.dumps(run.config))
        assert not (run.run_dir / "metrics.json").exists() and (run.run_dir / "params.yaml").is_file()


@pytest.mark.parametrize("fields, options, message", [
    ({}, SweepOptions(only="recon/flw/*"), "--only 'recon/flw/*' matches no run; run ids look like 'recon/regression/seed-1'"),
    ({"seeds": "abc"}, SweepOptions(), "seeds: 'abc' has the wrong type"),
    ({"variants": {"flow": ["experiment.mode=flw"]}}, SweepOptions(), "run recon/flow/seed-1: "),
    ({}, SweepOptions(jobs=0), "--jobs 0 is invalid"),
    ({}, SweepOptions(cell_timeout=-1.0), "--cell-timeout -1 is invalid"),
    ({}, SweepOptions(executor="ssh"), "--executor 'ssh' is invalid; valid: local, dask, slurm"),
], ids=["only", "file", "run-config", "jobs", "cell-timeout", "executor"])
def test_what_cannot_run_raises_before_anything_runs(tmp_path, executors, fields, options, message):
    """Guards: a bad --only, sweep file, run config or option is a ConfigError naming it, and no
    run starts and no folder is made."""
    path = write_sweep(tmp_path, **fields)
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace("[", r"\[").replace("*", r"\*")):
        run_sweep(path, options)
    assert executors.calls == [] and not (tmp_path / "results").exists() and not (tmp_path / "book").exists()


def test_a_missing_file_and_a_held_folder_raise(tmp_path, executors):
    with pytest.raises(ConfigError, match="does not exist"):
        run_sweep(tmp_path / "none.yaml")
    path = write_sweep(tmp_path)
    lock = tmp_path / "results" / ".sweep.lock"
    lock.parent.mkdir()
    lock.write_text(json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "started": "now", "command": "other"}))
    with pytest.raises(ConfigError, match="in use by another sweep"):
        run_sweep(path, SweepOptions(analysis=False))
    assert executors.calls == [] and lock.is_file()


@pytest.mark.slow
def test_a_real_sweep_reports_its_runs(grid_sweep):
    """Guards the report of a sweep that ran (tests/study/conftest.py's grid_sweep: 4 runs, one that
    cannot write its checkpoint): the runs in plan order with their grid points in the ids, the
    failed one "failed" with the error of its notebook, the others "done" with their metrics."""
    report, folder = grid_sweep
    ids = [f"recon/{v}/learning_rate={lr}/seed-1" for v in ("regression", "flow") for lr in ("0.01", "0.001")]
    assert [r.id for r in report.runs] == ids
    statuses = {o.id: o.status for o in report.outcomes}
    assert statuses == {i: "failed" if i == ids[3] else "done" for i in ids}
    failed = next(o for o in report.outcomes if o.status == "failed")
    assert "FileExistsError" in failed.error and failed.notebook == str(report.runs[3].notebook)
    assert report.failed and report.stopped == ""
    assert all((r.run_dir / "metrics.json").is_file() for r in report.runs[:3])
    assert not (report.runs[3].run_dir / "metrics.json").exists()


def test_without_run_pages_the_book_gets_no_run_page(tmp_path, executors):
    """Guards run_pages: false: the runs execute into their own folders and no page of theirs
    (run, variant or task page, appendix entries) is written to the book."""
    report = run_sweep(write_sweep(tmp_path, run_pages=False), SweepOptions(analysis=False))
    assert [o.status for o in report.outcomes] == ["done"]
    assert [j.output for j in executors.jobs] == [str(report.runs[0].run_dir.parent / "group.ipynb")]
    assert not (tmp_path / "book" / "runs").exists()


def files_under(folder) -> dict:
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in folder.rglob("*")}


def test_a_dry_run_plans_and_writes_nothing(tmp_path, monkeypatch, executors, run_record, capsys):
    """Guards --dry-run (issue 25): every run with its folder and notebook, which --resume would skip
    (a complete run), the counts with and without --resume, the analysis notebook; no run
    executes, no lock is taken, no params.yaml, no folder is made; exit 0."""
    from toyexp.cli import main
    from toyexp.study.sweep.plan import plan
    from toyexp.study.sweep.sweep_file import load_sweep

    monkeypatch.chdir(tmp_path)
    path = write_sweep(tmp_path, seeds=[1, 2], variants=VARIANTS)
    first = plan(load_sweep(path))[0]
    complete(first, run_record)
    before = files_under(tmp_path)

    report = run_sweep(path, SweepOptions(dry_run=True, resume=True))
    assert report.stopped == "dry run" and [r.id for r in report.runs] == IDS
    assert [o.status for o in report.outcomes] == ["complete", "planned", "planned", "planned"]
    assert report.analysis == Outcome(id="analysis", status="planned",
                                      notebook=str(tmp_path / "book" / "analysis.ipynb"))
    assert report.plan_table(resume=True).splitlines() == [
        "run                                          --resume  run folder  notebook",
        "recon/regression/seed-1                      skip      results/recon/regression/seed-1  book/runs/recon/regression-seeds.ipynb",
        "recon/regression/seed-2                      run       results/recon/regression/seed-2  book/runs/recon/regression-seeds.ipynb",
        "recon/flow/seed-1                            run       results/recon/flow/seed-1  book/runs/recon/flow-seeds.ipynb",
        "recon/flow/seed-2                            run       results/recon/flow/seed-2  book/runs/recon/flow-seeds.ipynb",
        "4 runs: 3 to execute, 1 already complete (skipped with --resume)",
        "analysis: would write book/analysis.ipynb",
        "dry run: nothing was executed or written",
    ]
    assert main(["sweep", str(path), "--dry-run", "--no-analysis", "--only", "recon/regression/*"]) == 0
    assert capsys.readouterr().out.splitlines()[-2:] == [
        "2 runs: 2 to execute, 1 of them already complete (--resume would skip them)",
        "dry run: nothing was executed or written"]
    assert executors.calls == [] and files_under(tmp_path) == before


def test_a_dry_run_of_a_new_sweep_makes_no_folder(tmp_path, executors):
    """Guards: without the lock (which makes the results folder), a dry run leaves no trace."""
    path = write_sweep(tmp_path)
    report = run_sweep(path, SweepOptions(dry_run=True))
    assert [o.status for o in report.outcomes] == ["planned"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sweep.yaml"]
