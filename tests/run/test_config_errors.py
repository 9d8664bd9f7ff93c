"""Every bad input to a run's config (toyexp.run.config.load_config) fails at load time with a
message naming the dotted key, the value and what would be valid: through sections, files,
shortcuts and overrides alike. The field machinery's own messages: tests/schema."""

import pytest

from toyexp import ConfigError, load_config


def raises(*fragments, **kwargs):
    """Call load_config(**kwargs), expect ConfigError, and check the message names every fragment."""
    with pytest.raises(ConfigError) as info:
        load_config(**kwargs)
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    return message


# --- files -------------------------------------------------------------------------------


def test_missing_file(tmp_path):
    raises("does not exist", "nope.yaml", sections=tmp_path / "nope.yaml")


@pytest.mark.parametrize("text,fragments", [
    ("# only a comment\n", ("empty", "bad.yaml", "'training'")),
    ("- training\n- dataset\n", ("mapping", "'training'", "['training', 'dataset']")),
    ("training: [1,\n", ("not valid YAML", "bad.yaml")),
])
def test_a_file_that_is_no_config(tmp_path, text, fragments):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    raises(*fragments, sections=path)


def test_section_that_is_not_a_mapping():
    raises("'training'", "mapping", "'learning_rate'", "5", sections={"training": 5})


# --- unknown keys and sections ------------------------------------------------------------


def test_unknown_key_suggests_the_near_miss_in_sections_and_overrides():
    raises("training.learnign_rate", "did you mean 'training.learning_rate'", "'batch_size'",
           sections={"training": {"learnign_rate": 1e-3}})
    raises("training.learnign_rate", "did you mean 'training.learning_rate'", "'batch_size'",
           overrides=["training.learnign_rate=0.001"])


def test_unknown_key_far_from_any_gets_no_suggestion():
    assert "did you mean" not in raises("network.zzzz", "'hidden_dim'", sections={"network": {"zzzz": 1}})


def test_unknown_section():
    raises("'trainig'", "did you mean 'training'", "'evaluation'", sections={"trainig": {"num_epochs": 1}})
    raises("'trainig'", "did you mean 'training'", "'evaluation'", overrides=["trainig.num_epochs=1"])


def test_a_malformed_override_reaches_the_user():
    raises("'learning_rate=0.1'", "malformed", "section.key", overrides=["learning_rate=0.1"])


# --- wrong types -------------------------------------------------------------------------


@pytest.mark.parametrize("raw,shown", [("fifty", "'fifty'"), ("true", "True"), ("50.5", "50.5"), ("50.0", "50.0"), ("[50]", "[50]")])
def test_wrong_type_for_int(raw, shown):
    raises("dataset.num_train", shown, "integer", overrides=[f"dataset.num_train={raw}"])


def test_wrong_type_in_sections_and_shortcuts():
    raises("network.hidden_dim", "'big'", "integer", sections={"network": {"hidden_dim": "big"}})
    raises("training.learning_rate", "'fast'", "number", sections={"training": {"learning_rate": "fast"}})
    raises("training.learning_rate", "True", "number", sections={"training": {"learning_rate": True}})
    raises("experiment.variant", "3", "string", sections={"experiment": {"variant": 3}})
    raises("experiment.seed", "'x'", "integer", seed="x")


@pytest.mark.parametrize("raw,shown", [("[1,a]", "'a'"), ("[1,2.5]", "2.5"), ("[]", "[]"), ("[1,true]", "True")])
def test_num_eval_steps_list_with_bad_entry(raw, shown):
    raises("evaluation.num_eval_steps", shown, "integer", overrides=[f"evaluation.num_eval_steps={raw}"])


@pytest.mark.parametrize("raw", ["[1, 2]", "3", "abc"])
def test_grid_point_must_be_a_mapping(raw):
    raises("experiment.grid_point", "expected a mapping of strings to", overrides=[f"experiment.grid_point={raw}"])


def test_grid_point_values_are_plain():
    raises("experiment.grid_point.a", "[1]", "expected an integer or a number or a string or true/false",
           sections={"experiment": {"grid_point": {"a": [1]}}})


# --- bad choices ----------------------------------------------------------------------


def test_bad_mode_suggests_flow():
    raises("experiment.mode", "'flwo'", "did you mean 'flow'", "'regression'", mode="flwo")
    raises("experiment.mode", "'flwo'", "did you mean 'flow'", "'regression'", overrides=["experiment.mode=flwo"])
    raises("did you mean 'mip_one_step'", mode="mip_onestep")


