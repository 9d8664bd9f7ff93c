"""Experiment configuration: a tree of frozen dataclasses built from YAML and dotted overrides.

Precedence, lowest first: package defaults (per task) < quick preset (optional) <
sections (dicts or a YAML file) < ``mode`` / ``seed`` < dotted ``key=value`` overrides.
Unknown keys, wrong types and invalid choices raise :class:`ConfigError` at load time,
naming the dotted key, the bad value and what would be valid.
"""

from __future__ import annotations

import copy
import dataclasses
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .validation import ConfigError, check_choice, check_field, did_you_mean, valid

TASKS = ("recon", "projection", "lie")
MODES = ("regression", "flow", "straight_flow", "mip", "mip_one_step")
INTEGRATORS = ("euler", "midpoint", "heun", "rk4")
INITIAL_DISTS = ("zeros", "gaussian")


def _choice(default: Any, choices: tuple) -> Any:
    return field(default=default, metadata={"choices": choices})


def _at_least(default: Any, minimum: float) -> Any:
    return field(default=default, metadata={"min": minimum})


def _positive(default: Any) -> Any:
    return field(default=default, metadata={"positive": True})


@dataclass(frozen=True)
class ExperimentConfig:
    name: str = "recon"
    task: str = _choice("recon", TASKS)
    mode: str = _choice("regression", MODES)
    seed: int = 42
    device: str = _choice("auto", ("auto", "cpu", "cuda"))
    output_dir: str = "outputs/recon"
    num_threads: int = _at_least(1, 1)


@dataclass(frozen=True)
class DatasetConfig:
    num_train: int = _at_least(50, 1)
    num_eval: int = _at_least(1000, 2)
    target_dim: int = _at_least(1, 1)
    condition_dim: int = _choice(1, (1,))
    num_components: int = _at_least(3, 1)
    weight_strategy: str = _choice("uniform", ("uniform", "inverse_freq"))
    sampling_strategy: str = _choice("grid", ("grid", "random"))
    c_min: float = 0.0
    c_max: float = 1.0
    sample_seed: int = 0
    low_dim: int = _at_least(2, 1)
    proj_seed: int = 0
    num_intervals: int = _at_least(1, 1)
    # the lie task: K = num_rotations components exp(alpha_i c A) e_1 in R^n, n = rotation_dim
    rotation_dim: int = _choice(2, (2, 3))
    num_rotations: int = _at_least(8, 1)
    alpha_min: float = 0.0
    alpha_max: float = 6.283185307179586  # 2 pi
    alpha_values: list[float] = field(default_factory=list, metadata={"empty_means": "evenly spaced"})
    rotation_seed: int = 0
    weight_seed: int = 0
    weight_type: str = _choice("constant", ("constant", "high_frequency"))
    num_weight_components: int = _at_least(3, 1)


@dataclass(frozen=True)
class NetworkConfig:
    architecture: str = _choice("concat", ("concat", "film"))
    hidden_dim: int = _at_least(256, 1)
    num_layers: int = _at_least(3, 1)
    activation: str = _choice("relu", ("relu", "gelu", "silu", "tanh"))


@dataclass(frozen=True)
class TrainingConfig:
    batch_size: int = _at_least(32, 1)
    num_epochs: int = _at_least(5000, 1)
    learning_rate: float = _positive(1e-3)
    log_interval: int = _at_least(100, 1)
    eval_interval: int = _at_least(500, 1)
    save_interval: int = _at_least(1000, 1)
    initial_dist: str = _choice("zeros", INITIAL_DISTS)
    loss_type: str = _choice("l2", ("l1", "l2"))
    mip_t_star: float = _positive(0.9)  # mip's second time t*, in (0, 1)


@dataclass(frozen=True)
class EvaluationConfig:
    num_eval_steps: int | list[int] = _at_least(1, 1)
    integration_method: str | list[str] = _choice("euler", INTEGRATORS)
    initial_dist: str = _choice("zeros", INITIAL_DISTS)

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


@dataclass(frozen=True)
class Config:
    experiment: ExperimentConfig = ExperimentConfig()
    dataset: DatasetConfig = DatasetConfig()
    network: NetworkConfig = NetworkConfig()
    training: TrainingConfig = TrainingConfig()
    evaluation: EvaluationConfig = EvaluationConfig()

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.to_dict(), sort_keys=False)


