"""The ``dataset`` section: the keys every task shares, extended by each task's own.

A task's dataset keys are a frozen dataclass extending :class:`DatasetConfig`, kept in the
task folder's ``config.py`` (which imports no torch, so configs and sweep files are checked at
once). Besides its fields, the class says how the config file of the original toyexp scripts
spelled them (``legacy_type``, ``renamed_keys``, ``ignored_keys``, ``ignored_elsewhere``) and checks relations
between its keys (:meth:`DatasetConfig.resolve`, :meth:`DatasetConfig.inert_keys`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from ..schema import ConfigError, at_least, choice


@dataclass(frozen=True, kw_only=True)
class DatasetConfig:
    """The sampling keys every task shares; a task's own dataset section extends this class."""

    legacy_type: ClassVar[str] = ""  # ``dataset.type`` in config files of the original toyexp scripts
    renamed_keys: ClassVar[dict[str, str]] = {}  # older key -> key (older config files), read with a note
    ignored_keys: ClassVar[dict[str, str]] = {}  # key accepted with a note -> why it never has an effect
    # Keys of another section that the original scripts read for this task and that never have an
    # effect here: (section, key) -> why. Any task's config accepts them with a note, as the
    # original scripts shared one file layout between tasks.
    ignored_elsewhere: ClassVar[dict[tuple[str, str], str]] = {}

    num_train: int = at_least(50, 1)
    num_eval: int = at_least(1000, 2)
    condition_dim: int = choice(1, (1,))
    sampling_strategy: str = choice("grid", ("grid", "random"))
    c_min: float = 0.0
    c_max: float = 1.0
    sample_seed: int = 0
    noise_std: float = at_least(0.0, 0)  # Gaussian noise on the training targets only (seeded by the run seed)

    def resolve(self) -> DatasetConfig:
        """The section with derived keys filled in, once relations between keys are checked
        (raises ConfigError); a task extends it with its own."""
        if not self.c_max > self.c_min:
            raise ConfigError(f"dataset.c_max: {self.c_max!r} is invalid; it must exceed dataset.c_min = {self.c_min!r}")
        return self

    def inert_keys(self) -> dict[str, str]:
        """The keys that the other keys leave without effect -> why (one clause); the loader
        notes each one that a config sets to other than its default."""
        return {}


@dataclass(frozen=True, kw_only=True)
class SinusoidConfig(DatasetConfig):
    """The keys of a sum of sinusoids (recon, and the f that projection projects): D output
    dimensions of K components each."""

    # Seeds that the original toyexp scripts read for recon and projection but never used (nor do
    # we): the sinusoids' parameters are deterministic.
    ignored_keys: ClassVar[dict[str, str]] = {
        "freq_seed": "frequencies follow the prime rule, not a seed",
        "phase_seed": "phases follow the prime rule, not a seed",
        "weight_seed": "the weights follow dataset.weight_strategy (1 or 1/frequency), not a seed",
    }

    target_dim: int = at_least(1, 1)
    num_components: int = at_least(3, 1)
    weight_strategy: str = choice("uniform", ("uniform", "inverse_freq"))
    # the bandwidth: every frequency scaled so that the highest is this many cycles per unit c
    max_frequency: float | None = field(default=None, metadata={"positive": True, "none_means": "the prime rule's own"})