@pytest.mark.parametrize("key,value,valid", [
    ("network.architecture", "convnet", "'film'"),
    ("network.activation", "sigmoid", "'gelu'"),
    ("training.initial_dist", "uniform", "'gaussian'"),
    ("training.loss_type", "huber", "'l1'"),
    ("dataset.weight_strategy", "random", "'inverse_freq'"),
    ("dataset.sampling_strategy", "sobol", "'grid'"),
    ("evaluation.initial_dist", "ones", "'zeros'"),
    ("experiment.device", "tpu", "'cuda'"),
    ("dataset.condition_dim", "2", "1"),
])
def test_bad_choice(key, value, valid):
    raises(key, value, valid, overrides=[f"{key}={value}"])


def test_bad_task():
    raises("task", "'recn'", "did you mean 'recon'", "'projection'", task="recn")


# Guards against: an unknown solver passing load_config and failing later with a KeyError in integrate.
@pytest.mark.parametrize("value", ["rk5", "[euler,rk5]"])
def test_bad_integration_method(value):
    raises("evaluation.integration_method", "rk5", "'rk4'", overrides=[f"evaluation.integration_method={value}"])


# --- values below a minimum and relations -----------------------------------------------


@pytest.mark.parametrize("key,value,minimum", [
    ("dataset.num_train", 0, "at least 1"),
    ("dataset.num_train", -3, "at least 1"),
    ("dataset.num_eval", 1, "at least 2"),
    ("dataset.num_components", 0, "at least 1"),
    ("dataset.target_dim", 0, "at least 1"),
    ("dataset.num_intervals", 0, "at least 1"),
    ("network.hidden_dim", 0, "at least 1"),
    ("network.num_layers", 0, "at least 1"),
    ("training.batch_size", -1, "at least 1"),
    ("training.num_epochs", 0, "at least 1"),
    ("training.log_interval", 0, "at least 1"),
    ("training.eval_interval", 0, "at least 1"),
    ("training.save_interval", 0, "at least 1"),
    ("experiment.num_threads", 0, "at least 1"),
    ("training.learning_rate", 0, "positive"),
    ("training.learning_rate", -0.1, "positive"),
    ("training.mip_t_star", 1, "lie in (0, 1)"),
])
def test_value_out_of_bounds(key, value, minimum):
    task = "projection" if key == "dataset.num_intervals" else "recon"  # a projection key
    shown = repr(float(value)) if key.startswith("training.") and key.endswith(("rate", "star")) else str(value)
    raises(key, shown, minimum, task=task, overrides=[f"{key}={value}"])


# Guards against: num_eval_steps below 1 passing load_config (0 divides by zero, negatives integrate nothing).
@pytest.mark.parametrize("value", ["0", "-2", "[1,0]"])
def test_num_eval_steps_below_one(value):
    raises("evaluation.num_eval_steps", "at least 1", overrides=[f"evaluation.num_eval_steps={value}"])


@pytest.mark.parametrize("c_min,c_max", [(0.0, 0.0), (1.0, 0.5), (-1.0, -2.0)])
def test_c_max_must_exceed_c_min(c_min, c_max):
    raises("dataset.c_max", repr(c_max), "dataset.c_min", repr(c_min), overrides=[f"dataset.c_min={c_min}", f"dataset.c_max={c_max}"])


@pytest.mark.parametrize("low_dim", [8, 9])
def test_projection_low_dim_must_be_below_target_dim(low_dim):
    raises("dataset.low_dim", str(low_dim), "dataset.target_dim = 8", "1 to 7", task="projection", overrides=[f"dataset.low_dim={low_dim}"])


def test_projection_low_dim_at_least_one():
    raises("dataset.low_dim", "0", "at least 1", task="projection", overrides=["dataset.low_dim=0"])
    assert load_config("projection", overrides=["dataset.low_dim=7"]).dataset.low_dim == 7


def test_recon_takes_no_projection_key():
    """Guards against a key of another task being silently accepted (it used to be, unchecked)."""
    raises("dataset.low_dim is a projection key", "recon takes:", overrides=["dataset.low_dim=3"])


def test_task_mismatch():
    raises("experiment.task", "'projection'", "'recon'", sections={"experiment": {"task": "projection"}})
    raises("experiment.task", "'recon'", "'projection'", task="projection", overrides=["experiment.task=recon"])
