"""lie's dataset keys (toyexp.tasks.lie.config): defaults, the derived target_dim, relations
between keys, and the keys the others leave without effect."""

import math

import pytest

from toyexp.schema import ConfigError, build_section
from toyexp.tasks import dataset_config
from toyexp.tasks.config import DatasetConfig
from toyexp.tasks.lie.config import RotationConfig


def resolved(**values) -> RotationConfig:
    """The section as the loader builds it: each value checked against its field, then resolve()."""
    return build_section(RotationConfig, "dataset", values).resolve()


def test_defaults_and_derived_target_dim():
    d = resolved()
    assert dataset_config("lie") is RotationConfig and issubclass(RotationConfig, DatasetConfig)
    assert (d.rotation_dim, d.num_rotations, d.alpha_min, d.alpha_values) == (2, 8, 0.0, [])
    assert d.alpha_max == 2 * math.pi
    assert (d.rotation_seed, d.weight_seed, d.weight_type, d.num_weight_components) == (0, 0, "constant", 3)
    assert d.weight_strategy == "uniform"
    assert RotationConfig().target_dim is None and d.target_dim == 16  # K n = 8 * 2
    assert resolved(num_rotations=3, rotation_dim=3).target_dim == 9
    assert resolved(num_rotations=3, target_dim=6).target_dim == 6  # consistent: accepted


def test_velocities_are_floats_and_null_means_evenly_spaced():
    d = resolved(num_rotations=2, alpha_values=[0.5, 4])
    assert d.alpha_values == [0.5, 4.0] and all(type(a) is float for a in d.alpha_values)
    assert resolved(alpha_values=None).alpha_values == []


@pytest.mark.parametrize("values,fragments", [
    ({"rotation_dim": 4}, ["dataset.rotation_dim", "4", "2, 3"]),
    ({"rotation_dim": "two"}, ["dataset.rotation_dim", "'two'", "integer"]),
    ({"num_rotations": 0}, ["dataset.num_rotations", "0", "at least 1"]),
    ({"num_weight_components": 0}, ["dataset.num_weight_components", "0", "at least 1"]),
    ({"weight_type": "sine"}, ["dataset.weight_type", "'sine'", "'constant'", "'high_frequency'"]),
    ({"weight_strategy": "inverse"}, ["dataset.weight_strategy", "'inverse'", "did you mean 'inverse_freq'", "'uniform'"]),
    ({"alpha_max": 0}, ["dataset.alpha_max", "0.0", "dataset.alpha_min = 0.0"]),
    ({"alpha_min": 3, "alpha_max": 1}, ["dataset.alpha_max", "1.0", "dataset.alpha_min = 3.0"]),
    ({"alpha_values": [1, 2]}, ["dataset.alpha_values", "[1.0, 2.0]", "num_rotations = 8", "[] or null"]),
    ({"alpha_values": 5}, ["dataset.alpha_values", "5", "list", "or [] (or null) for evenly spaced"]),
    ({"alpha_values": [1, "x"]}, ["dataset.alpha_values", "'x'", "number"]),
    ({"rotation_seed": 1.5}, ["dataset.rotation_seed", "1.5", "integer"]),
    ({"weight_seed": "a"}, ["dataset.weight_seed", "'a'", "integer"]),
    ({"target_dim": 8}, ["dataset.target_dim", "8", "8 * 2 = 16", "leave it unset"]),
    ({"rotation_dim": 3, "target_dim": 16}, ["dataset.target_dim", "16", "8 * 3 = 24"]),
    ({"c_min": 1.0, "c_max": 1.0}, ["dataset.c_max", "1.0", "dataset.c_min = 1.0"]),  # the shared keys' check too
])
def test_bad_rotation_config_is_named(values, fragments):
    with pytest.raises(ConfigError) as info:
        resolved(**values)
    for fragment in fragments:
        assert fragment in str(info.value), f"{fragment!r} not in {str(info.value)!r}"


@pytest.mark.parametrize("values,inert", [
    ({}, {"rotation_seed", "weight_strategy", "num_weight_components"}),  # the plane, constant weights
    ({"rotation_dim": 3}, {"weight_strategy", "num_weight_components"}),
    ({"weight_type": "high_frequency"}, {"rotation_seed", "weight_seed"}),
    ({"rotation_dim": 3, "weight_type": "high_frequency", "num_rotations": 2, "alpha_values": [1, 2]},
     {"weight_seed", "alpha_min", "alpha_max"}),
])
def test_inert_keys_follow_the_other_keys(values, inert):
    why = resolved(**values).inert_keys()
    assert set(why) == inert
    assert all(text and "\n" not in text for text in why.values())
    if "rotation_seed" in why:
        assert why["rotation_seed"].endswith("in the plane A is fixed")
