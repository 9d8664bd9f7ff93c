"""One sweep at a time per results folder: `<results_dir>/.sweep.lock`."""

import json
import socket
import subprocess
import sys

import pytest
import yaml

from toyexp.cli import main
from toyexp.study.sweep.lock import ResultsLock


def write_sweep(tmp_path):
    path = tmp_path / "sweep.yaml"
    path.write_text(yaml.safe_dump({
        "tasks": ["recon"], "seeds": [1], "variants": {"regression": ["experiment.mode=regression"]},
        "results_dir": str(tmp_path / "results"), "book_dir": str(tmp_path / "book"),
    }))
    return path


def write_lock(tmp_path, pid, host=None):
    lock = tmp_path / "results" / ".sweep.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    holder = {"pid": pid, "host": host or socket.gethostname(), "started": "2024-05-06 07:08:09", "command": "toyexp sweep x.yaml"}
    lock.write_text(json.dumps(holder))
    return lock


@pytest.fixture
def live_pid():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield child.pid
    child.kill()
    child.wait()


@pytest.fixture
def dead_pid():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()  # reaped: the pid names no process now
    return child.pid


def test_a_live_sweep_holds_the_folder(tmp_path, capsys, live_pid):
    """Guards: a second sweep into a folder held by a live sweep refuses, exit 2, one line naming
    the holder's pid, host and start time, and runs nothing."""
    lock = write_lock(tmp_path, live_pid)
    assert main(["sweep", str(write_sweep(tmp_path)), "--no-analysis"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ")
    assert f"pid {live_pid} on {socket.gethostname()}" in err and "2024-05-06 07:08:09" in err and "in use" in err
    assert str(lock) in err  # where to look if the holder is gone
    assert json.loads(lock.read_text())["pid"] == live_pid  # the holder's lock is left alone
    assert not (tmp_path / "results" / "recon").exists()


def test_a_lock_on_another_host_is_never_taken_over(tmp_path, capsys, dead_pid):
    """Guards: a pid from another machine cannot be checked, so its lock counts as live."""
    write_lock(tmp_path, dead_pid, host="some-other-node")
    assert main(["sweep", str(write_sweep(tmp_path)), "--no-analysis"]) == 2
    assert f"pid {dead_pid} on some-other-node" in capsys.readouterr().err


def test_a_stale_lock_is_taken_over_with_a_note(tmp_path, dead_pid):
    """Guards: a lock whose process is gone (a killed sweep) is taken over, with a note naming it,
    and the new lock records this process."""
    lock = write_lock(tmp_path, dead_pid)
    holder = ResultsLock(tmp_path / "results", ["toyexp", "sweep", "s.yaml"])
    holder.acquire()
    assert "stale lock" in holder.note and f"pid {dead_pid}" in holder.note
    mine = json.loads(lock.read_text())
    assert mine["pid"] != dead_pid and mine["command"] == "toyexp sweep s.yaml"
    holder.release()
    assert not lock.exists()
    assert [p.name for p in lock.parent.iterdir()] == []  # no scratch files left behind


def test_the_lock_is_held_while_running_and_removed_after(tmp_path, executors):
    """Guards: the sweep holds the lock while its runs execute (a second ResultsLock is refused)
    and removes it when it ends, here after a failing run."""
    from toyexp.study.execution.outcome import Outcome

    seen = []

    def outcome(job):
        other = ResultsLock(tmp_path / "results", ["second"])
        with pytest.raises(Exception, match="in use by another sweep"):
            other.acquire()
        seen.append(json.loads((tmp_path / "results" / ".sweep.lock").read_text()))
        return Outcome(id=job.run_id, status="failed", notebook=job.output, seconds=0.0, error="boom")

    executors.outcome = outcome
    assert main(["sweep", str(write_sweep(tmp_path)), "--no-analysis"]) == 1
    assert seen and seen[0]["command"].startswith("toyexp sweep ")
    assert not (tmp_path / "results" / ".sweep.lock").exists()
