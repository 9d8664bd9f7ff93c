"""Where every task samples its target: the training and evaluation inputs, drawn the same way.

A task's dataset extends :class:`Samples` with its target f(c) (and the output dimension D); the
base draws the inputs and evaluates the target on them:

- training inputs c_1..c_N on [c_min, c_max]: an even grid (``sampling_strategy: grid``), or
  sorted uniform draws from ``dataset.sample_seed`` (``random``);
- evaluation inputs: ``num_eval`` sorted uniform draws seeded by the run seed, so each seed is
  evaluated on its own points;
- with ``noise_std`` σ > 0, the training targets (and only they) are f(c_j) + σ ε_j with
  ε_j ~ N(0, I) drawn from the run seed: the evaluation set, and every error, keep the clean f;
- the dense grid of the figures and the error spectrum: G = min(num_eval, :data:`GRID_POINTS`)
  even points over [c_min, c_max] (:func:`grid_size`, :meth:`Samples.grid`).
"""

from __future__ import annotations

import torch
from torch import Tensor

from .config import DatasetConfig

EVAL_SEED_OFFSET = 7919  # the evaluation set's seed is the run seed plus this prime
NOISE_SEED_OFFSET = 3571  # the training targets' noise is drawn from the run seed plus this prime
# The most points of the dense grid. It serves the figures and the error spectrum, for which
# 10 000 even points over [c_min, c_max] resolve the targets many times over: the fastest
# frequency, of the original lie config's weights (L = 8), is 113 cycles per unit c, the
# grid's Nyquist frequency ~5000. The evaluation set keeps all num_eval points.
GRID_POINTS = 10_000


def grid_size(cfg: DatasetConfig) -> int:
    """G, the points of the dense grid: as many as the evaluation set, but at most :data:`GRID_POINTS`."""
    return min(cfg.num_eval, GRID_POINTS)


def training_conditions(cfg: DatasetConfig) -> Tensor:
    """Training inputs c, (num_train, 1) float64: an even grid, or sorted uniform draws from ``sample_seed``."""
    if cfg.sampling_strategy == "grid":
        c = torch.linspace(cfg.c_min, cfg.c_max, cfg.num_train, dtype=torch.float64)
    else:
        g = torch.Generator().manual_seed(cfg.sample_seed)
        u = torch.rand(cfg.num_train, generator=g, dtype=torch.float64)
        c = torch.sort(cfg.c_min + (cfg.c_max - cfg.c_min) * u).values
    return c[:, None]


def evaluation_conditions(cfg: DatasetConfig, seed: int) -> Tensor:
    """Evaluation inputs c, (num_eval, 1) float64: sorted uniform draws seeded by the run seed."""
    g = torch.Generator().manual_seed(seed + EVAL_SEED_OFFSET)
    u = torch.rand(cfg.num_eval, generator=g, dtype=torch.float64)
    return torch.sort(cfg.c_min + (cfg.c_max - cfg.c_min) * u).values[:, None]


class Samples:
    """Training and evaluation samples of a target f: inputs c (N, 1) -> outputs x (N, D), float32.

    A subclass sets up its target's parameters, then calls ``super().__init__(cfg, seed)``, and
    defines :meth:`target` and :attr:`dim`.

    Attributes:
        cfg: the dataset section.
        c_train (N, 1), x_train (N, D): the training pairs, x = f(c) (plus the noise, if any).
        c_eval (M, 1), x_eval (M, D): the evaluation pairs.
    """

    def __init__(self, cfg: DatasetConfig, seed: int):
        self.cfg = cfg
        self.c_train = training_conditions(cfg).float()
        self.x_train = self.target(self.c_train)
        if cfg.noise_std > 0:
            g = torch.Generator().manual_seed(seed + NOISE_SEED_OFFSET)
            self.x_train = self.x_train + cfg.noise_std * torch.randn(self.x_train.shape, generator=g)
        self.c_eval = evaluation_conditions(cfg, seed).float()
        self.x_eval = self.target(self.c_eval)

    @property
    def dim(self) -> int:
        """D, the number of output coordinates."""
        raise NotImplementedError

    def target(self, c: Tensor) -> Tensor:
        """f(c): (N, 1) -> (N, D) float32."""
        raise NotImplementedError

    def grid(self, num: int) -> Tensor:
        """An even grid of ``num`` inputs over [c_min, c_max], (num, 1)."""
        return torch.linspace(self.cfg.c_min, self.cfg.c_max, num)[:, None]
