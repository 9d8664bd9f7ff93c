"""The recon task object: the sum of sinusoids and its samples, and nothing of its own to add."""

from __future__ import annotations

from pathlib import Path

from ..base import Task
from ..sinusoids import SumOfSinusoids, target_frequencies
from .config import ReconConfig


class Recon(Task):
    name = "recon"
    title = "Reconstruction"
    description = "The scalar target $f(c) = \\sum_k w_k \\,\\mathrm{trig}_k(\\omega_k c + \\phi_k)$."
    methods = Path(__file__).with_name("methods.md").read_text()
    dataset_config = ReconConfig

    def dataset(self, cfg: ReconConfig, seed: int) -> SumOfSinusoids:
        return SumOfSinusoids(cfg, seed)

    def loss_blocks(self, cfg: ReconConfig) -> int:
        return cfg.target_dim  # each output coordinate is a component

    def target_frequencies(self, cfg: ReconConfig):
        return target_frequencies(cfg)


TASK = Recon()
