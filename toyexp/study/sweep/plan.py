"""The runs of a sweep: every (task, variant, grid point, seed), and the groups they execute in.

The seeds of one task, variant and grid point are a :class:`PlannedGroup`: one notebook
execution that trains them together (:mod:`toyexp.run.group`), each into its own run folder.

Each run's config is resolved and validated before anything executes, and carries the run's
identity as data: ``experiment.variant`` and ``experiment.grid_point`` (recorded in
config.yaml and metrics.json, which the analysis reads). The folders follow them for people:
``<results_dir>/<task>/<variant>[/<grid point>]/seed-<seed>`` (the variant names the mode). Each run's exact papermill
parameters are written next to its outputs (``params.yaml``), so
``papermill notebooks/<task>.ipynb out.ipynb -f <run folder>/params.yaml`` repeats it.

A sweep's ``budget_check`` adds runs: at each of its points, every run again once per budget
(say ``training.num_steps: 10000``). A budget run's grid point is the point with the budget's
keys added, so it has an identity and a folder of its own, and the grid's analysis never takes
it for a point of the grid (:func:`toyexp.study.analysis.collect.collect_budget_check` reads them).
"""

from __future__ import annotations

import functools
import itertools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...run.config import load_config
from ...run.files import (finished_config, point_label, resolve_path, run_directory, set_aside, shipped,
                          value_text, write_yaml)
from ...schema import ConfigError, change_text
from ...tasks import get_task
from .sweep_file import Sweep

if TYPE_CHECKING:
    from ...run.record import RunRecord

ANALYSIS_NOTEBOOK = shipped("notebooks/analysis.ipynb")
GROUP_SUFFIX = "-seeds"  # a group's run page: <variant stem>-seeds.ipynb


@dataclass(frozen=True, kw_only=True)
class PlannedRun:
    """One notebook execution of a sweep, with its resolved config.

    It carries its identity and its layout as data, so nothing downstream parses them back out
    of a file name: the variant's own overrides, and the file stem its group's files share.
    """

    task: str
    variant: str
    grid_point: dict[str, Any]  # {dotted key: value} of the sweep's grid; {} without one
    seed: int
    overrides: list[str]  # every dotted override of the run, as params.yaml records them
    variant_overrides: tuple[str, ...]  # the sweep file's overrides of its variant alone
    stem: str  # <variant>[-<grid point>], '/' as '_': the group's files runs/<task>/<stem>.md and <stem>-seeds.ipynb
    run_dir: Path  # <results_dir>/<task>/<variant>[/<grid point>]/seed-<seed> (run_directory)
    notebook: Path  # where its notebook is executed: :func:`notebook_path`
    config: dict  # the fully resolved config, compared by --resume
    budget: dict[str, Any] = field(default_factory=dict)  # a budget-check run's changed keys (in grid_point too); {} for the grid's
    grouped: bool = True  # its notebook takes ``seeds``; otherwise it runs alone, into a notebook of its own (-seed<N>.ipynb, run.ipynb)

    @property
    def mode(self) -> str:
        return self.config["experiment"]["mode"]

    @property
    def own_overrides(self) -> tuple[str, ...]:
        """What sets this run's group apart from the sweep's other runs (its variant page lists
        them): the variant's overrides, then its grid point's (a budget run's budget included)."""
        return (*self.variant_overrides, *point_overrides(self.grid_point))

    @property
    def id(self) -> str:
        """``task/variant[/grid point]/seed-N``: what --only matches and the closing table lists."""
        point = point_label(self.grid_point)
        return f"{self.task}/{self.variant}" + (f"/{point}" if point else "") + f"/seed-{self.seed}"

    @property
    def parameters(self) -> dict[str, Any]:
        """The papermill parameters of this run."""
        return {"seed": self.seed, "overrides": self.overrides}

    @property
    def title(self) -> str:
        point = point_text(self.grid_point)
        return f"{self.task}: {self.variant}" + (f" ({point})" if point else "") + f", seed {self.seed}"


@dataclass(frozen=True)
class PlannedGroup:
    """The runs of one task, variant and grid point that execute together: one notebook, with
    the seeds as a papermill parameter (``seeds``), each seed into its own run folder."""

    runs: tuple[PlannedRun, ...]  # in seed order, all with the same overrides and notebook

    @property
    def id(self) -> str:
        """``task/variant[/grid point]/seeds-42-43``."""
        return self.runs[0].id.rpartition("/")[0] + "/seeds-" + "-".join(str(r.seed) for r in self.runs)

    @property
    def notebook(self) -> Path:
        return self.runs[0].notebook

    @property
    def parameters(self) -> dict[str, Any]:
        """The papermill parameters of the group (a lone run's params.yaml has ``seed`` instead, as
        has the one run of a notebook that does not take ``seeds``)."""
        if not self.runs[0].grouped:
            return self.runs[0].parameters
        return {"seeds": [r.seed for r in self.runs], "overrides": self.runs[0].overrides}

    @property
    def title(self) -> str:
        first = self.runs[0]
        point = point_text(first.grid_point)
        seeds = ", ".join(str(r.seed) for r in self.runs)
        return f"{first.task}: {first.variant}" + (f" ({point})" if point else "") + f", seed{'s' if len(self.runs) > 1 else ''} {seeds}"


