"""Adding a task is one folder: a fourth task kept outside the package (tests/tasks/plugin, a
power of c) runs through config, a run, a sweep and the analysis without editing any package file."""

import dataclasses
import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jupytext
import pytest

import toyexp
from toyexp.core.config import DatasetConfig
from toyexp.schema import ConfigError
from toyexp.study import collect, summary
from toyexp.tasks import TASKS, load_entry_points

PLUGIN = Path(__file__).with_name("plugin")


@pytest.fixture
def plugin(tmp_path, monkeypatch):
    """The plugin folder copied to tmp_path (its notebook written there), on sys.path, registered
    through its entry point as a sweep's processes would register it."""
    folder = shutil.copytree(PLUGIN, tmp_path / "plugin")
    jupytext.write(jupytext.read(folder / "line.py"), folder / "line.ipynb")
    monkeypatch.syspath_prepend(str(folder))
    load_entry_points()
    yield folder
    del TASKS["line"]
    sys.modules.pop("line_task", None)


@pytest.fixture
def line_task(plugin):
    return TASKS["line"]


TINY = ["training.num_epochs=30", "network.hidden_dim=16", "network.num_layers=2", "dataset.num_train=8", "dataset.num_eval=32"]


def test_a_registered_task_has_its_own_config_keys(line_task):
    """Guards against a schema that lists every task's keys: the new task's keys load, another task's fail by name."""
    cfg = toyexp.load_config("line", overrides=["dataset.slope=3", "dataset.degree=2"])
    assert (cfg.dataset.slope, cfg.dataset.degree, cfg.experiment.task) == (3.0, 2, "line")
    assert "low_dim" not in cfg.to_dict()["dataset"]
    with pytest.raises(ConfigError, match=r"dataset.low_dim is a projection key; line takes: .*'slope'"):
        toyexp.load_config("line", overrides=["dataset.low_dim=3"])


@pytest.mark.training
def test_a_registered_task_runs_end_to_end_and_is_summarised(line_task, tmp_path):
    """Guards against generic code that only knows the built-in tasks: run, a two-seed sweep, the summary."""
    for seed in (1, 2):
        for variant, mode in (("regression", "regression"), ("flow", "flow")):
            cfg = toyexp.load_config("line", seed=seed, overrides=[
                *TINY, f"experiment.mode={mode}", f"experiment.output_dir={tmp_path / 'line' / variant}"])
            metrics = toyexp.run.run(cfg, figures=False)
            assert metrics["task"] == "line" and math.isfinite(metrics["final"]["max_abs"])
            assert metrics["final"]["max_abs"] >= metrics["final"]["l1"]  # a maximum is at least the mean
    collection = collect.collect(tmp_path)
    assert collection.tasks() == ["line"] and len(collection.runs) == 4
    rows = summary.summary_table(collection, "line")
    assert [r.variant for r in rows] == ["flow", "regression"] and all(r.n == 2 for r in rows)
    values = [r.metrics["final"]["max_abs"] for r in collection.select("line", "flow")]
    assert rows[0].stats["max_abs"].mean == pytest.approx(sum(values) / 2)
    assert "largest absolute error" in summary.markdown_table(rows, line_task.summary_metrics)


@pytest.mark.slow
def test_a_task_from_an_entry_point_runs_through_a_sweep_and_the_analysis(plugin, tmp_path):
    """Guards against a sweep that only finds the built-in tasks and notebooks: two seeds of the
    plugin task through `toyexp sweep` in fresh processes, then the analysis notebook's summary."""
    (tmp_path / "sweep.yaml").write_text(json.dumps({
        "tasks": ["line"], "seeds": [1, 2], "variants": {"regression": ["experiment.mode=regression"]},
        "overrides": TINY, "results_dir": str(tmp_path / "out"), "book_dir": str(tmp_path / "book"),
    }))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(plugin), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-m", "toyexp.cli", "sweep", str(tmp_path / "sweep.yaml"), "--jobs", "2"],
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    finals = [json.loads(p.read_text())["final"] for p in sorted((tmp_path / "out").rglob("metrics.json"))]
    assert len(finals) == 2 and all(f["max_abs"] >= f["l1"] for f in finals)
    analysis = (tmp_path / "book" / "analysis.ipynb").read_text()
    mean = sum(f["max_abs"] for f in finals) / 2
    assert "A line" in analysis and f"regression: largest absolute error {mean:.4f}" in analysis


def test_the_registry_lists_the_built_in_tasks():
    """Guards against a task folder that is not registered: the three built-in tasks and their dataset classes."""
    assert {"recon", "projection", "lie"} <= set(TASKS)
    for task in TASKS.values():
        assert dataclasses.is_dataclass(task.dataset_config) and issubclass(task.dataset_config, DatasetConfig)
