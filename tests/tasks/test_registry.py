"""Adding a task is one folder: a fourth task defined here runs through config, a run, a sweep
and the analysis summary without editing any package file."""

import dataclasses
import math
from dataclasses import dataclass

import pytest
import torch

import toyexp
from toyexp.core.config import DatasetConfig
from toyexp.schema import ConfigError, at_least
from toyexp.study import collect, summary
from toyexp.tasks import TASKS, Metric, Task, register
from toyexp.tasks.sinusoids import evaluation_conditions, training_conditions


@dataclass(frozen=True)
class LineConfig(DatasetConfig):
    slope: float = 2.0
    intercept: float = -1.0
    degree: int = at_least(1, 1)


class LineData:
    """x = slope * c^degree + intercept, a (N, 1) target."""

    def __init__(self, cfg: LineConfig, seed: int):
        self.cfg = cfg
        self.c_train = training_conditions(cfg).float()
        self.c_eval = evaluation_conditions(cfg, seed).float()
        self.x_train, self.x_eval = self.target(self.c_train), self.target(self.c_eval)

    @property
    def dim(self) -> int:
        return 1

    def grid(self, num: int):
        return torch.linspace(self.cfg.c_min, self.cfg.c_max, num)[:, None]

    def target(self, c):
        return self.cfg.slope * c**self.cfg.degree + self.cfg.intercept


class Line(Task):
    name = "line"
    title = "A line"
    dataset_config = LineConfig
    summary_metrics = (Metric("max_abs", ("max_abs",), "largest absolute error"),)

    def dataset(self, cfg, seed):
        return LineData(cfg, seed)

    def metrics(self, data, c, pred):
        return {"max_abs": float((pred - data.target(c)).abs().max())}

    def interpretation(self, rows, finals):
        return [f"{r.variant}: largest absolute error {r.stats['max_abs'].mean:.4f}" for r in rows]


@pytest.fixture
def line_task():
    register(Line())
    yield TASKS["line"]
    del TASKS["line"]


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


def test_the_registry_lists_the_built_in_tasks():
    """Guards against a task folder that is not registered: the three built-in tasks and their dataset classes."""
    assert {"recon", "projection", "lie"} <= set(TASKS)
    for task in TASKS.values():
        assert dataclasses.is_dataclass(task.dataset_config) and issubclass(task.dataset_config, DatasetConfig)
