"""Sweeps: every (task, variant, grid point, seed) as one papermill run of a notebook.

A sweep file (YAML)::

    tasks: [recon, projection]   # ``experiments:``, its older name, is read with a note
    seeds: [42, 43]
    variants: {regression: [experiment.mode=regression], flow: [experiment.mode=flow]}
    overrides: []          # applied to every run
    grid: {}               # dotted key -> list of values, crossed with the rest
    results_dir: outputs   # run folder: <results_dir>/<task>/<variant>[/<grid point>]/<mode>/seed-<seed>
    book_dir: book         # optional: run notebooks go to <book_dir>/runs/<task>/

Every run's config is resolved and validated before anything executes. Each run's exact
papermill parameters are written next to its outputs (``params.yaml``), so
``papermill notebooks/<task>.ipynb out.ipynb -f <run folder>/params.yaml`` repeats it.
"""

from __future__ import annotations

import itertools
import json
import typing
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..run import load_config, resolve_path, run_directory
from ..run.config import defaults
from ..run.files import PROJECT_ROOT, write_yaml
from ..schema import ConfigError, did_you_mean, valid
from ..tasks import TASKS, get_task

SWEEP_KEYS = ("tasks", "seeds", "variants", "overrides", "grid", "results_dir", "book_dir")
OLDER_KEYS = {"experiments": "tasks"}  # read as the new key, with a note


@dataclass(frozen=True)
class Sweep:
    tasks: list[str]
    seeds: list[int]
    variants: dict[str, list[str]]
    overrides: list[str] = field(default_factory=list)
    grid: dict[str, list] = field(default_factory=dict)
    results_dir: str = "outputs"
    book_dir: str = "book"  # run notebooks go to <book_dir>/runs/, the analysis to <book_dir>/analysis.ipynb
    source: str = ""  # the sweep file's text, recorded in the report


@dataclass(frozen=True)
class RunSpec:
    """One notebook execution of a sweep."""

    task: str
    variant: str  # variant name, plus the grid point when there is a grid
    seed: int
    overrides: list[str]
    run_dir: Path  # <output_dir>/<mode>/seed-<seed>
    notebook: Path  # the executed notebook under <book_dir>/runs/
    config: dict  # the fully resolved config, compared by --resume

    @property
    def id(self) -> str:
        return f"{self.task}/{self.variant}/seed-{self.seed}"

    @property
    def parameters(self) -> dict[str, Any]:
        """The papermill parameters of this run."""
        return {"seed": self.seed, "overrides": self.overrides}

    @property
    def title(self) -> str:
        return f"{self.task}: {self.variant}, seed {self.seed}"


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, except that a key given twice in one mapping is an error: PyYAML
    would silently keep the last one (two variants of one name would become one)."""

    def construct_mapping(self, node, deep=False):
        first: dict = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if not isinstance(key, typing.Hashable):
                continue  # PyYAML's own error follows
            if key in first:
                raise ConfigError(f"line {line}: duplicate key {key!r} (first given on line {first[key]}); each key may appear once")
            first[key] = line
        return super().construct_mapping(node, deep=deep)


def _read_yaml(path: Path, text: str) -> tuple[Any, dict]:
    """The file's data, and the line of each top-level key and of each key one level down."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = " ".join(str(err.problem or err.context or "").split())
        raise ConfigError(f"sweep file {str(path)!r} is not valid YAML: {where}{problem}; expected a mapping with keys {', '.join(SWEEP_KEYS)}") from None
    except yaml.YAMLError as err:
        raise ConfigError(f"sweep file {str(path)!r} is not valid YAML: {' '.join(str(err).split())}") from None
    except ConfigError as err:
        raise ConfigError(f"sweep file {str(path)!r}, {err}") from None
    finally:
        loader.dispose()
    lines: dict = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            lines[key_node.value] = key_node.start_mark.line + 1
            if isinstance(value_node, yaml.MappingNode):
                for sub_key, _ in value_node.value:
                    lines[(key_node.value, sub_key.value)] = sub_key.start_mark.line + 1
    return data, lines


def _is_list(value: Any, item: type) -> bool:
    return isinstance(value, list) and all(isinstance(v, item) and not isinstance(v, bool) for v in value)


