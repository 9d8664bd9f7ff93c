"""Building a tree of dataclass sections from YAML, dicts and dotted ``section.key=value`` overrides.

The tree is a dict ``{section: {key: value}}`` that starts from the dataclasses' defaults;
:func:`merge` and :func:`set_dotted` refuse any key the tree does not have, and
:func:`build_section` checks every value against its field (type, choices, bounds).
"""

from __future__ import annotations

import copy
import dataclasses
import typing
from pathlib import Path
from typing import Any

import yaml

from .fields import ConfigError, check_field, did_you_mean, valid


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


def read_sections(sections: dict | str | Path | None, names: typing.Iterable[str]) -> dict:
    """A dict of sections as given, or read from a YAML file; ``names`` are the valid sections."""
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
            raise ConfigError(f"config file {str(path)!r} is empty; expected sections {valid(names)}")
    if not isinstance(sections, dict):
        raise ConfigError(f"config must be a mapping of sections {valid(names)}, got {sections!r}")
    return sections


def merge(tree: dict, update: dict, prefix: str = "") -> dict:
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
            out[key] = merge(out[key], value, f"{dotted}.")
        else:
            out[key] = value
    return out


def set_dotted(tree: dict, key: str, value: Any) -> None:
    """``tree[section][name] = value`` for ``key = "section.name"``; both must exist."""
    section, name = key.split(".")
    if section not in tree:
        raise ConfigError(f"unknown section {section!r} in {key!r}{did_you_mean(section, tree)}; valid sections: {valid(tree)}")
    if name not in tree[section]:
        raise ConfigError(
            f"unknown key {key!r}{did_you_mean(name, tree[section], section + '.')}; "
            f"valid keys in {section!r}: {valid(tree[section])}"
        )
    tree[section][name] = value


def build_section(cls: type, name: str, values: dict) -> Any:
    """The dataclass ``cls`` from ``values``, each checked against its field as ``<name>.<key>``."""
    hints = typing.get_type_hints(cls)
    return cls(**{
        f.name: check_field(f"{name}.{f.name}", values[f.name], hints[f.name], f.metadata)
        for f in dataclasses.fields(cls)
    })
