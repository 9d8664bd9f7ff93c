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
from ..core.stats import BASELINE
from ..run import dense_grid, load_config, make_dataset
from ..schema import ConfigError
from ..tasks import get_task
from .collect import Collection, RunRecord

_CACHE: dict[tuple, dict[str, RunRecord]] = {}


@dataclass(frozen=True)
class Baselines:
    runs: dict[str, list[RunRecord]]  # baseline name -> one record per seed, in seed order
    note: str = ""  # Markdown: what was left out and why ("" when nothing was)


def _same_samples(a: dict, b: dict) -> bool:
    return all(a[k].shape == b[k].shape and np.allclose(a[k], b[k], rtol=1e-6, atol=1e-9) for k in ("c_train", "x_train"))


class Unavailable(Exception):
    """The samples of a run cannot be rebuilt; the message says why."""


def fit_baselines(run: RunRecord) -> dict[str, RunRecord]:
    """Every baseline fitted to ``run``'s training samples. Raises :class:`Unavailable` when its
    config no longer loads or the dataset rebuilt from it differs from the samples it stored
    (the package changed since the run)."""
    config = run.metrics["config"]
    # the samples depend on the dataset section and the run seed alone (toyexp.run.make_dataset)
    sections = {"experiment": {"seed": run.seed}} | ({"dataset": config["dataset"]} if "dataset" in config else {})
    key = (run.task, run.seed, json.dumps(sections, sort_keys=True, default=str))
    if key not in _CACHE:
        _CACHE[key] = _fit(run, sections)
    fitted = _CACHE[key]
    if not _same_samples(next(iter(fitted.values())).predictions, run.predictions):
        raise Unavailable("the dataset rebuilt from its config differs from the training samples it stored")
    return fitted


def _fit(run: RunRecord, sections: dict) -> dict[str, RunRecord]:
    """Every baseline fitted to the dataset of ``sections`` (the run's seed and dataset keys)."""
    try:
        cfg = load_config(run.task, sections)
    except ConfigError as e:
        raise Unavailable(f"its config no longer loads ({e})") from None
    data, task = make_dataset(cfg), get_task(run.task)
    arrays = {"c_train": data.c_train.numpy(), "x_train": data.x_train.numpy()}
    c_grid = dense_grid(cfg, data)
    arrays |= {"c_grid": c_grid.numpy(), "x_grid": data.target(c_grid).numpy()}
    fitted = {}
    c_eval = data.c_eval.numpy()
    for name, baseline in BASELINES.items():
        # one fit, predicted at the evaluation inputs and on the grid together
        pred = baseline(arrays["c_train"], arrays["x_train"], np.concatenate([c_eval, arrays["c_grid"]]), run.seed)
        pred_eval = torch.as_tensor(pred[: len(c_eval)], dtype=data.x_eval.dtype)  # (M, D)
        final = {"l1": l1_error(pred_eval, data.x_eval), "l2": l2_error(pred_eval, data.x_eval)}
        final |= task.metrics(data, data.c_eval, pred_eval)
        metrics = {"task": run.task, "mode": BASELINE, "seed": run.seed, "final": final, "config": run.metrics["config"]}
        fitted[name] = RunRecord(run.task, name, BASELINE, run.seed, run.run_dir, metrics,
                                 arrays | {"pred_grid": pred[len(c_eval):]})
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
        try:
            fitted = fit_baselines(first)
        except Unavailable as e:
            notes.append(f"seed {seed} has none: for {first.variant}, {e}")
            continue
        differ = sorted({r.variant for r in others if not _same_samples(first.predictions, r.predictions)})
        if differ:
            notes.append(f"seed {seed}: {', '.join(differ)} trained on other samples than {first.variant} "
                         f"(a grid over dataset keys?); the baselines use {first.variant}'s")
        for name, record in fitted.items():
            runs[name].append(record)
    note = ("Baselines left out: " + "; ".join(notes) + ".") if notes else ""
    return Baselines({k: v for k, v in runs.items() if v}, note)
