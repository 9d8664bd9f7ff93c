"""A fourth task kept outside the package, as a researcher would add one: a power of c.

``line_task-0.1.dist-info/entry_points.txt`` declares it in the ``toyexp.tasks`` group, so
with this folder on the path every process (the sweep, each kernel, the analysis) has it.
"""

from dataclasses import dataclass
from pathlib import Path

import torch

from toyexp.core.config import DatasetConfig
from toyexp.schema import at_least
from toyexp.tasks import Metric, Task
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
    notebook = str(Path(__file__).with_name("line.ipynb"))  # written from line.py by the test

    def dataset(self, cfg, seed):
        return LineData(cfg, seed)

    def metrics(self, data, c, pred):
        return {"max_abs": float((pred - data.target(c)).abs().max())}

    def interpretation(self, rows, finals):
        return [f"{r.variant}: largest absolute error {r.stats['max_abs'].mean:.4f}" for r in rows]
