"""Tests for toyexp.config: defaults, precedence, YAML files, overrides and every bad input."""

import dataclasses
import re

import pytest
import yaml

from toyexp import Config, ConfigError, load_config

# The example of ../shared/seed/toyexp-README.md, section "Config File Structure", verbatim.
SEED_README_EXAMPLE = """\
experiment:
  name: "my_experiment"
  mode: "regression"  # or "flow"
  seed: 42
  device: "cuda"
  output_dir: "./outputs/my_exp"

dataset:
  num_train: 50
  num_eval: 1000
  target_dim: 1
  condition_dim: 1
  num_components: 3
  weight_strategy: "uniform"  # or "inverse_freq"
  sampling_strategy: "grid"   # or "random"

network:
  architecture: "concat"  # or "film"
  hidden_dim: 256
  num_layers: 3
  activation: "relu"

training:
  batch_size: 32
  num_epochs: 5000
  learning_rate: 0.001
  log_interval: 100
  eval_interval: 500
  save_interval: 1000
  initial_dist: "zeros"  # or "gaussian"

evaluation:
  num_eval_steps: 1
  integration_method: "euler"  # or "rk4"
"""


def raises(*fragments, **kwargs):
    """Call load_config(**kwargs), expect ConfigError, and check the message names every fragment."""
    with pytest.raises(ConfigError) as info:
        load_config(**kwargs)
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    return message


# --- defaults -------------------------------------------------------------------------


def test_defaults_match_the_seed_readme():
    cfg = load_config()
    assert (cfg.experiment.task, cfg.experiment.mode, cfg.experiment.seed) == ("recon", "regression", 42)
    d = cfg.dataset
    assert (d.num_train, d.num_eval, d.target_dim, d.condition_dim, d.num_components) == (50, 1000, 1, 1, 3)
    assert (d.weight_strategy, d.sampling_strategy) == ("uniform", "grid")
    n = cfg.network
    assert (n.architecture, n.hidden_dim, n.num_layers, n.activation) == ("concat", 256, 3, "relu")
    t = cfg.training
    assert (t.batch_size, t.num_epochs, t.learning_rate) == (32, 5000, 1e-3)
    assert (t.log_interval, t.eval_interval, t.save_interval, t.initial_dist) == (100, 500, 1000, "zeros")
    assert isinstance(t.learning_rate, float)
    e = cfg.evaluation
    assert (e.num_eval_steps, e.integration_method) == (1, "euler")
    assert e.steps == [1] and e.methods == ["euler"]


def test_projection_task_defaults():
    cfg = load_config("projection")
    assert cfg.experiment.task == "projection"
    assert cfg.dataset.target_dim == 8 and cfg.dataset.low_dim == 2
    assert load_config("recon").dataset.target_dim == 1
    assert load_config("projection", quick=True).dataset.target_dim == 8


# --- precedence: defaults < quick < sections < mode/seed < overrides ----------------------


def test_quick_preset_beats_defaults():
    assert load_config().dataset.num_train == 50
    quick = load_config(quick=True)
    assert quick.dataset.num_train == 20 and quick.training.num_epochs == 1500
    assert quick.evaluation.num_eval_steps == [1, 4]
    # a key the preset does not set keeps its default
    assert quick.training.batch_size == 32


def test_sections_beat_quick_preset():
    cfg = load_config(quick=True, sections={"dataset": {"num_train": 7}, "training": {"num_epochs": 3}})
    assert cfg.dataset.num_train == 7 and cfg.training.num_epochs == 3
    assert cfg.dataset.num_eval == 200  # untouched preset value survives


def test_mode_and_seed_beat_sections():
    cfg = load_config(sections={"experiment": {"mode": "regression", "seed": 1}}, mode="flow", seed=5)
    assert (cfg.experiment.mode, cfg.experiment.seed) == ("flow", 5)
    # None means unset: the sections' values stay
    cfg = load_config(sections={"experiment": {"mode": "flow", "seed": 1}}, mode=None, seed=None)
    assert (cfg.experiment.mode, cfg.experiment.seed) == ("flow", 1)


def test_overrides_beat_mode_and_seed():
    cfg = load_config(mode="flow", seed=5, overrides=["experiment.mode=regression", "experiment.seed=9"])
    assert (cfg.experiment.mode, cfg.experiment.seed) == ("regression", 9)


def test_later_overrides_win():
    cfg = load_config(overrides=["dataset.num_train=3", "dataset.num_train=4"])
    assert cfg.dataset.num_train == 4


# --- YAML files -----------------------------------------------------------------------