def _check_grid_key(key: Any, tasks: list[str]) -> str | None:
    """What is wrong with a grid key, or None: it must be 'section.key' of the config of one of ``tasks``."""
    trees = [defaults(get_task(t)) for t in tasks]
    tree = {section: {k: None for t in trees for k in t[section]} for section in trees[0]}
    if not isinstance(key, str) or key.count(".") != 1:
        return f"grid key {key!r} is not a dotted 'section.key'; valid sections: {valid(tree)}"
    section, name = key.split(".")
    if section not in tree:
        return f"grid key {key!r}: unknown section {section!r}{did_you_mean(section, tree)}; valid sections: {valid(tree)}"
    if name not in tree[section]:
        return f"grid key {key!r} does not exist{did_you_mean(name, tree[section], section + '.')}; valid keys in {section!r}: {valid(tree[section])}"
    return None


def load_sweep(path: str | Path) -> Sweep:
    """Read and check a sweep file; errors are one line naming the file, the line, the key and what is valid."""
    path = resolve_path(path)
    if not path.is_file():
        raise ConfigError(f"sweep file {str(path)!r} does not exist")
    text = path.read_text()
    raw, lines = _read_yaml(path, text)

    def fail(key: Any, message: str) -> ConfigError:
        line = lines.get(key)
        return ConfigError(f"sweep file {str(path)!r}" + (f", line {line}" if line else "") + f": {message}")

    if not isinstance(raw, dict):
        raise ConfigError(f"sweep file {str(path)!r} must be a mapping with keys {', '.join(SWEEP_KEYS)}")
    tasks_key = "tasks"  # the name the file uses, for the messages
    for old, new in OLDER_KEYS.items():
        if old in raw:
            if new in raw:
                raise fail(old, f"{old!r} is the older name of {new!r}; give only {new!r}")
            warnings.warn(f"sweep file {str(path)!r}: {old!r} is the older name of {new!r}; read as {new!r}", FutureWarning, stacklevel=2)
            raw[new], tasks_key = raw.pop(old), old
            lines[new] = lines.get(old)
    unknown = sorted(set(raw) - set(SWEEP_KEYS), key=str)
    if unknown:
        hint = did_you_mean(str(unknown[0]), SWEEP_KEYS)
        raise fail(unknown[0], f"unknown key(s) {unknown}{hint}; valid keys: {', '.join(SWEEP_KEYS)}")
    for key in ("tasks", "seeds", "variants"):
        if not raw.get(key):
            name = tasks_key if key == "tasks" else key
            raise fail(key, f"{name!r} is missing or empty; it needs at least one entry")
    tasks, seeds, variants = raw["tasks"], raw["seeds"], raw["variants"]
    if not _is_list(tasks, str):
        raise fail("tasks", f"{tasks_key}: {tasks!r} must be a list of names from {', '.join(TASKS)}")
    bad = [e for e in tasks if e not in TASKS]
    if bad:
        raise fail("tasks", f"{tasks_key}: {bad} invalid{did_you_mean(bad[0], TASKS)}; valid: {', '.join(TASKS)}")
    if not _is_list(seeds, int):
        raise fail("seeds", f"seeds: {seeds!r} must be a list of integers, e.g. [42, 43]")
    for key, values in (("tasks", tasks), ("seeds", seeds)):
        twice = sorted({v for v in values if values.count(v) > 1})
        if twice:
            raise fail(key, f"{tasks_key if key == 'tasks' else key}: {twice} listed twice; each run would be executed twice into one folder")
    if not isinstance(variants, dict) or not all(isinstance(k, str) for k in variants):
        raise fail("variants", f"variants: {variants!r} must map a name to a list of dotted overrides, e.g. {{flow: [experiment.mode=flow]}}")
    for name, items in variants.items():
        if not _is_list(items, str):
            raise fail(("variants", name), f"variants.{name}: {items!r} must be a list of dotted overrides, e.g. [experiment.mode=flow]")
    overrides = raw.get("overrides") or []
    if not _is_list(overrides, str):
        raise fail("overrides", f"overrides: {overrides!r} must be a list of dotted overrides, e.g. [training.num_epochs=100]")
    grid = raw.get("grid") or {}
    if not isinstance(grid, dict):
        raise fail("grid", f"grid: {grid!r} must map a dotted key to a non-empty list of values, e.g. {{training.learning_rate: [0.001, 0.0003]}}")
    for key, values in grid.items():
        problem = _check_grid_key(key, tasks)
        if problem:
            raise fail(("grid", key), problem)
        if not isinstance(values, list) or not values:
            raise fail(("grid", key), f"grid.{key}: {values!r} must be a non-empty list of values")
    for key in ("results_dir", "book_dir"):
        if key in raw and not isinstance(raw[key], str):
            raise fail(key, f"{key}: {raw[key]!r} must be a folder path (a string)")
    return Sweep(
        tasks=list(tasks), seeds=list(seeds), variants=dict(variants),
        overrides=list(overrides), grid=dict(grid),
        results_dir=raw.get("results_dir", "outputs"), book_dir=raw.get("book_dir", "book"), source=text,
    )


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _grid_points(grid: dict[str, list]) -> list[tuple[str, list[str]]]:
    """(label, overrides) for each point of the grid; one unlabelled point when it is empty."""
    if not grid:
        return [("", [])]
    keys = list(grid)
    points = []
    for values in itertools.product(*(grid[k] for k in keys)):
        label = ",".join(f"{k.split('.')[-1]}={_text(v)}" for k, v in zip(keys, values))
        points.append((label, [f"{k}={_text(v)}" for k, v in zip(keys, values)]))
    return points


