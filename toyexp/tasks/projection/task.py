"""The projection task object: the projected target, its subspace metrics, figures and sentences."""

from __future__ import annotations

from pathlib import Path

from ..base import SummaryRow, Task
from ..sinusoids import target_frequencies
from .analysis import SUBSPACE_METRICS, SubspaceAnalysis, analyse, subspace_sentences
from .config import ProjectionConfig
from .data import ProjectedSinusoids
from .figures import run_figures
from .metrics import ProjectionMetrics, projection_metrics
from .text import describe_subspace


class Projection(Task[SubspaceAnalysis]):
    name = "projection"
    title = "Projection"
    description = ("The 8-dimensional target $g(c) = P f(c)$ on a rank-2 subspace: besides the error, does each "
                   "variant find the subspace and stay on it?")
    methods = Path(__file__).with_name("methods.md").read_text()
    dataset_config = ProjectionConfig
    metrics_type = ProjectionMetrics
    summary_metrics = SUBSPACE_METRICS

    def dataset(self, cfg: ProjectionConfig, seed: int) -> ProjectedSinusoids:
        return ProjectedSinusoids(cfg, seed)

    def loss_blocks(self, cfg: ProjectionConfig) -> int:
        return cfg.target_dim

    def metrics(self, data, c, pred) -> ProjectionMetrics:
        return projection_metrics(data, c, pred)

    def figures(self, data, result, title):
        return run_figures(data, result, title)

    def describe(self, task_metrics: ProjectionMetrics) -> str:
        return describe_subspace(task_metrics)

    def target_frequencies(self, cfg: ProjectionConfig):
        return target_frequencies(cfg)

    def analyse(self, rows: list[SummaryRow]) -> SubspaceAnalysis:
        return analyse(rows)

    def interpretation(self, rows: list[SummaryRow], analysis: SubspaceAnalysis | None) -> list[str]:
        return subspace_sentences(analysis) if analysis is not None else []


TASK = Projection()
