"""The local executor's kernels: each thread keeps a warm kernel for its runs, a run that kills or
wedges its kernel fails alone and gets it replaced, Ctrl-C and the cell timeout stop a wedged
kernel, and --fresh-kernels gives every run its own. (That a warm kernel runs a notebook as a
fresh one would: test_kernel_state.py.)"""

import threading
import time
from pathlib import Path

import pytest
import yaml

from toyexp.cli import main
from toyexp.run.files import PROJECT_ROOT
from toyexp.study.execution.execute import Job
from toyexp.study.execution.executors import run_local
from toyexp.study.execution.kernels import KERNELS, WarmKernel
from kernel_notebooks import alive, notebook, pid_of

pytestmark = pytest.mark.usefixtures("pinned_kernels")


@pytest.mark.slow
def test_a_killed_kernel_fails_its_run_and_is_replaced(tmp_path):
    """Guards: a run whose kernel dies (os._exit in a cell) is FAILED, the runs after it go on in
    a fresh kernel that is then kept (same pid for the next run), and no kernel process is left."""
    pid = notebook(tmp_path / "pid.ipynb", "import os\nprint(os.getpid())")
    kill = notebook(tmp_path / "kill.ipynb", "import os\nos._exit(1)")
    jobs = [Job(run_id=f"run-{i}", notebook=nb, output=str(tmp_path / f"{i}.ipynb"), parameters={})
            for i, nb in enumerate([pid, kill, pid, pid])]
    seen = []
    outcomes = run_local(jobs, 1, seen.append)
    assert outcomes == seen
    assert [(o.id, o.status) for o in outcomes] == [("run-0", "done"), ("run-1", "failed"), ("run-2", "done"), ("run-3", "done")]
    assert "Kernel died" in outcomes[1].error
    pids = [pid_of(str(tmp_path / f"{i}.ipynb")) for i in (0, 2, 3)]
    assert pids[0] != pids[1] == pids[2]
    assert not any(alive(p) for p in pids)


@pytest.mark.slow
def test_a_kernel_that_dies_between_notebooks_is_replaced_before_the_next(tmp_path):
    """Guards the reset's check: a notebook that ends well but leaves a thread that kills its
    kernel a moment later does not fail the next notebook, which runs on a second kernel."""
    dies_later = notebook(tmp_path / "later.ipynb", "import os, threading, time\nprint(os.getpid())\n"
                                                   "threading.Thread(target=lambda: (time.sleep(0.3), os._exit(1))).start()")
    pid = notebook(tmp_path / "pid.ipynb", "import os\nprint(os.getpid())")
    kernel = WarmKernel(str(PROJECT_ROOT))
    try:
        kernel.execute(dies_later, str(tmp_path / "0.ipynb"), {})
        first = pid_of(str(tmp_path / "0.ipynb"))
        deadline = time.monotonic() + 30
        while alive(first) and time.monotonic() < deadline:
            time.sleep(0.1)
        kernel.execute(pid, str(tmp_path / "1.ipynb"), {})
        assert kernel.starts == 2 and pid_of(str(tmp_path / "1.ipynb")) != first
    finally:
        kernel.shutdown()


@pytest.mark.slow
def test_fresh_kernels_give_every_run_its_own_kernel(tmp_path):
    """Guards --fresh-kernels: two runs on one thread get two kernels (today's behaviour), while
    the warm pool (two threads, four runs) starts two kernels and no more."""
    pid = notebook(tmp_path / "pid.ipynb", "import os\nprint(os.getpid())")
    fresh = run_local([Job(run_id=f"f{i}", notebook=pid, output=str(tmp_path / f"f{i}.ipynb"),
                           parameters={}) for i in range(2)], 1, lambda o: None, fresh=True)
    assert [o.status for o in fresh] == ["done", "done"]
    assert pid_of(str(tmp_path / "f0.ipynb")) != pid_of(str(tmp_path / "f1.ipynb"))
    warm = run_local([Job(run_id=f"w{i}", notebook=pid, output=str(tmp_path / f"w{i}.ipynb"),
                          parameters={}) for i in range(4)], 2, lambda o: None)
    assert [o.status for o in warm] == ["done"] * 4
    pids = {pid_of(str(tmp_path / f"w{i}.ipynb")) for i in range(4)}
    assert len(pids) == 2 and not any(alive(p) for p in pids)


