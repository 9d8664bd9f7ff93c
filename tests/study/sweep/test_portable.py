"""``toyexp sweep --portable``: every run's kernel starts on portable mode's code path, and says so.

Portable mode is two variables that torch and MKL read once, at their first use, so they
must be in a kernel's environment when it starts: these tests read what each run's kernel
actually ran on (provenance.code_path) and compare its numbers with the same run executed by
hand in a python started with the variables exported.
"""

import json
import os
import subprocess
import sys

import dataclasses

import nbformat
import pytest
import yaml
from nbformat.v4 import new_code_cell, new_notebook

from toyexp.cli import main
from toyexp.run.code_path import PORTABLE_ENV, CodePath
from toyexp.run.record import write_record
from toyexp.study.execution.execute import SINGLE_THREAD, Job
from toyexp.study.execution.executors import run_local
from toyexp.study.execution.kernels import KERNELS
from toyexp.study.sweep.plan import is_complete, plan
from toyexp.study.sweep.sweep_file import load_sweep
from toyexp.tasks.base import Final

TINY = ["training.num_epochs=30", "training.eval_interval=10", "training.save_interval=30", "network.hidden_dim=16",
        "network.num_layers=2", "dataset.num_eval=100", "evaluation.num_eval_steps=[1, 4]",
        "evaluation.integration_method=[euler, rk4]"]
VARIANTS = {"regression": ["experiment.mode=regression"],
            "flow": ["experiment.mode=flow", "training.initial_dist=zeros", "evaluation.initial_dist=zeros"]}
BY_HAND = """
import json, sys, toyexp
from toyexp.run.record import record_to_json
out = []
for config in json.loads(sys.argv[1]):
    metrics = record_to_json(toyexp.run_all(toyexp.load_config(config["experiment"]["task"], config), figures=False))
    out.append({k: metrics[k] for k in ("final", "evaluations")} | {"code_path": metrics["provenance"]["code_path"]})
print(json.dumps(out))
"""


@pytest.fixture(autouse=True)
def _native_environment(monkeypatch):
    """This process (and so any kernel it starts without --portable) has neither variable."""
    for name in PORTABLE_ENV:
        monkeypatch.delenv(name, raising=False)
    KERNELS.stopping.clear()


def write_sweep(folder, variants=VARIANTS):
    path = folder / "sweep.yaml"
    path.write_text(yaml.safe_dump({"tasks": ["recon"], "seeds": [7], "variants": variants, "overrides": TINY,
                                    "results_dir": str(folder / "results"), "book_dir": str(folder / "book")}))
    return path


def run_metrics(results) -> dict[str, dict]:
    return {str(p.parent.relative_to(results)): json.loads(p.read_text()) for p in sorted(results.rglob("metrics.json"))}


def by_hand(configs: list[dict], folder) -> list[dict]:
    """The runs of ``configs`` (output moved under ``folder``) in a python started with portable
    mode's variables exported, as the README tells a person to do."""
    configs = [config | {"experiment": {**config["experiment"], "output_dir": str(folder / str(i))}} for i, config in enumerate(configs)]
    env = {**os.environ, **SINGLE_THREAD, **PORTABLE_ENV}
    child = subprocess.run([sys.executable, "-W", "ignore", "-c", BY_HAND, json.dumps(configs)], env=env,
                           capture_output=True, text=True, check=True)
    return json.loads(child.stdout)


def test_the_flag_reaches_every_executor(tmp_path, capsys, executors):
    """Guards the plumbing: with --portable every job carries portable mode's variables (the
    Dask and Slurm executors hand them to the fresh kernel each run starts, as the local one
    does), without it none; the first line says which."""
    path = write_sweep(tmp_path)
    for executor in ("local", "dask", "slurm"):
        assert main(["sweep", str(path), "--no-analysis", "--executor", executor, "--portable"]) == 0
        assert "portable mode)" in capsys.readouterr().out
        name, jobs, _ = executors.calls.pop()
        assert name == f"run_{executor}" and [job.env for job in jobs] == [PORTABLE_ENV, PORTABLE_ENV]
    assert main(["sweep", str(path), "--no-analysis"]) == 0
    assert "portable" not in capsys.readouterr().out
    name, jobs, _ = executors.calls.pop()
    assert name == "run_local" and [job.env for job in jobs] == [None, None]


