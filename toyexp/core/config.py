"""The method's sections of a config file: ``network``, ``training`` and ``evaluation``.

Each section is a frozen dataclass; the loader (toyexp.run.config) builds it from YAML and
dotted overrides and checks every value against its field. Choices are the registered names
of :mod:`~toyexp.core.names`, so a mode or an integrator added there (and to its registry) is
all the config needs. The ``experiment`` section belongs to a run (toyexp.run.config) and the
``dataset`` section to a task (toyexp.tasks.config).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..schema import FieldError, at_least, between, choice, positive
from . import names
from .resolution import Tolerance


# Initial distributions of one point: every draw of x_0 is the same (evaluation.num_draws must be 1).
FIXED_DISTS = ("zeros",)


@dataclass(frozen=True)
class NetworkConfig:
    architecture: str = choice("concat", names.ARCHITECTURES)
    hidden_dim: int = at_least(256, 1)
    num_layers: int = at_least(3, 1)
    activation: str = choice("relu", names.ACTIVATIONS)


@dataclass(frozen=True, kw_only=True)
class TrainingConfig:
    batch_size: int = at_least(32, 1)
    # epochs, or (num_steps set) exactly that many optimiser steps whatever the number of samples
    num_epochs: int | None = field(default=5000, metadata={"min": 1, "none_means": "set by training.num_steps"})
    num_steps: int | None = field(default=None, metadata={"min": 1, "none_means": "num_epochs epochs"})
    learning_rate: float = positive(1e-3)
    lr_schedule: str = choice("constant", names.LR_SCHEDULES)  # cosine: decays to 0 over the steps (optim.LR_SCHEDULES)
    log_interval: int = at_least(100, 1)
    eval_interval: int = at_least(500, 1)
    save_interval: int = at_least(1000, 1)
    initial_dist: str = choice("zeros", names.INITIAL_DISTS)
    loss_type: str = choice("l2", names.LOSSES)
    loss_aggregation: str = choice("full", names.LOSS_AGGREGATIONS)  # per_component: the sum of each block's loss
    mip_t_star: float = between(0.9, 0.0, 1.0)  # mip's second time t*


@dataclass(frozen=True, kw_only=True)
class EvaluationConfig:
    """How the final model is evaluated: each integration method at each of its resolutions.

    A fixed-step method (euler, midpoint, heun, rk4) runs at each of ``num_eval_steps``; the
    adaptive dopri5 instead runs once at each relative tolerance ``rtol`` (with the one absolute
    tolerance ``atol``), taking as many steps as that needs, and records the NFE it counted.

    With a random x_0 (``initial_dist: gaussian``) one integration is one draw of the model's
    conditional distribution; the prediction at each input is then the mean of ``num_draws``
    integrated draws, x̂(c) = (1/K) sum_k x̂^(k)(c), in every evaluation (every setting, the
    best-model tracking, the dense grid). K > 1 with x_0 = 0 is refused: every draw would be
    the same point, at K times the cost, and their spread an exact 0 that reads as certainty.
    """

    num_eval_steps: int | list[int] = at_least(1, 1)
    integration_method: str | list[str] = choice("euler", names.METHODS)
    initial_dist: str = choice("zeros", names.INITIAL_DISTS)
    rtol: float | list[float] = positive(1e-3)  # dopri5 only: one evaluation per value
    atol: float = positive(1e-5)  # dopri5 only
    num_draws: int = at_least(1, 1)  # K: draws of x_0 per evaluation input, the prediction their mean

    def __post_init__(self):
        if self.num_draws > 1 and self.initial_dist in FIXED_DISTS:
            raise FieldError(
                "evaluation.num_draws",
                f"evaluation.num_draws: {self.num_draws} is invalid with evaluation.initial_dist {self.initial_dist!r}: "
                f"every draw of x_0 is the same point, so the mean of {self.num_draws} draws is one draw; "
                "use 1, or evaluation.initial_dist=gaussian",
            )

    @property
    def steps(self) -> list[int]:
        """``num_eval_steps`` as a sorted list; the last entry is the one ``final`` uses."""
        n = self.num_eval_steps
        return sorted(set(n if isinstance(n, list) else [n]))

    @property
    def methods(self) -> list[str]:
        """``integration_method`` as a list; the first entry is the one ``final`` uses."""
        m = self.integration_method
        return list(dict.fromkeys(m if isinstance(m, list) else [m]))

    @property
    def tolerances(self) -> list[Tolerance]:
        """An adaptive method's tolerances, loose to tight (largest ``rtol`` first): the last is
        the one ``final`` uses when the first method is adaptive."""
        r = self.rtol
        return [Tolerance(rtol, self.atol) for rtol in sorted(set(r if isinstance(r, list) else [r]), reverse=True)]
