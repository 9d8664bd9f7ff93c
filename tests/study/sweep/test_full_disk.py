"""A full disk during `toyexp sweep`, in the sweep's own process: the sweep stops starting runs,
prints its closing table and one line naming the folder, exits 3, and leaves no half-written
file. (Through a run's kernel and on a real size-limited folder: ../execution/test_full_disk_kernels.py.)"""

import errno
import os
import pathlib
from pathlib import Path

import pytest
from papermill.exceptions import PapermillExecutionError

import toyexp.cli as cli
from toyexp.cli import main
from toyexp.study.sweep import plan as planning
from toyexp.study.execution.disk import no_space
from toyexp.study.execution.outcome import Outcome
from sweeps import assert_nothing_half_written, last_line, statuses, write_sweep

FULL = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
SEEDS = [1, 2, 3]


def cell_error(evalue: str) -> PapermillExecutionError:
    return PapermillExecutionError(3, 3, "run()", "OSError", evalue, [])


def test_a_full_disk_is_told_by_its_errno():
    assert no_space(FULL) and no_space(OSError(errno.EDQUOT, "Disk quota exceeded"))
    assert no_space(cell_error("[Errno 28] No space left on device: '/r/config.yaml'"))  # from a kernel
    assert not no_space(PermissionError(errno.EACCES, "Permission denied"))
    assert not no_space(cell_error("[Errno 13] Permission denied"))
    assert not no_space(cell_error("No space left in the queue"))  # no errno, no full disk
    assert not no_space(ValueError("[Errno 28] looks like one"))