def test_seed_readme_example_loads(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text(SEED_README_EXAMPLE)
    cfg = load_config("recon", path)
    assert cfg.experiment.name == "my_experiment" and cfg.experiment.device == "cuda"
    assert cfg.experiment.output_dir == "./outputs/my_exp"
    assert cfg.training.learning_rate == 0.001
    assert load_config("recon", str(path)) == cfg  # a str path works too
    # the example restates the defaults, apart from the experiment section
    assert dataclasses.replace(cfg, experiment=load_config().experiment) == load_config()


def test_yaml_file_beats_quick_and_loses_to_overrides(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("training:\n  num_epochs: 11\ndataset:\n")  # an empty section changes nothing
    cfg = load_config(sections=path, quick=True, overrides=["training.batch_size=4"])
    assert cfg.training.num_epochs == 11 and cfg.training.batch_size == 4 and cfg.dataset.num_train == 20


def test_missing_file(tmp_path):
    raises("does not exist", "nope.yaml", sections=tmp_path / "nope.yaml")


def test_empty_file(tmp_path):
    path = tmp_path / "empty.yaml"
    path.write_text("# only a comment\n")
    raises("empty", "empty.yaml", "'training'", sections=path)


def test_non_mapping_file(tmp_path):
    path = tmp_path / "list.yaml"
    path.write_text("- training\n- dataset\n")
    raises("mapping", "'training'", "['training', 'dataset']", sections=path)


def test_invalid_yaml_file(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("training: [1,\n")
    raises("not valid YAML", "bad.yaml", sections=path)


def test_section_that_is_not_a_mapping():
    raises("'training'", "mapping", "'learning_rate'", "5", sections={"training": 5})


# --- unknown keys and sections ------------------------------------------------------------


def test_unknown_key_in_section_suggests_the_near_miss():
    raises("training.learnign_rate", "did you mean 'training.learning_rate'", "'batch_size'",
           sections={"training": {"learnign_rate": 1e-3}})


def test_unknown_key_in_override_suggests_the_near_miss():
    raises("training.learnign_rate", "did you mean 'training.learning_rate'", "'batch_size'",
           overrides=["training.learnign_rate=0.001"])


def test_unknown_key_far_from_any_gets_no_suggestion():
    message = raises("network.zzzz", "'hidden_dim'", sections={"network": {"zzzz": 1}})
    assert "did you mean" not in message


def test_unknown_section():
    raises("'trainig'", "did you mean 'training'", "'evaluation'", sections={"trainig": {"num_epochs": 1}})
    raises("'trainig'", "did you mean 'training'", "'evaluation'", overrides=["trainig.num_epochs=1"])


# --- wrong types -------------------------------------------------------------------------


@pytest.mark.parametrize("raw,shown", [("fifty", "'fifty'"), ("true", "True"), ("50.5", "50.5"), ("50.0", "50.0"), ("[50]", "[50]")])
def test_wrong_type_for_int(raw, shown):
    raises("dataset.num_train", shown, "integer", overrides=[f"dataset.num_train={raw}"])


def test_wrong_type_in_sections_and_shortcuts():
    raises("network.hidden_dim", "'big'", "integer", sections={"network": {"hidden_dim": "big"}})
    raises("training.learning_rate", "'fast'", "number", sections={"training": {"learning_rate": "fast"}})
    raises("training.learning_rate", "True", "number", sections={"training": {"learning_rate": True}})
    raises("experiment.name", "3", "string", sections={"experiment": {"name": 3}})
    raises("experiment.seed", "'x'", "integer", seed="x")


@pytest.mark.parametrize("raw,shown", [("[1,a]", "'a'"), ("[1,2.5]", "2.5"), ("[]", "[]"), ("[1,true]", "True")])
def test_num_eval_steps_list_with_bad_entry(raw, shown):
    raises("evaluation.num_eval_steps", shown, "integer", overrides=[f"evaluation.num_eval_steps={raw}"])


# --- bad choices ----------------------------------------------------------------------


def test_bad_mode_suggests_flow():
    raises("experiment.mode", "'flwo'", "did you mean 'flow'", "'regression'", mode="flwo")
    raises("experiment.mode", "'flwo'", "did you mean 'flow'", "'regression'", overrides=["experiment.mode=flwo"])


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


# --- malformed overrides ----------------------------------------------------------------


@pytest.mark.parametrize("item,fragments", [
    ("training.learning_rate", ["'training.learning_rate'", "malformed", "section.key=value"]),
    ("learning_rate=0.1", ["'learning_rate=0.1'", "malformed", "section.key"]),
    ("a.b.c=1", ["'a.b.c=1'", "malformed"]),
    (".learning_rate=1", ["malformed"]),
    ("training.=1", ["malformed"]),
    ("training.learning_rate=", ["no value", "training.learning_rate"]),
    ("training.learning_rate=null", ["no value", "training.learning_rate"]),
    ("training.learning_rate=[1,", ["not valid YAML", "'[1,'"]),
    ("training.learning_rate={", ["not valid YAML"]),
])
def test_malformed_override(item, fragments):
    raises(*fragments, overrides=[item])


def test_override_that_is_not_a_string():
    raises("malformed", "5", overrides=[5])


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
])
def test_value_below_minimum(key, value, minimum):
    task = "projection" if key == "dataset.num_intervals" else "recon"  # a projection key
    raises(key, repr(float(value)) if key.endswith("learning_rate") else str(value), minimum,
           task=task, overrides=[f"{key}={value}"])


def test_value_at_minimum_is_accepted():
    cfg = load_config(overrides=["dataset.num_train=1", "dataset.num_eval=2", "training.learning_rate=0.000001"])
    assert (cfg.dataset.num_train, cfg.dataset.num_eval) == (1, 2)


# Guards against: num_eval_steps below 1 passing load_config (0 divides by zero, negatives integrate nothing).
@pytest.mark.parametrize("value", ["0", "-2", "[1,0]"])
def test_num_eval_steps_below_one(value):
    raises("evaluation.num_eval_steps", "at least 1", overrides=[f"evaluation.num_eval_steps={value}"])


@pytest.mark.parametrize("c_min,c_max", [(0.0, 0.0), (1.0, 0.5), (-1.0, -2.0)])
def test_c_max_must_exceed_c_min(c_min, c_max):
    raises("dataset.c_max", repr(c_max), "dataset.c_min", repr(c_min),
           overrides=[f"dataset.c_min={c_min}", f"dataset.c_max={c_max}"])


@pytest.mark.parametrize("low_dim", [8, 9])
def test_projection_low_dim_must_be_below_target_dim(low_dim):
    raises("dataset.low_dim", str(low_dim), "dataset.target_dim = 8", "1 to 7", task="projection",
           overrides=[f"dataset.low_dim={low_dim}"])


def test_projection_low_dim_at_least_one():
    raises("dataset.low_dim", "0", "at least 1", task="projection", overrides=["dataset.low_dim=0"])
    assert load_config("projection", overrides=["dataset.low_dim=7"]).dataset.low_dim == 7


def test_recon_takes_no_projection_key():
    """Guards against a key of another task being silently accepted (it used to be, unchecked)."""
    raises("dataset.low_dim is a projection key", "recon takes:", overrides=["dataset.low_dim=3"])


def test_task_mismatch():
    raises("experiment.task", "'projection'", "'recon'", sections={"experiment": {"task": "projection"}})
    raises("experiment.task", "'recon'", "'projection'", task="projection", overrides=["experiment.task=recon"])


# --- parsed override types ----------------------------------------------------------------


def test_override_types():
    cfg = load_config(overrides=[
        "training.learning_rate=0.0005", "evaluation.num_eval_steps=[1,2,4]", "dataset.c_max=3",
        "evaluation.integration_method=[euler,rk4]", "experiment.name=abc", "dataset.num_train=12",
    ])
    assert cfg.training.learning_rate == 0.0005 and type(cfg.training.learning_rate) is float
    assert cfg.evaluation.num_eval_steps == [1, 2, 4]
    assert cfg.evaluation.integration_method == ["euler", "rk4"]
    assert cfg.dataset.c_max == 3.0 and type(cfg.dataset.c_max) is float  # an int given to a float field
    assert cfg.experiment.name == "abc" and cfg.dataset.num_train == 12 and type(cfg.dataset.num_train) is int


def test_int_in_sections_becomes_float():
    cfg = load_config(sections={"training": {"learning_rate": 1}, "dataset": {"c_min": -2}})
    assert type(cfg.training.learning_rate) is float and cfg.training.learning_rate == 1.0
    assert type(cfg.dataset.c_min) is float and cfg.dataset.c_min == -2.0


def test_steps_and_methods_properties():
    cfg = load_config(overrides=["evaluation.num_eval_steps=[8,1,4,4]", "evaluation.integration_method=[rk4,euler,rk4]"])
    assert cfg.evaluation.steps == [1, 4, 8]
    assert cfg.evaluation.methods == ["rk4", "euler"]


# Guards against: "1e-3" read as a string (YAML 1.1 floats need a dot), rejecting parse_override's own example.
def test_exponent_notation_override():
    assert load_config(overrides=["training.learning_rate=1e-3"]).training.learning_rate == 0.001


# --- frozen and round trip ------------------------------------------------------------------


def test_config_is_frozen():
    cfg = load_config()
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.training.learning_rate = 0.1
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.training = None


@pytest.mark.parametrize("task,kwargs", [
    ("recon", {}),
    ("recon", {"quick": True, "mode": "flow", "seed": 3}),
    ("projection", {"overrides": ["dataset.num_intervals=3", "evaluation.integration_method=[rk4,heun]",
                                  "training.learning_rate=0.0002", "dataset.c_min=-1"]}),
])
def test_to_yaml_round_trip(task, kwargs):
    cfg = load_config(task, **kwargs)
    again = load_config(task, sections=yaml.safe_load(cfg.to_yaml()))
    assert again == cfg
    assert isinstance(again, Config)
    assert re.search(r"^training:$", cfg.to_yaml(), re.M)
