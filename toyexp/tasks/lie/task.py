"""The lie task object: the rotation target, its direction metrics, figures and sentences."""

from __future__ import annotations

import math
from pathlib import Path

from ..base import Colour, Section, SummaryRow, Task
from ..sinusoids import sinusoid_parameters
from .analysis import DIRECTION_METRICS, RotationAnalysis, analyse, rotation_sentences, velocity_section
from .config import RotationConfig
from .data import RotationDataset, rotation_velocities
from .figures import run_figures
from .metrics import RotationMetrics, rotation_metrics
from .text import describe_rotation


class Lie(Task[RotationAnalysis]):
    name = "lie"
    title = "Rotations"
    description = ("$K$ components $f_i(c) = w_i(c) \\exp(\\alpha_i c A)\\, e_1$ turning at velocities $\\alpha_i$: "
                   "besides the error, how well does each variant keep every component on its true direction, and "
                   "does that get worse for the faster rotations?")
    methods = Path(__file__).with_name("methods.md").read_text()
    dataset_config = RotationConfig
    metrics_type = RotationMetrics
    summary_metrics = DIRECTION_METRICS
    outputs_share_frequencies = False  # the components turn at different velocities alpha_i

    def dataset(self, cfg: RotationConfig, seed: int) -> RotationDataset:
        return RotationDataset(cfg, seed)

    def loss_blocks(self, cfg: RotationConfig) -> int:
        return cfg.num_rotations

    def metrics(self, data, c, pred) -> RotationMetrics:
        return rotation_metrics(pred, data.oriented_directions(c), data.alphas)

    def figures(self, data, result, title):
        return run_figures(data, result, title)

    def describe(self, task_metrics: RotationMetrics) -> str:
        return describe_rotation(task_metrics)

    def highest_frequency(self, cfg: RotationConfig) -> float:
        """The fastest rotation, max |α_i| / (2π) cycles per unit c, plus the fastest weight
        frequency for high-frequency weights (w_i(c) exp(α_i c A) e_1 holds α_i ± ω_il)."""
        alphas = rotation_velocities(cfg).abs().max().item()
        if cfg.weight_type == "high_frequency":
            omegas, _, _ = sinusoid_parameters(cfg.num_rotations, cfg.num_weight_components, cfg.weight_strategy)
            alphas += omegas.max().item()
        return alphas / (2 * math.pi)

    def analyse(self, rows: list[SummaryRow]) -> RotationAnalysis:
        return analyse(rows)

    def sections(self, rows: list[SummaryRow], analysis: RotationAnalysis | None, colour: Colour) -> list[Section]:
        return [velocity_section(rows, analysis, colour)] if analysis is not None else []

    def interpretation(self, rows: list[SummaryRow], analysis: RotationAnalysis | None) -> list[str]:
        return rotation_sentences(rows, analysis) if analysis is not None else []


TASK = Lie()
