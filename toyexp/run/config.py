"""A run's config: the five sections of the config file, built from defaults, YAML, ``mode`` /
``seed`` and dotted overrides.

Precedence, lowest first: package defaults (the task's ``dataset`` section) < quick preset
(optional) < sections (dicts or a YAML file) < ``mode`` / ``seed`` < dotted ``key=value``
overrides. Unknown keys, wrong types and invalid choices raise :class:`ConfigError` at load
time, naming the dotted key, the bad value and what would be valid; a ``dataset`` key of
another task is named as such, with both tasks. Config files of the original toyexp scripts
load unchanged (:mod:`.legacy`). Nothing here imports torch.
"""

from __future__ import annotations

import dataclasses
import warnings
from pathlib import Path

from ..schema import ConfigError, build_section, merge, parse_override, read_sections, set_dotted, valid
from ..tasks import dataset_config, task_names
from ..tasks.config import DatasetConfig
from .legacy import DeprecatedConfigWarning, inert_notes, translate
from .sections import SECTION_NAMES, SECTIONS, Config, ExperimentConfig, GridValue  # the types: re-exported, where they were

# A setting that trains in a few seconds: the committed notebooks run it when no
# parameters are injected, so that nbval and a first look in JupyterLab are fast.
QUICK = {
    "dataset": {"num_train": 20, "num_eval": 200},
    "network": {"hidden_dim": 64, "num_layers": 2},
    "training": {"num_epochs": 1500, "learning_rate": 3e-3, "log_interval": 100, "eval_interval": 250, "save_interval": 500},
    "evaluation": {"num_eval_steps": [1, 4], "integration_method": ["euler", "rk4"]},
}


def defaults(task: str) -> dict:
    """The package defaults of ``task`` as a tree ``{section: {key: value}}``."""
    tree = {name: dataclasses.asdict(cls()) for name, cls in SECTIONS.items()}
    tree["dataset"] = dataclasses.asdict(dataset_config(task)())
    tree["experiment"].update(task=task, output_dir=f"outputs/{task}")
    return {name: tree[name] for name in SECTION_NAMES}


def load_config(
    task: str = "recon",
    sections: dict | str | Path | None = None,
    mode: str | None = None,
    seed: int | None = None,
    *, overrides: list[str] | tuple[str, ...] = (),
    quick: bool = False,
) -> Config:
    """Build a validated :class:`Config` for ``task``.

    Args:
        task: the registered task the config is for (its dataset keys, defaults and checks).
        sections: a dict ``{section: {key: value}}`` or the path of a YAML file of that shape.
        mode, seed: shortcuts for ``experiment.mode`` / ``experiment.seed`` (None = unset).
        overrides: dotted ``section.key=value`` strings; values are parsed as YAML.
        quick: apply the :data:`QUICK` preset below the sections.

    Each note (an older name read, a key without effect) is warned once as a
    :class:`DeprecatedConfigWarning` and kept in ``Config.notes``.
    """
    own = dataset_config(task)
    tree = defaults(task)
    notes: list[str] = []
    if quick:
        tree = merge(tree, QUICK)
        tree["experiment"]["output_dir"] = f"outputs/quick/{task}"
    given = translate(own, read_sections(sections, tree), notes)
    explicit = {f"{s}.{k}" for s, values in given.items() if isinstance(values, dict) for k in values}  # set by the user
    dataset_keys = set(given["dataset"]) if isinstance(given.get("dataset"), dict) else set()  # set by the config
    for key in dataset_keys:
        check_dataset_key(task, key)
    tree = merge(tree, given)
    if mode is not None:
        tree["experiment"]["mode"] = mode
    if seed is not None:
        tree["experiment"]["seed"] = seed
    for item in overrides:
        key, value = parse_override(item)
        section, name = key.split(".")
        for name, value in translate(own, {section: {name: value}}, notes)[section].items():
            if section == "dataset":
                check_dataset_key(task, name)
                dataset_keys.add(name)
            set_dotted(tree, f"{section}.{name}", value)
            explicit.add(f"{section}.{name}")
    if tree["experiment"]["task"] != task:
        raise ConfigError(
            f"experiment.task: {tree['experiment']['task']!r} cannot be run by the {task!r} "
            f"notebook; use the {tree['experiment']['task']!r} notebook or drop the key"
        )
    _one_budget(tree["training"], explicit)
    cfg = _build(own, tree)
    notes = list(dict.fromkeys(notes + inert_notes(cfg.dataset, dataset_keys)))  # a key in a file and an override: once
    for note in notes:
        warnings.warn(note, DeprecatedConfigWarning, stacklevel=2)
    return dataclasses.replace(cfg, notes=tuple(notes))


def _one_budget(training: dict, explicit: set[str]) -> None:
    """``training.num_steps`` replaces the epoch count: a ``num_epochs`` given alongside it is an
    error, one that comes from the defaults or the quick preset is dropped (set to None)."""
    if training["num_steps"] is None:
        if training["num_epochs"] is None:
            raise ConfigError("training.num_epochs: None is invalid without training.num_steps; give one of them")
        return
    if "training.num_epochs" in explicit and training["num_epochs"] is not None:
        raise ConfigError(
            f"training.num_epochs: {training['num_epochs']!r} and training.num_steps: {training['num_steps']!r} are both "
            "set; give one of them (num_steps replaces the epoch count with a fixed number of optimiser steps)"
        )
    training["num_epochs"] = None


def check_dataset_key(task: str, key: str) -> None:
    """A dataset key of another task (one of its fields, older names or keys without effect) is
    named as such, with the keys this task takes: ``dataset.low_dim is a projection key; recon
    takes: ...``. The one message for it, wherever the key is given (a config, a notebook's
    parameters, an override, a sweep's grid)."""
    own = {f.name for f in dataclasses.fields(dataset_config(task))}
    if key in own:
        return
    owners = [t for t in task_names() if t != task and key in _accepted_keys(dataset_config(t))]
    if owners:
        raise ConfigError(f"dataset.{key} is a {' and '.join(owners)} key; {task} takes: {valid(sorted(own))}")


def _accepted_keys(cls: type[DatasetConfig]) -> set[str]:
    """Every dataset key a task accepts: its fields, its older names and its keys without effect."""
    return {f.name for f in dataclasses.fields(cls)} | set(cls.renamed_keys) | set(cls.ignored_keys)


def _build(own: type[DatasetConfig], tree: dict) -> Config:
    built = {name: build_section(cls, name, tree[name]) for name, cls in SECTIONS.items()}
    experiment = built["experiment"]
    if not experiment.variant:
        built["experiment"] = dataclasses.replace(experiment, variant=experiment.mode)
    return Config(dataset=build_section(own, "dataset", tree["dataset"]).resolve(), **built)


