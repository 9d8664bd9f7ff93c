"""Helpers shared by the whole suite: torch state restored around every test, and run folders
written by hand for the analysis tests.

Known answers computed independently of the package live in ``known_answers.py``, and the ODEs
with closed-form solutions in ``problems.py``: this conftest sits in their folder, so pytest puts
it on sys.path and a test imports them by name (``from problems import PROBLEMS``).
"""

import dataclasses
import json
import typing
from pathlib import Path

import numpy as np
import pytest
import torch

from toyexp.core.metrics import Evaluation
from toyexp.core.resolution import Tolerance
from toyexp.run.code_path import CodePath
from toyexp.run.provenance import GitState, Provenance
from toyexp.run.record import RunRecord, TrainingSummary, record_from_json, record_to_json
from toyexp.run.target import target_of
from toyexp.tasks import get_task
from toyexp.tasks.base import Best, Final
from records import typed_config
from tree_guard import snapshot

ROOT = Path(__file__).resolve().parents[1]

C_TRAIN = np.linspace(0, 1, 11)[:, None]  # spacing h = 0.1
C_GRID = np.linspace(0, 1, 101)[:, None]
CONFIG = {"dataset": {"target_dim": 1, "num_components": 3, "weight_strategy": "uniform"}}  # recon's; another task's record holds its defaults
CODE_PATH = CodePath(cpu="Test CPU", capability="AVX2", mkl_cbwr="OFF", env={"ATEN_CPU_CAPABILITY": None,
                                                                             "MKL_CBWR": None}, portable=False)


def pytest_sessionstart(session):
    """The project as the suite found it, for tests/test_tree_guard.py's last test."""
    session.config.stash[TREE_BEFORE] = snapshot(ROOT)


def pytest_collection_modifyitems(items):
    """The check that the suite wrote nothing into the project runs after every other test."""
    last = [item for item in items if item.name == LAST_TEST]
    items[:] = [item for item in items if item.name != LAST_TEST] + last


TREE_BEFORE = pytest.StashKey[dict]()
LAST_TEST = "test_the_suite_left_the_project_as_it_found_it"


@pytest.fixture
def tree_before(request):
    """The snapshot of the project taken when the session started (None outside a git work tree)."""
    return request.config.stash.get(TREE_BEFORE, None)


@pytest.fixture(autouse=True)
def _restore_torch_state():
    """A run sets torch's thread count, denormal mode and global seed: each test gets them back."""
    threads = torch.get_num_threads()
    with torch.random.fork_rng(devices=[]):
        yield
    torch.set_num_threads(threads)
    torch.set_flush_denormal(False)


def as_evaluation(e) -> Evaluation:
    """An Evaluation, or one from a dict spelt as metrics.json spells it (``num_steps``, or ``rtol`` and ``atol``)."""
    if isinstance(e, Evaluation):
        return e
    resolution = e["num_steps"] if e.get("rtol") is None else Tolerance(e["rtol"], e["atol"])
    return Evaluation(method=e["method"], resolution=resolution, nfe=e["nfe"], l1=e["l1"], l2=e["l2"])


def typed(cls, value):
    """An instance of the frozen dataclass ``cls`` from a dict of its fields (nested dataclasses and
    tuples of them as dicts and lists too); fields left out keep their defaults."""
    if not isinstance(value, dict):
        return value
    hints = typing.get_type_hints(cls)
    kwargs = {}
    for f in dataclasses.fields(cls):
        if f.name not in value:
            continue
        hint, v = hints[f.name], value[f.name]
        if typing.get_origin(hint) is tuple:
            (inner, *_) = typing.get_args(hint)
            v = tuple(typed(inner, x) if dataclasses.is_dataclass(inner) else x for x in v)
        elif isinstance(hint, type) and dataclasses.is_dataclass(hint):
            v = typed(hint, v)
        kwargs[f.name] = v
    return cls(**kwargs)


def _write_run(root, task, variant, mode, seed, final, evaluations=None, error=None, grid_point=None):
    """A complete run folder at ``root/task/variant/mode/seed-<seed>``, its metrics.json a format-2
    record holding ``final`` and its grid prediction the target sin(2 pi c) plus ``error`` (G, 1),
    by default 0.01 (seed + 1).

    ``final`` is a :class:`Final`, or a dict of l1, l2 and the fields of the task's metrics (its
    ``metrics_type``; fields left out keep their defaults, nested ones may be dicts, e.g. lie's
    ``per_velocity`` a list of dicts); ``evaluations`` are Evaluations or dicts as metrics.json
    spells them (default: euler, 1 step, at ``final``'s numbers).
    """
    run_dir = root / task / variant / mode / f"seed-{seed}"
    run_dir.mkdir(parents=True)
    (run_dir / "config.yaml").write_text("experiment: {}\n")
    x_grid = np.sin(2 * np.pi * C_GRID)
    pred = x_grid + (np.full_like(x_grid, 0.01 * (seed + 1)) if error is None else error)
    np.savez(run_dir / "predictions.npz", c_train=C_TRAIN, x_train=np.sin(2 * np.pi * C_TRAIN),
             c_grid=C_GRID, x_grid=x_grid, pred_grid=pred)
    if not isinstance(final, Final):
        own = {k: v for k, v in final.items() if k not in ("l1", "l2")}
        metrics_type = get_task(task).metrics_type
        final = Final(method="euler", resolution=1, nfe=1, l1=final["l1"], l2=final["l2"],
                      task_metrics=typed(metrics_type, own) if own else None)
    evaluations = tuple(as_evaluation(e) for e in evaluations) if evaluations else (
        Evaluation(method=final.method, resolution=final.resolution, nfe=final.nfe, l1=final.l1, l2=final.l2),)
    record = RunRecord(
        task=task, variant=variant, grid_point=dict(grid_point or {}), mode=mode, seed=seed, final=final,
        best=Best(1, final.l1, final.l2), evaluations=evaluations,
        training=TrainingSummary(epochs=1, steps=1, seconds=0.1, best_epoch=1, eval_epochs=(1,),
                                 eval_l2=(final.l2,)), run_seconds=0.2, device="cpu", num_threads=1,
        config=(config := typed_config(task, CONFIG if task == "recon" else {})), target=target_of(config),
        provenance=Provenance(toyexp="0.2.0", python="3.11", torch=torch.__version__, numpy=np.__version__,
                              platform="Linux", git=GitState("abc", False), code_path=CODE_PATH,
                              flush_denormal=True, date=f"2026-01-0{seed % 9 + 1}"),
    )
    data = record_to_json(record)
    record_from_json(data)  # the file reads back as a record
    (run_dir / "metrics.json").write_text(json.dumps(data))
    return run_dir


@pytest.fixture
def write_run():
    """:func:`_write_run`: a run folder written by hand, for tests of collection and analysis."""
    return _write_run
