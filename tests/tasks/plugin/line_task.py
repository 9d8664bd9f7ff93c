"""A fourth task kept outside the package, as a researcher would add one: a power of c.

``line_task-0.1.dist-info/entry_points.txt`` declares it in the ``toyexp.tasks`` group, so
with this folder on the path every process (the sweep, each kernel, the analysis) has it. A
plugin keeps its config, data, metrics and task in one module; a built-in task splits them
into its folder's config.py and task.py.
"""

from dataclasses import dataclass
from pathlib import Path

from toyexp.schema import at_least
from toyexp.tasks.base import Metric, Task
from toyexp.tasks.config import DatasetConfig
from toyexp.tasks.sampling import Samples


@dataclass(frozen=True)
class LineConfig(DatasetConfig):
    slope: float = 2.0
    intercept: float = -1.0
    degree: int = at_least(1, 1)

MAX_ABS = Metric("max_abs", "largest absolute error")


class LineData(Samples):
    """x = slope * c^degree + intercept, a (N, 1) target."""

    dim = 1

    def target(self, c):
        return self.cfg.slope * c**self.cfg.degree + self.cfg.intercept


@dataclass(frozen=True)
class LineMetrics:
    max_abs: float  # the largest absolute error over the evaluation set


class Line(Task):
    name = "line"
    title = "A line"
    dataset_config = LineConfig
    metrics_type = LineMetrics
    summary_metrics = (MAX_ABS,)
    notebook = str(Path(__file__).with_name("line.ipynb"))  # written from line.py by the test

    def dataset(self, cfg, seed):
        return LineData(cfg, seed)

    def metrics(self, data, c, pred):
        return LineMetrics(float((pred - data.target(c)).abs().max()))

    def describe(self, task_metrics):
        return f"The largest absolute error is {task_metrics.max_abs:.4f}."

    def interpretation(self, rows, analysis):
        return [f"{r.variant}: largest absolute error {r.stats[MAX_ABS].mean:.4f}" for r in rows if MAX_ABS in r.stats]
