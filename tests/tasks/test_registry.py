"""The task registry (toyexp.tasks): the built-in task folders, and a task added without editing
any package file. A fourth task kept outside the package (tests/tasks/plugin, a power of c) runs
through config, a run, a sweep and the analysis."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jupytext
import pytest

import toyexp
from toyexp.schema import ConfigError
from toyexp.study.analysis import collect, results
from toyexp.study.analysis.tables import markdown_table
from toyexp.tasks import built_in, dataset_config, get_task, load_entry_points, register, task_names, unregister
from toyexp.tasks.base import Task
from toyexp.tasks.config import DatasetConfig

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
    unregister("line")
    sys.modules.pop("line_task", None)


@pytest.fixture
def line_task(plugin):
    return get_task("line")


TINY = ["training.num_epochs=30", "network.hidden_dim=16", "network.num_layers=2", "dataset.num_train=8", "dataset.num_eval=32"]


# --- the built-in tasks -----------------------------------------------------------------------


def test_the_registry_lists_the_built_in_task_folders():
    """Guards against a task folder that is not found: each folder under toyexp/tasks/ with its two modules."""
    folders = sorted(p.parent.name for p in Path(toyexp.tasks.__file__).parent.glob("*/task.py"))
    assert list(built_in()) == folders and {"lie", "projection", "recon"} <= set(folders)  # the shipped ones, and any new one
    assert task_names()[:len(folders)] == folders
    for name in folders:
        task = get_task(name)
        assert isinstance(task, Task) and task.name == name and task.dataset_config is dataset_config(name)
        assert issubclass(dataset_config(name), DatasetConfig)


def test_an_unknown_task_names_the_valid_ones():
    valid = ", ".join(f"'{name}'" for name in built_in())
    with pytest.raises(ConfigError, match=rf"^task 'recn' is unknown \(did you mean 'recon'\?\); valid tasks: {valid}$"):
        get_task("recn")
    with pytest.raises(ConfigError, match="task 'nope' is unknown"):
        dataset_config("nope")


def test_register_and_unregister_in_one_process():
    class Square(Task):
        name, title, dataset_config = "square", "A square", DatasetConfig

    task = register(Square())
    try:
        assert "square" in task_names() and get_task("square") is task and dataset_config("square") is DatasetConfig
        assert toyexp.load_config("square").experiment.task == "square"
    finally:
        unregister("square")
    assert "square" not in task_names()
    with pytest.raises(ConfigError, match="task 'square' is unknown"):
        get_task("square")


# --- a task from an entry point ---------------------------------------------------------------


def test_a_plugin_task_is_found_through_its_entry_point(plugin):
    assert task_names() == [*built_in(), "line"]
    unregister("line")
    assert "line" not in task_names()
    load_entry_points()  # a plugin that was removed is found again
    assert get_task("line").title == "A line"


def test_a_registered_task_has_its_own_config_keys(line_task):
    """Guards against a schema that lists every task's keys: the new task's keys load, another task's fail by name."""
    cfg = toyexp.load_config("line", overrides=["dataset.slope=3", "dataset.degree=2"])
    assert (cfg.dataset.slope, cfg.dataset.degree, cfg.experiment.task) == (3.0, 2, "line")
    assert "low_dim" not in cfg.to_dict()["dataset"]
    with pytest.raises(ConfigError, match=r"dataset.low_dim is a projection key; line takes: .*'slope'"):
        toyexp.load_config("line", overrides=["dataset.low_dim=3"])
    with pytest.raises(ConfigError, match=r"dataset.degree: 0 is invalid; it must be at least 1"):
        toyexp.load_config("line", overrides=["dataset.degree=0"])


def test_a_plugin_s_samples_are_its_target(line_task):
    data = line_task.dataset(toyexp.load_config("line", overrides=["dataset.num_eval=10", "dataset.degree=2"]).dataset, seed=1)
    assert data.dim == 1 and data.x_train.shape == (50, 1)
    assert data.x_train[:, 0].tolist() == pytest.approx((2 * data.c_train[:, 0] ** 2 - 1).tolist())
    assert line_task.metrics(data, data.c_eval, data.x_eval + 0.5).max_abs == pytest.approx(0.5)


@pytest.mark.training
def test_a_registered_task_runs_end_to_end_and_is_summarised(line_task, tmp_path):
    """Guards against generic code that only knows the built-in tasks: run, a two-seed sweep, the summary."""
    for seed in (1, 2):
        for variant in ("regression", "flow"):
            cfg = toyexp.load_config("line", seed=seed, overrides=[
                *TINY, f"experiment.mode={variant}", f"experiment.output_dir={tmp_path / 'line' / variant}"])
            record = toyexp.run_all(cfg, figures=False)
            assert record.task == "line" and type(record.final.task_metrics).__name__ == "LineMetrics"
            assert record.final.task_metrics.max_abs >= record.final.l1  # a maximum is at least the mean
    collection = collect.collect(tmp_path)
    assert collection.tasks() == ["line"] and len(collection.runs) == 4
    res = results.task_results(collection, "line", {})
    networks = res.networks
    assert [r.variant for r in networks] == ["flow", "regression"] and all(r.n == 2 for r in networks)
    values = [r.record.final.task_metrics.max_abs for r in collection.select("line", "flow")]
    assert networks[0].stats[line_task.summary_metrics[0]].mean == pytest.approx(sum(values) / 2)
    assert "largest absolute error" in markdown_table(networks, line_task.summary_metrics)
    assert line_task.interpretation(list(res.rows), res.own)[0] == f"flow: largest absolute error {sum(values) / 2:.4f}"


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
    assert len(finals) == 2 and all(f["task_metrics"]["max_abs"] >= f["l1"] for f in finals)
    analysis = (tmp_path / "book" / "analysis.ipynb").read_text()
    mean = sum(f["task_metrics"]["max_abs"] for f in finals) / 2
    assert "A line" in analysis and f"regression: largest absolute error {mean:.4f}" in analysis
