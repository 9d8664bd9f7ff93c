"""lie's dataset keys: K components exp(α_i c A) e_1 in R^n, their velocities and weights."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import ClassVar

from ...schema import ConfigError, at_least, choice
from ..config import DatasetConfig


@dataclass(frozen=True, kw_only=True)
class RotationConfig(DatasetConfig):
    """The sampling keys plus K = ``num_rotations`` components exp(α_i c A) e_1 in R^n, n = ``rotation_dim``.

    ``target_dim`` is derived as K·n: leave it unset (None), or give exactly that value.
    """

    legacy_type: ClassVar[str] = "LieAlgebraRotationDataset"
    renamed_keys: ClassVar[dict[str, str]] = {"num_c_train": "num_train", "num_c_eval": "num_eval", "weight_mode": "weight_type"}
    ignored_elsewhere: ClassVar[dict[tuple[str, str], str]] = {
        ("evaluation", "compute_cosine_similarity"): "the cosine metrics are always computed for lie",
    }

    target_dim: int | None = field(default=None, metadata={"none_means": "derived as num_rotations * rotation_dim"})
    rotation_dim: int = choice(2, (2, 3))
    num_rotations: int = at_least(8, 1)
    alpha_min: float = 0.0
    alpha_max: float = 2 * math.pi
    alpha_values: list[float] = field(default_factory=list, metadata={"empty_means": "evenly spaced"})
    rotation_seed: int = 0
    weight_seed: int = 0
    weight_type: str = choice("constant", ("constant", "high_frequency"))
    num_weight_components: int = at_least(3, 1)
    weight_strategy: str = choice("uniform", ("uniform", "inverse_freq"))  # high_frequency: coefficients 1 or 1/ω_il

    def resolve(self) -> RotationConfig:
        """``target_dim`` is derived as K·n; relations between the velocity keys are checked."""
        K, n = self.num_rotations, self.rotation_dim
        if self.target_dim is not None and self.target_dim != K * n:
            raise ConfigError(
                f"dataset.target_dim: {self.target_dim!r} is invalid for the lie task; it is derived as "
                f"dataset.num_rotations * dataset.rotation_dim = {K} * {n} = {K * n} (leave it unset)"
            )
        if not self.alpha_max > self.alpha_min:
            raise ConfigError(f"dataset.alpha_max: {self.alpha_max!r} is invalid; it must exceed dataset.alpha_min = {self.alpha_min!r}")
        if self.alpha_values and len(self.alpha_values) != K:
            raise ConfigError(
                f"dataset.alpha_values: {self.alpha_values!r} is invalid; it must list dataset.num_rotations = "
                f"{K} velocities, or be [] or null for {K} evenly spaced in [alpha_min, alpha_max]"
            )
        return dataclasses.replace(super().resolve(), target_dim=K * n)

    def inert_keys(self) -> dict[str, str]:
        """The seed of a random generator A in the plane, weight keys of the kind of weights not
        chosen, and the velocity range when the velocities are listed."""
        inert = {}
        if self.rotation_dim == 2:
            inert["rotation_seed"] = "it draws the generator A for dataset.rotation_dim 3; in the plane A is fixed"
        if self.weight_type == "constant":
            why = "it shapes the high-frequency weights, and dataset.weight_type is 'constant'"
            inert |= {"weight_strategy": why, "num_weight_components": why}
        else:
            inert["weight_seed"] = "it draws the constant weights, and dataset.weight_type is 'high_frequency'"
        if self.alpha_values:
            why = "the velocities are dataset.alpha_values, as listed"
            inert |= {"alpha_min": why, "alpha_max": why}
        return inert


DATASET_CONFIG = RotationConfig
