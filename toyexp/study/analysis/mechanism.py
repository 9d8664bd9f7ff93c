"""The mechanism behind flow-from-x_0 = 0's plateau, measured on a study's final checkpoints.

For a task whose collection has a flow variant starting from x_0 = 0 and a grid over
``dataset.num_train``, every flow variant (from zeros, and from a Gaussian when the study has
one, for contrast) is measured at every N of one slice of the other grid keys, each seed's
``checkpoints/final_model.pt`` rebuilt and passed to :func:`toyexp.core.mechanism.mechanism`
on the run's own dense grid of evaluation inputs (every k-th point, at most :data:`NUM_INPUTS`),
with the run's own evaluation starts x_0.

The slice (:data:`SLICE`): the highest ``dataset.max_frequency``, where the plateau was found,
and the lowest ``dataset.noise_std`` (0 in the regimes study), where x_1 = f(c) holds on the
training samples too, so the path identity x_t / t = x_1 - x_0 is exact; any other key at its
first value. A run without its final checkpoint is listed, not measured.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ...core.mechanism import Mechanism, euler_endpoints, mechanism
from ...core.nets import build_network
from ...core.paths import inference_starts
from .collect import Collection, CollectedRun
from .grid import NYQUIST, SAMPLES

NUM_INPUTS = 250  # evaluation inputs per run: every k-th point of its dense grid
# The slice of the other grid keys, each held at one value, and why; any other key at its first value.
SLICE = {"dataset.max_frequency": (max, "the highest bandwidth, where the plateau is"),
         "dataset.noise_std": (min, "the least noise: at 0, x_1 = f(c) at the samples too")}
CHECKPOINT = Path("checkpoints") / "final_model.pt"


@dataclass(frozen=True)
class SeedMechanism:
    seed: int
    result: Mechanism  # on the evaluation inputs
    train_l2: float  # the t = 0 output's RMS error at the training inputs, against their (stored) targets


@dataclass(frozen=True, kw_only=True)
class VariantMechanism:
    """One flow variant at one N of the slice, over its seeds."""

    variant: str
    initial_dist: str  # training.initial_dist: zeros or gaussian
    num_train: int
    samples_per_cycle: float | None  # 1 / (h f_max) of its samples; None for a task without a highest frequency
    seeds: tuple[SeedMechanism, ...]

    @property
    def resolved(self) -> bool:
        """Whether its samples are at or above the Nyquist rate (or the task has no highest frequency)."""
        return self.samples_per_cycle is None or self.samples_per_cycle >= NYQUIST

    def values(self, read) -> np.ndarray:
        """(S, ...) ``read(seed)`` for each seed (a :class:`SeedMechanism`)."""
        return np.array([read(s) for s in self.seeds], dtype=float)


@dataclass(frozen=True, kw_only=True)
class MechanismStudy:
    task: str
    slice: dict[str, Any]  # the other grid keys' values
    measured: tuple[VariantMechanism, ...]  # by variant (from zeros first), then N
    missing: tuple[Path, ...]  # run folders of the slice without a final checkpoint
    seconds: float  # the measurement's wall time

    @property
    def variants(self) -> list[str]:
        return list(dict.fromkeys(m.variant for m in self.measured))

    def of(self, variant: str) -> list[VariantMechanism]:
        return [m for m in self.measured if m.variant == variant]


def _initial_dist(run: CollectedRun) -> str | None:
    """training.initial_dist of a flow run; None for any other mode."""
    return run.record.config.training.initial_dist if run.record.mode == "flow" else None


def applies(collection: Collection, task: str) -> bool:
    """Whether ``task`` has a flow variant from x_0 = 0 and a grid over the number of samples."""
    runs = collection.select(task)
    return any(_initial_dist(r) == "zeros" for r in runs) and any(SAMPLES in r.record.grid_point for r in runs)


def the_slice(points: list[dict[str, Any]]) -> dict[str, Any]:
    """The other keys' values the measurement holds (see :data:`SLICE`)."""
    keys = [k for k in dict.fromkeys(k for p in points for k in p) if k != SAMPLES]
    return {k: SLICE.get(k, (lambda vs: vs[0], ""))[0]([p[k] for p in points if k in p]) for k in keys}


def why(key: str) -> str:
    """Why the slice holds ``key`` where it does ("" for a key held at its first value)."""
    return SLICE.get(key, (None, ""))[1]


def measure_run(run: CollectedRun) -> SeedMechanism:
    """The mechanism of one run's final model on its dense grid (every k-th point) from its own x_0."""
    cfg = run.record.config
    pred = run.predictions
    every = max(1, -(-len(pred.c_grid) // NUM_INPUTS))
    c = torch.as_tensor(pred.c_grid[::every], dtype=torch.float32)  # (M, 1)
    x_1 = torch.as_tensor(pred.x_grid[::every], dtype=torch.float32)  # (M, D) the clean target
    # the grid's starts as the run drew them, of its first draw (a flow-gaussian run averages K draws)
    starts = inference_starts(cfg.evaluation, cfg.experiment.seed, (cfg.dataset.num_eval, x_1.shape[1]))  # (K, M, D)
    x_0 = starts[0][: len(pred.c_grid)][::every]
    model = build_network(cfg.network, x_1.shape[1])
    model.load_state_dict(torch.load(run.folder / CHECKPOINT, weights_only=True)["model"])
    model.eval()
    c_train = torch.as_tensor(pred.c_train, dtype=torch.float32)
    x_train = torch.as_tensor(pred.x_train, dtype=torch.float32)
    # whether the t = 0 output fits even the samples it trained on: optimisation, not data, if not
    x_0_train = inference_starts(cfg.evaluation, cfg.experiment.seed, (len(c_train), x_1.shape[1]))[0]
    at_samples = euler_endpoints(model, c_train, x_0_train, x_train, steps=(1,))[0]
    return SeedMechanism(run.record.seed, mechanism(model, c, x_0, x_1), at_samples.l2)


def mechanism_study(collection: Collection, task: str) -> MechanismStudy | None:
    """Every flow variant of ``task`` at every N of the slice; None when the study does not apply."""
    if not applies(collection, task):
        return None
    started = time.perf_counter()
    flows = [r for r in collection.select(task) if _initial_dist(r) is not None]
    where = the_slice([r.record.grid_point for r in collection.select(task)])
    flows = [r for r in flows if all(r.record.grid_point.get(k) == v for k, v in where.items())]
    variants = sorted(dict.fromkeys(r.record.variant for r in flows),
                      key=lambda v: next(_initial_dist(r) != "zeros" for r in flows if r.record.variant == v))
    measured, missing = [], []
    for variant in variants:
        runs = [r for r in flows if r.record.variant == variant]
        for n in sorted({r.record.grid_point[SAMPLES] for r in runs}):
            seeds = []
            for r in (r for r in runs if r.record.grid_point[SAMPLES] == n):
                if (r.folder / CHECKPOINT).is_file():
                    seeds.append(measure_run(r))
                else:
                    missing.append(r.folder)
            if seeds:
                first = next(r for r in runs if r.record.grid_point[SAMPLES] == n)
                measured.append(VariantMechanism(variant=variant, initial_dist=_initial_dist(runs[0]), num_train=n,
                                                 samples_per_cycle=first.record.target.samples_per_cycle, seeds=tuple(seeds)))
    return MechanismStudy(task=task, slice=where, measured=tuple(measured), missing=tuple(missing),
                          seconds=time.perf_counter() - started)
