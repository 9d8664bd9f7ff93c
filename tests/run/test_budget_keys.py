"""The keys of the regimes study in a run's config: one training budget and its learning-rate
schedule, noise and bandwidth."""

import pytest

import toyexp
from toyexp.schema import ConfigError


def test_num_steps_replaces_the_default_epochs():
    cfg = toyexp.load_config("recon", overrides=["training.num_steps=400"])
    assert (cfg.training.num_steps, cfg.training.num_epochs) == (400, None)
    quick = toyexp.load_config("recon", quick=True, overrides=["training.num_steps=400"])
    assert quick.training.num_epochs is None  # the quick preset's epochs are not the user's


def test_num_steps_and_num_epochs_both_set_is_an_error():
    with pytest.raises(ConfigError, match=r"training.num_epochs: 5 and training.num_steps: 400 are both set; give one"):
        toyexp.load_config("recon", overrides=["training.num_epochs=5", "training.num_steps=400"])
    with pytest.raises(ConfigError, match="both set"):
        toyexp.load_config("recon", {"training": {"num_epochs": 5, "num_steps": 400}})


def test_neither_budget_is_an_error():
    with pytest.raises(ConfigError, match=r"training.num_epochs: None is invalid without training.num_steps"):
        toyexp.load_config("recon", {"training": {"num_epochs": None}})


def test_a_resolved_config_with_num_steps_loads_back_unchanged():
    cfg = toyexp.load_config("projection", overrides=["training.num_steps=400", "dataset.noise_std=0.1",
                                                      "dataset.max_frequency=8"])
    assert toyexp.load_config("projection", cfg.to_dict()) == cfg


@pytest.mark.parametrize("key, value, message", [
    ("dataset.noise_std", -0.1, "dataset.noise_std: -0.1 is invalid; it must be at least 0"),
    ("dataset.max_frequency", 0, r"dataset.max_frequency: 0.0 is invalid; it must be positive"),
    ("training.num_steps", 0, "training.num_steps: 0 is invalid; it must be at least 1"),
])
def test_bad_values_name_the_key(key, value, message):
    with pytest.raises(ConfigError, match=message):
        toyexp.load_config("recon", overrides=[f"{key}={value}"])


def test_max_frequency_is_a_sinusoid_key_not_a_lie_key():
    with pytest.raises(ConfigError, match="dataset.max_frequency is a projection and recon key; lie takes"):
        toyexp.load_config("lie", overrides=["dataset.max_frequency=4"])


def test_lr_schedule_defaults_to_constant_and_names_its_choices():
    assert toyexp.load_config("recon").training.lr_schedule == "constant"
    assert toyexp.load_config("recon", overrides=["training.lr_schedule=cosine"]).training.lr_schedule == "cosine"
    with pytest.raises(ConfigError, match=r"training.lr_schedule: 'linear' is invalid; valid: 'constant', 'cosine'"):
        toyexp.load_config("recon", overrides=["training.lr_schedule=linear"])
