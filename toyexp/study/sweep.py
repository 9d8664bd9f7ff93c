"""Sweeps: every (experiment, variant, grid point, seed) as one papermill run of a notebook.

A sweep file (YAML)::

    experiments: [recon, projection]
    seeds: [42, 43]
    variants: {regression: [experiment.mode=regression], flow: [experiment.mode=flow]}
    overrides: []          # applied to every run
    grid: {}               # dotted key -> list of values, crossed with the rest
    results_dir: outputs   # run folder: <results_dir>/<experiment>/<variant>[/<grid point>]/<mode>/seed-<seed>
    book_dir: book         # optional: run notebooks go to <book_dir>/runs/<experiment>/

Every run's config is resolved and validated before anything executes. Each run's exact
papermill parameters are written next to its outputs (``params.yaml``), so
``papermill notebooks/<experiment>.ipynb out.ipynb -f <run folder>/params.yaml`` repeats it.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..run import load_config, resolve_path, run_directory
from ..run.files import PROJECT_ROOT, write_yaml
from ..schema import ConfigError
from ..tasks import TASKS

SWEEP_KEYS = ("experiments", "seeds", "variants", "overrides", "grid", "results_dir", "book_dir")


@dataclass(frozen=True)
class Sweep:
    experiments: list[str]
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

    experiment: str
    variant: str  # variant name, plus the grid point when there is a grid
    seed: int
    overrides: list[str]
    run_dir: Path  # <output_dir>/<mode>/seed-<seed>
    notebook: Path  # the executed notebook under <book_dir>/runs/
    config: dict  # the fully resolved config, compared by --resume

    @property
    def id(self) -> str:
        return f"{self.experiment}/{self.variant}/seed-{self.seed}"

    @property
    def parameters(self) -> dict[str, Any]:
        """The papermill parameters of this run."""
        return {"seed": self.seed, "overrides": self.overrides}

    @property
    def title(self) -> str:
        return f"{self.experiment}: {self.variant}, seed {self.seed}"


def load_sweep(path: str | Path) -> Sweep:
    """Read and check a sweep file; errors name the key, the value and what is valid."""
    path = resolve_path(path)
    if not path.is_file():
        raise ConfigError(f"sweep file {str(path)!r} does not exist")
    text = path.read_text()
    raw = yaml.safe_load(text)
    if not isinstance(raw, dict):
        raise ConfigError(f"sweep file {str(path)!r} must be a mapping with keys {', '.join(SWEEP_KEYS)}")
    unknown = sorted(set(raw) - set(SWEEP_KEYS))
    if unknown:
        raise ConfigError(f"sweep file {str(path)!r}: unknown key(s) {unknown}; valid keys: {', '.join(SWEEP_KEYS)}")
    for key in ("experiments", "seeds", "variants"):
        if not raw.get(key):
            raise ConfigError(f"sweep file {str(path)!r}: {key!r} is missing or empty")
    bad = [e for e in raw["experiments"] if e not in TASKS]
    if bad:
        raise ConfigError(f"sweep.experiments: {bad} invalid; valid: {', '.join(TASKS)}")
    if not all(isinstance(s, int) and not isinstance(s, bool) for s in raw["seeds"]):
        raise ConfigError(f"sweep.seeds: {raw['seeds']!r} must be a list of integers")
    variants = raw["variants"]
    if not isinstance(variants, dict) or not all(isinstance(v, list) for v in variants.values()):
        raise ConfigError(f"sweep.variants: {variants!r} must map a name to a list of dotted overrides")
    grid = raw.get("grid") or {}
    if not isinstance(grid, dict) or not all(isinstance(v, list) and v for v in grid.values()):
        raise ConfigError(f"sweep.grid: {grid!r} must map a dotted key to a non-empty list of values")
    return Sweep(
        experiments=list(raw["experiments"]), seeds=list(raw["seeds"]), variants=dict(variants),
        overrides=list(raw.get("overrides") or []), grid=dict(grid),
        results_dir=str(raw.get("results_dir", "outputs")), book_dir=str(raw.get("book_dir", "book")), source=text,
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
    for experiment in sweep.experiments:
        for variant, variant_overrides in sweep.variants.items():
            for label, point_overrides in _grid_points(sweep.grid):
                name = f"{variant}/{label}" if label else variant
                output_dir = Path(sweep.results_dir) / experiment / name
                overrides = [*sweep.overrides, *variant_overrides, *point_overrides, f"experiment.output_dir={output_dir}"]
                for seed in sweep.seeds:
                    try:
                        cfg = load_config(experiment, seed=seed, overrides=overrides)
                    except ConfigError as err:
                        raise ConfigError(f"run {experiment}/{name}/seed-{seed}: {err}") from None
                    stem = f"{variant}-{label}" if label else variant
                    specs.append(RunSpec(
                        experiment, name, seed, overrides, run_directory(cfg),
                        book / "runs" / experiment / f"{stem.replace('/', '_')}-seed{seed}.ipynb", cfg.to_dict(),
                    ))
    return specs


def is_complete(spec: RunSpec) -> bool:
    """A run is done when its metrics.json is readable, for the same config, and its notebook exists."""
    try:
        metrics = json.loads((spec.run_dir / "metrics.json").read_text())
    except (OSError, ValueError):
        return False
    return metrics.get("config") == spec.config and spec.notebook.is_file()


def prepare(spec: RunSpec) -> None:
    """Write the run's papermill parameter file next to its outputs."""
    write_yaml(spec.run_dir / "params.yaml", spec.parameters)
    spec.notebook.parent.mkdir(parents=True, exist_ok=True)


def notebook_for(experiment: str) -> Path:
    return PROJECT_ROOT / "notebooks" / f"{experiment}.ipynb"
