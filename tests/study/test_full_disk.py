"""A full disk during `toyexp sweep`: the sweep stops starting runs, prints its closing table and
one line naming the folder, exits 3, leaves no half-written file, and --resume finishes the rest
once there is space, with the metrics of a sweep that never hit the fault.

The disk fills up in three ways: writes that fail in the sweep's own process (patched here),
writes that fail in a run's kernel (its notebook patched to fail once a path is reached), and
a real size-limited folder (a tmpfs, where this machine allows mounting one)."""

import errno
import json
import os
import pathlib
from pathlib import Path

import nbformat
import numpy as np
import pytest
import torch
import yaml
from papermill.exceptions import PapermillExecutionError

import toyexp.cli as cli
from toyexp.cli import main
from toyexp.run.files import PROJECT_ROOT
from toyexp.study.disk import no_space
from toyexp.study.execute import Outcome, execute_notebook

TINY = [
    "training.num_epochs=20", "training.eval_interval=10", "training.save_interval=10", "network.hidden_dim=16",
    "network.num_layers=1", "dataset.num_eval=100", "evaluation.num_eval_steps=[1, 2]",
]
FULL = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def write_sweep(folder: Path, seeds=(1, 2, 3)) -> Path:
    path = folder / "sweep.yaml"
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump({
        "tasks": ["recon"], "seeds": list(seeds), "variants": {"regression": ["experiment.mode=regression"]},
        "overrides": TINY, "results_dir": str(folder / "results"), "book_dir": str(folder / "book"),
    }))
    return path


def last_line(text: str) -> str:
    return text.strip().splitlines()[-1]


def statuses(out: str) -> dict[str, str]:
    """Run id -> status, from the closing table."""
    return {line.split()[0]: " ".join(line.split()[1:3]) if line.split()[1] == "not" else line.split()[1]
            for line in out.splitlines() if line.startswith(("recon/", "analysis "))}


def assert_nothing_half_written(*folders: Path) -> None:
    """Every file reads whole by its own format; no temporary file is left. train.log, a log the
    run appends to (and rewrites when it runs again), is the one file not checked."""
    for folder in folders:
        for path in (p for p in folder.rglob("*") if p.is_file()):
            assert ".tmp" not in path.name and ".partial" not in path.name, path
            if path.suffix in (".json", ".ipynb"):
                json.loads(path.read_text())
            elif path.suffix in (".yaml", ".yml"):
                yaml.safe_load(path.read_text())
            elif path.suffix == ".npz":
                dict(np.load(path))
            elif path.suffix == ".pt":
                torch.load(path, weights_only=True)
            elif path.suffix == ".png":
                data = path.read_bytes()
                assert data.startswith(b"\x89PNG\r\n\x1a\n") and data.endswith(b"IEND\xaeB`\x82"), path
            elif path.suffix == ".md":
                path.read_text()


def results_of(results: Path) -> dict[str, dict]:
    """Run folder -> what its metrics.json says about the model (no times, no provenance)."""
    return {str(p.parent.relative_to(results)): {k: v for k, v in json.loads(p.read_text()).items()
                                                 if k in ("final", "best", "evaluations")}
            for p in results.rglob("metrics.json")}


# -- telling a full disk -------------------------------------------------------------------------


def cell_error(evalue: str) -> PapermillExecutionError:
    return PapermillExecutionError(3, 3, "run()", "OSError", evalue, [])


def test_a_full_disk_is_told_by_its_errno():
    assert no_space(FULL) and no_space(OSError(errno.EDQUOT, "Disk quota exceeded"))
    assert no_space(cell_error("[Errno 28] No space left on device: '/r/config.yaml'"))  # from a kernel
    assert not no_space(PermissionError(errno.EACCES, "Permission denied"))
    assert not no_space(cell_error("[Errno 13] Permission denied"))
    assert not no_space(cell_error("No space left in the queue"))  # no errno, no full disk
    assert not no_space(ValueError("[Errno 28] looks like one"))


# -- in the sweep's process (no kernel) ---------------------------------------------------------


