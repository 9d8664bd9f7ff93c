"""Warm kernels: one kernel kept for many runs gives what a fresh kernel per run gives.

The proof compares a real run executed in a kernel that has already run other tasks and
modes (and a notebook that meddles with the process on purpose) with the same run in a
fresh kernel: metrics, files, config, predictions and figures must be bit-identical.
"""

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from toyexp.run.files import PROJECT_ROOT
from toyexp.study.execution.execute import Job, execute_notebook
from toyexp.study.execution.kernels import WarmKernel
from kernel_notebooks import notebook, outputs
from sweeps import TINY

pytestmark = pytest.mark.usefixtures("pinned_kernels")

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
    fresh = execute_notebook(Job(run_id="fresh", notebook=report, output=str(tmp_path / "fresh.ipynb"), parameters={}))
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
    parameters = {"seed": seed, "overrides": [*TINY, "evaluation.integration_method=[euler, rk4]", f"experiment.mode={mode}",
                                              f"experiment.output_dir={out}"]}
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
    fresh = execute_notebook(Job(run_id="fresh", notebook=nb, output=str(tmp_path / "fresh.ipynb"),
                                 parameters=parameters))
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


def test_the_engine_needs_a_running_kernel(tmp_path):
    """Guards: the kept-kernel engine without a kernel fails at once, naming what it needs."""
    import papermill

    from toyexp.study.execution.kernels import KEPT_KERNEL_ENGINE

    with pytest.raises(ValueError, match="needs km=, a kernel manager with a running kernel"):
        papermill.execute_notebook(notebook(tmp_path / "x.ipynb", "1"), str(tmp_path / "y.ipynb"),
                                   kernel_name="python3", engine_name=KEPT_KERNEL_ENGINE, progress_bar=False)