def plan(sweep: Sweep, book_dir: str | Path | None = None) -> list[RunSpec]:
    """Every run of the sweep with its resolved config; a bad config fails here, naming the run.

    ``book_dir`` (default: the sweep's ``book_dir``) receives the executed notebooks.
    """
    book = resolve_path(book_dir or sweep.book_dir)
    specs = []
    for task in sweep.tasks:
        for variant, variant_overrides in sweep.variants.items():
            for label, point_overrides in _grid_points(sweep.grid):
                name = f"{variant}/{label}" if label else variant
                output_dir = Path(sweep.results_dir) / task / name
                overrides = [*sweep.overrides, *variant_overrides, *point_overrides, f"experiment.output_dir={output_dir}"]
                for seed in sweep.seeds:
                    try:
                        cfg = load_config(task, seed=seed, overrides=overrides)
                    except ConfigError as err:
                        raise ConfigError(f"run {task}/{name}/seed-{seed}: {err}") from None
                    stem = f"{variant}-{label}" if label else variant
                    specs.append(RunSpec(
                        task, name, seed, overrides, run_directory(cfg),
                        book / "runs" / task / f"{stem.replace('/', '_')}-seed{seed}.ipynb", cfg.to_dict(),
                    ))
    return specs


def complete_metrics(spec: RunSpec) -> dict | None:
    """The run's metrics.json when the run is done: readable, for the same config, and its
    notebook exists; None otherwise."""
    try:
        metrics = json.loads((spec.run_dir / "metrics.json").read_text())
    except (OSError, ValueError):
        return None
    return metrics if metrics.get("config") == spec.config and spec.notebook.is_file() else None


def is_complete(spec: RunSpec, portable: bool = False) -> bool:
    """Whether the run is done (:func:`complete_metrics`); with ``portable``, also in portable mode
    as its provenance records it, so ``--resume --portable`` redoes the runs of a native sweep."""
    metrics = complete_metrics(spec)
    return metrics is not None and (not portable or metrics.get("provenance", {}).get("kernels", {}).get("portable") is True)


def prepare(spec: RunSpec) -> None:
    """Write the run's papermill parameter file next to its outputs."""
    write_yaml(spec.run_dir / "params.yaml", spec.parameters)
    spec.notebook.parent.mkdir(parents=True, exist_ok=True)


def notebook_for(task: str) -> Path:
    """The notebook a run of ``task`` executes: the task's own, or the project's notebooks/<task>.ipynb."""
    own = get_task(task).notebook if task in TASKS else ""
    return Path(own) if own else PROJECT_ROOT / "notebooks" / f"{task}.ipynb"
