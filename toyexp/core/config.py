"""The config sections of the method: one frozen dataclass per section of the config file.

Choices come from the registries of the method (modes, integrators, networks, losses), so
adding a mode or a solver there is all it takes for the config to accept it. The ``dataset``
section belongs to the task: :class:`DatasetConfig` holds the keys every task shares and
each task extends it with its own.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import yaml

from ..schema import at_least, choice, positive
from .adaptive import Tolerance
from .integrate import METHODS
from .modes import MODES
from .nets import ACTIVATIONS, ARCHITECTURES
from .paths import INITIAL_DISTS, LOSSES

LOSS_AGGREGATIONS = ("full", "per_component")


@dataclass(frozen=True)
class ExperimentConfig:
    name: str = "recon"
    task: str = "recon"  # checked against the task registry when the config is loaded
    mode: str = choice("regression", tuple(MODES))
    seed: int = 42
    device: str = choice("auto", ("auto", "cpu", "cuda"))
    output_dir: str = "outputs/recon"
    num_threads: int = at_least(1, 1)


@dataclass(frozen=True)
class DatasetConfig:
    """The sampling keys every task shares; a task's own dataset section extends this class."""

    num_train: int = at_least(50, 1)
    num_eval: int = at_least(1000, 2)
    condition_dim: int = choice(1, (1,))
    sampling_strategy: str = choice("grid", ("grid", "random"))
    c_min: float = 0.0
    c_max: float = 1.0
    sample_seed: int = 0


@dataclass(frozen=True)
class NetworkConfig:
    architecture: str = choice("concat", tuple(ARCHITECTURES))
    hidden_dim: int = at_least(256, 1)
    num_layers: int = at_least(3, 1)
    activation: str = choice("relu", tuple(ACTIVATIONS))


@dataclass(frozen=True)
class TrainingConfig:
    batch_size: int = at_least(32, 1)
    num_epochs: int = at_least(5000, 1)
    learning_rate: float = positive(1e-3)
    log_interval: int = at_least(100, 1)
    eval_interval: int = at_least(500, 1)
    save_interval: int = at_least(1000, 1)
    initial_dist: str = choice("zeros", INITIAL_DISTS)
    loss_type: str = choice("l2", tuple(LOSSES))
    loss_aggregation: str = choice("full", LOSS_AGGREGATIONS)  # per_component: the sum of each component's loss
    mip_t_star: float = positive(0.9)  # mip's second time t*, in (0, 1)


@dataclass(frozen=True)
class EvaluationConfig:
    """How the final model is evaluated: each integration method at each of its resolutions.

    A fixed-step method (euler, midpoint, heun, rk4) runs at each of ``num_eval_steps``; the
    adaptive dopri5 instead runs once at each relative tolerance ``rtol`` (with the one absolute
    tolerance ``atol``), taking as many steps as that needs, and records the NFE it counted.
    """

    num_eval_steps: int | list[int] = at_least(1, 1)
    integration_method: str | list[str] = choice("euler", METHODS)
    initial_dist: str = choice("zeros", INITIAL_DISTS)
    rtol: float | list[float] = positive(1e-3)  # dopri5 only: one evaluation per value
    atol: float = positive(1e-5)  # dopri5 only

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


@dataclass(frozen=True)
class Config:
    """A run's whole config: the five sections of the config file.

    ``notes`` are what the loader said about how the config was written (an older key name read
    as the new one, a key accepted that has no effect), one line each, for the run to log. They
    are not part of the config: config.yaml, equality and the book leave them out.
    """

    experiment: ExperimentConfig = ExperimentConfig()
    dataset: DatasetConfig = DatasetConfig()  # in practice the task's own subclass
    network: NetworkConfig = NetworkConfig()
    training: TrainingConfig = TrainingConfig()
    evaluation: EvaluationConfig = EvaluationConfig()
    notes: tuple[str, ...] = field(default=(), compare=False, repr=False)

    def to_dict(self) -> dict:
        """The five sections as nested dicts (what config.yaml records)."""
        return {name: dataclasses.asdict(getattr(self, name)) for name in SECTION_NAMES}

    def to_yaml(self) -> str:
        """The config as YAML, each value on one line as written: a path with spaces or accents
        is neither folded nor escaped (so a report can recognise it, and a reader too)."""
        return yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True, width=2**31 - 1)


SECTION_NAMES = ("experiment", "dataset", "network", "training", "evaluation")  # in the order of the file
SECTIONS = {"experiment": ExperimentConfig, "network": NetworkConfig, "training": TrainingConfig, "evaluation": EvaluationConfig}
