"""The classical baselines of a task, fitted per seed to exactly the samples its networks saw.

For each seed (and grid point) of a task every baseline of
:data:`toyexp.core.baselines.BASELINES` is fitted to the training samples a run stored
(predictions.npz). Each baseline then gets the networks' measures: l1 and l2 on the evaluation
set, the task's own metrics, and a prediction on the run's dense grid (so the error between the
samples and its spectrum follow). The evaluation set and the target come from the task
(:meth:`~toyexp.tasks.base.Task.dataset` of the run's typed config and seed), checked to hold the
samples the run stored; the grid is the one the run's record describes
(:class:`~toyexp.run.target.Target`). A baseline's seed is a :class:`~.collect.Member` like a network's, so the
summaries treat it as one more row. A baseline with fitted hyperparameters (the GPs) also
reports which of them ended on a bound; :class:`BoundCount` counts those fits per baseline. A
baseline undefined for the samples (the smoothing spline below 5 samples) is left out at that
point, and the note says why.

Fits are cached in memory per (task, seed, dataset keys), which identify the samples, the :data:`CACHE_SIZE` datasets used
last: a grid's budget check refits nothing, and a long-lived kernel does not grow without end.
:func:`prefit` fits a grid's datasets across the CPU cores before its points are read (each
fit is independent of the others, and comes back bit-identical from a worker process).
"""

from __future__ import annotations

import dataclasses
import json
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
import torch

from ...core.baselines import BASELINES
from ...core.baselines import Undefined
from ...core.gp import gp_per_output
from ...core.metrics import l1_error, l2_error
from ...run.sections import Config
from ...run.target import Target
from ...tasks import get_task
from ...tasks.base import Final
from .collect import CollectedRun, Member, Predictions
from .pool import available_cores, one_thread, pool_map

# Datasets whose fits stay in memory, the least recently used dropped first. A dataset's fits
# hold four predictions on the dense grid, about 0.3 MB at the regimes study's 1000 points and
# 8 outputs (3 MB at 10 000): 256 hold a task's 20 grid points x 5 seeds twice over.
CACHE_SIZE = 256
# A process pool pays about 3 s of imports per worker; below this many datasets to fit (the
# default study's 5 seeds of a task) the fits stay serial and lazy.
POOL_MIN_FITS = 16
_CACHE: OrderedDict[str, dict[str, Fitted]] = OrderedDict()


class Unavailable(Exception):
    """The samples of a run cannot be rebuilt; the message says why."""


@dataclass(frozen=True, kw_only=True)
class FitJob:
    """What fitting the baselines to one seed's samples needs, from the run that trained on them."""

    task: str
    seed: int
    config: Config  # the run's resolved config: its dataset keys give the evaluation set and the target
    target: Target  # the run's dense grid
    c_train: np.ndarray  # (N, 1) the training inputs the run stored
    x_train: np.ndarray  # (N, D) their targets, as the run trained on them


@dataclass(frozen=True, kw_only=True)
class Fitted:
    """One baseline fitted to one seed's samples: its member, or why it is undefined there."""

    member: Member | None  # None when the baseline is undefined for these samples
    at_bound: tuple[str, ...] = ()  # its hyperparameters that ended on a bound ("length_scale lower", ...)
    tuned: bool = False  # whether it fitted hyperparameters at all (only those fits are counted)
    undefined: str = ""  # why it is undefined, when member is None
    spread: float | None = None  # RMS of its posterior std of f at the evaluation inputs (a GP's); None without one


@dataclass(frozen=True)
class BoundCount:
    """How many fits of a baseline ended with a hyperparameter on a bound, and on which."""

    fits: int  # fits with fitted hyperparameters
    at_bound: int  # those with at least one hyperparameter on a bound
    per_bound: dict[str, int]  # "length_scale lower" -> fits that ended there

    def __add__(self, other: BoundCount) -> BoundCount:
        per = dict(self.per_bound)
        for k, n in other.per_bound.items():
            per[k] = per.get(k, 0) + n
        return BoundCount(self.fits + other.fits, self.at_bound + other.at_bound, per)


@dataclass(frozen=True)
class Baselines:
    members: dict[str, tuple[Member, ...]]  # baseline name -> one fit per seed, in seed order
    note: str = ""  # Markdown: what was left out and why ("" when nothing was)
    bounds: dict[str, BoundCount] = field(default_factory=dict)  # baseline name -> its fits on a bound
    spreads: dict[str, tuple[float, ...]] = field(default_factory=dict)  # baseline -> each seed's posterior spread (a GP's)


