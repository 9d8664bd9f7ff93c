"""A run folder's arrays: predictions.npz and the checkpoints, each written whole or not at all."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from .files import atomic_write


def write_npz(path: Path, **arrays: np.ndarray) -> None:
    def write(tmp: str) -> None:
        with open(tmp, "wb") as fh:
            np.savez(fh, **arrays)

    atomic_write(path, write)


def load_predictions(run_dir: Path, keys: tuple[str, ...] | None = None) -> dict[str, np.ndarray]:
    """The arrays of a run's predictions.npz; with ``keys``, only those are read (a KeyError names
    a missing one), so the evaluation set's num_eval rows stay on disk when only the grid is needed."""
    with np.load(Path(run_dir) / "predictions.npz") as z:
        return dict(z) if keys is None else {k: z[k] for k in keys}


def save_checkpoint(path: Path, state: dict[str, torch.Tensor], epoch: int) -> None:
    """A checkpoint that loads with ``torch.load(path, weights_only=True)``."""
    payload = {"model": {k: v.detach().cpu() for k, v in state.items()}, "epoch": epoch}
    atomic_write(path, lambda tmp: torch.save(payload, tmp))
