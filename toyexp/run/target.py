"""What a run computed about its target, recorded so that the analysis reads it instead of
deriving it again: the highest frequency, the samples per cycle of it, and the dense grid.

The samples h apart take 1 / (h f_max) samples per cycle of the target's highest frequency f_max
(2 is the Nyquist rate); h is the median spacing of the training inputs
(:func:`~toyexp.core.metrics.training_spacing`), computed from the float32 inputs the run trained
on and stored in predictions.npz, so the number is the one the analysis computed from that file
before the record carried it. A run writes it into metrics.json (``"target"``); a metrics.json
written before the key existed gets it from its config here, by the same function
(:func:`target_of`).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core.metrics import training_spacing
from ..tasks import get_task
from ..tasks.sampling import grid_size, training_conditions
from .sections import Config


@dataclass(frozen=True, kw_only=True)
class Target:
    """A run's target in numbers: its bandwidth against the samples, and the dense grid.

    The dense grid is ``grid_size`` even points over ``[c_min, c_max]``
    (:meth:`~toyexp.tasks.sampling.Samples.grid`); the evaluation set is ``num_eval`` inputs
    drawn from the run seed on the same range.
    """

    f_max: float | None  # the highest frequency, cycles per unit c; None for a target without one
    samples_per_cycle: float | None  # 1 / (h f_max); None without f_max or with one training input
    grid_size: int  # G = min(num_eval, GRID_POINTS)
    num_eval: int  # M, the evaluation set's size
    c_range: tuple[float, float]  # [c_min, c_max] of the evaluation set and the grid


def target_of(cfg: Config) -> Target:
    """The :class:`Target` of a run of ``cfg``. The training inputs depend on the dataset keys
    alone (:func:`~toyexp.tasks.sampling.training_conditions`), not on the run seed."""
    dataset = cfg.dataset
    f_max = get_task(cfg.experiment.task).highest_frequency(dataset)
    h = training_spacing(training_conditions(dataset).float().numpy()) if dataset.num_train > 1 else 0.0
    return Target(f_max=f_max, samples_per_cycle=None if not f_max or not h else 1.0 / (h * f_max),
                  grid_size=grid_size(dataset), num_eval=dataset.num_eval, c_range=(dataset.c_min, dataset.c_max))
