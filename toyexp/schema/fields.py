"""Config fields: declaring a field's choices and bounds, and checking a value against it.

Every failure is a :class:`FieldError` (a :class:`ConfigError`) whose message names the key,
the bad value and what would be valid, with a "did you mean" for near misses; it carries the
key, so a file's loader can say on which line the key stands.

A field's checks are its metadata: ``choices`` (a tuple, or a function giving one, for names
known only at run time), ``min``, ``positive``, ``between``, ``unique`` (a list without
repeats), ``none_means`` / ``empty_means`` (what None or [] stand for: otherwise a list must not
be empty), and ``example`` (shown after a wrong type, e.g. ``[42, 43]``; or a function giving it).
"""

from __future__ import annotations

import difflib
import types
import typing
from dataclasses import field
from typing import Any


class ConfigError(ValueError):
    """A configuration value or key that cannot be used; the message says why."""


class FieldError(ConfigError):
    """A value that does not fit its field; ``key`` is the field's (dotted) key."""

    def __init__(self, key: str, message: str):
        super().__init__(message)
        self.key = key


def choice(default: Any, choices: tuple) -> Any:
    """A field whose value (or each value of a list) must be one of ``choices``."""
    return field(default=default, metadata={"choices": tuple(choices)})


def at_least(default: Any, minimum: float) -> Any:
    return field(default=default, metadata={"min": minimum})


def positive(default: Any) -> Any:
    return field(default=default, metadata={"positive": True})


def between(default: Any, low: float, high: float) -> Any:
    """A number strictly inside (low, high)."""
    return field(default=default, metadata={"between": (low, high)})


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
            raise FieldError(key, f"{err}, or [] (or null) for {meta['empty_means']}") from None
    try:
        value = _coerce(key, value, hint)
        if value == []:
            raise _wrong_type(key, value, hint)
    except FieldError as err:
        example = meta.get("example")
        example = example() if callable(example) else example
        raise FieldError(err.key, f"{err}, e.g. {example}" if example else str(err)) from None
    items = value if isinstance(value, list) else [value]
    if meta.get("unique"):
        twice = sorted({v for v in items if items.count(v) > 1}, key=str)
        if twice:
            raise FieldError(key, f"{key}: {twice} listed twice; each may appear once")
    choices = meta.get("choices")
    choices = choices() if callable(choices) else choices
    for item in items:
        if choices is not None:
            check_choice(key, item, tuple(choices))
        if "min" in meta and item < meta["min"]:
            raise FieldError(key, f"{key}: {item!r} is invalid; it must be at least {meta['min']}")
        if meta.get("positive") and not item > 0:
            raise FieldError(key, f"{key}: {item!r} is invalid; it must be positive")
        if "between" in meta and not meta["between"][0] < item < meta["between"][1]:
            low, high = meta["between"]
            raise FieldError(key, f"{key}: {item!r} is invalid; it must lie in ({low:g}, {high:g})")
    return value


def _coerce(key: str, value: Any, hint: Any) -> Any:
    """Check ``value`` against a field annotation (int, float, str, list[...], dict[...] or a union)."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        for option in typing.get_args(hint):
            try:
                return _coerce(key, value, option)
            except ConfigError:
                pass
        raise _wrong_type(key, value, hint)
    if typing.get_origin(hint) is list:  # check_field refuses an empty list at the top level
        (inner,) = typing.get_args(hint)
        if not isinstance(value, list):
            raise _wrong_type(key, value, hint)
        return [_coerce(key, v, inner) for v in value]
    if typing.get_origin(hint) is dict:
        key_hint, value_hint = typing.get_args(hint)
        if not isinstance(value, dict):
            raise _wrong_type(key, value, hint)
        return {_coerce(key, k, key_hint): _coerce(f"{key}.{k}", v, value_hint) for k, v in value.items()}
    if hint is Any:
        return value
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
        raise _wrong_type(key, value, hint)
    return float(value) if hint is float else value


def _wrong_type(key: str, value: Any, hint: Any) -> FieldError:
    return FieldError(key, f"{key}: {value!r} has the wrong type; expected {_type_name(hint)}")


def _yaml11_float(text: str) -> Any:
    """``float(text)`` for number-like strings such as ``1e-3``; other strings unchanged."""
    try:
        return float(text) if text.strip().lower() not in ("nan", "inf", "-inf", "infinity") else text
    except ValueError:
        return text


def check_choice(key: str, value: Any, choices: tuple) -> None:
    if value not in choices:
        hint = did_you_mean(str(value), choices) if isinstance(value, str) else ""
        raise FieldError(key, f"{key}: {value!r} is invalid{hint}; valid: {valid(choices)}")


def did_you_mean(word: str, options: Any, prefix: str = "") -> str:
    close = difflib.get_close_matches(str(word), [str(o) for o in options], n=1, cutoff=0.6)
    return f" (did you mean {prefix + close[0]!r}?)" if close else ""


def valid(options: Any) -> str:
    return ", ".join(repr(o) for o in options)


_NAMES = {int: ("an integer", "integers"), float: ("a number", "numbers"), str: ("a string", "strings"),
          bool: ("true/false", "true/false values"), type(None): ("null", "nulls")}


def _type_name(hint: Any, plural: bool = False) -> str:
    """What a value of type ``hint`` is, in words: "an integer", "a non-empty list of integers"..."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return " or ".join(_type_name(h, plural) for h in typing.get_args(hint))
    if typing.get_origin(hint) is list:
        return f"{'non-empty lists' if plural else 'a non-empty list'} of {_type_name(typing.get_args(hint)[0], True)}"
    if typing.get_origin(hint) is dict:
        key_hint, value_hint = typing.get_args(hint)
        return f"{'mappings' if plural else 'a mapping'} of {_type_name(key_hint, True)} to {_type_name(value_hint, True)}"
    if hint is Any:
        return "values" if plural else "a value"
    return _NAMES[hint][plural]