SECTIONS = {f.name: f.type for f in dataclasses.fields(Config)}
_SECTION_CLASSES = {
    "experiment": ExperimentConfig,
    "dataset": DatasetConfig,
    "network": NetworkConfig,
    "training": TrainingConfig,
    "evaluation": EvaluationConfig,
}

# Defaults that differ between tasks (the projection target is 8-dimensional).
TASK_DEFAULTS = {
    "recon": {"experiment": {"name": "recon", "output_dir": "outputs/recon"}},
    "projection": {
        "experiment": {"name": "projection", "output_dir": "outputs/projection"},
        "dataset": {"target_dim": 8},
    },
    # lie: target_dim is derived (num_rotations * rotation_dim); None marks it as not given
    "lie": {"experiment": {"name": "lie", "output_dir": "outputs/lie"}, "dataset": {"target_dim": None}},
}

# A setting that trains in a few seconds: the committed notebooks run it when no
# parameters are injected, so that nbval and a first look in JupyterLab are fast.
QUICK = {
    "experiment": {"output_dir": "outputs/quick"},
    "dataset": {"num_train": 20, "num_eval": 200},
    "network": {"hidden_dim": 64, "num_layers": 2},
    "training": {"num_epochs": 1500, "learning_rate": 3e-3, "log_interval": 100, "eval_interval": 250, "save_interval": 500},
    "evaluation": {"num_eval_steps": [1, 4], "integration_method": ["euler", "rk4"]},
}


def load_config(
    task: str = "recon",
    sections: dict | str | Path | None = None,
    mode: str | None = None,
    seed: int | None = None,
    overrides: list[str] | tuple[str, ...] = (),
    quick: bool = False,
) -> Config:
    """Build a validated :class:`Config`.

    Args:
        task: which experiment the config is for (sets task defaults and checks).
        sections: a dict ``{section: {key: value}}`` or the path of a YAML file of that shape.
        mode, seed: shortcuts for ``experiment.mode`` / ``experiment.seed`` (None = unset).
        overrides: dotted ``section.key=value`` strings; values are parsed as YAML.
        quick: apply the :data:`QUICK` preset below the sections.
    """
    check_choice("task", task, TASKS)
    tree = _merge(Config().to_dict(), TASK_DEFAULTS[task], "")
    tree["experiment"]["task"] = task
    if quick:
        tree = _merge(tree, QUICK, "")
        tree["experiment"]["output_dir"] = f"outputs/quick/{task}"
    tree = _merge(tree, _read_sections(sections), "")
    if mode is not None:
        tree["experiment"]["mode"] = mode
    if seed is not None:
        tree["experiment"]["seed"] = seed
    for item in overrides:
        key, value = parse_override(item)
        _set_dotted(tree, key, value)
    if tree["experiment"]["task"] != task:
        raise ConfigError(
            f"experiment.task: {tree['experiment']['task']!r} cannot be run by the {task!r} "
            f"notebook; use the {tree['experiment']['task']!r} notebook or drop the key"
        )
    if task == "lie":
        tree["dataset"]["target_dim"] = _rotation_target_dim(tree["dataset"])
    return _build(tree)


def parse_override(item: str) -> tuple[str, Any]:
    """Split ``"training.learning_rate=1e-3"`` into the key and its YAML-parsed value."""
    if not isinstance(item, str) or "=" not in item:
        raise ConfigError(
            f"override {item!r} is malformed: expected 'section.key=value', "
            f"e.g. 'training.learning_rate=0.001'"
        )
    key, raw = (s.strip() for s in item.split("=", 1))
    if key.count(".") != 1 or not all(key.split(".")):
        raise ConfigError(f"override {item!r} is malformed: the key must be 'section.key'")
    try:
        value = yaml.safe_load(raw) if raw else None
    except yaml.YAMLError as err:
        raise ConfigError(f"override {item!r}: the value {raw!r} is not valid YAML ({err})")
    if value is None:
        raise ConfigError(f"override {item!r} gives no value for {key}")
    return key, value