def test_a_full_disk_at_the_lock_is_one_line_and_leaves_no_file(tmp_path, monkeypatch, capsys):
    """Guards: the lock's file, torn by a full disk, is removed; one line names the results
    folder; exit 3; nothing runs."""
    real = Path.write_text

    def torn(self, text, *args, **kwargs):
        real(self, text[: len(text) // 2], *args, **kwargs)
        raise FULL

    path = write_sweep(tmp_path)
    monkeypatch.setattr(pathlib.Path, "write_text", torn)
    assert main(["sweep", str(path), "--no-analysis"]) == cli.NO_SPACE
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"no space left on device (or quota exceeded) in {tmp_path / 'results'};" in err
    assert "--resume" in err
    assert list((tmp_path / "results").iterdir()) == []


def test_a_full_disk_before_the_runs_starts_none(tmp_path, monkeypatch, capsys):
    """Guards: when a run's params.yaml finds the disk full, no run is executed: that run fails,
    the others are 'not started'; table, then the line; exit 3."""
    import toyexp.study.sweep as sweep

    real, executed = sweep.write_yaml, []

    def fills_after_one(path, obj):
        if (tmp_path / "results" / "recon" / "regression" / "regression" / "seed-1" / "params.yaml").exists():
            raise FULL
        real(path, obj)

    monkeypatch.setattr(sweep, "write_yaml", fills_after_one)
    monkeypatch.setattr(cli, "run_local", lambda jobs, *a, **k: executed.extend(jobs) or [])
    monkeypatch.setattr(cli, "execute_notebook", lambda *a, **k: pytest.fail("the analysis ran on a full disk"))
    assert main(["sweep", str(write_sweep(tmp_path))]) == cli.NO_SPACE
    out, err = capsys.readouterr()
    assert executed == []
    assert statuses(out) == {"recon/regression/seed-1": "not started", "recon/regression/seed-2": "failed",
                             "recon/regression/seed-3": "not started"}
    assert "0 done, 0 skipped, 1 failed, 0 interrupted, 2 not started" in out
    assert last_line(err).startswith(f"error: no space left on device (or quota exceeded) in {tmp_path / 'results'};")
    assert not (tmp_path / "book" / "runs" / "recon.md").exists()  # no pages
    assert_nothing_half_written(tmp_path)


@pytest.mark.parametrize("where, folder", [("run", "results"), ("notebook", "book")])
def test_a_run_that_found_the_disk_full_skips_the_pages_and_the_analysis(tmp_path, monkeypatch, capsys, where, folder):
    """Guards: after a run failed on a full disk (its own files, or its notebook), the book pages
    and the analysis are not written; the closing table lists the runs, the last line names the
    folder that was full; exit 3."""
    def runs(jobs, *args, **kwargs):
        return [Outcome(jobs[0][4], "done", jobs[0][1]),
                Outcome(jobs[1][4], "failed", jobs[1][1], 1.0, "OSError: [Errno 28] No space left on device", where),
                Outcome(jobs[2][4], "not started", jobs[2][1])]

    monkeypatch.setattr(cli, "run_local", runs)
    monkeypatch.setattr(cli, "execute_notebook", lambda *a, **k: pytest.fail("the analysis ran on a full disk"))
    assert main(["sweep", str(write_sweep(tmp_path))]) == cli.NO_SPACE
    out, err = capsys.readouterr()
    assert "1 done, 0 skipped, 1 failed, 0 interrupted, 1 not started" in out
    assert last_line(err) == (f"error: no space left on device (or quota exceeded) in {tmp_path / folder}; "
                              "free space and run again with --resume")
    assert [p for p in (tmp_path / "book").rglob("*") if p.is_file()] == []  # no page


def test_a_full_disk_for_the_executors_own_files_is_the_same_line(tmp_path, monkeypatch, capsys):
    """Guards: an executor that cannot write its own files on a full disk (submitit's job folder
    under the results folder) leaves every run 'not started' and ends with the line; exit 3."""
    def submit(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp_path / "results" / ".submitit"))

    monkeypatch.setattr(cli, "run_slurm", submit)
    assert main(["sweep", str(write_sweep(tmp_path)), "--executor", "slurm"]) == cli.NO_SPACE
    out, err = capsys.readouterr()
    assert set(statuses(out).values()) == {"not started"} and len(statuses(out)) == 3
    assert last_line(err).startswith(f"error: no space left on device (or quota exceeded) in {tmp_path / 'results'};")


def test_a_full_disk_writing_the_pages_keeps_the_previous_ones(tmp_path, monkeypatch, capsys):
    """Guards: the pages of a book, torn by a full disk, keep their previous version, no
    temporary file is left, the analysis is skipped; table, line naming the book folder, exit 3."""
    monkeypatch.setattr(cli, "run_local", lambda jobs, *a, **k: [Outcome(j[4], "done", j[1]) for j in jobs])
    monkeypatch.setattr(cli, "execute_notebook", lambda *a, **k: pytest.fail("the analysis ran on a full disk"))
    page = tmp_path / "book" / "runs" / "recon.md"
    page.parent.mkdir(parents=True)
    page.write_text("the page of the last sweep\n")
    real = Path.write_text

    def torn_in_the_book(self, text, *args, **kwargs):
        if tmp_path / "book" in Path(self).parents:
            real(self, text[: len(text) // 2], *args, **kwargs)
            raise FULL
        return real(self, text, *args, **kwargs)

    path = write_sweep(tmp_path)
    monkeypatch.setattr(pathlib.Path, "write_text", torn_in_the_book)
    assert main(["sweep", str(path)]) == cli.NO_SPACE
    out, err = capsys.readouterr()
    assert "3 done, 0 skipped, 0 failed" in out
    assert last_line(err).startswith(f"error: no space left on device (or quota exceeded) in {tmp_path / 'book'};")
    assert "Traceback" not in err
    assert page.read_text() == "the page of the last sweep\n"
    assert [p.name for p in (tmp_path / "book").rglob("*") if p.is_file()] == ["recon.md"]


def test_pages_that_cannot_be_written_for_another_reason_are_one_line(tmp_path, monkeypatch, capsys):
    """Guards: a page that cannot be written (here a folder stands where the task's page should
    be) is one line naming the book folder, after the table; exit 1, no traceback."""
    monkeypatch.setattr(cli, "run_local", lambda jobs, *a, **k: [Outcome(j[4], "done", j[1]) for j in jobs])
    (tmp_path / "book" / "runs" / "recon.md").mkdir(parents=True)
    assert main(["sweep", str(write_sweep(tmp_path)), "--no-analysis"]) == 1
    out, err = capsys.readouterr()
    assert "3 done, 0 skipped, 0 failed" in out
    assert last_line(err).startswith(f"error: cannot write the book pages in {tmp_path / 'book'}: ")
    assert "Traceback" not in err


# -- through a kernel ---------------------------------------------------------------------------


def tiny_notebook(path: Path, code: str) -> Path:
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    nb.cells = [nbformat.v4.new_markdown_cell("# A tiny notebook"),
                nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]}), nbformat.v4.new_code_cell(code)]
    nbformat.write(nb, path)
    return path


