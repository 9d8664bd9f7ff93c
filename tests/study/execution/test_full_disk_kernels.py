"""A full disk during `toyexp sweep`, through a run's kernel: the notebook papermill writes is whole
or absent, a run whose kernel finds the disk full fails with one line and stops the sweep, and
--resume finishes the rest once there is space, with the metrics of a sweep that never hit the
fault; also on a real size-limited folder (a tmpfs, where this machine allows mounting one)."""

import errno
import os
from pathlib import Path

import nbformat
import pytest

import toyexp.cli as cli
from toyexp.cli import main
from toyexp.run.files import PROJECT_ROOT
from toyexp.study.sweep import steps
from toyexp.study.execution.execute import Job, execute_notebook
from sweeps import assert_nothing_half_written, last_line, results_of, statuses, write_sweep

SEEDS = [1, 2, 3]


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
    outcome = execute_notebook(Job(run_id="tiny", notebook=str(source), output=str(output), parameters={"x": 2}))
    assert (outcome.status, outcome.no_space) == ("failed", "notebook"), outcome
    assert outcome.error == "cannot write its notebook: [Errno 28] No space left on device"
    assert output.read_text() == "the notebook of the last sweep"
    assert sorted(p.name for p in output.parent.iterdir()) == ["tiny-run.ipynb"]
    assert len(writes) >= 3 and all(Path(w).parent == output.parent and Path(w).name.startswith(".") for w in writes)
    monkeypatch.undo()

    failing = tiny_notebook(tmp_path / "failing.ipynb", "raise ValueError('boom')")
    outcome = execute_notebook(Job(run_id="failing", notebook=str(failing), output=str(output), parameters={"x": 2}))
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
    assert main(["sweep", str(write_sweep(folder, seeds=SEEDS)), "--jobs", "1", "--no-analysis"]) == 0
    found = results_of(folder / "results")
    assert len(found) == 3
    return found


@pytest.mark.slow
def test_the_disk_fills_during_a_run_then_resume_finishes(tmp_path, monkeypatch, capsys, clean_results):
    """Guards, through a real kernel: the disk fills while the group of the three seeds trains
    (seed 2's first checkpoint); each run fails with the one line (the disk takes no later file
    of any seed), no pages and no analysis are written, the sweep ends with the line naming the
    results folder (exit 3). With space again, --resume runs them, and every run's metrics equal
    a sweep that never hit the fault, bit for bit."""
    recon = nbformat.read(PROJECT_ROOT / "notebooks" / "recon.ipynb", as_version=4)
    recon.cells.insert(0, nbformat.v4.new_code_cell(FAULT_CELL))
    faulty = tmp_path / "recon-on-a-filling-disk.ipynb"
    nbformat.write(recon, faulty)
    real_notebook_for = steps.notebook_for
    monkeypatch.setattr(steps, "notebook_for", lambda task: faulty if task == "recon" else real_notebook_for(task))
    disk = tmp_path / "disk"
    disk.mkdir()
    (disk / "fills-at").write_text("seed-2/checkpoints")
    monkeypatch.setenv("TOYEXP_TEST_DISK", str(disk))  # the kernels inherit it
    folder = tmp_path / "sweep"
    path = write_sweep(folder, seeds=SEEDS)

    assert main(["sweep", str(path), "--jobs", "1"]) == cli.NO_SPACE
    out, err = capsys.readouterr()
    assert statuses(out) == {"recon/regression/seed-1": "failed", "recon/regression/seed-2": "failed",
                             "recon/regression/seed-3": "failed"}
    assert "FAILED recon/regression/seed-2: OSError: [Errno 28] No space left on device" in out + err
    assert last_line(err) == (f"error: no space left on device (or quota exceeded) in {folder / 'results'}; "
                              "free space and run again with --resume")
    assert "Traceback" not in err
    assert sorted(results_of(folder / "results")) == []
    assert not (folder / "book" / "analysis.ipynb").exists() and not (folder / "book" / "runs" / "recon.md").exists()
    failed = nbformat.read(folder / "book" / "runs" / "recon" / "regression-seeds.ipynb", as_version=4)  # kept: its disk had room
    assert any(o.output_type == "error" for c in failed.cells if c.cell_type == "code" for o in c.outputs)
    assert_nothing_half_written(folder)

    (disk / "fills-at").unlink()  # space again
    (disk / "full").unlink()
    assert main(["sweep", str(path), "--jobs", "1", "--resume", "--no-analysis"]) == 0
    out = capsys.readouterr().out
    assert "3 runs: 3 to execute, 0 already complete" in out
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
    path = write_sweep(folder, seeds=SEEDS)
    assert main(["sweep", str(path), "--jobs", "1"]) == cli.NO_SPACE
    out, err = capsys.readouterr()
    found = statuses(out)  # the three seeds are one group: its notebook, or a run's files, found the disk full
    assert set(found.values()) == {"failed"} and len(found) == 3 and "analysis" not in found, out
    assert last_line(err).startswith("error: no space left on device (or quota exceeded) in ")
    assert str(folder) in last_line(err) and "Traceback" not in err
    assert_nothing_half_written(folder)

    tmpfs.resize(folder, "8m")
    assert main(["sweep", str(path), "--jobs", "1", "--resume", "--no-analysis"]) == 0
    assert results_of(folder / "results") == clean_results
    assert_nothing_half_written(folder)