def _read_sections(sections: dict | str | Path | None) -> dict:
    if sections is None:
        return {}
    if isinstance(sections, (str, Path)):
        path = Path(sections)
        if not path.is_file():
            raise ConfigError(f"config file {str(path)!r} does not exist")
        try:
            sections = yaml.safe_load(path.read_text())
        except yaml.YAMLError as err:
            raise ConfigError(f"config file {str(path)!r} is not valid YAML: {err}")
        if sections is None:
            raise ConfigError(f"config file {str(path)!r} is empty; expected sections {valid(SECTIONS)}")
    if not isinstance(sections, dict):
        raise ConfigError(f"config must be a mapping of sections {valid(SECTIONS)}, got {sections!r}")
    return sections


def _merge(tree: dict, update: dict, prefix: str) -> dict:
    """Return ``tree`` updated by ``update``, rejecting keys that ``tree`` does not have."""
    out = copy.deepcopy(tree)
    for key, value in update.items():
        dotted = f"{prefix}{key}"
        if key not in out:
            raise ConfigError(f"unknown key {dotted!r}{did_you_mean(key, out, prefix)}; valid keys: {valid(out)}")
        if isinstance(out[key], dict):
            if value is None:
                continue  # an empty section in YAML (`training:`) changes nothing
            if not isinstance(value, dict):
                raise ConfigError(f"{dotted!r} must be a mapping of keys {valid(out[key])}, got {value!r}")
            out[key] = _merge(out[key], value, f"{dotted}.")
        else:
            out[key] = value
    return out


def _set_dotted(tree: dict, key: str, value: Any) -> None:
    section, name = key.split(".")
    if section not in tree:
        raise ConfigError(f"unknown section {section!r} in {key!r}{did_you_mean(section, tree)}; valid sections: {valid(tree)}")
    if name not in tree[section]:
        raise ConfigError(
            f"unknown key {key!r}{did_you_mean(name, tree[section], section + '.')}; "
            f"valid keys in {section!r}: {valid(tree[section])}"
        )
    tree[section][name] = value


def _build(tree: dict) -> Config:
    built = {}
    for section, cls in _SECTION_CLASSES.items():
        hints = typing.get_type_hints(cls)
        values = {}
        for f in dataclasses.fields(cls):
            key = f"{section}.{f.name}"
            values[f.name] = check_field(key, tree[section][f.name], hints[f.name], f.metadata)
        built[section] = cls(**values)
    cfg = Config(**built)
    _check_relations(cfg)
    return cfg


def _rotation_target_dim(d: dict) -> int:
    """The lie task's output dimension K·n; a ``dataset.target_dim`` given explicitly must equal it."""
    fields = {f.name: f for f in dataclasses.fields(DatasetConfig)}
    hints = typing.get_type_hints(DatasetConfig)
    K, n = (check_field(f"dataset.{k}", d[k], hints[k], fields[k].metadata) for k in ("num_rotations", "rotation_dim"))
    if d["target_dim"] is not None and d["target_dim"] != K * n:
        raise ConfigError(
            f"dataset.target_dim: {d['target_dim']!r} is invalid for the lie task; it is derived as "
            f"dataset.num_rotations * dataset.rotation_dim = {K} * {n} = {K * n} (leave it unset)"
        )
    return K * n


def _check_relations(cfg: Config) -> None:
    if not cfg.training.mip_t_star < 1:
        raise ConfigError(f"training.mip_t_star: {cfg.training.mip_t_star!r} is invalid; it must lie in (0, 1)")
    d = cfg.dataset
    if not d.c_max > d.c_min:
        raise ConfigError(f"dataset.c_max: {d.c_max!r} is invalid; it must exceed dataset.c_min = {d.c_min!r}")
    if cfg.experiment.task == "projection" and not d.low_dim < d.target_dim:
        raise ConfigError(
            f"dataset.low_dim: {d.low_dim!r} is invalid; the subspace must be smaller than "
            f"dataset.target_dim = {d.target_dim} (valid: 1 to {d.target_dim - 1})"
        )
    if cfg.experiment.task == "lie":
        if not d.alpha_max > d.alpha_min:
            raise ConfigError(f"dataset.alpha_max: {d.alpha_max!r} is invalid; it must exceed dataset.alpha_min = {d.alpha_min!r}")
        if d.alpha_values and len(d.alpha_values) != d.num_rotations:
            raise ConfigError(
                f"dataset.alpha_values: {d.alpha_values!r} is invalid; it must list dataset.num_rotations = "
                f"{d.num_rotations} velocities, or be [] for {d.num_rotations} evenly spaced in [alpha_min, alpha_max]"
            )


