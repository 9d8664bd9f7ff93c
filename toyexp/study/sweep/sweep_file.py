"""A sweep file: which tasks, seeds, variants and grid a study runs, and where its results go.

    tasks: [recon, projection]   # ``experiments:``, its older name, is read with a note
    seeds: [42, 43]
    variants: {regression: [experiment.mode=regression], flow: [experiment.mode=flow]}
    overrides: []          # applied to every run
    grid: {}               # dotted key -> list of values, crossed with the rest
    results_dir: outputs/my-study  # optional, from this file's folder: run folder <results_dir>/<task>/<variant>[/<grid point>]/seed-<seed>
    book_dir: outputs/my-study/book  # optional: the run notebooks go to <book_dir>/runs/<task>/, the analysis to <book_dir>/<page>.ipynb
    page: analysis         # optional: the analysis page's name in the book
    title: ""              # optional: the analysis page's heading ("": the analysis notebook's own)
    run_pages: true        # optional: false keeps each run's notebook in its run folder, out of the book
    budget_check:          # optional: some grid points again, at other training budgets
      points: [{dataset.num_train: 200, dataset.max_frequency: 4}]   # points of the grid
      budgets: [{training.num_steps: 10000}, {training.learning_rate: 0.02}]  # each a change of the runs

:class:`Sweep` is built through the config schema like a run's config (types, choices, unique
lists); every error is one line naming the file, the line of the key, and what is valid.

Relative folders in a sweep file are taken from the file's own folder, as an include in any
other config file is, so a sweep file means the same from wherever it is run; :func:`load_sweep`
returns them absolute. A sweep file that leaves its folders out gets folders of its own, named
after the file, beside it, so a user's sweep never writes into the report's: results in
``outputs/<stem>`` (``my.yaml``: ``outputs/my`` next to it), and the book beside them in
``<results_dir>/book`` (``outputs/my/book``, or the named results folder's own ``book``). Only the report's studies (:mod:`.report_studies`) may
write into ``book/``, ``outputs`` and ``regimes-outputs``; the runner refuses any other sweep there.
Nothing here imports torch: ``toyexp sweep`` answers a bad file at once.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ...run.config import SECTION_NAMES, check_dataset_key, defaults
from ...run.files import resolve_path, shipped
from ...schema import ConfigError, FieldError, build_section, did_you_mean, valid
from ...schema import read_yaml_lines
from ...tasks import task_names

OLDER_KEYS = {"experiments": "tasks"}  # read as the new key, with a note
REQUIRED = ("tasks", "seeds", "variants")


@dataclass(frozen=True, kw_only=True)
class Sweep:
    tasks: list[str] = field(metadata={"choices": task_names, "unique": True,
                                       "example": lambda: f"[recon] (names from {', '.join(task_names())})"})
    seeds: list[int] = field(metadata={"unique": True, "example": "[42, 43]"})
    variants: dict[str, list[str]] = field(metadata={"example": "{flow: [experiment.mode=flow]} (each name maps to a list of dotted overrides)"})
    overrides: list[str] = field(default_factory=list, metadata={"empty_means": "no override", "example": "[training.num_epochs=100]"})
    grid: dict[str, list[Any]] = field(default_factory=dict, metadata={"example": "{training.learning_rate: [0.001, 0.0003]}"})
    results_dir: str = field(default="", metadata={"example": "outputs/my-study (a folder path)"})  # "": its own, outputs/<stem>; absolute once loaded
    book_dir: str = field(default="", metadata={"example": "outputs/my-study/book (a folder path)"})  # "": <results_dir>/book; absolute once loaded
    page: str = field(default="analysis", metadata={"example": "regimes (a file name, without .ipynb)"})
    title: str = field(default="", metadata={"example": "'Regimes: samples, bandwidth and noise'"})
    run_pages: bool = field(default=True, metadata={"example": "false (run notebooks stay in their run folders)"})
    budget_check: dict[str, list[dict[str, Any]]] = field(default_factory=dict, metadata={
        "example": "{points: [{dataset.num_train: 200}], budgets: [{training.num_steps: 10000}]}"})
    source: str = field(default="", init=True, metadata={"internal": True})  # the file's text, recorded in the report


KEYS = tuple(name for name, f in Sweep.__dataclass_fields__.items() if not f.metadata.get("internal"))


def load_sweep(path: str | Path) -> Sweep:
    """Read and check a sweep file (a relative ``path`` from the current folder); errors are one line
    naming the file as given, the line, the key and what is valid. Its folders come back absolute."""
    given, path = str(path), resolve_path(path)
    if not path.is_file():
        own = shipped(given)  # the package's own, asked for from another folder
        hint = f"; the package's own is {str(own)!r}" if not Path(given).is_absolute() and own.is_file() else ""
        raise ConfigError(f"sweep file {given!r} does not exist (relative paths start at the current folder, "
                          f"{str(Path.cwd())!r}){hint}")
    text = path.read_text()
    try:
        raw, lines = read_yaml_lines(text)
    except ConfigError as err:
        shape = f"; expected a mapping with keys {', '.join(KEYS)}" if str(err).startswith("not valid YAML") else ""
        raise ConfigError(f"sweep file {given!r}, {err}{shape}" if str(err).startswith("line") else
                          f"sweep file {given!r} is {err}{shape}") from None

    def fail(key: Any, message: str) -> ConfigError:
        line = lines.get(key)
        return ConfigError(f"sweep file {given!r}" + (f", line {line}" if line else "") + f": {message}")

    if not isinstance(raw, dict):
        raise ConfigError(f"sweep file {given!r} must be a mapping with keys {', '.join(KEYS)}")
    raw = _older_names(raw, lines, fail, given)
    unknown = sorted(set(raw) - set(KEYS), key=str)
    if unknown:
        raise fail(unknown[0], f"unknown key(s) {unknown}{did_you_mean(str(unknown[0]), KEYS)}; valid keys: {', '.join(KEYS)}")
    for key in REQUIRED:
        if not raw.get(key):
            raise fail(key, f"{key!r} is missing or empty; it needs at least one entry")
    try:
        sweep = build_section(Sweep, "", {k: v for k, v in raw.items() if v is not None} | {"source": text})
    except FieldError as err:
        head, _, rest = err.key.partition(".")
        raise fail((head, rest) if (head, rest) in lines else head, str(err)) from None
    for key, values in sweep.grid.items():
        problem = _grid_key_problem(key, sweep.tasks) or (f"grid.{key}: [] must be a non-empty list of values" if not values else None)
        if problem:
            raise fail(("grid", key), problem)
    problem = _budget_check_problem(sweep)
    if problem:
        raise fail("budget_check", problem)
    return own_folders(sweep, path)


BUDGET_CHECK_KEYS = ("points", "budgets")


def _budget_check_problem(sweep: Sweep) -> str | None:
    """What is wrong with the sweep's ``budget_check``, or None. Its ``points`` must be points of the
    grid (every grid key, each with one of its values); each of its ``budgets`` changes keys that the
    grid does not vary, so a budget run is told from the grid's runs by its point alone."""
    check = sweep.budget_check
    if not check:
        return None
    if set(check) != set(BUDGET_CHECK_KEYS) or not all(check.values()):
        return (f"budget_check needs exactly the keys {', '.join(BUDGET_CHECK_KEYS)}, each a non-empty list of "
                f"mappings; got {sorted(check)}")
    if not sweep.grid:
        return "budget_check re-runs points of the grid, and this sweep has no grid"
    for point in check["points"]:
        if set(point) != set(sweep.grid):
            return f"budget_check.points: {point} must give every grid key ({', '.join(sweep.grid)}) and no other"
        wrong = next((k for k, v in point.items() if v not in sweep.grid[k]), None)
        if wrong:
            return f"budget_check.points: {wrong} = {point[wrong]!r} is not a value of the grid ({sweep.grid[wrong]})"
    for budget in check["budgets"]:
        if not budget:
            return "budget_check.budgets: {} changes nothing; each budget sets at least one key"
        for key in budget:
            problem = ("a key of the grid: a budget changes what the grid does not vary" if key in sweep.grid
                       else _grid_key_problem(key, sweep.tasks))
            if problem:
                return f"budget_check.budgets: {key}: {problem}"
    return None


