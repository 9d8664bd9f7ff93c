"""Config fields (toyexp.schema.fields): what each declaration accepts, and every refusal naming
the key, the value and what would be valid. The sections here are made up for the tests."""

from dataclasses import dataclass, field
from typing import Any

import pytest

from toyexp.schema import ConfigError, FieldError, at_least, between, build_section, check_field, choice, did_you_mean, positive

CALLED = []


def names_now() -> tuple[str, ...]:
    """Choices known only when asked (a registry of tasks): counted, to show they are asked at check time."""
    CALLED.append(1)
    return ("line", "circle")


@dataclass(frozen=True)
class Section:
    count: int = at_least(1, 1)
    rate: float = positive(0.5)
    fraction: float = between(0.5, 0.0, 1.0)
    colour: str = choice("red", ("red", "green", "blue"))
    sizes: int | list[int] = at_least(1, 1)
    shapes: list[str] = field(default_factory=lambda: ["line"], metadata={"choices": names_now, "unique": True,
                                                                          "example": lambda: "[line]"})
    seeds: list[int] = field(default_factory=lambda: [1], metadata={"unique": True, "example": "[42, 43]"})
    table: dict[str, list[int]] = field(default_factory=dict)
    derived: int | None = field(default=None, metadata={"none_means": "derived from count"})
    values: list[float] = field(default_factory=list, metadata={"empty_means": "evenly spaced"})
    flag: bool = False
    anything: Any = None


def build(**values) -> Section:
    return build_section(Section, "s", values)


def refused(*fragments, key=None, **values) -> FieldError:
    with pytest.raises(FieldError) as info:
        build(**values)
    for fragment in fragments:
        assert fragment in str(info.value), (fragment, str(info.value))
    assert info.value.key == (key or f"s.{next(iter(values))}")
    assert isinstance(info.value, ConfigError)
    return info.value


def test_defaults_and_coercion():
    s = build()
    assert (s.count, s.rate, s.fraction, s.colour, s.sizes, s.shapes, s.table, s.derived, s.values) == (
        1, 0.5, 0.5, "red", 1, ["line"], {}, None, [])
    s = build(rate=2, fraction="0.25", sizes=[3, 1], table={"a": [1, 2]}, anything={"x": [1]})
    assert (s.rate, type(s.rate), s.fraction) == (2.0, float, 0.25)  # an int or a number-like string to a float
    assert (s.sizes, s.table, s.anything) == ([3, 1], {"a": [1, 2]}, {"x": [1]})


# --- types and their names ----------------------------------------------------------------------


@pytest.mark.parametrize("values,shown,expected", [
    ({"count": "three"}, "'three'", "expected an integer"),
    ({"count": True}, "True", "expected an integer"),  # a bool is no integer, though Python says it is
    ({"count": 2.0}, "2.0", "expected an integer"),
    ({"rate": "fast"}, "'fast'", "expected a number"),
    ({"rate": "nan"}, "'nan'", "expected a number"),  # a number-like string, but not one a config means
    ({"rate": False}, "False", "expected a number"),
    ({"colour": 3}, "3", "expected a string"),
    ({"flag": "yes"}, "'yes'", "expected true/false"),
    ({"sizes": "4"}, "'4'", "expected an integer or a non-empty list of integers"),
    ({"sizes": [1, 2.5]}, "[1, 2.5]", "expected an integer or a non-empty list of integers"),
    ({"sizes": []}, "[]", "expected an integer or a non-empty list of integers"),
    ({"seeds": 42}, "42", "expected a non-empty list of integers"),
    ({"table": [1]}, "[1]", "expected a mapping of strings to non-empty lists of integers"),
    ({"derived": "x"}, "'x'", "expected an integer or null"),
])
def test_a_wrong_type_names_the_value_and_the_type_in_words(values, shown, expected):
    refused(f"{shown} has the wrong type; {expected}", **values)


def test_a_wrong_type_inside_a_mapping_names_the_entry():
    refused("s.table.b: 'x' has the wrong type; expected an integer", key="s.table.b", table={"a": [1], "b": [2, "x"]})
    refused("s.table: 3 has the wrong type", key="s.table", table={3: [1]})


