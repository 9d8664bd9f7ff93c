"""Warm kernels: one kernel kept for many runs gives what a fresh kernel per run gives.

The proof compares a real run executed in a kernel that has already run other tasks and
modes (and a notebook that meddles with the process on purpose) with the same run in a
fresh kernel: metrics, files, config, predictions and figures must be bit-identical.
"""

import json
import threading
import time
from pathlib import Path

import nbformat
import numpy as np
import pytest
import torch
from nbformat.v4 import new_code_cell, new_notebook

from toyexp.cli import main
from toyexp.run.files import PROJECT_ROOT
from toyexp.study.execute import SINGLE_THREAD, execute_notebook, run_local
from toyexp.study.kernels import KERNELS, WarmKernel

TINY = ["training.num_epochs=20", "training.eval_interval=10", "training.save_interval=10", "network.hidden_dim=16",
        "network.num_layers=1", "dataset.num_eval=100", "evaluation.num_eval_steps=[1, 2]",
        "evaluation.integration_method=[euler, rk4]"]

# Changes every part of the process a run could leave behind, the way a careless notebook would.
MEDDLE = """\
import logging, os, sys, warnings
import matplotlib as mpl, matplotlib.pyplot as plt, numpy as np, torch
from matplotlib_inline.backend_inline import InlineBackend
import toyexp.run.config as config_module
overrides = ["training.num_epochs=1"]  # a parameter name: must not reach the next notebook
leftover = 1
os.chdir("/")
os.environ["TOYEXP_LEAK"] = "1"
sys.path.insert(0, "/nowhere")
mpl.rcParams.update({"lines.linewidth": 7.0, "font.size": 23.0, "figure.dpi": 33.0})
InlineBackend.instance().figure_formats = {"svg"}
plt.figure()
logging.getLogger().addHandler(logging.StreamHandler(sys.stdout))
logging.getLogger("toyexp").setLevel(logging.DEBUG)
warnings.simplefilter("error", RuntimeWarning)
warnings.warn_explicit("shown once per place", UserWarning, config_module.__file__, 1, module=config_module.__name__,
                       registry=config_module.__dict__.setdefault("__warningregistry__", {}))
torch.set_num_threads(2)
torch.set_default_dtype(torch.float64)
torch.manual_seed(0)
np.seterr(all="raise")
sys.stdout = open(os.devnull, "w")
"""

# Reports the state MEDDLE changes; the same in a reused kernel as in a fresh one.
REPORT = [
    "print(sorted(name for name in dir() if not name.startswith('_')))",
    """\
import warnings
import toyexp.run.config as config_module
warnings.warn_explicit("shown once per place", UserWarning, config_module.__file__, 1, module=config_module.__name__,
                       registry=config_module.__dict__.setdefault("__warningregistry__", {}))""",
    """\
import json, logging, os, sys, warnings
import matplotlib as mpl, matplotlib.pyplot as plt, numpy as np, torch
from matplotlib_inline.backend_inline import InlineBackend
from toyexp.run.notebook import papermill_injected
loggers = [logging.getLogger(), *logging.getLogger().manager.loggerDict.values()]
state = {
    "cwd": os.getcwd(), "leak": os.environ.get("TOYEXP_LEAK"), "path": sys.path[:3],
    "rc": {k: str(v) for k, v in mpl.rcParams.items() if k != "backend"},
    "inline": sorted(InlineBackend.instance().figure_formats), "figures": plt.get_fignums(),
    "handlers": sum(len(getattr(lg, "handlers", [])) for lg in loggers),
    "levels": {lg.name: lg.level for lg in loggers if isinstance(lg, logging.Logger) and lg.level},
    "warnings": [str(f) for f in warnings.filters],
    "threads": torch.get_num_threads(), "dtype": str(torch.get_default_dtype()), "err": np.geterr(),
    "papermill": papermill_injected(),
}
print(json.dumps(state, sort_keys=True))""",
]


