"""Config files of the original toyexp scripts, read as they are.

Their older names are read as the new ones (:data:`RENAMED`, and a dataset section's
``renamed_keys``), keys that never have an effect here are accepted (a dataset section's
``ignored_keys``, and the keys of other sections that a task's dataset section names in
``ignored_elsewhere``: :func:`ignored`), and ``dataset.type`` must name the notebook's task. Each older
name, and each key set to other than its default where it has no effect (those, and the
dataset section's ``inert_keys`` for the config at hand), gives a one-line note: the loader
warns it (:class:`DeprecatedConfigWarning`) and keeps it in ``Config.notes``, which the run
writes to train.log. config.yaml always records the new names.
"""

from __future__ import annotations

import copy
from typing import Any

from ..schema import ConfigError, valid
from ..tasks import dataset_config, task_names
from ..tasks.config import DatasetConfig

# Older names, read as the new ones: (section, old key) -> new key (a dataset section adds its own).
RENAMED: dict[tuple[str, str], str] = {("experiment", "name"): "variant"}
# Older values: (section, key) -> {old value: new value}.
RENAMED_VALUES = {("experiment", "mode"): {"mip_one_step_integrate": "mip_one_step"}}


def ignored() -> dict[tuple[str, str], str]:
    """Keys outside the dataset section that no longer do anything, accepted with a note:
    (section, key) -> why. Each task's dataset section names its own (``ignored_elsewhere``), and
    every task accepts them all, since the original scripts shared one file layout."""
    return {key: why for task in task_names() for key, why in dataset_config(task).ignored_elsewhere.items()}


class DeprecatedConfigWarning(FutureWarning):
    """A note about how a config was written: an older key name or value read as the new one, or a
    key accepted that has no effect."""


def translate(own: type[DatasetConfig], given: dict, notes: list[str]) -> dict:
    """``given`` with older names and values replaced by the new ones, keys without effect
    dropped, each with a line appended to ``notes``, and ``dataset.type`` checked against the
    task whose dataset section is ``own`` and dropped."""
    out = copy.deepcopy(given)
    no_effect = ignored()
    for section, values in out.items():
        if not isinstance(values, dict):
            continue
        renamed = {old: new for (s, old), new in RENAMED.items() if s == section}
        if section == "dataset":
            renamed |= own.renamed_keys
        for old in list(values):
            if old in renamed:
                new = renamed[old]
                if new in values:  # which one was meant? the older name would silently replace the new one
                    raise ConfigError(f"{section}.{old} is the older name of {section}.{new}; give only {section}.{new}")
                notes.append(f"{section}.{old} is the older name of {section}.{new}; read as {section}.{new}")
                values[new] = values.pop(old)
            elif (section, old) in no_effect or (section == "dataset" and old in own.ignored_keys):
                why = no_effect.get((section, old)) or own.ignored_keys[old]
                notes.append(f"{section}.{old} has no effect: {why}")
                del values[old]
            elif section == "dataset" and old == "type":
                check_type(own, values.pop(old))
        for key, table in ((k, t) for (s, k), t in RENAMED_VALUES.items() if s == section):
            if isinstance(values.get(key), str) and values[key] in table:
                notes.append(f"{section}.{key}: {values[key]!r} is the older name of {table[values[key]]!r}")
                values[key] = table[values[key]]
    return out


def inert_notes(dataset: DatasetConfig, given: set[str]) -> list[str]:
    """A note for each dataset key in ``given`` that the other keys leave without effect, unless
    it keeps its default (then it changes nothing either way, as in a reloaded config.yaml)."""
    default = type(dataset)()
    return [
        f"dataset.{key} has no effect: {why}" for key, why in dataset.inert_keys().items()
        if key in given and getattr(dataset, key) != getattr(default, key)
    ]


def check_type(own: type[DatasetConfig], value: Any) -> None:
    """``dataset.type`` of the original scripts must name the dataset of the notebook's task."""
    if value == own.legacy_type:
        return
    types = {dataset_config(t).legacy_type: t for t in task_names() if dataset_config(t).legacy_type}
    task = next(t for t in task_names() if dataset_config(t) is own)
    if value not in types:
        raise ConfigError(f"dataset.type: {value!r} is unknown; valid: {valid(types)}")
    raise ConfigError(
        f"dataset.type: {value!r} is the dataset of the {types[value]!r} task, but this is the {task!r} "
        f"notebook (dataset.type {own.legacy_type!r}); use the {types[value]!r} notebook"
    )
