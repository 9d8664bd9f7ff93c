"""Config fields: declaring a field's choices and bounds, and checking a value against it.

Every failure is a :class:`ConfigError` whose message names the dotted key, the bad value
and what would be valid, with a "did you mean" for near misses.
"""

from __future__ import annotations

import difflib
import types
import typing
from dataclasses import field
from typing import Any


class ConfigError(ValueError):
    """A configuration value or key that cannot be used; the message says why."""


def choice(default: Any, choices: tuple) -> Any:
    """A field whose value (or each value of a list) must be one of ``choices``."""
    return field(default=default, metadata={"choices": tuple(choices)})


def at_least(default: Any, minimum: float) -> Any:
    return field(default=default, metadata={"min": minimum})


def positive(default: Any) -> Any:
    return field(default=default, metadata={"positive": True})


def check_field(key: str, value: Any, hint: Any, meta: dict) -> Any:
    """``value`` coerced to the field's type ``hint`` and checked against its ``meta`` (choices, bounds)."""
    if "none_means" in meta and value is None:  # an optional value, None meaning meta["none_means"]
        return None
    if "empty_means" in meta:  # a list that may also be empty (or null), meaning meta["empty_means"]
        if value == [] or value is None:
            return []
        try:
            return _coerce(key, value, hint)
        except ConfigError as err:
            raise ConfigError(f"{err}, or [] (or null) for {meta['empty_means']}") from None
    value = _coerce(key, value, hint)
    for item in value if isinstance(value, list) else [value]:
        if "choices" in meta:
            check_choice(key, item, meta["choices"])
        if "min" in meta and item < meta["min"]:
            raise ConfigError(f"{key}: {item!r} is invalid; it must be at least {meta['min']}")
        if meta.get("positive") and not item > 0:
            raise ConfigError(f"{key}: {item!r} is invalid; it must be positive")
    return value


def _coerce(key: str, value: Any, hint: Any) -> Any:
    """Check ``value`` against a field annotation (int, float, str, list[...] or a union)."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        for option in typing.get_args(hint):
            try:
                return _coerce(key, value, option)
            except ConfigError:
                pass
        raise ConfigError(f"{key}: {value!r} has the wrong type; expected {_type_name(hint)}")
    if typing.get_origin(hint) is list:
        (inner,) = typing.get_args(hint)
        if not isinstance(value, list) or not value:
            raise ConfigError(f"{key}: {value!r} has the wrong type; expected a non-empty {_type_name(hint)}")
        return [_coerce(key, v, inner) for v in value]
    if hint is float and isinstance(value, str):
        value = _yaml11_float(value)  # PyYAML reads 1e-3 (no decimal point) as a string
    ok = {
        int: isinstance(value, int) and not isinstance(value, bool),
        float: isinstance(value, (int, float)) and not isinstance(value, bool),
        str: isinstance(value, str),
        bool: isinstance(value, bool),
        type(None): value is None,
    }[hint]
    if not ok:
        raise ConfigError(f"{key}: {value!r} has the wrong type; expected {_type_name(hint)}")
    return float(value) if hint is float else value


def _yaml11_float(text: str) -> Any:
    """``float(text)`` for number-like strings such as ``1e-3``; other strings unchanged."""
    try:
        return float(text) if text.strip().lower() not in ("nan", "inf", "-inf", "infinity") else text
    except ValueError:
        return text


def check_choice(key: str, value: Any, choices: tuple) -> None:
    if value not in choices:
        hint = did_you_mean(str(value), choices) if isinstance(value, str) else ""
        raise ConfigError(f"{key}: {value!r} is invalid{hint}; valid: {valid(choices)}")


def did_you_mean(word: str, options: Any, prefix: str = "") -> str:
    close = difflib.get_close_matches(str(word), [str(o) for o in options], n=1, cutoff=0.6)
    return f" (did you mean {prefix + close[0]!r}?)" if close else ""


def valid(options: Any) -> str:
    return ", ".join(repr(o) for o in options)


def _type_name(hint: Any) -> str:
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return " or ".join(_type_name(h) for h in typing.get_args(hint))
    if typing.get_origin(hint) is list:
        return f"list of {_type_name(typing.get_args(hint)[0])}"
    return {int: "an integer", float: "a number", str: "a string", bool: "true/false", type(None): "null"}[hint]
