"""projection: an 8-dimensional target g(c) = P f(c) confined to a 2-dimensional subspace.

Besides the error, does a model find the subspace and stay on it? The metrics are principal
angles, projection distance, explained variance and the off-subspace share (see ``subspace``).
"""

from __future__ import annotations

from ...core.config import DatasetConfig
from ...schema import ConfigError
from ..base import Task
from ..sinusoids import PRIME_RULE_KEYS, target_frequencies
from .analysis import SUBSPACE_METRICS, subspace_sentences
from .data import ProjectedTargetFunctionDataset, ProjectionConfig
from .figures import run_figures
from .metrics import projection_metrics
from .text import describe_subspace


class Projection(Task):
    name = "projection"
    title = "Projection"
    description = ("The 8-dimensional target $g(c) = P f(c)$ on a rank-2 subspace: besides the error, does each "
                   "variant find the subspace and stay on it?")
    dataset_config = ProjectionConfig
    legacy_type = "ProjectedTargetFunctionDataset"
    ignored_keys = PRIME_RULE_KEYS
    summary_metrics = SUBSPACE_METRICS

    def resolve(self, dataset: ProjectionConfig) -> DatasetConfig:
        if not dataset.low_dim < dataset.target_dim:
            raise ConfigError(
                f"dataset.low_dim: {dataset.low_dim!r} is invalid; the subspace must be smaller than "
                f"dataset.target_dim = {dataset.target_dim} (valid: 1 to {dataset.target_dim - 1})"
            )
        return dataset

    def dataset(self, cfg: ProjectionConfig, seed: int) -> ProjectedTargetFunctionDataset:
        return ProjectedTargetFunctionDataset(cfg, seed)

    def num_components(self, cfg: ProjectionConfig) -> int:
        return cfg.target_dim

    def metrics(self, data, c, pred) -> dict:
        return projection_metrics(data, c, pred)

    def figures(self, data, results, title):
        return run_figures(data, results, title)

    def describe(self, final: dict) -> str:
        return describe_subspace(final)

    def target_frequencies(self, config: dict):
        return target_frequencies(config)

    def interpretation(self, rows, finals) -> list[str]:
        return subspace_sentences(rows)


TASK = Projection()
