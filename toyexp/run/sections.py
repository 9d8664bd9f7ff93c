"""What a run's config is: the five sections of the config file as one tree of frozen dataclasses.

The types alone, for whatever reads a config (a run's record, the analysis); building one from
defaults, YAML and overrides, with every check, is :func:`toyexp.run.config.load_config`.
Nothing here imports torch.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import yaml

from ..core import names
from ..core.config import EvaluationConfig, NetworkConfig, TrainingConfig
from ..schema import at_least, choice
from ..tasks.config import DatasetConfig

GridValue = int | float | str | bool


@dataclass(frozen=True, kw_only=True)
class ExperimentConfig:
    """Which run this is: its task, its name in a study, its mode and seed, and where it runs."""

    task: str = "recon"  # checked against the task registry when the config is loaded
    variant: str = ""  # the run's name in a study (a sweep's variant); "" is resolved to the mode
    grid_point: dict[str, GridValue] = field(default_factory=dict)  # a sweep grid's {dotted key: value} for this run
    mode: str = choice("regression", names.MODES)
    seed: int = 42
    device: str = choice("auto", ("auto", "cpu", "cuda"))
    output_dir: str = "outputs/recon"
    num_threads: int = at_least(1, 1)
    figures: bool = True  # false: a run draws no figures (plots/ and the notebook); a large study's report draws its own


SECTION_NAMES = ("experiment", "dataset", "network", "training", "evaluation")  # in the order of the file
SECTIONS = {"experiment": ExperimentConfig, "network": NetworkConfig, "training": TrainingConfig, "evaluation": EvaluationConfig}


@dataclass(frozen=True, kw_only=True)
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