def notebook(path: Path, *cells: str) -> str:
    nb = new_notebook(cells=[new_code_cell(c) for c in cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return str(path)


def outputs(path: str) -> list[list[str]]:
    """Each code cell's execution count, then its stdout and its stderr (however the kernel chunked them)."""
    nb = nbformat.read(path, as_version=4)
    return [[str(c.execution_count), *("".join(o.text for o in c.outputs if o.get("name") == name) for name in ("stdout", "stderr"))]
            for c in nb.cells if c.cell_type == "code"]


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0]
    except (OSError, IndexError):
        return False
    return state != "Z"


@pytest.fixture(autouse=True)
def _kernels(monkeypatch):
    """Kernels pinned to one thread as in a sweep; a stopped registry is reset for the next test."""
    for name, value in SINGLE_THREAD.items():
        monkeypatch.setenv(name, value)
    KERNELS.stopping.clear()
    yield
    KERNELS.stopping.clear()
    assert not KERNELS._groups, "a kernel was left registered"


@pytest.mark.slow
def test_a_reused_kernel_shows_nothing_of_the_last_notebook(tmp_path):
    """Guards every part of kernel_state: after MEDDLE, REPORT in the same kernel prints exactly
    what it prints in a fresh kernel (variables, working folder, environment, sys.path, rcParams,
    inline formats, open figures, log handlers and levels, warning filters and the once-per-place
    record, torch threads and dtype, numpy errors, papermill's In history, execution counts,
    sys.stdout).
    Dropping any restore step makes one of these differ."""
    meddle, report = notebook(tmp_path / "meddle.ipynb", MEDDLE), notebook(tmp_path / "report.ipynb", *REPORT)
    kernel = WarmKernel(str(PROJECT_ROOT))
    try:
        kernel.execute(meddle, str(tmp_path / "meddle.out.ipynb"), {"seed": 3})
        kernel.execute(report, str(tmp_path / "warm.ipynb"), {})
        assert kernel.starts == 1 and kernel.notebooks == 2
    finally:
        kernel.shutdown()
    fresh = execute_notebook(report, str(tmp_path / "fresh.ipynb"), {}, None, "fresh")
    assert fresh.status == "done", fresh
    warm, fresh = outputs(str(tmp_path / "warm.ipynb")), outputs(str(tmp_path / "fresh.ipynb"))
    assert fresh[0][1] == "['In', 'Out', 'exit', 'get_ipython', 'open', 'quit']\n"
    assert "shown once per place" in fresh[1][2]  # the warning is printed in a fresh kernel ...
    state = json.loads(fresh[2][1])
    assert state["cwd"] == str(PROJECT_ROOT) and state["threads"] == 1 and state["figures"] == []
    assert state["leak"] is None and state["papermill"] is False
    assert warm == fresh  # ... and everything is the same in the reused kernel


def tiny_run(tmp_path: Path, task: str, mode: str, seed: int = 5) -> tuple[str, dict, Path]:
    """(notebook, papermill parameters, run folder) of a run of a few seconds."""
    out = tmp_path / "runs" / task
    parameters = {"seed": seed, "overrides": [*TINY, f"experiment.mode={mode}", f"experiment.output_dir={out}"]}
    return str(PROJECT_ROOT / "notebooks" / f"{task}.ipynb"), parameters, out / mode / f"seed-{seed}"


def files_of(run_dir: Path) -> dict[str, bytes]:
    return {str(p.relative_to(run_dir)): p.read_bytes() for p in sorted(run_dir.rglob("*")) if p.is_file()}


@pytest.mark.slow
def test_a_run_in_a_reused_kernel_equals_the_run_in_a_fresh_kernel(tmp_path):
    """The proof: a recon regression run on a kernel that first ran a lie mip run, a projection
    flow run and MEDDLE gives bit-identical final metrics and evaluations, the same files, the
    same config.yaml, predictions, checkpoints and figures (PNG bytes), and the same notebook
    outputs, as in a fresh kernel. Fails if any state of the earlier runs reaches the run."""
    kernel = WarmKernel(str(PROJECT_ROOT))
    try:
        for task, mode in (("lie", "mip"), ("projection", "flow")):
            nb, parameters, _ = tiny_run(tmp_path, task, mode)
            kernel.execute(nb, str(tmp_path / f"{task}.ipynb"), parameters)
        kernel.execute(notebook(tmp_path / "meddle.ipynb", MEDDLE), str(tmp_path / "meddle.out.ipynb"), {})
        nb, parameters, run_dir = tiny_run(tmp_path, "recon", "regression")
        kernel.execute(nb, str(tmp_path / "warm.ipynb"), parameters)
        assert kernel.starts == 1 and kernel.notebooks == 4
    finally:
        kernel.shutdown()
    warm_files = files_of(run_dir)
    warm_dir = run_dir.rename(run_dir.with_name("warm"))
    fresh = execute_notebook(nb, str(tmp_path / "fresh.ipynb"), parameters, None, "fresh")
    assert fresh.status == "done", fresh
    fresh_files = files_of(run_dir)

    assert sorted(warm_files) == sorted(fresh_files)
    assert {"config.yaml", "metrics.json", "predictions.npz", "checkpoints/final_model.pt"} <= set(fresh_files)
    metrics = {name: json.loads((d / "metrics.json").read_text()) for name, d in (("warm", warm_dir), ("fresh", run_dir))}
    assert metrics["warm"]["final"] == metrics["fresh"]["final"]  # bit-identical floats
    assert metrics["warm"]["evaluations"] == metrics["fresh"]["evaluations"]
    with np.load(warm_dir / "predictions.npz") as w, np.load(run_dir / "predictions.npz") as f:
        assert sorted(w.files) == sorted(f.files) and all(np.array_equal(w[k], f[k]) for k in f.files)
    for name in (n for n in fresh_files if n.endswith(".pt")):  # a checkpoint's bytes hold a random id
        warm_state, fresh_state = (torch.load(d / name, weights_only=True) for d in (warm_dir, run_dir))
        assert warm_state["epoch"] == fresh_state["epoch"] and warm_state["model"].keys() == fresh_state["model"].keys()
        assert all(torch.equal(warm_state["model"][k], fresh_state["model"][k]) for k in fresh_state["model"]), name
    same_bytes = [name for name in fresh_files if not name.endswith((".log", "metrics.json", ".npz", ".pt"))]  # log and metrics hold times
    assert "plots/predictions.png" in same_bytes and [n for n in same_bytes if warm_files[n] != fresh_files[n]] == []
    timed = ("steps in", "it/s")  # training time, the progress bar's speed
    strip = [[t for t in cell if not any(s in t for s in timed)] for cell in outputs(str(tmp_path / "warm.ipynb"))]
    assert strip == [[t for t in cell if not any(s in t for s in timed)] for cell in outputs(str(tmp_path / "fresh.ipynb"))]
    assert any("l2" in t for cell in strip for t in cell)  # the evaluation table is among what was compared


def pid_of(output: str) -> int:
    return int(outputs(output)[0][1])


@pytest.mark.slow
def test_a_killed_kernel_fails_its_run_and_is_replaced(tmp_path):
    """Guards: a run whose kernel dies (os._exit in a cell) is FAILED, the runs after it go on in
    a fresh kernel that is then kept (same pid for the next run), and no kernel process is left."""
    pid = notebook(tmp_path / "pid.ipynb", "import os\nprint(os.getpid())")
    kill = notebook(tmp_path / "kill.ipynb", "import os\nos._exit(1)")
    jobs = [(nb, str(tmp_path / f"{i}.ipynb"), {}, None, f"run-{i}") for i, nb in enumerate([pid, kill, pid, pid])]
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
    fresh = run_local([(pid, str(tmp_path / f"f{i}.ipynb"), {}, None, f"f{i}") for i in range(2)], 1, lambda o: None, fresh=True)
    assert [o.status for o in fresh] == ["done", "done"]
    assert pid_of(str(tmp_path / "f0.ipynb")) != pid_of(str(tmp_path / "f1.ipynb"))
    warm = run_local([(pid, str(tmp_path / f"w{i}.ipynb"), {}, None, f"w{i}") for i in range(4)], 2, lambda o: None)
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
    jobs = [(wedge, str(tmp_path / "0.ipynb"), {}, None, "wedged"), (pid, str(tmp_path / "1.ipynb"), {}, None, "queued")]

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
    jobs = [(nb, str(tmp_path / f"{i}.ipynb"), {}, None, f"run-{i}", 3.0) for i, nb in enumerate([pid, wedge, pid])]
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


def test_the_flag_picks_the_kernels(tmp_path, monkeypatch, capsys):
    """Guards the plumbing: the local executor gets fresh=True only with --fresh-kernels, and the
    first line says which kernels a sweep uses."""
    import yaml

    import toyexp.cli as cli

    seen = []

    def fake_run_local(jobs, workers, on_done, fresh=False):
        seen.append(fresh)
        return []

    monkeypatch.setattr(cli, "run_local", fake_run_local)
    path = tmp_path / "sweep.yaml"
    path.write_text(yaml.safe_dump({"tasks": ["recon"], "seeds": [1], "variants": {"regression": []},
                                    "results_dir": str(tmp_path / "results"), "book_dir": str(tmp_path / "book")}))
    assert main(["sweep", str(path), "--no-analysis"]) == 0
    assert "(local, warm kernels)" in capsys.readouterr().out
    assert main(["sweep", str(path), "--no-analysis", "--fresh-kernels"]) == 0
    assert "(local, fresh kernels)" in capsys.readouterr().out
    assert seen == [False, True]


def test_the_engine_needs_a_running_kernel(tmp_path):
    """Guards: the kept-kernel engine without a kernel fails at once, naming what it needs."""
    import papermill

    from toyexp.study.kernels import KEPT_KERNEL_ENGINE

    with pytest.raises(ValueError, match="needs km=, a kernel manager with a running kernel"):
        papermill.execute_notebook(notebook(tmp_path / "x.ipynb", "1"), str(tmp_path / "y.ipynb"),
                                   kernel_name="python3", engine_name=KEPT_KERNEL_ENGINE, progress_bar=False)
