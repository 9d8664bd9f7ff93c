"""lie: K weighted rotations f_i(c) = w_i(c) exp(α_i c A) e_1 in SO(2) or SO(3).

Besides the error, how well does a model keep each component on its true direction, and
does that get worse for the faster rotations?
"""

from __future__ import annotations

import dataclasses

from ...schema import ConfigError
from ..base import Task
from .analysis import DIRECTION_METRICS, rotation_sentences, velocity_section
from .data import RotationConfig, RotationDataset
from .figures import run_figures
from .metrics import rotation_metrics
from .text import describe_rotation


class Lie(Task):
    name = "lie"
    title = "Rotations"
    description = ("$K$ components $f_i(c) = w_i(c) \\exp(\\alpha_i c A)\\, e_1$ turning at velocities $\\alpha_i$: "
                   "besides the error, how well does each variant keep every component on its true direction, and "
                   "does that get worse for the faster rotations?")
    dataset_config = RotationConfig
    legacy_type = "LieAlgebraRotationDataset"
    renamed_keys = {"num_c_train": "num_train", "num_c_eval": "num_eval", "weight_mode": "weight_type"}
    summary_metrics = DIRECTION_METRICS

    def resolve(self, d: RotationConfig) -> RotationConfig:
        """``target_dim`` is derived as K·n; relations between the velocity keys are checked."""
        K, n = d.num_rotations, d.rotation_dim
        if d.target_dim is not None and d.target_dim != K * n:
            raise ConfigError(
                f"dataset.target_dim: {d.target_dim!r} is invalid for the lie task; it is derived as "
                f"dataset.num_rotations * dataset.rotation_dim = {K} * {n} = {K * n} (leave it unset)"
            )
        if not d.alpha_max > d.alpha_min:
            raise ConfigError(f"dataset.alpha_max: {d.alpha_max!r} is invalid; it must exceed dataset.alpha_min = {d.alpha_min!r}")
        if d.alpha_values and len(d.alpha_values) != K:
            raise ConfigError(
                f"dataset.alpha_values: {d.alpha_values!r} is invalid; it must list dataset.num_rotations = "
                f"{K} velocities, or be [] or null for {K} evenly spaced in [alpha_min, alpha_max]"
            )
        return dataclasses.replace(d, target_dim=K * n)

    def inert_keys(self, d: RotationConfig) -> dict[str, str]:
        """The seed of a random generator A in the plane, weight keys of the kind of weights not
        chosen, and the velocity range when the velocities are listed."""
        inert = {}
        if d.rotation_dim == 2:
            inert["rotation_seed"] = "it draws the generator A for dataset.rotation_dim 3; in the plane A is fixed"
        if d.weight_type == "constant":
            why = "it shapes the high-frequency weights, and dataset.weight_type is 'constant'"
            inert |= {"weight_strategy": why, "num_weight_components": why}
        else:
            inert["weight_seed"] = "it draws the constant weights, and dataset.weight_type is 'high_frequency'"
        if d.alpha_values:
            why = "the velocities are dataset.alpha_values, as listed"
            inert |= {"alpha_min": why, "alpha_max": why}
        return inert

    def dataset(self, cfg: RotationConfig, seed: int) -> RotationDataset:
        return RotationDataset(cfg, seed)

    def num_components(self, cfg: RotationConfig) -> int:
        return cfg.num_rotations

    def metrics(self, data, c, pred) -> dict:
        return rotation_metrics(pred, data.oriented_directions(c), data.alphas)

    def figures(self, data, results, title):
        return run_figures(data, results, title)

    def describe(self, final: dict) -> str:
        return describe_rotation(final)

    def analysis(self, rows, finals, colour=lambda name: None):
        return [velocity_section(rows, finals, colour)]

    def interpretation(self, rows, finals) -> list[str]:
        return rotation_sentences(rows, finals)


TASK = Lie()
