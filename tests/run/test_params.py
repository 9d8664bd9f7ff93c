"""Every file under params/ loads and validates the way it is used, found by a glob, so a new
file is covered without touching this test.

- ``params/<task>/*.yaml`` are papermill parameter files of ``notebooks/<task>.ipynb``: each
  top-level key must be a parameter of that notebook (papermill only warns about others), and
  the file goes through the notebook's own path, ``toyexp.config_from_parameters(task, ...)``,
  with the notebook's defaults for every key it leaves out, as papermill injects it.
- ``params/*.yaml`` are sweep files: ``load_sweep`` then ``plan`` (reads only), each run carrying
  its identity (variant, grid point) in its config.
"""

from pathlib import Path

import pytest
import yaml
from papermill.inspection import inspect_notebook

import toyexp
from toyexp.run.config import SECTION_NAMES
from toyexp.schema import parse_override
from toyexp.study.sweep.plan import plan
from toyexp.study.sweep.sweep_file import load_sweep
from toyexp.tasks import built_in

ROOT = Path(__file__).resolve().parents[2]
PARAMETER_FILES = sorted(ROOT.glob("params/*/*.yaml"))
SWEEP_FILES = sorted(ROOT.glob("params/*.yaml"))
NOTEBOOK_DEFAULTS = {"experiment": {}, "dataset": {}, "network": {}, "training": {}, "evaluation": {},
                     "mode": None, "seed": None, "seeds": None, "overrides": []}  # the run notebooks' parameters cell


def name(path: Path) -> str:
    return str(path.relative_to(ROOT / "params"))


def test_the_globs_find_the_files():
    """Guards the globs themselves: a moved folder would otherwise leave nothing to check."""
    assert {p.parent.name for p in PARAMETER_FILES} == set(built_in())
    assert {p.stem for p in SWEEP_FILES} >= {"sweep", "smoke", "search"}


@pytest.mark.parametrize("path", PARAMETER_FILES, ids=name)
def test_parameter_file_resolves_through_the_notebook(path):
    """Each key of the file lands in the resolved config, for the task of its folder; a key the
    notebook does not have, a misspelt config key or a wrong type would fail here."""
    task = path.parent.name
    notebook = ROOT / "notebooks" / f"{task}.ipynb"
    assert notebook.exists(), f"{name(path)}: no notebook {notebook.name} for the folder {task!r}"
    parameters = yaml.safe_load(path.read_text())
    assert isinstance(parameters, dict) and parameters, f"{name(path)} is empty"
    declared = set(inspect_notebook(str(notebook)))
    assert set(NOTEBOOK_DEFAULTS) == declared, "the run notebooks' parameters changed: update NOTEBOOK_DEFAULTS"
    assert set(parameters) <= declared, f"{name(path)}: {sorted(set(parameters) - declared)} are not parameters of {notebook.name}"

    given = {**NOTEBOOK_DEFAULTS, **parameters}
    assert given.pop("seeds") is None  # a parameter file is one run: the seeds of a group are a sweep's
    cfg = toyexp.config_from_parameters(task, **given, quick=False)

    assert cfg.experiment.task == task
    resolved = cfg.to_dict()
    for section in SECTION_NAMES:
        for key, value in (parameters.get(section) or {}).items():
            assert resolved[section][key] == value, f"{name(path)}: {section}.{key}"
    if parameters.get("mode") is not None:
        assert cfg.experiment.mode == parameters["mode"]
    if parameters.get("seed") is not None:
        assert cfg.experiment.seed == parameters["seed"]
    for item in parameters.get("overrides") or []:
        section, key = parse_override(item)[0].split(".")
        assert resolved[section][key] == parse_override(item)[1], f"{name(path)}: {item}"
    unset = {s for s in SECTION_NAMES if s not in parameters} - {"experiment"}
    defaults = toyexp.load_config(task).to_dict()
    for section in unset:  # quick=False: package defaults, never the quick preset
        assert resolved[section] == defaults[section], f"{name(path)}: {section} should keep the package defaults"


@pytest.mark.parametrize("path", SWEEP_FILES, ids=name)
def test_sweep_file_plans_every_run(path, tmp_path):
    """Every run of the sweep resolves, once, with its experiment, seed and the overrides of its
    variant, its grid point and the whole sweep in its config."""
    sweep = load_sweep(path)
    runs = plan(sweep, book_dir=tmp_path / "book")

    points = 1
    for values in sweep.grid.values():
        points *= len(values)
    check = sweep.budget_check
    points += len(check["points"]) * len(check["budgets"]) if check else 0  # each checked point once per budget
    assert len(runs) == len(sweep.tasks) * len(sweep.variants) * points * len(sweep.seeds)
    assert len({s.id for s in runs}) == len(runs), "two runs share an id"
    assert len({s.run_dir for s in runs}) == len(runs), "two runs share a folder"
    for run in runs:
        config = run.config
        assert config["experiment"]["task"] == run.task and config["experiment"]["seed"] == run.seed
        assert (config["experiment"]["variant"], config["experiment"]["grid_point"]) == (run.variant, run.grid_point)
        expected = dict(parse_override(item) for item in [*sweep.overrides, *sweep.variants[run.variant]])  # later wins
        expected |= run.grid_point  # the grid point's values come last
        for key, value in expected.items():
            section, field = key.split(".")
            assert config[section][field] == value, f"{run.id}: {key}={value}"
        for key in sweep.grid:
            section, field = key.split(".")
            assert config[section][field] in sweep.grid[key], f"{run.id}: {key}"
    assert not (tmp_path / "book").exists() or not any((tmp_path / "book").rglob("*.ipynb")), "plan wrote notebooks"
