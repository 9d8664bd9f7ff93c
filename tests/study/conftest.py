"""Run folders for the analysis tests: real datasets of every task, planted predictions."""

import json
import subprocess

import numpy as np
import pytest
import torch

import toyexp
from toyexp.core.metrics import l1_error, l2_error


SMALL = {"lie": ["dataset.num_rotations=3"]}  # fewer outputs: the GP baseline fits each on its own


def write_dataset_run(root, task, variant, mode, seed, scale, shift=0.0, num_train=12):
    """A complete run folder whose samples are the real dataset of ``task`` for ``seed`` (so its
    baselines rebuild), with prediction target + scale * sin(40 c + seed) + shift everywhere."""
    cfg = toyexp.load_config(task, seed=seed, mode=mode, overrides=[
        f"dataset.num_train={num_train}", "dataset.num_eval=120", f"experiment.output_dir={root / task / variant}",
        *SMALL.get(task, [])])
    data = toyexp.make_dataset(cfg)
    run_dir = root / task / variant / mode / f"seed-{seed}"
    run_dir.mkdir(parents=True)
    (run_dir / "config.yaml").write_text("planted\n")
    c_grid = data.grid(cfg.dataset.num_eval)
    x_grid = data.target(c_grid)
    error = lambda c: scale * torch.sin(40 * c + seed) + shift  # noqa: E731
    pred_eval, pred_grid = data.x_eval + error(data.c_eval), x_grid + error(c_grid)
    final = {"l1": l1_error(pred_eval, data.x_eval), "l2": l2_error(pred_eval, data.x_eval)}
    final |= toyexp.get_task(task).metrics(data, data.c_eval, pred_eval)
    np.savez(run_dir / "predictions.npz", c_train=data.c_train.numpy(), x_train=data.x_train.numpy(),
             c_eval=data.c_eval.numpy(), x_eval=data.x_eval.numpy(), pred_eval=pred_eval.numpy(),
             c_grid=c_grid.numpy(), x_grid=x_grid.numpy(), pred_grid=pred_grid.numpy())
    evaluations = [{"method": "euler", "num_steps": n, "nfe": n, "l1": final["l1"], "l2": final["l2"] * (1 + 1 / n)}
                   for n in (1, 4)]
    metrics = {"task": task, "mode": mode, "seed": seed, "final": final, "evaluations": evaluations,
               "config": cfg.to_dict(), "provenance": {}}
    (run_dir / "metrics.json").write_text(json.dumps(metrics, default=float))
    return run_dir


@pytest.fixture
def dataset_run():
    """:func:`write_dataset_run`, for tests that write their own folders."""
    return write_dataset_run


@pytest.fixture(scope="session")
def small_study(tmp_path_factory):
    """Every task, regression and flow, three seeds; flow's error twice regression's plus noise."""
    root = tmp_path_factory.mktemp("small-study")
    for task in toyexp.TASKS:
        for seed in (42, 43, 44):
            write_dataset_run(root, task, "regression", "regression", seed, 0.01 * (1 + (seed - 42) / 10))
            write_dataset_run(root, task, "flow", "flow", seed, 0.02 * (1 + (seed - 42) / 10))
    return root


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
