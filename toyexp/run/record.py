"""metrics.json: what a run records, as one typed :class:`RunRecord`, and the one function each
way between it and the file.

The run's results travel as frozen dataclasses (an Evaluation per integrator setting, Final
with the task's own metrics, Best, the training summary, the provenance) and become a dict
only here, at the file boundary: :func:`record_to_json` and :func:`record_from_json`.

Format 2 (toyexp 0.2) records the run's identity (task, variant, grid point, mode, seed) as
data, and the task's metrics as its own dataclass under ``final.task_metrics``; a run whose
prediction is the mean of K > 1 draws of x_0 adds their spread under ``final.draws`` (absent for
one draw, so such a file reads, and is written, as before the key existed). Format 1
(toyexp 0.1: no ``format`` key) is not read; ``toyexp sweep --resume`` reruns such runs.

The config is the run's typed :class:`~toyexp.run.config.Config`, written as config.yaml records
it (:meth:`~toyexp.run.config.Config.to_dict`) and loaded back through
:func:`~toyexp.run.config.load_config`, so a record whose config this toyexp no longer accepts is
a :class:`RecordError` naming the key. ``target`` holds what the run computed about its target
(:class:`~toyexp.run.target.Target`); a file written before that key existed is still format 2:
its target is computed from its config on reading (:func:`~toyexp.run.target.target_of`, the
function the run itself uses), so the committed runs and a study's finished runs read as they are.
"""

from __future__ import annotations

import dataclasses
import json
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.metrics import Draws, Evaluation
from ..core.resolution import Tolerance
from ..schema import ConfigError, field_types
from ..tasks import get_task
from ..tasks.base import Best, Final
from .config import Config, load_config
from .files import write_json
from .provenance import Provenance
from .target import Target, target_of

FORMAT = 2


class RecordError(ValueError):
    """A metrics.json that cannot be read as a run's record; the message says why."""


@dataclass(frozen=True, kw_only=True)
class TrainingSummary:
    """How training went: the epochs and optimiser steps it took, its time, and the evaluation
    error at every evaluation epoch (the best of which picked ``best_epoch``)."""

    epochs: int
    steps: int
    seconds: float
    best_epoch: int
    eval_epochs: tuple[int, ...]
    eval_l2: tuple[float, ...]


@dataclass(frozen=True, kw_only=True)
class RunRecord:
    """One run's metrics.json."""

    task: str
    variant: str  # the run's name in its study (the mode when it has none)
    grid_point: dict[str, Any]  # the sweep grid's {dotted key: value}; {} without a grid
    mode: str
    seed: int
    final: Final
    best: Best
    evaluations: tuple[Evaluation, ...]
    training: TrainingSummary
    run_seconds: float
    device: str
    num_threads: int
    config: Config  # the resolved config; metrics.json holds it as config.yaml does
    target: Target  # what the run computed about its target: f_max, samples per cycle, the dense grid
    provenance: Provenance


def record_to_json(record: RunRecord) -> dict:
    """The dict metrics.json holds for ``record``."""
    out = {"format": FORMAT}
    for f in dataclasses.fields(record):
        value = getattr(record, f.name)
        if f.name == "final":
            value = _evaluation_to_json(value) | {"task_metrics": plain(value.task_metrics)} | _draws_to_json(value.draws)
        elif f.name == "evaluations":
            value = [_evaluation_to_json(e) for e in value]
        elif f.name == "config":
            value = value.to_dict()
        out[f.name] = plain(value)
    return out


def record_from_json(data: dict) -> RunRecord:
    """The record metrics.json's dict ``data`` holds; raises RecordError for another format."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        found = data.get("format", 1) if isinstance(data, dict) else None
        raise RecordError(f"metrics.json format {found!r} is not {FORMAT} (written by an older toyexp: run it again)")
    try:
        metrics_type = get_task(data["task"]).metrics_type
        final = data["final"]
        own = final.get("task_metrics")
        draws = final.get("draws")
        config = _config(data["task"], data["config"])
        return RunRecord(
            **{name: data[name] for name in ("task", "variant", "grid_point", "mode", "seed", "run_seconds",
                                             "device", "num_threads")},
            config=config, target=_build(Target, data["target"]) if "target" in data else target_of(config),
            final=Final(**_evaluation_fields(final), task_metrics=None if own is None else _build(metrics_type, own),
                        draws=None if draws is None else _build(Draws, draws)),
            best=_build(Best, data["best"]),
            evaluations=tuple(Evaluation(**_evaluation_fields(e)) for e in data["evaluations"]),
            training=_build(TrainingSummary, data["training"]),
            provenance=_build(Provenance, data["provenance"]),
        )
    except (KeyError, TypeError, ValueError) as err:
        raise RecordError(f"metrics.json is not a complete run record: {type(err).__name__}: {err}") from None


def _config(task: str, tree: dict) -> Config:
    """The typed config of a record's ``config`` dict; RecordError when this toyexp no longer loads it."""
    try:
        return load_config(task, tree)
    except ConfigError as err:
        raise RecordError(f"metrics.json's config no longer loads: {err}") from None


def write_record(path: Path, record: RunRecord) -> None:
    """Write ``record`` to ``path`` atomically (metrics.json is written last: its presence marks a complete run)."""
    write_json(path, record_to_json(record))


def read_record(path: Path) -> RunRecord:
    """The record of a metrics.json; raises OSError when unreadable and RecordError when not a record."""
    try:
        data = json.loads(Path(path).read_text())
    except ValueError as err:
        raise RecordError(f"{path} is not JSON: {err}") from None
    return record_from_json(data)


def _evaluation_to_json(e: Evaluation) -> dict:
    """An evaluation as metrics.json spells it: the steps, or the tolerance, as numbers of its own."""
    tol = e.tolerance
    return {"method": e.method, "num_steps": e.steps, "rtol": tol and tol.rtol, "atol": tol and tol.atol,
            "nfe": e.nfe, "l1": e.l1, "l2": e.l2}


def _draws_to_json(draws: Draws | None) -> dict:
    """``{"draws": {...}}`` for a mean of K > 1 draws; nothing for one draw (the key stays absent)."""
    return {} if draws is None else {"draws": plain(draws)}


def _evaluation_fields(d: dict) -> dict:
    """An Evaluation's fields (method, resolution, nfe, l1, l2) from :func:`_evaluation_to_json`'s dict."""
    resolution = d["num_steps"] if d.get("rtol") is None else Tolerance(d["rtol"], d["atol"])
    return {"method": d["method"], "resolution": resolution, "nfe": d["nfe"], "l1": d["l1"], "l2": d["l2"]}


def plain(value: Any) -> Any:
    """Dataclasses as dicts and tuples as lists, recursively: what JSON holds."""
    if dataclasses.is_dataclass(value):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def _build(cls: type, data: dict) -> Any:
    """An instance of the frozen dataclass ``cls`` from :func:`_plain`'s dict: fields that are
    dataclasses, or tuples of them, built in turn."""
    hints = field_types(cls)
    return cls(**{f.name: _typed(hints[f.name], data[f.name]) for f in dataclasses.fields(cls)})


def _typed(hint: Any, value: Any) -> Any:
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _build(hint, value)
    if typing.get_origin(hint) is tuple:
        return tuple(_typed(typing.get_args(hint)[0], v) for v in value)
    return value
