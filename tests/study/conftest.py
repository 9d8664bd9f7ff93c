"""Fixtures of the study tests: run folders written by hand (format-2 records with planted numbers
and predictions, or the real datasets of every task), a stand-in for the sweep's executors, and
size-limited folders. Plain helpers shared by several files live in ``sweeps.py`` and
``kernel_notebooks.py`` beside this file."""

import subprocess
from dataclasses import dataclass, field

import numpy as np
import pytest
import torch

import toyexp
from toyexp.core.metrics import Evaluation, l1_error, l2_error
from toyexp.run.code_path import CodePath
from toyexp.run.provenance import GitState, Provenance
from toyexp.run.record import RunRecord, TrainingSummary, write_record
from toyexp.run.target import target_of
from records import typed_config
from toyexp.study.sweep import steps
from toyexp.study.execution.outcome import Outcome
from toyexp.tasks.base import Best, Final

C_TRAIN = np.linspace(0, 1, 11)[:, None]  # spacing h = 0.1
C_GRID = np.linspace(0, 1, 101)[:, None]
DATASET = {"target_dim": 1, "num_components": 3, "weight_strategy": "uniform"}  # recon at frequencies 2, 5, 11 (rad per unit c)
# The dataset section a hand-written run records: small, so that the baselines the analysis
# fits to it (and finds to differ from the planted samples) take a moment.
CONFIGS = {"recon": {"dataset": {**DATASET, "num_train": 11, "num_eval": 101}},
           "projection": {"dataset": {"num_train": 11, "num_eval": 101}},
           "lie": {"dataset": {"num_train": 11, "num_eval": 101, "num_rotations": 3}}}
NATIVE = CodePath(cpu="AMD EPYC", capability="AVX512", mkl_cbwr="OFF", env={"ATEN_CPU_CAPABILITY": None,
                                                                            "MKL_CBWR": None}, portable=False)


def provenance(seed: int, code_path: CodePath = NATIVE) -> Provenance:
    """A run's provenance with a fixed commit and a date that follows the seed."""
    return Provenance(toyexp="0.2.0", python="3.11.7", torch="2.13.0+cpu", numpy="2.4.6", platform="Linux",
                      git=GitState("abc", False), code_path=code_path, flush_denormal=True,
                      date=f"2026-01-0{seed % 9 + 1}T00:00:00+00:00")


def record(task: str, variant: str, mode: str, seed: int, final: Final, evaluations=(), config=None,
           grid_point=None, code_path: CodePath = NATIVE) -> RunRecord:
    """A complete run's record holding ``final`` (and ``evaluations``, by default ``final`` itself)."""
    return RunRecord(
        task=task, variant=variant, grid_point=dict(grid_point or {}), mode=mode, seed=seed, final=final,
        best=Best(10, final.l1, final.l2),
        evaluations=tuple(evaluations) or (Evaluation(method=final.method, resolution=final.resolution, nfe=final.nfe,
                                                      l1=final.l1, l2=final.l2),),
        training=TrainingSummary(epochs=10, steps=10, seconds=1.0, best_epoch=10, eval_epochs=(10,),
                                 eval_l2=(final.l2,)), run_seconds=1.5, device="cpu", num_threads=1,
        config=(typed := typed_config(task, config if config is not None else CONFIGS[task])), target=target_of(typed),
        provenance=provenance(seed, code_path),
    )


def _write_run(root, task, variant, mode, seed, final, evaluations=(), error=None, *, grid_point=None, folder=None,
               config=None, code_path=NATIVE):
    """A complete run folder at ``root/task/variant/mode/seed-<seed>`` (or ``root / folder``) holding a
    format-2 metrics.json of ``final`` ({"l1", "l2"} and optionally "task_metrics": the task's typed
    metrics), its identity (variant, grid point) recorded as data; its grid prediction is the target
    sin(2 pi c) plus ``error`` (G, 1), by default 0.01 (seed + 1)."""
    run_dir = root / folder if folder else root / task / variant / mode / f"seed-{seed}"
    run_dir.mkdir(parents=True)
    (run_dir / "config.yaml").write_text("experiment: {}\n")
    x_grid = np.sin(2 * np.pi * C_GRID)
    pred = x_grid + (np.full_like(x_grid, 0.01 * (seed + 1)) if error is None else error)
    np.savez(run_dir / "predictions.npz", c_train=C_TRAIN, x_train=np.sin(2 * np.pi * C_TRAIN),
             c_grid=C_GRID, x_grid=x_grid, pred_grid=pred)
    typed = Final(method="euler", resolution=1, nfe=1, l1=final["l1"], l2=final["l2"],
                  task_metrics=final.get("task_metrics"))
    write_record(run_dir / "metrics.json", record(task, variant, mode, seed, typed, evaluations, config, grid_point, code_path))
    return run_dir


