"""Helpers shared by the whole suite: torch state restored around every test, and run folders
written by hand for the analysis tests. (Known answers computed independently of the package
live in ``known_answers.py``, which this folder's conftest puts on the path.)"""

import json

import numpy as np
import pytest
import torch

C_TRAIN = np.linspace(0, 1, 11)[:, None]  # spacing h = 0.1
C_GRID = np.linspace(0, 1, 101)[:, None]
CONFIG = {"dataset": {"target_dim": 1, "num_components": 3, "weight_strategy": "uniform"}}


@pytest.fixture(autouse=True)
def _restore_torch_state():
    """A run sets torch's thread count, denormal mode and global seed: each test gets them back."""
    threads = torch.get_num_threads()
    with torch.random.fork_rng(devices=[]):
        yield
    torch.set_num_threads(threads)
    torch.set_flush_denormal(False)


def _write_run(root, task, variant, mode, seed, final, evaluations=None, error=None):
    """A complete run folder at ``root/task/variant/mode/seed-<seed>`` holding ``final``; its grid
    prediction is the target sin(2 pi c) plus ``error`` (G, 1), by default 0.01 (seed + 1)."""
    run_dir = root / task / variant / mode / f"seed-{seed}"
    run_dir.mkdir(parents=True)
    (run_dir / "config.yaml").write_text("experiment: {}\n")
    x_grid = np.sin(2 * np.pi * C_GRID)
    pred = x_grid + (np.full_like(x_grid, 0.01 * (seed + 1)) if error is None else error)
    np.savez(run_dir / "predictions.npz", c_train=C_TRAIN, x_train=np.sin(2 * np.pi * C_TRAIN),
             c_grid=C_GRID, x_grid=x_grid, pred_grid=pred)
    evaluations = evaluations or [{"method": "euler", "num_steps": 1, "nfe": 1, "l1": final["l1"], "l2": final["l2"]}]
    metrics = {"task": task, "mode": mode, "seed": seed, "final": final, "evaluations": evaluations,
               "config": CONFIG, "provenance": {"git": {"commit": "abc", "dirty": False}, "date": f"2026-01-0{seed % 9 + 1}"}}
    (run_dir / "metrics.json").write_text(json.dumps(metrics))
    return run_dir


@pytest.fixture
def write_run():
    """:func:`_write_run`: a run folder written by hand, for tests of collection and analysis."""
    return _write_run