def test_a_full_disk_at_the_lock_is_one_line_and_leaves_no_file(tmp_path, monkeypatch, capsys, executors):
    """Guards: the lock's file, torn by a full disk, is removed; one line names the results
    folder; exit 3; nothing runs."""
    real = Path.write_text

    def torn(self, text, *args, **kwargs):
        real(self, text[: len(text) // 2], *args, **kwargs)
        raise FULL

    path = write_sweep(tmp_path, seeds=SEEDS)
    monkeypatch.setattr(pathlib.Path, "write_text", torn)
    assert main(["sweep", str(path), "--no-analysis"]) == cli.NO_SPACE
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"no space left on device (or quota exceeded) in {tmp_path / 'results'};" in err
    assert "--resume" in err
    assert list((tmp_path / "results").iterdir()) == [] and executors.calls == []


def test_a_full_disk_before_the_runs_starts_none(tmp_path, monkeypatch, capsys, executors):
    """Guards: when a run's params.yaml finds the disk full, no run is executed: that run fails,
    the others are 'not started'; table, then the line; exit 3."""
    real = planning.write_yaml

    def fills_after_one(path, obj):
        if (tmp_path / "results" / "recon" / "regression" / "seed-1" / "params.yaml").exists():
            raise FULL
        real(path, obj)

    monkeypatch.setattr(planning, "write_yaml", fills_after_one)
    assert main(["sweep", str(write_sweep(tmp_path, seeds=SEEDS))]) == cli.NO_SPACE
    out, err = capsys.readouterr()
    assert executors.jobs == []
    assert statuses(out) == {"recon/regression/seed-1": "not started", "recon/regression/seed-2": "failed",
                             "recon/regression/seed-3": "not started"}
    assert "0 done, 0 skipped, 1 failed, 0 interrupted, 2 not started" in out
    assert last_line(err).startswith(f"error: no space left on device (or quota exceeded) in {tmp_path / 'results'};")
    assert not (tmp_path / "book" / "runs" / "recon.md").exists()  # no pages
    assert_nothing_half_written(tmp_path)


@pytest.mark.parametrize("where, folder", [("run", "results"), ("notebook", "book")])
def test_a_run_that_found_the_disk_full_skips_the_pages_and_the_analysis(tmp_path, capsys, executors, where, folder):
    """Guards: after a run failed on a full disk (its own files, or its notebook), the book pages
    and the analysis are not written; the closing table lists the runs, the last line names the
    folder that was full; exit 3."""
    def outcome(job):  # the group of the three seeds: none of them wrote its metrics.json
        return Outcome(id=job.run_id, status="failed", notebook=job.output, seconds=1.0,
                       error="OSError: [Errno 28] No space left on device", no_space=where)

    executors.outcome = outcome
    assert main(["sweep", str(write_sweep(tmp_path, seeds=SEEDS))]) == cli.NO_SPACE
    out, err = capsys.readouterr()
    assert "0 done, 0 skipped, 3 failed" in out
    assert last_line(err) == (f"error: no space left on device (or quota exceeded) in {tmp_path / folder}; "
                              "free space and run again with --resume")
    assert [p for p in (tmp_path / "book").rglob("*") if p.is_file()] == []  # no page


def test_a_full_disk_for_the_executors_own_files_is_the_same_line(tmp_path, monkeypatch, capsys, executors):
    """Guards: an executor that cannot write its own files on a full disk (submitit's job folder
    under the results folder) leaves every run 'not started' and ends with the line; exit 3."""
    from toyexp.study.sweep import steps

    def submit(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp_path / "results" / ".submitit"))

    monkeypatch.setattr(steps, "run_slurm", submit)
    assert main(["sweep", str(write_sweep(tmp_path, seeds=SEEDS)), "--executor", "slurm"]) == cli.NO_SPACE
    out, err = capsys.readouterr()
    assert set(statuses(out).values()) == {"not started"} and len(statuses(out)) == 3
    assert last_line(err).startswith(f"error: no space left on device (or quota exceeded) in {tmp_path / 'results'};")


def test_a_full_disk_writing_the_pages_keeps_the_previous_ones(tmp_path, monkeypatch, capsys, executors):
    """Guards: the pages of a book, torn by a full disk, keep their previous version, no
    temporary file is left, the analysis is skipped; table, line naming the book folder, exit 3."""
    page = tmp_path / "book" / "runs" / "recon.md"
    page.parent.mkdir(parents=True)
    page.write_text("the page of the last sweep\n")
    real = Path.write_text

    def torn_in_the_book(self, text, *args, **kwargs):
        if tmp_path / "book" in Path(self).parents:
            real(self, text[: len(text) // 2], *args, **kwargs)
            raise FULL
        return real(self, text, *args, **kwargs)

    path = write_sweep(tmp_path, seeds=SEEDS)
    monkeypatch.setattr(pathlib.Path, "write_text", torn_in_the_book)
    assert main(["sweep", str(path)]) == cli.NO_SPACE
    out, err = capsys.readouterr()
    assert "3 done, 0 skipped, 0 failed" in out
    assert last_line(err).startswith(f"error: no space left on device (or quota exceeded) in {tmp_path / 'book'};")
    assert "Traceback" not in err
    assert page.read_text() == "the page of the last sweep\n"
    assert [p.name for p in (tmp_path / "book").rglob("*") if p.is_file()] == ["recon.md"]


def test_pages_that_cannot_be_written_for_another_reason_are_one_line(tmp_path, capsys, executors):
    """Guards: a page that cannot be written (here a folder stands where the task's page should
    be) is one line naming the book folder, after the table; exit 1, no traceback."""
    (tmp_path / "book" / "runs" / "recon.md").mkdir(parents=True)
    assert main(["sweep", str(write_sweep(tmp_path, seeds=SEEDS)), "--no-analysis"]) == 1
    out, err = capsys.readouterr()
    assert "3 done, 0 skipped, 0 failed" in out
    assert last_line(err).startswith(f"error: cannot write the book pages in {tmp_path / 'book'}: ")
    assert "Traceback" not in err


def test_the_report_says_why_the_sweep_stopped(tmp_path, executors):
    """The same stops in the typed report run_sweep returns: "no space" naming the folder, or
    "pages" saying why the pages could not be written."""
    from toyexp.study.execution.outcome import Outcome
    from toyexp.study.sweep.outcomes import SweepOptions
    from toyexp.study.sweep.runner import run_sweep

    executors.outcome = lambda job: Outcome(id=job.run_id, status="failed", notebook=job.output, seconds=0.0,
                                            error="full", no_space="notebook")
    report = run_sweep(write_sweep(tmp_path / "a"), SweepOptions(analysis=False))
    assert (report.stopped, report.problem) == ("no space", str(tmp_path / "a" / "book"))
    executors.outcome = lambda job: Outcome(id=job.run_id, status="done", notebook=job.output)
    (tmp_path / "b" / "book" / "runs" / "recon.md").mkdir(parents=True)
    report = run_sweep(write_sweep(tmp_path / "b"), SweepOptions(analysis=False))
    assert report.stopped == "pages" and report.problem.startswith(f"cannot write the book pages in {tmp_path / 'b' / 'book'}: ")
    assert not report.failed
