"""A run's config (toyexp.run.config): defaults, precedence, YAML files, the experiment section and
the round trip through config.yaml. Bad inputs: test_config_errors.py; older files: test_legacy.py;
the field and loader machinery itself: tests/schema."""

import dataclasses
import re
import warnings

import pytest
import yaml

from toyexp import Config, load_config
from toyexp.core import names
from toyexp.run.config import QUICK, defaults
from toyexp.run.legacy import DeprecatedConfigWarning

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


def test_task_defaults():
    cfg = load_config("projection")
    assert (cfg.experiment.task, cfg.experiment.output_dir) == ("projection", "outputs/projection")
    assert cfg.dataset.target_dim == 8 and cfg.dataset.low_dim == 2
    assert load_config("recon").dataset.target_dim == 1
    assert load_config("projection", quick=True).dataset.target_dim == 8
    assert defaults("lie")["dataset"]["target_dim"] is None  # derived when the config is built
    assert list(defaults("lie")) == ["experiment", "dataset", "network", "training", "evaluation"]


# --- the experiment section: which run this is ------------------------------------------------------


def test_the_variant_defaults_to_the_mode():
    assert load_config().experiment.variant == "regression"
    assert load_config(mode="flow").experiment.variant == "flow"
    assert load_config(mode="flow", overrides=["experiment.variant=flow-gaussian"]).experiment.variant == "flow-gaussian"
    assert load_config(sections={"experiment": {"variant": "", "mode": "mip"}}).experiment.variant == "mip"


def test_experiment_name_is_read_as_the_variant_with_a_note():
    with pytest.warns(DeprecatedConfigWarning) as caught:
        cfg = load_config(sections={"experiment": {"name": "sweep-a", "mode": "flow"}})
    note = "experiment.name is the older name of experiment.variant; read as experiment.variant"
    assert [str(w.message) for w in caught] == [note] and cfg.notes == (note,)
    assert cfg.experiment.variant == "sweep-a" and "name" not in cfg.to_dict()["experiment"]
    with pytest.warns(DeprecatedConfigWarning):
        assert load_config(overrides=["experiment.name=abc"]).experiment.variant == "abc"


def test_grid_point_is_a_mapping_of_keys_to_values():
    point = {"training.learning_rate": 0.01, "network.architecture": "film", "dataset.num_train": 20, "x.flag": True}
    cfg = load_config(sections={"experiment": {"grid_point": point}})
    assert cfg.experiment.grid_point == point and cfg.to_dict()["experiment"]["grid_point"] == point
    assert load_config(overrides=["experiment.grid_point={training.learning_rate: 0.01}"]).experiment.grid_point == {
        "training.learning_rate": 0.01}
    assert load_config().experiment.grid_point == {}


def test_every_mode_is_a_config_choice():
    for name in names.MODES:
        cfg = load_config("recon", mode=name)
        assert (cfg.experiment.mode, cfg.experiment.variant) == (name, name)


# --- precedence: defaults < quick < sections < mode/seed < overrides ----------------------


def test_quick_preset_beats_defaults():
    assert load_config().dataset.num_train == 50
    quick = load_config(quick=True)
    assert quick.dataset.num_train == QUICK["dataset"]["num_train"] == 20 and quick.training.num_epochs == 1500
    assert quick.evaluation.num_eval_steps == [1, 4] and quick.experiment.output_dir == "outputs/quick/recon"
    assert quick.training.batch_size == 32  # a key the preset does not set keeps its default


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
    assert load_config(overrides=["dataset.num_train=3", "dataset.num_train=4"]).dataset.num_train == 4


# --- YAML files -----------------------------------------------------------------------


def test_seed_readme_example_loads(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text(SEED_README_EXAMPLE)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecatedConfigWarning)  # experiment.name: tested above
        cfg = load_config("recon", path)
        assert load_config("recon", str(path)) == cfg  # a str path works too
    assert cfg.experiment.variant == "my_experiment" and cfg.experiment.device == "cuda"
    assert cfg.experiment.output_dir == "./outputs/my_exp"
    assert cfg.training.learning_rate == 0.001
    # the example restates the defaults, apart from the experiment section
    assert dataclasses.replace(cfg, experiment=load_config().experiment) == load_config()


def test_yaml_file_beats_quick_and_loses_to_overrides(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("training:\n  num_epochs: 11\ndataset:\n")  # an empty section changes nothing
    cfg = load_config(sections=path, quick=True, overrides=["training.batch_size=4"])
    assert cfg.training.num_epochs == 11 and cfg.training.batch_size == 4 and cfg.dataset.num_train == 20


# --- parsed override types ----------------------------------------------------------------


def test_override_types():
    cfg = load_config(overrides=[
        "training.learning_rate=0.0005", "evaluation.num_eval_steps=[1,2,4]", "dataset.c_max=3",
        "evaluation.integration_method=[euler,rk4]", "experiment.variant=abc", "dataset.num_train=12",
        "training.learning_rate=1e-3",
    ])
    assert cfg.training.learning_rate == 0.001 and type(cfg.training.learning_rate) is float
    assert cfg.evaluation.num_eval_steps == [1, 2, 4]
    assert cfg.evaluation.integration_method == ["euler", "rk4"]
    assert cfg.dataset.c_max == 3.0 and type(cfg.dataset.c_max) is float  # an int given to a float field
    assert cfg.experiment.variant == "abc" and cfg.dataset.num_train == 12 and type(cfg.dataset.num_train) is int


def test_int_in_sections_becomes_float():
    cfg = load_config(sections={"training": {"learning_rate": 1}, "dataset": {"c_min": -2}})
    assert type(cfg.training.learning_rate) is float and cfg.training.learning_rate == 1.0
    assert type(cfg.dataset.c_min) is float and cfg.dataset.c_min == -2.0


def test_value_at_minimum_is_accepted():
    cfg = load_config(overrides=["dataset.num_train=1", "dataset.num_eval=2", "training.learning_rate=0.000001"])
    assert (cfg.dataset.num_train, cfg.dataset.num_eval) == (1, 2)


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
                                  "training.learning_rate=0.0002", "dataset.c_min=-1",
                                  "experiment.grid_point={training.learning_rate: 0.0002}", "experiment.variant=v"]}),
    ("lie", {"overrides": ["dataset.alpha_values=[0.5, 4, 1]", "dataset.num_rotations=3", "evaluation.rtol=[1e-3, 1e-4]"]}),
])
def test_to_yaml_round_trip(task, kwargs):
    cfg = load_config(task, **kwargs)
    again = load_config(task, sections=yaml.safe_load(cfg.to_yaml()))
    assert again == cfg
    assert isinstance(again, Config)
    assert re.search(r"^training:$", cfg.to_yaml(), re.M)


def test_a_path_is_written_on_one_line_as_given(tmp_path):
    long = str(tmp_path / " ".join(["a folder with spaces and accents é"] * 5))
    text = load_config(overrides=[f"experiment.output_dir={long}"]).to_yaml()
    assert f"  output_dir: {long}\n" in text