@pytest.mark.slow
def test_an_executed_notebook_is_whole_or_absent(tmp_path, monkeypatch):
    """Guards: a notebook torn by a full disk while papermill writes it is removed, and the
    notebook of an earlier execution stays as it was; a failed run's notebook that could be
    written is kept whole, with its error and its own path in papermill's record."""
    import papermill.iorw

    source = tiny_notebook(tmp_path / "tiny.ipynb", "print(x)")
    output = tmp_path / "book" / "tiny-run.ipynb"
    output.parent.mkdir()
    output.write_text("the notebook of the last sweep")
    real, writes = papermill.iorw.LocalHandler.write, []

    def fills_at_the_third_write(self, buf, path):
        writes.append(path)
        if len(writes) >= 3:
            real(self, buf[: len(buf) // 2], path)
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(self, buf, path)

    monkeypatch.setattr(papermill.iorw.LocalHandler, "write", fills_at_the_third_write)
    outcome = execute_notebook(str(source), str(output), {"x": 2}, None, "tiny")
    assert (outcome.status, outcome.no_space) == ("failed", "notebook"), outcome
    assert outcome.error == "cannot write its notebook: [Errno 28] No space left on device"
    assert output.read_text() == "the notebook of the last sweep"
    assert sorted(p.name for p in output.parent.iterdir()) == ["tiny-run.ipynb"]
    assert len(writes) >= 3 and all(Path(w).parent == output.parent and Path(w).name.startswith(".") for w in writes)
    monkeypatch.undo()

    failing = tiny_notebook(tmp_path / "failing.ipynb", "raise ValueError('boom')")
    outcome = execute_notebook(str(failing), str(output), {"x": 2}, None, "failing")
    assert (outcome.status, outcome.error, outcome.no_space) == ("failed", "ValueError: boom", "")
    nb = nbformat.read(output, as_version=4)
    assert [o.evalue for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"] == ["boom"]
    assert nb.metadata.papermill.output_path == str(output)
    assert sorted(p.name for p in output.parent.iterdir()) == ["tiny-run.ipynb"]


FAULT_CELL = '''\
# Test only: the disk fills up. Once a write's path contains the text of $TOYEXP_TEST_DISK/fills-at, that write
# and every later one through toyexp.run.files fail as on a full disk, until $TOYEXP_TEST_DISK/full is removed.
import os
from pathlib import Path

import toyexp.run.files


def _filling_disk(real, disk):
    import errno
    import os

    def atomic_write(path, write):
        fills_at = disk / "fills-at"
        if fills_at.is_file() and fills_at.read_text() in str(path):
            (disk / "full").touch()
        if (disk / "full").exists():
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(path, write)

    atomic_write.real = real
    return atomic_write


toyexp.run.files.atomic_write = _filling_disk(
    getattr(toyexp.run.files.atomic_write, "real", toyexp.run.files.atomic_write), Path(os.environ["TOYEXP_TEST_DISK"]))
'''


@pytest.fixture(scope="module")
def clean_results(tmp_path_factory) -> dict[str, dict]:
    """The three runs of ``write_sweep`` on a disk with room for them."""
    folder = tmp_path_factory.mktemp("clean")
    assert main(["sweep", str(write_sweep(folder)), "--jobs", "1", "--no-analysis"]) == 0
    found = results_of(folder / "results")
    assert len(found) == 3
    return found


@pytest.mark.slow
def test_the_disk_fills_during_a_run_then_resume_finishes(tmp_path, monkeypatch, capsys, clean_results):
    """Guards, through a real kernel: the disk fills while run 2 trains (its first checkpoint);
    run 1 is done, run 2 fails with one line, run 3 is not started, no pages and no analysis
    are written, the sweep ends with the line naming the results folder (exit 3). With space
    again, --resume runs 2 and 3 only, and every run's metrics equal a sweep that never hit
    the fault, bit for bit."""
    recon = nbformat.read(PROJECT_ROOT / "notebooks" / "recon.ipynb", as_version=4)
    recon.cells.insert(0, nbformat.v4.new_code_cell(FAULT_CELL))
    faulty = tmp_path / "recon-on-a-filling-disk.ipynb"
    nbformat.write(recon, faulty)
    real_notebook_for = cli.notebook_for
    monkeypatch.setattr(cli, "notebook_for", lambda task: faulty if task == "recon" else real_notebook_for(task))
    disk = tmp_path / "disk"
    disk.mkdir()
    (disk / "fills-at").write_text("seed-2/checkpoints")
    monkeypatch.setenv("TOYEXP_TEST_DISK", str(disk))  # the kernels inherit it
    folder = tmp_path / "sweep"
    path = write_sweep(folder)

    assert main(["sweep", str(path), "--jobs", "1"]) == cli.NO_SPACE
    out, err = capsys.readouterr()
    assert statuses(out) == {"recon/regression/seed-1": "done", "recon/regression/seed-2": "failed",
                             "recon/regression/seed-3": "not started"}
    assert "FAILED recon/regression/seed-2: OSError: [Errno 28] No space left on device" in out + err
    assert last_line(err) == (f"error: no space left on device (or quota exceeded) in {folder / 'results'}; "
                              "free space and run again with --resume")
    assert "Traceback" not in err
    assert sorted(results_of(folder / "results")) == ["recon/regression/regression/seed-1"]
    assert not (folder / "book" / "analysis.ipynb").exists() and not (folder / "book" / "runs" / "recon.md").exists()
    failed = nbformat.read(folder / "book" / "runs" / "recon" / "regression-seed2.ipynb", as_version=4)  # kept: its disk had room
    assert any(o.output_type == "error" for c in failed.cells if c.cell_type == "code" for o in c.outputs)
    assert_nothing_half_written(folder)

    (disk / "fills-at").unlink()  # space again
    (disk / "full").unlink()
    assert main(["sweep", str(path), "--jobs", "1", "--resume", "--no-analysis"]) == 0
    out = capsys.readouterr().out
    assert "3 runs: 2 to execute, 1 already complete" in out
    assert results_of(folder / "results") == clean_results
    assert (folder / "book" / "runs" / "recon.md").is_file()
    assert_nothing_half_written(folder)


@pytest.mark.slow
def test_a_real_full_disk_then_resume(tmp_path, capsys, tmpfs, clean_results):
    """Guards, on a real size-limited folder (the issue's 400 kB one; a tiny run and its
    notebook take about 400 kB): the sweep stops with the line naming a folder on that disk
    and exit 3, leaving no half-written file anywhere; once the folder is larger, --resume
    finishes the rest, with the metrics of a sweep that never hit the fault."""
    folder = tmpfs.mount(tmp_path / "disk", "600k")
    path = write_sweep(folder)
    assert main(["sweep", str(path), "--jobs", "1"]) == cli.NO_SPACE
    out, err = capsys.readouterr()
    found = statuses(out)
    assert found["recon/regression/seed-1"] == "done" and "failed" in found.values(), out
    assert list(found.values()).count("failed") == 1 and "analysis" not in found
    assert last_line(err).startswith("error: no space left on device (or quota exceeded) in ")
    assert str(folder) in last_line(err) and "Traceback" not in err
    assert_nothing_half_written(folder)

    tmpfs.resize(folder, "8m")
    assert main(["sweep", str(path), "--jobs", "1", "--resume", "--no-analysis"]) == 0
    assert results_of(folder / "results") == clean_results
    assert_nothing_half_written(folder)
