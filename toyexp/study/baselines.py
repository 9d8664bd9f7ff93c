"""The classical baselines of a task, fitted per seed to exactly the samples its networks saw.

For each seed of a task the dataset is rebuilt from a run's resolved config (metrics.json
holds it, as config.yaml does), checked against the training samples that run stored, and
every baseline of :data:`toyexp.core.baselines.BASELINES` is fitted to it. Each baseline then
gets the networks' measures: l1 and l2 on the evaluation set, the task's own metrics, and a
prediction on the dense grid (so the error between the samples and its spectrum follow).
A baseline's result looks like a run's (a :class:`RunRecord` of mode ``baseline``), so the
summaries treat it as one more variant. Results are cached in memory per (task, seed, config).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import torch

from ..core.baselines import BASELINES
from ..core.metrics import l1_error, l2_error
from ..run import load_config, make_dataset
from ..tasks import get_task
from .collect import Collection, RunRecord

MODE = "baseline"
_CACHE: dict[tuple, dict[str, RunRecord]] = {}


@dataclass(frozen=True)
class Baselines:
    runs: dict[str, list[RunRecord]]  # baseline name -> one record per seed, in seed order
    note: str = ""  # Markdown: what was left out and why ("" when nothing was)


def _same_samples(a: dict, b: dict) -> bool:
    return all(a[k].shape == b[k].shape and np.allclose(a[k], b[k], rtol=1e-6, atol=1e-9) for k in ("c_train", "x_train"))


def fit_baselines(run: RunRecord) -> dict[str, RunRecord] | None:
    """Every baseline fitted to ``run``'s training samples, or None when the dataset rebuilt
    from its config differs from the samples it stored (the data code changed since)."""
    config = run.metrics["config"]
    key = (run.task, run.seed, json.dumps(config.get("dataset"), sort_keys=True), json.dumps(config.get("experiment", {}).get("seed")))
    if key in _CACHE:
        return _CACHE[key]
    cfg = load_config(run.task, {s: config[s] for s in ("experiment", "dataset")})
    data, task = make_dataset(cfg), get_task(run.task)
    arrays = {"c_train": data.c_train.numpy(), "x_train": data.x_train.numpy()}
    if not _same_samples(arrays, run.predictions):
        return None
    c_grid = data.grid(cfg.dataset.num_eval)
    arrays |= {"c_grid": c_grid.numpy(), "x_grid": data.target(c_grid).numpy()}
    fitted = {}
    for name, baseline in BASELINES.items():
        fit = lambda c: baseline(arrays["c_train"], arrays["x_train"], np.asarray(c), run.seed)  # noqa: E731
        pred_eval = torch.as_tensor(fit(data.c_eval), dtype=data.x_eval.dtype)  # (M, D)
        final = {"l1": l1_error(pred_eval, data.x_eval), "l2": l2_error(pred_eval, data.x_eval)}
        final |= task.metrics(data, data.c_eval, pred_eval)
        metrics = {"task": run.task, "mode": MODE, "seed": run.seed, "final": final, "config": config}
        fitted[name] = RunRecord(run.task, name, MODE, run.seed, run.run_dir, metrics,
                                 arrays | {"pred_grid": fit(arrays["c_grid"])})
    _CACHE[key] = fitted
    return fitted


def baselines(collection: Collection, task: str) -> Baselines:
    """The baselines of ``task``, one fit per seed from the first run of that seed."""
    by_seed: dict[int, list[RunRecord]] = {}
    for r in collection.select(task):
        by_seed.setdefault(r.seed, []).append(r)
    runs: dict[str, list[RunRecord]] = {name: [] for name in BASELINES}
    notes = []
    for seed in sorted(by_seed):
        first, *others = by_seed[seed]
        fitted = fit_baselines(first)
        if fitted is None:
            notes.append(f"seed {seed}: the dataset rebuilt from the config of `{first.run_dir.name}` "
                         f"({first.variant}) differs from the samples it stored, so it has no baselines")
            continue
        differ = sorted({r.variant for r in others if not _same_samples(first.predictions, r.predictions)})
        if differ:
            notes.append(f"seed {seed}: {', '.join(differ)} trained on other samples than {first.variant} "
                         f"(a grid over dataset keys?); the baselines use {first.variant}'s")
        for name, record in fitted.items():
            runs[name].append(record)
    note = ("Baselines: " + "; ".join(notes) + ".") if notes else ""
    return Baselines({k: v for k, v in runs.items() if v}, note)
