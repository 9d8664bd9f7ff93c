"""recon: reconstruct a scalar sum of sinusoids f(c) = sum_k w_k trig_k(ω_k c + φ_k) from a few samples."""

from __future__ import annotations

from ..base import Task
from ..sinusoids import PRIME_RULE_KEYS, SinusoidConfig, TargetFunctionDataset, target_frequencies


class Recon(Task):
    name = "recon"
    title = "Reconstruction"
    description = "The scalar target $f(c) = \\sum_k w_k \\,\\mathrm{trig}_k(\\omega_k c + \\phi_k)$."
    dataset_config = SinusoidConfig
    legacy_type = "TargetFunctionDataset"
    ignored_keys = PRIME_RULE_KEYS

    def dataset(self, cfg: SinusoidConfig, seed: int) -> TargetFunctionDataset:
        return TargetFunctionDataset(cfg, seed)

    def num_components(self, cfg: SinusoidConfig) -> int:
        return cfg.target_dim  # each output coordinate is a component

    def target_frequencies(self, config: dict):
        return target_frequencies(config)


TASK = Recon()
