"""A run's config: the task's sections built from defaults, YAML, ``mode``/``seed`` and dotted overrides.

Precedence, lowest first: package defaults (the task's ``dataset`` section) < quick preset
(optional) < sections (dicts or a YAML file) < ``mode`` / ``seed`` < dotted ``key=value``
overrides. Unknown keys, wrong types and invalid choices raise :class:`ConfigError` at load
time, naming the dotted key, the bad value and what would be valid. A ``dataset`` key of
another task is named as such, with both tasks.

Config files of the original toyexp scripts load unchanged: their older names are read as the
new ones (:data:`RENAMED`, a task's ``renamed_keys``), keys that never have an effect here are
accepted (:data:`IGNORED`, a task's ``ignored_keys``), and ``dataset.type`` must name the
notebook's task. Each older name, and each key set to other than its default where it has no
effect (those, and a task's ``inert_keys`` for the config at hand), gives a one-line note: a
:class:`DeprecatedConfigWarning`, and ``Config.notes``, which the run writes to train.log.
config.yaml always records the new names.
"""

from __future__ import annotations

import copy
import dataclasses
import warnings
from pathlib import Path
from typing import Any

from ..core.config import SECTION_NAMES, SECTIONS, Config
from ..schema import ConfigError, build_section, merge, parse_override, read_sections, set_dotted, valid
from ..tasks import TASKS, Task, get_task

# A setting that trains in a few seconds: the committed notebooks run it when no
# parameters are injected, so that nbval and a first look in JupyterLab are fast.
QUICK = {
    "dataset": {"num_train": 20, "num_eval": 200},
    "network": {"hidden_dim": 64, "num_layers": 2},
    "training": {"num_epochs": 1500, "learning_rate": 3e-3, "log_interval": 100, "eval_interval": 250, "save_interval": 500},
    "evaluation": {"num_eval_steps": [1, 4], "integration_method": ["euler", "rk4"]},
}

# Older names, read as the new ones: (section, old key) -> new key (a task adds its dataset keys).
RENAMED: dict[tuple[str, str], str] = {}
# Older values: (section, key) -> {old value: new value}.
RENAMED_VALUES = {("experiment", "mode"): {"mip_one_step_integrate": "mip_one_step"}}
# Keys that no longer do anything, accepted with a note: (section, key) -> why.
IGNORED = {
    ("evaluation", "analyze_subspace"): "the subspace metrics are always computed for projection",
    ("evaluation", "compute_cosine_similarity"): "the cosine metrics are always computed for lie",
}


class DeprecatedConfigWarning(FutureWarning):
    """A note about how a config was written: an older key name or value read as the new one, or a
    key accepted that has no effect."""


def defaults(task: Task) -> dict:
    """The package defaults of ``task`` as a tree ``{section: {key: value}}``."""
    tree = {name: dataclasses.asdict(cls()) for name, cls in SECTIONS.items()}
    tree["dataset"] = dataclasses.asdict(task.dataset_config())
    tree["experiment"].update(name=task.name, task=task.name, output_dir=f"outputs/{task.name}")
    return {name: tree[name] for name in SECTION_NAMES}