def test_an_example_follows_a_wrong_type():
    refused("s.seeds: 'a' has the wrong type; expected a non-empty list of integers, e.g. [42, 43]", seeds="a")
    refused("s.shapes: [] has the wrong type; expected a non-empty list of strings, e.g. [line]", shapes=[])  # from a function


# --- bounds -------------------------------------------------------------------------------------


@pytest.mark.parametrize("values,message", [
    ({"count": 0}, "s.count: 0 is invalid; it must be at least 1"),
    ({"sizes": [2, -1]}, "s.sizes: -1 is invalid; it must be at least 1"),
    ({"rate": 0}, "s.rate: 0.0 is invalid; it must be positive"),
    ({"rate": -1e-3}, "s.rate: -0.001 is invalid; it must be positive"),
    ({"fraction": 1}, "s.fraction: 1.0 is invalid; it must lie in (0, 1)"),
    ({"fraction": 0.0}, "s.fraction: 0.0 is invalid; it must lie in (0, 1)"),
    ({"fraction": -2}, "s.fraction: -2.0 is invalid; it must lie in (0, 1)"),
])
def test_bounds(values, message):
    refused(message, **values)


def test_a_value_on_the_bound_is_accepted():
    assert (build(count=1).count, build(rate=1e-12).rate, build(fraction=0.999).fraction) == (1, 1e-12, 0.999)


# --- choices ------------------------------------------------------------------------------------


def test_a_bad_choice_names_the_valid_ones_and_a_near_miss():
    refused("s.colour: 'gren' is invalid (did you mean 'green'?); valid: 'red', 'green', 'blue'", colour="gren")
    err = refused("s.colour: 'purple' is invalid; valid: 'red', 'green', 'blue'", colour="purple")
    assert "did you mean" not in str(err)


def test_callable_choices_are_asked_when_a_value_is_checked():
    CALLED.clear()
    assert build(shapes=["circle", "line"]).shapes == ["circle", "line"]
    assert CALLED
    refused("s.shapes: 'cirle' is invalid (did you mean 'circle'?); valid: 'line', 'circle'", shapes=["line", "cirle"])


def test_unique_lists_name_what_repeats():
    refused("s.seeds: [42] listed twice; each may appear once", seeds=[42, 43, 42])
    refused("s.shapes: ['circle', 'line'] listed twice", shapes=["line", "circle", "line", "circle"])
    assert build(sizes=[1, 1]).sizes == [1, 1]  # a list without ``unique`` may repeat


# --- what None and [] stand for -----------------------------------------------------------------


def test_none_means():
    assert build(derived=None).derived is None and build(derived=4).derived == 4
    refused("s.count: None has the wrong type; expected an integer", count=None)  # None only where it means something


def test_empty_means():
    assert build(values=[]).values == [] and build(values=None).values == []  # null reads as []
    assert build(values=[1, 2.5]).values == [1.0, 2.5]
    refused("s.values: 5 has the wrong type; expected a non-empty list of numbers, or [] (or null) for evenly spaced", values=5)
    refused("s.values: 'x' has the wrong type", values=[1, "x"])


# --- the pieces -----------------------------------------------------------------------------------


def test_check_field_on_its_own():
    assert check_field("k", "1e-3", float, {}) == 0.001  # PyYAML 1.1 reads 1e-3 as a string
    assert check_field("k", [3, 4], list[int], {"min": 3}) == [3, 4]
    with pytest.raises(FieldError, match=r"^k: 2 is invalid; it must be at least 3$"):
        check_field("k", [3, 2], list[int], {"min": 3})


def test_did_you_mean():
    assert did_you_mean("lerning_rate", ["learning_rate", "batch_size"]) == " (did you mean 'learning_rate'?)"
    assert did_you_mean("lerning_rate", ["learning_rate"], "training.") == " (did you mean 'training.learning_rate'?)"
    assert did_you_mean("zzz", ["learning_rate"]) == ""