def groups_of(runs: list[PlannedRun]) -> list[PlannedGroup]:
    """The runs grouped by their notebook (one per task, variant and grid point), in plan order."""
    by_notebook: dict[Path, list[PlannedRun]] = {}
    for run in runs:
        by_notebook.setdefault(run.notebook, []).append(run)
    return [PlannedGroup(tuple(members)) for members in by_notebook.values()]


def point_text(point: dict[str, Any]) -> str:
    """``num_train = 25, max_frequency = 2``: a grid point in prose (the folder name is :func:`point_label`)."""
    return ", ".join(f"{key.split('.')[-1]} = {value_text(value)}" for key, value in point.items())


SYMBOLS = {"dataset.num_train": "N", "dataset.max_frequency": "f_max", "dataset.noise_std": "noise",
           "training.num_steps": "steps", "training.learning_rate": "peak lr"}  # the abstract's short names


def short_point(point: dict[str, Any]) -> str:
    """``N = 200, f_max = 4, noise = 0.0``: a grid point in the abstract's short names (others by their last part)."""
    return ", ".join(f"{SYMBOLS.get(key, key.split('.')[-1])} = {value_text(value)}" for key, value in point.items())


def _count(items, noun: str) -> str:
    n = len(items)
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _codes(values) -> str:
    return ", ".join(f"`{v}`" for v in values)


def describe(sweep: Sweep) -> list[str]:
    """What a sweep runs, as Markdown bullets: its tasks, variants (with their overrides), seeds,
    grid, the overrides of every run, and the count of runs as the product of those factors."""
    points = grid_points(sweep.grid)
    runs = len(sweep.tasks) * len(sweep.variants) * len(points) * len(sweep.seeds)
    variants = "; ".join(f"{name} ({_codes(overrides)})" if overrides else name for name, overrides in sweep.variants.items())
    grid = ("; ".join(f"`{key}` in {', '.join(map(str, values))}" for key, values in sweep.grid.items())
            if sweep.grid else "none")
    return [
        f"- **tasks**: {', '.join(sweep.tasks)}",
        f"- **variants**: {variants}",
        f"- **seeds**: {', '.join(map(str, sweep.seeds))}",
        f"- **grid**: {grid}" + (f" ({len(points)} points" + (f": {'; '.join(point_text(p) for p in points)})" if len(points) <= 6
                                                            else ", every combination)") if sweep.grid else ""),
        f"- **every run**: {_codes(sweep.overrides) or 'no override'}",
        f"- **runs**: {runs} = {_count(sweep.tasks, 'task')} × {_count(sweep.variants, 'variant')} × "
        f"{_count(points, 'grid point')} × {_count(sweep.seeds, 'seed')}",
    ] + _describe_budget_check(sweep)


def _describe_budget_check(sweep: Sweep) -> list[str]:
    if not sweep.budget_check:
        return []
    points, budgets = sweep.budget_check["points"], sweep.budget_check["budgets"]
    runs = len(sweep.tasks) * len(sweep.variants) * len(points) * len(budgets) * len(sweep.seeds)
    return [f"- **budget check**: the same runs at {_count(points, 'grid point')} ({'; '.join(point_text(p) for p in points)}), "
            f"once per budget ({'; '.join(point_text(b) for b in budgets)}): {runs} more runs"]


def budget_points(sweep: Sweep) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """The (grid point, budget) pairs of the sweep's budget check: each checked point with each budget."""
    check = sweep.budget_check
    return [(point, budget) for point in check.get("points", []) for budget in check.get("budgets", [])]


def grid_points(grid: dict[str, list]) -> list[dict[str, Any]]:
    """Every point of the grid, as {dotted key: value}; one empty point when there is no grid."""
    keys = list(grid)
    return [dict(zip(keys, values)) for values in itertools.product(*(grid[k] for k in keys))]


def point_overrides(point: dict[str, Any]) -> list[str]:
    """The dotted overrides that put a run at grid point ``point``: ``dataset.num_train=25``."""
    return [f"{key}={value_text(value)}" for key, value in point.items()]


def plan(sweep: Sweep, book_dir: str | Path | None = None) -> list[PlannedRun]:
    """Every run of the sweep with its resolved config; a bad config fails here, naming the run.

    ``book_dir`` (default: the sweep's ``book_dir``) receives the executed notebooks.
    """
    book = resolve_path(book_dir or sweep.book_dir)
    points = [(p, {}) for p in grid_points(sweep.grid)] + budget_points(sweep)
    return [_planned_run(sweep, book, task, variant, point={**grid_point, **budget}, budget=budget, seed=seed)
            for task in sweep.tasks for variant in sweep.variants for grid_point, budget in points for seed in sweep.seeds]


