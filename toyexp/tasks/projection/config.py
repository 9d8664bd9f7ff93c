"""projection's dataset keys: a sum of sinusoids in R^D (8 by default) and the subspace it is projected on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ...schema import ConfigError, at_least
from ..config import SinusoidConfig


@dataclass(frozen=True, kw_only=True)
class ProjectionConfig(SinusoidConfig):
    """The sinusoid keys (D = 8 by default) plus the subspace: rank, seed and intervals of c."""

    legacy_type: ClassVar[str] = "ProjectedTargetFunctionDataset"
    ignored_elsewhere: ClassVar[dict[tuple[str, str], str]] = {
        ("evaluation", "analyze_subspace"): "the subspace metrics are always computed for projection",
    }

    target_dim: int = at_least(8, 1)
    low_dim: int = at_least(2, 1)
    proj_seed: int = 0
    num_intervals: int = at_least(1, 1)

    def resolve(self) -> ProjectionConfig:
        if not self.low_dim < self.target_dim:
            raise ConfigError(
                f"dataset.low_dim: {self.low_dim!r} is invalid; the subspace must be smaller than "
                f"dataset.target_dim = {self.target_dim} (valid: 1 to {self.target_dim - 1})"
            )
        return super().resolve()


DATASET_CONFIG = ProjectionConfig