def load_config(
    task: str = "recon",
    sections: dict | str | Path | None = None,
    mode: str | None = None,
    seed: int | None = None,
    overrides: list[str] | tuple[str, ...] = (),
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
    spec = get_task(task)
    tree = defaults(spec)
    notes: list[str] = []
    if quick:
        tree = merge(tree, QUICK)
        tree["experiment"]["output_dir"] = f"outputs/quick/{task}"
    given = _translate(spec, read_sections(sections, tree), notes)
    dataset_keys = set(given["dataset"]) if isinstance(given.get("dataset"), dict) else set()  # set by the config
    for key in dataset_keys:
        _check_dataset_key(spec, key)
    tree = merge(tree, given)
    if mode is not None:
        tree["experiment"]["mode"] = mode
    if seed is not None:
        tree["experiment"]["seed"] = seed
    for item in overrides:
        key, value = parse_override(item)
        section, name = key.split(".")
        for name, value in _translate(spec, {section: {name: value}}, notes)[section].items():
            if section == "dataset":
                _check_dataset_key(spec, name)
                dataset_keys.add(name)
            set_dotted(tree, f"{section}.{name}", value)
    if tree["experiment"]["task"] != task:
        raise ConfigError(
            f"experiment.task: {tree['experiment']['task']!r} cannot be run by the {task!r} "
            f"notebook; use the {tree['experiment']['task']!r} notebook or drop the key"
        )
    cfg = _build(spec, tree)
    notes = list(dict.fromkeys(notes + _inert_notes(spec, cfg.dataset, dataset_keys)))  # a key in a file and an override: once
    for note in notes:
        warnings.warn(note, DeprecatedConfigWarning, stacklevel=2)
    return dataclasses.replace(cfg, notes=tuple(notes))


def _translate(spec: Task, given: dict, notes: list[str]) -> dict:
    """``given`` with older names and values replaced by the new ones, keys without effect
    dropped, each with a line appended to ``notes``, and ``dataset.type`` checked against the
    task and dropped."""
    out = copy.deepcopy(given)
    for section, values in out.items():
        if not isinstance(values, dict):
            continue
        renamed = {old: new for (s, old), new in RENAMED.items() if s == section}
        if section == "dataset":
            renamed |= spec.renamed_keys
        for old in list(values):
            if old in renamed:
                new = renamed[old]
                notes.append(f"{section}.{old} is the older name of {section}.{new}; read as {section}.{new}")
                values[new] = values.pop(old)
            elif (section, old) in IGNORED or (section == "dataset" and old in spec.ignored_keys):
                why = IGNORED.get((section, old)) or spec.ignored_keys[old]
                notes.append(f"{section}.{old} has no effect: {why}")
                del values[old]
            elif section == "dataset" and old == "type":
                _check_type(spec, values.pop(old))
        for key, table in ((k, t) for (s, k), t in RENAMED_VALUES.items() if s == section):
            if isinstance(values.get(key), str) and values[key] in table:
                notes.append(f"{section}.{key}: {values[key]!r} is the older name of {table[values[key]]!r}")
                values[key] = table[values[key]]
    return out


def _inert_notes(spec: Task, dataset: Any, given: set[str]) -> list[str]:
    """A note for each dataset key in ``given`` that the other keys leave without effect, unless
    it keeps its default (then it changes nothing either way, as in a reloaded config.yaml)."""
    default = spec.dataset_config()
    return [
        f"dataset.{key} has no effect: {why}" for key, why in spec.inert_keys(dataset).items()
        if key in given and getattr(dataset, key) != getattr(default, key)
    ]


def _check_type(spec: Task, value: Any) -> None:
    """``dataset.type`` of the original scripts must name the dataset of the notebook's task."""
    if value == spec.legacy_type:
        return
    owner = next((t.name for t in TASKS.values() if t.legacy_type == value), None)
    if owner is None:
        types = valid(t.legacy_type for t in TASKS.values() if t.legacy_type)
        raise ConfigError(f"dataset.type: {value!r} is unknown; valid: {types}")
    raise ConfigError(
        f"dataset.type: {value!r} is the dataset of the {owner!r} task, but this is the {spec.name!r} "
        f"notebook (dataset.type {spec.legacy_type!r}); use the {owner!r} notebook"
    )


def _accepted_keys(task: Task) -> set[str]:
    """Every dataset key ``task`` accepts: its fields, its older names and its keys without effect."""
    return {f.name for f in dataclasses.fields(task.dataset_config)} | set(task.renamed_keys) | set(task.ignored_keys)


def _check_dataset_key(spec: Task, key: str) -> None:
    """A dataset key of another task (one of its fields, older names or keys without effect) is
    named as such, with the keys this task takes."""
    own = {f.name for f in dataclasses.fields(spec.dataset_config)}
    if key in own:
        return
    owners = [t.name for t in TASKS.values() if t is not spec and key in _accepted_keys(t)]
    if owners:
        raise ConfigError(
            f"dataset.{key} is a {' and '.join(owners)} key; {spec.name} takes: {valid(sorted(own))}"
        )


def _build(spec: Task, tree: dict) -> Config:
    built = {name: build_section(cls, name, tree[name]) for name, cls in SECTIONS.items()}
    dataset = spec.resolve(build_section(spec.dataset_config, "dataset", tree["dataset"]))
    cfg = Config(dataset=dataset, **built)
    _check_relations(cfg)
    return cfg


def _check_relations(cfg: Config) -> None:
    if not cfg.training.mip_t_star < 1:
        raise ConfigError(f"training.mip_t_star: {cfg.training.mip_t_star!r} is invalid; it must lie in (0, 1)")
    d = cfg.dataset
    if not d.c_max > d.c_min:
        raise ConfigError(f"dataset.c_max: {d.c_max!r} is invalid; it must exceed dataset.c_min = {d.c_min!r}")