@pytest.fixture
def run_record():
    """:func:`record`: a RunRecord built in the test, for tests that write or compare one themselves."""
    return record


@pytest.fixture
def write_run():
    """:func:`_write_run`: a run folder written by hand, for tests of collection and analysis.

    It overrides tests/conftest.py's for the study: each task's record holds a dataset section
    that loads for that task (the analysis rebuilds the dataset for the baselines and the target
    frequencies from it), and a run may sit in any ``folder``, with its own config and code path."""
    return _write_run


SMALL = {"lie": ["dataset.num_rotations=3"]}  # fewer outputs: the GP baseline fits each on its own


def write_dataset_run(root, task, variant, mode, seed, scale, shift=0.0, num_train=12, grid_point=None):
    """A complete run folder whose samples are the real dataset of ``task`` for ``seed`` (so its
    baselines rebuild), with prediction target + scale * sin(40 c + seed) + shift everywhere."""
    cfg = toyexp.load_config(task, seed=seed, mode=mode, overrides=[
        f"dataset.num_train={num_train}", "dataset.num_eval=120", f"experiment.output_dir={root / task / variant}",
        f"experiment.variant={variant}", *SMALL.get(task, [])])
    data = toyexp.make_dataset(cfg)
    run_dir = root / task / variant / mode / f"seed-{seed}"
    run_dir.mkdir(parents=True)
    (run_dir / "config.yaml").write_text("planted\n")
    c_grid = data.grid(cfg.dataset.num_eval)
    x_grid = data.target(c_grid)
    error = lambda c: scale * torch.sin(40 * c + seed) + shift  # noqa: E731
    pred_eval, pred_grid = data.x_eval + error(data.c_eval), x_grid + error(c_grid)
    l1, l2 = l1_error(pred_eval, data.x_eval), l2_error(pred_eval, data.x_eval)
    final = Final(method="euler", resolution=4, nfe=1 if mode == "regression" else 4, l1=l1, l2=l2,
                  task_metrics=toyexp.get_task(task).metrics(data, data.c_eval, pred_eval))
    np.savez(run_dir / "predictions.npz", c_train=data.c_train.numpy(), x_train=data.x_train.numpy(),
             c_eval=data.c_eval.numpy(), x_eval=data.x_eval.numpy(), pred_eval=pred_eval.numpy(),
             c_grid=c_grid.numpy(), x_grid=x_grid.numpy(), pred_grid=pred_grid.numpy())
    evaluations = [Evaluation(method="euler", resolution=n, nfe=n, l1=l1,
                              l2=l2 * (1 + 1 / n)) for n in (1, 4)] if mode != "regression" else []
    write_record(run_dir / "metrics.json", record(task, variant, mode, seed, final, evaluations, cfg.to_dict(), grid_point))
    return run_dir


@pytest.fixture
def dataset_run():
    """:func:`write_dataset_run`, for tests that write their own folders."""
    return write_dataset_run


@pytest.fixture(scope="session")
def small_study(tmp_path_factory):
    """Every task, regression and flow, three seeds; flow's error twice regression's plus noise."""
    root = tmp_path_factory.mktemp("small-study")
    for task in toyexp.task_names():
        for seed in (42, 43, 44):
            write_dataset_run(root, task, "regression", "regression", seed, 0.01 * (1 + (seed - 42) / 10))
            write_dataset_run(root, task, "flow", "flow", seed, 0.02 * (1 + (seed - 42) / 10))
    return root


GRID = {"training.learning_rate": [0.01, 0.001]}


