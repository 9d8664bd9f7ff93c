"""recon's dataset keys: those of a sum of sinusoids, scalar by default."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ..config import SinusoidConfig


@dataclass(frozen=True, kw_only=True)
class ReconConfig(SinusoidConfig):
    legacy_type: ClassVar[str] = "TargetFunctionDataset"


DATASET_CONFIG = ReconConfig