def test_resume_with_portable_redoes_the_runs_of_a_native_sweep(tmp_path, run_record):
    """Guards --resume --portable: a run complete on the native path is done again, one complete
    in portable mode (as its provenance records it) is kept; without --portable both are kept."""
    (run,) = plan(load_sweep(write_sweep(tmp_path, {"regression": VARIANTS["regression"]})), tmp_path / "book")
    run.notebook.parent.mkdir(parents=True)
    run.notebook.write_text("{}")
    native = CodePath(cpu="AMD EPYC", capability="AVX512", mkl_cbwr="OFF",
                      env={"ATEN_CPU_CAPABILITY": None, "MKL_CBWR": None}, portable=False)
    for code_path, portable_complete in [(native, False), (dataclasses.replace(native, capability="DEFAULT", portable=True), True)]:
        record = run_record("recon", "regression", "regression", 7, Final(method="euler", resolution=1, nfe=1, l1=0.1,
                                                                          l2=0.2), config=run.config,
                            code_path=code_path)
        write_record(run.run_dir / "metrics.json", record)
        assert is_complete(run)
        assert is_complete(run, portable=True) is portable_complete


@pytest.mark.slow
@pytest.mark.parametrize("fresh", [False, True], ids=["warm", "fresh"])
def test_a_portable_sweep_equals_portable_runs_by_hand(tmp_path, capsys, fresh):
    """Guards: a --portable sweep's kernels (warm: one kernel for both runs; fresh: one each) run
    on torch's DEFAULT kernels and MKL's COMPATIBLE branch, and each run's ``final`` and
    ``evaluations`` are bit-identical to the same config run by hand in a python started with
    ATEN_CPU_CAPABILITY=default MKL_CBWR=COMPATIBLE. Fails if the variables reach the kernel
    late, misspelt or not at all, or if a warm kernel keeps a native start."""
    path = write_sweep(tmp_path)
    extra = ["--fresh-kernels", "--jobs", "2"] if fresh else ["--jobs", "1"]
    assert main(["sweep", str(path), "--portable", "--no-analysis", *extra]) == 0, capsys.readouterr()
    in_sweep = run_metrics(tmp_path / "results")
    assert sorted(in_sweep) == ["recon/flow/seed-7", "recon/regression/seed-7"]
    for metrics in in_sweep.values():
        code_path = metrics["provenance"]["code_path"]
        assert (code_path["capability"], code_path["mkl_cbwr"], code_path["env"], code_path["portable"]) == (
            "DEFAULT", "COMPATIBLE", PORTABLE_ENV, True)
    hand = by_hand([m["config"] for m in in_sweep.values()], tmp_path / "by-hand")
    for metrics, alone in zip(in_sweep.values(), hand):
        assert alone["code_path"]["portable"] is True
        assert alone["final"] == metrics["final"]  # bit-identical floats
        assert alone["evaluations"] == metrics["evaluations"]


@pytest.mark.slow
def test_without_the_flag_a_sweep_stays_on_the_native_path(tmp_path, capsys):
    """Guards the default: no variable is added, torch keeps its vector kernels and MKL its own dispatch."""
    path = write_sweep(tmp_path, {"regression": VARIANTS["regression"]})
    assert main(["sweep", str(path), "--no-analysis", "--jobs", "1"]) == 0, capsys.readouterr()
    (metrics,) = run_metrics(tmp_path / "results").values()
    code_path = metrics["provenance"]["code_path"]
    assert code_path["env"] == {"ATEN_CPU_CAPABILITY": None, "MKL_CBWR": None}
    assert code_path["capability"] != "DEFAULT" and code_path["mkl_cbwr"] == "OFF" and code_path["portable"] is False


@pytest.mark.slow
def test_a_warm_kernel_started_without_the_variables_is_replaced(tmp_path, monkeypatch):
    """Guards WarmKernel: a job that needs portable mode never runs on a kernel started without
    it (the variables would come too late), and a kernel started with it is kept for the next."""
    for name, value in SINGLE_THREAD.items():
        monkeypatch.setenv(name, value)
    nb = new_notebook(cells=[new_code_cell("import os, torch\nprint(os.getpid(), torch.backends.cpu.get_cpu_capability())")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    source = tmp_path / "probe.ipynb"
    nbformat.write(nb, source)
    envs = [None, PORTABLE_ENV, PORTABLE_ENV, None]
    jobs = [Job(run_id=f"run-{i}", notebook=str(source), output=str(tmp_path / f"out{i}.ipynb"), parameters={},
                env=env) for i, env in enumerate(envs)]
    assert [o.status for o in run_local(jobs, 1, lambda o: None)] == ["done"] * 4
    seen = [nbformat.read(tmp_path / f"out{i}.ipynb", as_version=4).cells[0].outputs[0].text.split() for i in range(4)]
    pids, capabilities = [s[0] for s in seen], [s[1] for s in seen]
    assert capabilities[1:3] == ["DEFAULT", "DEFAULT"] and "DEFAULT" not in (capabilities[0], capabilities[3])
    assert pids[0] != pids[1] == pids[2] != pids[3]