def _planned_run(sweep: Sweep, book: Path, task: str, variant: str, *, point: dict[str, Any], budget: dict[str, Any],
                 seed: int) -> PlannedRun:
    """One run of ``plan``: ``point`` is its grid point with its ``budget``'s keys added (a budget
    run's identity: its point and what it changes)."""
    label = point_label(point)
    output_dir = Path(sweep.results_dir) / task  # run_directory adds the variant, the point and the seed
    overrides = [
        *sweep.overrides, *sweep.variants[variant], *point_overrides(point),
        f"experiment.variant={json.dumps(variant)}", f"experiment.output_dir={output_dir}",
        *([f"experiment.grid_point={json.dumps(point)}"] if point else []),
    ]
    try:
        cfg = load_config(task, seed=seed, overrides=overrides)
    except ConfigError as err:
        where = f"{task}/{variant}" + (f"/{label}" if label else "")
        raise ConfigError(f"run {where}/seed-{seed}: {err}") from None
    stem = (f"{variant}-{label}" if label else variant).replace("/", "_")
    grouped = takes_seeds(notebook_for(task))
    folder = run_directory(cfg)
    return PlannedRun(task=task, variant=variant, grid_point=point, seed=seed, overrides=overrides,
                      variant_overrides=tuple(sweep.variants[variant]), stem=stem, run_dir=folder,
                      notebook=notebook_path(book / "runs" / task if sweep.run_pages else None, stem, seed=seed,
                                             grouped=grouped, run_dir=folder),
                      config=cfg.to_dict(), budget=budget, grouped=grouped)


def notebook_path(pages: Path | None, stem: str, *, seed: int, grouped: bool, run_dir: Path) -> Path:
    """Where a run's notebook is executed, the one place that says so.

    With run pages (``pages``: ``<book_dir>/runs/<task>``), its group's page ``<stem>-seeds.ipynb``,
    or ``<stem>-seed<N>.ipynb`` for a notebook that takes one seed at a time; without, beside its
    run folders (``group.ipynb`` in its variant's, or point's, folder) or in its own (``run.ipynb``).
    """
    if pages is not None:
        return pages / f"{stem}{GROUP_SUFFIX if grouped else f'-seed{seed}'}.ipynb"
    return run_dir.parent / "group.ipynb" if grouped else run_dir / "run.ipynb"


def complete_record(run: PlannedRun) -> RunRecord | None:
    """The run's record when it is done: its metrics.json reads, for the same config, and its
    notebook exists; None otherwise."""
    from ...run.record import RecordError, read_record  # the record's types import torch: only once runs are checked

    try:
        record = read_record(run.run_dir / "metrics.json")
    except (OSError, RecordError):
        return None
    return record if record.config.to_dict() == run.config and run.notebook.is_file() else None


def stale_change(run: PlannedRun) -> str:
    """How the complete run in ``run``'s folder differs from the plan (``training.num_epochs 20 → 40``):
    "" when the folder holds no complete run, or one of the planned config. Such a stale run is run
    again, and the old one moved aside (:func:`toyexp.run.steps.start_run`)."""
    recorded = finished_config(run.run_dir)
    return change_text(recorded, run.config) if recorded is not None else ""


def is_complete(run: PlannedRun, portable: bool = False) -> bool:
    """Whether the run is done (:func:`complete_record`); with ``portable``, also run in portable
    mode as its provenance records it, so ``--resume --portable`` redoes the runs of a native sweep."""
    record = complete_record(run)
    return record is not None and (not portable or record.provenance.code_path.portable)


def prepare(run: PlannedRun) -> None:
    """Write the run's papermill parameter file next to its outputs, once a finished run of
    another config (a stale run) is moved aside, beside it (:func:`~toyexp.run.files.set_aside`)."""
    set_aside(run.run_dir, run.config)
    write_yaml(run.run_dir / "params.yaml", run.parameters)
    run.notebook.parent.mkdir(parents=True, exist_ok=True)


@functools.cache
def takes_seeds(notebook: Path) -> bool:
    """Whether ``notebook``'s parameters cell declares ``seeds`` (the package's run notebooks do;
    a task's own notebook written for one seed at a time need not, and then runs one per seed)."""
    import nbformat  # only once a sweep plans

    cells = nbformat.read(notebook, as_version=4).cells
    source = "\n".join(c.source for c in cells if "parameters" in c.metadata.get("tags", []))
    return re.search(r"^seeds\s*[:=]", source, re.MULTILINE) is not None


def notebook_for(task: str) -> Path:
    """The notebook a run of ``task`` executes: the task's own, or the project's notebooks/<task>.ipynb."""
    own = get_task(task).notebook
    return Path(own) if own else shipped(f"notebooks/{task}.ipynb")