def count_bounds(fits: list[Fitted]) -> BoundCount:
    """The fits (of one baseline) that fitted hyperparameters, and those that ended on a bound."""
    tuned = [f for f in fits if f.tuned]
    per: dict[str, int] = {}
    for f in tuned:
        for b in f.at_bound:
            per[b] = per.get(b, 0) + 1
    return BoundCount(len(tuned), sum(bool(f.at_bound) for f in tuned), dict(sorted(per.items(), key=lambda kv: -kv[1])))


def bounds_text(bounds: dict[str, BoundCount]) -> str:
    """One sentence: "k of n gp fits ended on a bound (length_scale lower i, ...); ..." ("" if none fitted)."""
    parts = [f"{c.at_bound} of {c.fits} {name} fits"
             + (" (" + ", ".join(f"{b} {n}" for b, n in c.per_bound.items()) + ")" if c.per_bound else "")
             for name, c in bounds.items() if c.fits]
    if not parts:
        return ""
    return ("Fitted hyperparameters on a bound (within 1 % of it; \"lower\" is the floor, e.g. the length scale's "
            "half spacing or the noise's 1e-12 on noise-free samples): " + "; ".join(parts) + ".")


def _same_samples(a, b) -> bool:
    """Whether ``a`` and ``b`` (a run's :class:`~.collect.Predictions`, a :class:`FitJob`, a task's
    samples) hold the same training samples c_train (N, 1), x_train (N, D), up to float32 rounding."""
    return all(x.shape == y.shape and np.allclose(x, y, rtol=1e-6, atol=1e-9)
               for x, y in ((a.c_train, b.c_train), (a.x_train, b.x_train)))


def _dataset(run: CollectedRun) -> tuple[str, FitJob]:
    """The cache key of ``run``'s samples and the job that fits them."""
    r, p = run.record, run.predictions
    # the samples depend on the task, its dataset keys and the run seed alone (Task.dataset)
    key = json.dumps([r.task, r.seed, dataclasses.asdict(r.config.dataset)], sort_keys=True, default=str)
    return key, FitJob(task=r.task, seed=r.seed, config=r.config, target=r.target, c_train=p.c_train, x_train=p.x_train)


def _remember(key: str, fitted: dict[str, Fitted]) -> dict[str, Fitted]:
    _CACHE[key] = fitted
    while len(_CACHE) > CACHE_SIZE:
        _CACHE.popitem(last=False)
    return fitted


def fit_baselines(run: CollectedRun) -> dict[str, Fitted]:
    """Every baseline fitted to ``run``'s training samples. Raises :class:`Unavailable` when the
    dataset the task builds from its config differs from the samples it stored (the package
    changed since the run)."""
    key, job = _dataset(run)
    if key in _CACHE:
        _CACHE.move_to_end(key)
        fitted = _CACHE[key]
    else:
        with one_thread():  # as in a pool's worker: the same bits wherever a dataset is fitted
            fitted = _remember(key, _fit(job))
    if not _same_samples(next(f.member for f in fitted.values() if f.member).predictions, run.predictions):
        raise Unavailable("the dataset rebuilt from its config differs from the training samples it stored")
    return fitted


def _fit(job: FitJob) -> dict[str, Fitted]:
    """Every baseline fitted to the run's stored samples, measured on the evaluation set and grid of its task."""
    task = get_task(job.task)
    data = task.dataset(job.config.dataset, job.seed)  # the evaluation set, the target and the task's metrics
    c_train, x_train = job.c_train, job.x_train
    if not _same_samples(data, job):
        raise Unavailable("the dataset rebuilt from its config differs from the training samples it stored")
    c_grid = data.grid(job.target.grid_size)  # (G, 1) the run's dense grid
    c_eval = data.c_eval.numpy()
    fitted = {}
    for name, baseline in BASELINES.items():
        if name == "gp" and not task.outputs_share_frequencies:
            baseline = gp_per_output  # outputs of different frequencies: a length scale each
        # one fit, predicted at the evaluation inputs and on the grid together
        try:
            fit = baseline(c_train, x_train, np.concatenate([c_eval, c_grid.numpy()]), job.seed)
        except Undefined as e:
            fitted[name] = Fitted(member=None, undefined=str(e))
            continue
        pred = fit.prediction
        pred_eval = torch.as_tensor(pred[: len(c_eval)], dtype=data.x_eval.dtype)  # (M, D)
        # its own interpolation as the "method": no integration (resolution 0) and no network evaluation (NFE 0)
        final = Final(method=name, resolution=0, nfe=0, l1=l1_error(pred_eval, data.x_eval),
                      l2=l2_error(pred_eval, data.x_eval),
                      task_metrics=task.metrics(data, data.c_eval, pred_eval))
        predictions = Predictions(c_train=c_train, x_train=x_train, c_grid=c_grid.numpy(),
                                  x_grid=data.target(c_grid).numpy(), pred_grid=pred[len(c_eval):])
        spread = float(np.sqrt(np.mean(fit.std[: len(c_eval)] ** 2))) if fit.std is not None else None
        member = Member(seed=job.seed, final=final, predictions=predictions, config=job.config, target=job.target)
        fitted[name] = Fitted(member=member, at_bound=fit.at_bound, tuned=bool(fit.hyperparameters), spread=spread)
    return fitted


