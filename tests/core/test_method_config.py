"""The method's config sections (toyexp.core.config), built through the schema as the loader
builds them: defaults, the derived lists, and every bad value named with what is valid."""

import pytest

from toyexp.core import names
from toyexp.core.config import EvaluationConfig, NetworkConfig, TrainingConfig
from toyexp.core.resolution import Tolerance
from toyexp.schema import FieldError, build_section


def evaluation(**values) -> EvaluationConfig:
    return build_section(EvaluationConfig, "evaluation", values)


def raises(cls, name, values, *fragments):
    with pytest.raises(FieldError) as info:
        build_section(cls, name, values)
    for fragment in fragments:
        assert fragment in str(info.value), (fragment, str(info.value))
    return info.value


def test_defaults_of_the_seed_readme():
    n, t, e = NetworkConfig(), TrainingConfig(), EvaluationConfig()
    assert (n.architecture, n.hidden_dim, n.num_layers, n.activation) == ("concat", 256, 3, "relu")
    assert (t.batch_size, t.num_epochs, t.learning_rate) == (32, 5000, 1e-3)
    assert (t.log_interval, t.eval_interval, t.save_interval, t.initial_dist) == (100, 500, 1000, "zeros")
    assert (t.loss_type, t.loss_aggregation, t.mip_t_star) == ("l2", "full", 0.9)
    assert (e.num_eval_steps, e.integration_method, e.initial_dist, e.rtol, e.atol) == (1, "euler", "zeros", 1e-3, 1e-5)
    assert (e.steps, e.methods, e.tolerances) == ([1], ["euler"], [Tolerance(1e-3, 1e-5)])


def test_steps_and_methods_are_sorted_and_deduplicated():
    e = evaluation(num_eval_steps=[8, 1, 4, 4], integration_method=["rk4", "euler", "rk4"])
    assert e.steps == [1, 4, 8]  # the last is the one ``final`` uses
    assert e.methods == ["rk4", "euler"]  # in the given order: the first is the one ``final`` uses


def test_tolerances_are_loose_to_tight_with_the_one_atol():
    e = evaluation(integration_method=["euler", "dopri5"], rtol=[1e-4, 1e-2, 1e-3, 1e-2], atol=1e-6)
    assert e.methods == ["euler", "dopri5"]
    assert e.tolerances == [Tolerance(1e-2, 1e-6), Tolerance(1e-3, 1e-6), Tolerance(1e-4, 1e-6)]


def test_an_exponent_without_a_point_is_a_number():
    # PyYAML 1.1 reads 1e-3 as a string; the field takes it as the number it spells
    assert evaluation(rtol="1e-3").rtol == 0.001 and build_section(TrainingConfig, "training", {"learning_rate": "1e-3"}).learning_rate == 0.001


CHOICES = [  # (section, key, the registered names it must accept)
    (EvaluationConfig, "integration_method", names.METHODS), (EvaluationConfig, "initial_dist", names.INITIAL_DISTS),
    (TrainingConfig, "initial_dist", names.INITIAL_DISTS), (TrainingConfig, "loss_type", names.LOSSES),
    (TrainingConfig, "loss_aggregation", names.LOSS_AGGREGATIONS),
    (NetworkConfig, "architecture", names.ARCHITECTURES), (NetworkConfig, "activation", names.ACTIVATIONS),
]


@pytest.mark.parametrize("cls,key,registered", CHOICES)
def test_a_choice_accepts_each_registered_name_and_nothing_else(cls, key, registered):
    """Guards: a section takes exactly the names of core/names.py, so a new registered part is a choice at once."""
    for name in registered:
        assert getattr(build_section(cls, "s", {key: name}), key) in (name, [name])
    err = raises(cls, "s", {key: "nonesuch"}, f"s.{key}: 'nonesuch' is invalid; valid: " + ", ".join(map(repr, registered)))
    assert err.key == f"s.{key}"


@pytest.mark.parametrize("values,fragments", [
    ({"rtol": 0}, ("evaluation.rtol", "0.0", "positive")),
    ({"rtol": -1e-3}, ("evaluation.rtol", "-0.001", "positive")),
    ({"rtol": [1e-3, 0]}, ("evaluation.rtol", "0.0", "positive")),
    ({"rtol": "tight"}, ("evaluation.rtol", "'tight'", "a number or a non-empty list of numbers")),
    ({"atol": 0}, ("evaluation.atol", "0.0", "positive")),
    ({"atol": [1e-5, 1e-6]}, ("evaluation.atol", "[1e-05, 1e-06]", "expected a number")),
    ({"integration_method": "dopri4"}, ("evaluation.integration_method", "'dopri4'", "did you mean 'dopri5'", "'rk4'")),
    ({"integration_method": ["euler", "dopri"]}, ("evaluation.integration_method", "'dopri'", "'dopri5'")),
    ({"integration_method": "rk5"}, ("evaluation.integration_method", "'rk5'", "'euler', 'midpoint', 'heun', 'rk4', 'dopri5'")),
    ({"num_eval_steps": 0}, ("evaluation.num_eval_steps", "0", "at least 1")),
    ({"num_eval_steps": [1, 0]}, ("evaluation.num_eval_steps", "0", "at least 1")),
    ({"num_eval_steps": [1, "a"]}, ("evaluation.num_eval_steps", "'a'", "integer")),
    ({"num_eval_steps": []}, ("evaluation.num_eval_steps", "[]", "an integer or a non-empty list of integers")),
    ({"initial_dist": "ones"}, ("evaluation.initial_dist", "'ones'", "'zeros', 'gaussian'")),
])
def test_bad_evaluation_values_name_key_value_and_what_is_valid(values, fragments):
    err = raises(EvaluationConfig, "evaluation", values, *fragments)
    assert err.key == f"evaluation.{next(iter(values))}"


@pytest.mark.parametrize("key,value,fragments", [
    ("mip_t_star", 1.0, ("training.mip_t_star: 1.0 is invalid; it must lie in (0, 1)",)),
    ("mip_t_star", 0, ("training.mip_t_star: 0.0 is invalid; it must lie in (0, 1)",)),
    ("learning_rate", 0, ("training.learning_rate", "0.0", "positive")),
    ("learning_rate", True, ("training.learning_rate", "True", "expected a number")),
    ("batch_size", 0, ("training.batch_size", "0", "at least 1")),
    ("batch_size", 2.5, ("training.batch_size", "2.5", "expected an integer")),
    ("loss_type", "huber", ("training.loss_type", "'huber'", "'l2', 'l1'")),
    ("loss_aggregation", "per_componnet", ("did you mean 'per_component'",)),
])
def test_bad_training_values_are_named(key, value, fragments):
    raises(TrainingConfig, "training", {key: value}, *fragments)


@pytest.mark.parametrize("key,value,fragments", [
    ("architecture", "convnet", ("network.architecture", "'convnet'", "'concat', 'film'")),
    ("activation", "sigmoid", ("network.activation", "'sigmoid'", "'relu', 'gelu', 'silu', 'tanh'")),
    ("hidden_dim", 0, ("network.hidden_dim", "0", "at least 1")),
    ("num_layers", "three", ("network.num_layers", "'three'", "integer")),
])
def test_bad_network_values_are_named(key, value, fragments):
    raises(NetworkConfig, "network", {key: value}, *fragments)


def test_mip_t_star_inside_the_interval_is_kept():
    assert build_section(TrainingConfig, "training", {"mip_t_star": 0.5}).mip_t_star == 0.5