def own_results(sweep_file: str | Path) -> str:
    """The results folder of a sweep file that names none: ``outputs/<stem>``, the file's own."""
    return f"outputs/{Path(sweep_file).stem}"


def own_folders(sweep: Sweep, path: Path) -> Sweep:
    """``sweep`` with its folders absolute, relative ones taken from the folder of its file ``path``,
    and those it leaves out filled in: results in ``outputs/<stem>`` beside the file, the book in
    ``<results_dir>/book`` (a sweep's files stay together, away from the report's)."""
    results_dir = resolve_path(sweep.results_dir or own_results(path), base=path.parent)
    book_dir = resolve_path(sweep.book_dir, base=path.parent) if sweep.book_dir else results_dir / "book"
    return replace(sweep, results_dir=str(results_dir), book_dir=str(book_dir))


def _older_names(raw: dict, lines: dict, fail, given: str) -> dict:
    """``raw`` with the sweep file's older key names read as the new ones, with a note each."""
    for old, new in OLDER_KEYS.items():
        if old in raw:
            if new in raw:
                raise fail(old, f"{old!r} is the older name of {new!r}; give only {new!r}")
            warnings.warn(f"sweep file {given!r}: {old!r} is the older name of {new!r}; read as {new!r}", FutureWarning, stacklevel=3)
            raw = {(new if k == old else k): v for k, v in raw.items()}
            lines[new] = lines.get(old)
    return raw


def _grid_key_problem(key: str, tasks: list[str]) -> str | None:
    """What is wrong with a grid key, or None: it must be 'section.key' of the config of one of ``tasks``."""
    trees = [defaults(t) for t in tasks]
    tree = {section: {k: None for t in trees for k in t[section]} for section in SECTION_NAMES}
    if key.count(".") != 1:
        return f"grid key {key!r} is not a dotted 'section.key'; valid sections: {valid(tree)}"
    section, name = key.split(".")
    if section not in tree:
        return f"grid key {key!r}: unknown section {section!r}{did_you_mean(section, tree)}; valid sections: {valid(tree)}"
    if section == "dataset" and name not in tree[section]:
        try:
            for task in tasks:
                check_dataset_key(task, name)  # another task's key: the message a config gives
        except ConfigError as err:
            return str(err)
    if name not in tree[section]:
        return f"grid key {key!r} does not exist{did_you_mean(name, tree[section], section + '.')}; valid keys in {section!r}: {valid(tree[section])}"
    return None