def wedged_notebook(folder: Path, marker: Path) -> str:
    """A notebook whose cell ignores SIGINT, writes its kernel's pid to ``marker`` and loops forever."""
    return notebook(folder / "wedge.ipynb", f"import os, signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                                             f"open({str(marker)!r}, 'w').write(str(os.getpid()))\n"
                                             "while True:\n    time.sleep(0.05)")


@pytest.mark.slow
def test_ctrl_c_kills_a_wedged_warm_kernel(tmp_path):
    """Guards: a run wedged in a loop that ignores SIGINT on a warm kernel is killed by Ctrl-C's
    stop (SIGINT, then SIGKILL after the grace period): it reports "interrupted", the queued run
    "not started", and the kernel process is gone, within seconds."""
    marker = tmp_path / "wedged"
    wedge = wedged_notebook(tmp_path, marker)
    pid = notebook(tmp_path / "pid.ipynb", "print(1)")
    jobs = [Job(run_id="wedged", notebook=wedge, output=str(tmp_path / "0.ipynb"), parameters={}),
            Job(run_id="queued", notebook=pid, output=str(tmp_path / "1.ipynb"), parameters={})]

    def ctrl_c() -> None:
        deadline = time.monotonic() + 120
        while not (marker.is_file() and marker.read_text()) and time.monotonic() < deadline:
            time.sleep(0.1)
        KERNELS.stop(grace=1.0)

    stopper = threading.Thread(target=ctrl_c)
    stopper.start()
    start = time.perf_counter()
    outcomes = run_local(jobs, 1, lambda o: None)
    stopper.join()
    assert [(o.id, o.status) for o in outcomes] == [("wedged", "interrupted"), ("queued", "not started")]
    assert time.perf_counter() - start < 120
    assert not alive(int(marker.read_text()))


@pytest.mark.slow
@pytest.mark.parametrize("fresh", [False, True], ids=["warm", "fresh"])
def test_a_wedged_run_times_out_and_the_next_runs_go_on(tmp_path, fresh):
    """Guards --cell-timeout: a cell wedged in a loop that ignores SIGINT fails its run after the
    timeout with a one-line reason, its kernel process is gone, and the runs after it finish (on
    a new warm kernel, or their own fresh ones)."""
    marker = tmp_path / "wedged"
    wedge = wedged_notebook(tmp_path, marker)
    pid = notebook(tmp_path / "pid.ipynb", "import os\nprint(os.getpid())")
    jobs = [Job(run_id=f"run-{i}", notebook=nb, output=str(tmp_path / f"{i}.ipynb"), parameters={},
                cell_timeout=3.0) for i, nb in enumerate([pid, wedge, pid])]
    start = time.perf_counter()
    outcomes = run_local(jobs, 1, lambda o: None, fresh=fresh)
    assert [(o.id, o.status) for o in outcomes] == [("run-0", "done"), ("run-1", "failed"), ("run-2", "done")]
    assert outcomes[1].error == "a cell ran longer than the cell timeout (3 s); its kernel was stopped"
    assert 3.0 <= outcomes[1].seconds < 60 and time.perf_counter() - start < 120
    wedged = int(marker.read_text())
    assert not alive(wedged) and wedged != pid_of(str(tmp_path / "2.ipynb"))


@pytest.mark.parametrize("value", ["0", "-5"])
def test_a_cell_timeout_must_be_positive(capsys, value):
    """Guards the flag's check: exit 2 with the value named, before anything runs."""
    assert main(["sweep", "params/sweep.yaml", f"--cell-timeout={value}", "--no-analysis"]) == 2
    assert f"--cell-timeout {float(value):g} is invalid; it must be a number of seconds above 0" in capsys.readouterr().err


def test_the_flag_picks_the_kernels(tmp_path, capsys, executors):
    """Guards the plumbing: the local executor gets fresh=True only with --fresh-kernels, and the
    first line says which kernels a sweep uses."""
    path = tmp_path / "sweep.yaml"
    path.write_text(yaml.safe_dump({"tasks": ["recon"], "seeds": [1], "variants": {"regression": []},
                                    "results_dir": str(tmp_path / "results"), "book_dir": str(tmp_path / "book")}))
    assert main(["sweep", str(path), "--no-analysis"]) == 0
    assert "(local, warm kernels)" in capsys.readouterr().out
    assert main(["sweep", str(path), "--no-analysis", "--fresh-kernels"]) == 0
    assert "(local, fresh kernels)" in capsys.readouterr().out
    assert [(name, options) for name, _, options in executors.calls] == [("run_local", {"fresh": False}), ("run_local", {"fresh": True})]
