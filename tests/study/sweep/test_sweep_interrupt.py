"""Ctrl-C on `toyexp sweep`: it stops, reports, leaves no kernel behind, and --resume goes on."""

import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from toyexp.cli import main
from toyexp.run.files import PROJECT_ROOT

TINY = ["network.hidden_dim=16", "network.num_layers=2", "dataset.num_eval=100", "evaluation.num_eval_steps=[1, 2]"]
VARIANTS = {"regression": ["experiment.mode=regression"], "flow": ["experiment.mode=flow"], "mip": ["experiment.mode=mip"]}


def write_sweep(tmp_path: Path, epochs: int, seeds: list[int]) -> Path:
    path = tmp_path / "sweep.yaml"
    path.write_text(yaml.safe_dump({
        "tasks": ["recon"], "seeds": seeds, "variants": VARIANTS,
        "overrides": [*TINY, f"training.num_epochs={epochs}", *(f"training.{k}_interval={min(epochs, 10) if epochs <= 100 else epochs}" for k in ("eval", "save"))],
        "results_dir": str(tmp_path / "results"),
        "book_dir": str(tmp_path / "book"),
    }))
    return path


def kernels_of(folder: Path) -> list[int]:
    """Live kernels whose command line names ``folder`` (papermill writes the connection file to TMPDIR)."""
    pids = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = cmdline.with_name("stat").read_text().split(") ")[1][0]
        except OSError:
            continue  # the process ended meanwhile
        if str(folder) in text and "ipykernel" in text and state != "Z":
            pids.append(int(cmdline.parent.name))
    return pids


def start_sweep(tmp_path: Path, path: Path) -> tuple[subprocess.Popen, Path]:
    """`toyexp sweep` in a session of its own, as a terminal's foreground job; kernels' files under tmp_path."""
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "toyexp", "sweep", str(path), "--jobs", "2", "--no-analysis"],
        cwd=PROJECT_ROOT, env=env, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    return proc, tmp_path


def wait_for_training(proc: subprocess.Popen, results: Path, folder: Path, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while not list(results.rglob("train.log")) or not kernels_of(folder):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"no run started training: {proc.communicate()}")
        time.sleep(0.2)


def wait_gone(folder: Path, timeout: float = 5) -> list[int]:
    deadline = time.monotonic() + timeout
    while kernels_of(folder) and time.monotonic() < deadline:
        time.sleep(0.1)
    return kernels_of(folder)


@pytest.mark.slow
def test_ctrl_c_to_the_process_group_stops_the_sweep_and_resume_goes_on(tmp_path):
    """Guards: the first SIGINT to the whole group (as a terminal sends it) stops launching runs,
    interrupts the running kernels, prints done / interrupted / not started, skips the analysis
    and exits 130 with no kernel left and the lock gone; --resume then runs everything."""
    results = tmp_path / "results"
    path = write_sweep(tmp_path, epochs=100000, seeds=[1, 2])
    proc, folder = start_sweep(tmp_path, path)
    wait_for_training(proc, results, folder)
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, (out, err)
    rows = [line.split() for line in out.splitlines() if line.startswith("recon/")]
    statuses = sorted(" ".join(r[1:3]) if r[1] == "not" else r[1] for r in rows)
    # 2 jobs at a time, each the group of a variant's two seeds: the third variant's group never starts
    assert statuses == ["interrupted"] * 4 + ["not started"] * 2, out
    assert "0 done, 0 skipped, 0 failed, 4 interrupted, 2 not started" in out
    assert "Ctrl-C" in err and "Traceback" not in err
    finish = f"toyexp sweep {path} --jobs 2 --no-analysis --resume"
    assert err.splitlines()[-1] == f"interrupted by Ctrl-C; to finish the sweep: {finish}"
    assert wait_gone(folder) == []
    assert not (results / ".sweep.lock").exists()
    assert not list(results.rglob("metrics.json"))

    write_sweep(tmp_path, epochs=20, seeds=[1, 2])  # the same file, shorter runs
    assert main(shlex.split(finish)[1:]) == 0  # the command the message gave
    assert len(list(results.rglob("metrics.json"))) == 6


@pytest.mark.slow
def test_second_ctrl_c_exits_at_once(tmp_path):
    """Guards: a second SIGINT (here to the process alone) exits 130 at once, without waiting
    for the runs, and still kills every kernel and removes the lock."""
    results = tmp_path / "results"
    proc, folder = start_sweep(tmp_path, write_sweep(tmp_path, epochs=100000, seeds=[1]))
    wait_for_training(proc, results, folder)
    os.kill(proc.pid, signal.SIGINT)
    time.sleep(0.05)  # before the first one's grace period is over
    os.kill(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=10)
    assert proc.returncode == 130, (out, err)
    assert "exiting now" in err
    assert wait_gone(folder) == []
    assert not (results / ".sweep.lock").exists()
