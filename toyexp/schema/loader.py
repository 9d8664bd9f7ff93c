"""Building a tree of dataclass sections from YAML, dicts and dotted ``section.key=value`` overrides.

The tree is a dict ``{section: {key: value}}`` that starts from the dataclasses' defaults;
:func:`merge` and :func:`set_dotted` refuse any key the tree does not have, and
:func:`build_section` checks every value against its field (type, choices, bounds).
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import typing
from pathlib import Path
from typing import Any

import yaml

from .fields import ConfigError, FieldError, check_field, did_you_mean, valid


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


def merge(tree: dict, update: dict) -> dict:
    """Return ``tree`` ``{section: {key: value}}`` updated by ``update`` section by section: each
    key given replaces its value whole (a value may itself be a mapping). Sections and keys
    that ``tree`` does not have are refused."""
    out = copy.deepcopy(tree)
    for section, values in update.items():
        if section not in out:
            raise ConfigError(f"unknown key {section!r}{did_you_mean(section, out)}; valid keys: {valid(out)}")
        if values is None:
            continue  # an empty section in YAML (`training:`) changes nothing
        if not isinstance(values, dict):
            raise ConfigError(f"{section!r} must be a mapping of keys {valid(out[section])}, got {values!r}")
        for key, value in values.items():
            if key not in out[section]:
                raise ConfigError(f"unknown key {section + '.' + key!r}{did_you_mean(key, out[section], section + '.')}; "
                                  f"valid keys: {valid(out[section])}")
            out[section][key] = value
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


@functools.cache
def field_types(cls: type) -> dict[str, Any]:
    """The resolved type of each field of the dataclass ``cls``. Kept per class: under
    ``from __future__ import annotations`` every annotation is a string that
    ``typing.get_type_hints`` compiles and evaluates anew on each call, which was 44 % of
    :func:`~toyexp.run.config.load_config`'s time (0.9 of its 2.1 ms), paid again for every
    run record read."""
    return typing.get_type_hints(cls)


def build_section(cls: type, name: str, values: dict) -> Any:
    """The dataclass ``cls`` from ``values``, each checked against its field as ``<name>.<key>``
    (``<key>`` when ``name`` is ""); a field without a default must be given."""
    hints = field_types(cls)
    kwargs = {}
    for f in dataclasses.fields(cls):
        if not f.init:
            continue
        key = f"{name}.{f.name}" if name else f.name
        if f.name not in values:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise FieldError(key, f"{key!r} is missing")
            continue
        kwargs[f.name] = check_field(key, values[f.name], hints[f.name], f.metadata)
    return cls(**kwargs)


class _UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML's safe loader, except that a key given twice in one mapping is an error: PyYAML
    would silently keep the last one (two variants of one name would become one)."""

    def construct_mapping(self, node, deep=False):
        first: dict = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if not isinstance(key, typing.Hashable):
                continue  # PyYAML's own error follows
            if key in first:
                raise ConfigError(f"line {line}: duplicate key {key!r} (first given on line {first[key]}); each key may appear once")
            first[key] = line
        return super().construct_mapping(node, deep=deep)


def read_yaml_lines(text: str) -> tuple[Any, dict]:
    """The data of a YAML document, with every key unique, and the line of each top-level key
    (``lines[key]``) and of each key one level down (``lines[(key, sub_key)]``).

    Raises ConfigError naming the line and column of a syntax error, or the duplicate key.
    """
    loader = _UniqueKeyLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = " ".join(str(err.problem or err.context or "").split())
        raise ConfigError(f"not valid YAML: {where}{problem}") from None
    except yaml.YAMLError as err:
        raise ConfigError(f"not valid YAML: {' '.join(str(err).split())}") from None
    finally:
        loader.dispose()
    lines: dict = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            lines[key_node.value] = key_node.start_mark.line + 1
            if isinstance(value_node, yaml.MappingNode):
                for sub_key, _ in value_node.value:
                    lines[(key_node.value, sub_key.value)] = sub_key.start_mark.line + 1
    return data, lines


def differences(a: dict, b: dict, ignore: typing.Collection[str] = ()) -> list[tuple[str, Any, Any]]:
    """``(dotted key, value in a, value in b)`` for every key of two ``{section: {key: value}}``
    trees whose values differ (a key one tree lacks reads as None), except the ``ignore``d keys."""
    found = []
    for section in sorted(a.keys() | b.keys()):
        mine, theirs = a.get(section) or {}, b.get(section) or {}
        for key in sorted(mine.keys() | theirs.keys()):
            dotted = f"{section}.{key}"
            if dotted not in ignore and mine.get(key) != theirs.get(key):
                found.append((dotted, mine.get(key), theirs.get(key)))
    return found


def change_text(a: dict, b: dict, ignore: typing.Collection[str] = ()) -> str:
    """The first difference of two config trees in words, ``training.num_epochs 20 → 40`` (and how
    many more keys differ); "" when they agree but for the ``ignore``d keys."""
    changed = differences(a, b, ignore)
    if not changed:
        return ""
    key, old, new = changed[0]
    more = len(changed) - 1
    return f"{key} {old!r} → {new!r}" + (f" (and {more} more key{'s' * (more != 1)})" if more else "")