def _fit_job(job: FitJob) -> dict[str, Fitted] | None:
    """:func:`_fit` of one dataset in a pool's worker; None where its samples cannot be rebuilt
    (:func:`fit_baselines` then tries again in the analysis and says why)."""
    try:
        return _fit(job)
    except Unavailable:
        return None


def _by_seed(runs: list[CollectedRun]) -> dict[int, list[CollectedRun]]:
    by_seed: dict[int, list[CollectedRun]] = {}
    for r in runs:
        by_seed.setdefault(r.record.seed, []).append(r)
    return by_seed


def prefit(points: list[list[CollectedRun]], workers: int | None = None, min_fits: int = POOL_MIN_FITS) -> int:
    """Fit, across ``workers`` processes (default: the available cores), the datasets that
    :func:`baselines` will fit for each list of runs in ``points`` (the first run of each seed),
    and cache them. Only those not cached yet, at most :data:`CACHE_SIZE`; nothing when fewer
    than ``min_fits`` or one worker (the lazy serial fits are then as fast). The fits are those
    of the serial path, bit for bit. Returns how many datasets it fitted."""
    jobs: dict[str, FitJob] = {}
    for runs in points:
        for first, *_ in _by_seed(runs).values():
            key, job = _dataset(first)
            if key not in _CACHE:
                jobs.setdefault(key, job)
    jobs = dict(list(jobs.items())[:CACHE_SIZE])  # more would drop the first before they are read
    workers = available_cores() if workers is None else workers
    if len(jobs) < min_fits or workers == 1:
        return 0
    for key, fitted in zip(jobs, pool_map(_fit_job, list(jobs.values()), workers)):
        if fitted is not None:
            _remember(key, fitted)
    return len(jobs)


def baselines(runs: list[CollectedRun]) -> Baselines:
    """The baselines of a task at one grid point (``runs``: its runs), one fit per seed from the
    first run of that seed."""
    by_seed = _by_seed(runs)
    members: dict[str, list[Member]] = {name: [] for name in BASELINES}
    fits: dict[str, list[Fitted]] = {name: [] for name in BASELINES}
    notes, undefined = [], {}
    for seed in sorted(by_seed):
        first, *others = by_seed[seed]
        try:
            fitted = fit_baselines(first)
        except Unavailable as e:
            notes.append(f"seed {seed} has none: for {first.record.variant}, {e}")
            continue
        differ = sorted({r.record.variant for r in others if not _same_samples(first.predictions, r.predictions)})
        if differ:
            notes.append(f"seed {seed}: {', '.join(differ)} trained on other samples than {first.record.variant}; "
                         f"the baselines use {first.record.variant}'s")
        for name, f in fitted.items():
            fits[name].append(f)
            if f.member is None:
                undefined.setdefault(f"{name} ({f.undefined})", []).append(seed)
            else:
                members[name].append(f.member)
    notes += [f"{what} at seed{'s' * (len(seeds) > 1)} {', '.join(map(str, seeds))}" for what, seeds in undefined.items()]
    note = ("Baselines left out: " + "; ".join(notes) + ".") if notes else ""
    bounds = {name: count_bounds(f) for name, f in fits.items() if any(x.tuned for x in f)}
    spreads = {name: tuple(x.spread for x in f) for name, f in fits.items() if f and all(x.spread is not None for x in f)}
    return Baselines({k: tuple(v) for k, v in members.items() if v}, note, bounds, spreads)