@pytest.fixture(scope="session")
def grid_sweep(tmp_path_factory):
    """A real tiny sweep with a grid, run once: recon, seed 1, regression and flow at two learning
    rates (4 runs, 2 at a time on warm kernels, no analysis), one of which cannot write its first
    checkpoint and fails. Its SweepReport and its folder."""
    from toyexp.study.sweep.runner import SweepOptions, run_sweep
    from sweeps import write_sweep

    folder = tmp_path_factory.mktemp("grid-sweep")
    path = write_sweep(folder, variants={"regression": ["experiment.mode=regression"], "flow": ["experiment.mode=flow"]}, grid=GRID)
    blocked = folder / "results" / "recon" / "flow" / "learning_rate=0.001" / "seed-1"
    blocked.mkdir(parents=True)
    (blocked / "checkpoints").write_text("a file where the checkpoint folder should be")
    report = run_sweep(path, SweepOptions(jobs=2, analysis=False))
    return report, folder


@dataclass
class Executors:
    """Stands in for the three executors of a running sweep (toyexp.study.sweep.steps): records every
    call's jobs and keyword options, and answers each job with ``outcome(job)`` (by default done)."""

    outcome: object = lambda job: Outcome(id=job.run_id, status="done", notebook=job.output)  # noqa: E731
    calls: list = field(default_factory=list)  # (executor name, its jobs, its keyword options)

    def fake(self, name):
        def run(jobs, workers, on_done, *args, **kwargs):
            self.calls.append((name, list(jobs), kwargs))
            outcomes = [self.outcome(job) for job in jobs]
            for o in outcomes:
                on_done(o)
            return outcomes

        return run

    @property
    def jobs(self) -> list:
        """Every job executed, over all calls."""
        return [job for _, jobs, _ in self.calls for job in jobs]


@pytest.fixture
def executors(monkeypatch):
    """:class:`Executors` in place of run_local, run_dask and run_slurm; the analysis notebook,
    which a test asks for with --no-analysis or checks itself, fails the test if executed."""
    fakes = Executors()
    for name in ("run_local", "run_dask", "run_slurm"):
        monkeypatch.setattr(steps, name, fakes.fake(name))
    monkeypatch.setattr(steps, "execute_notebook", lambda *a, **k: pytest.fail("the analysis notebook was executed"))
    return fakes


@pytest.fixture
def pinned_kernels(monkeypatch):
    """Kernels pinned to one thread as in a sweep; a stopped kernel registry is reset for the next
    test, and no kernel may be left registered."""
    from toyexp.study.execution.execute import SINGLE_THREAD
    from toyexp.study.execution.kernels import KERNELS

    for name, value in SINGLE_THREAD.items():
        monkeypatch.setenv(name, value)
    KERNELS.stopping.clear()
    yield
    KERNELS.stopping.clear()
    assert not KERNELS._groups, "a kernel was left registered"


class Tmpfs:
    """Size-limited (or read-only) folders: tmpfs mounts, unmounted when the test ends.

    Mounting needs root with CAP_SYS_ADMIN (not in every container): where it is refused, the
    test is skipped with the reason.
    """

    def __init__(self):
        self.mounted: list = []

    def mount(self, folder, size: str, read_only: bool = False):
        folder.mkdir(parents=True, exist_ok=True)
        options = f"size={size}" + (",ro" if read_only else "")
        try:
            done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True, text=True, timeout=30)
        except OSError as err:
            pytest.skip(f"cannot mount a tmpfs here: {err}")
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here (it needs root with CAP_SYS_ADMIN): {done.stderr.strip()}")
        self.mounted.append(folder)
        return folder

    def resize(self, folder, size: str) -> None:
        subprocess.run(["mount", "-o", f"remount,size={size}", str(folder)], check=True, capture_output=True, timeout=30)

    def unmount_all(self) -> None:
        for folder in reversed(self.mounted):
            subprocess.run(["umount", "--lazy", str(folder)], capture_output=True, timeout=30)


@pytest.fixture
def tmpfs():
    """:class:`Tmpfs`: mount a size-limited or read-only folder for this test."""
    mounts = Tmpfs()
    yield mounts
    mounts.unmount_all()
