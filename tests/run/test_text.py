"""The run page's text: the one-line result and the table of settings, against hand-made runs."""

import pytest

from toyexp import load_config
from toyexp.run.text import config_changes, final_setting, run_headline


def metrics(mode: str, **final) -> dict:
    """A hand-made metrics.json: the fields the one-liner reads, with round numbers."""
    cfg = load_config("recon", mode=mode, overrides=["training.num_epochs=300"]).to_dict()
    return {
        "task": "recon", "mode": mode, "seed": 43, "train_seconds": 12.345, "config": cfg,
        "final": {"l1": 0.05, "l2": 0.012345, "method": "rk4", "num_steps": 8, "nfe": 32, **final},
    }


def test_headline_of_a_flow_run_names_its_setting():
    assert run_headline(metrics("flow"), "flow-gaussian") == (
        "**recon · flow-gaussian · seed 43**: l2 = 0.0123 (rk4, 8 steps, NFE 32); trained for 300 epochs in 12.3 s."
    )


def test_headline_without_variant_names_the_mode():
    assert run_headline(metrics("flow")).startswith("**recon · flow · seed 43**:")


@pytest.mark.parametrize("mode, nfe", [("regression", 1), ("mip", 2), ("mip_one_step", 1)])
def test_a_mode_that_does_not_integrate_has_no_setting(mode, nfe):
    """regression's "rk4, 8 steps" would be a setting it never used: only the NFE is named."""
    m = metrics(mode, nfe=nfe)
    assert final_setting(m) == ""
    assert f"l2 = 0.0123 (NFE {nfe});" in run_headline(m, mode)


def test_straight_flow_integrates():
    assert final_setting(metrics("straight_flow", method="euler", num_steps=4, nfe=4)) == "euler, 4 steps"


def test_config_changes_lists_exactly_the_keys_off_the_defaults():
    cfg = load_config("lie", mode="flow", overrides=["network.hidden_dim=64", "evaluation.num_eval_steps=[1, 4]"])
    table = config_changes(cfg).splitlines()
    assert table[:2] == ["| setting | this run | default |", "|---|---|---|"]
    assert table[2:] == [
        "| `experiment.mode` | `flow` | `regression` |",
        "| `network.hidden_dim` | `64` | `256` |",
        "| `evaluation.num_eval_steps` | `1, 4` | `1` |",
    ]


def test_config_changes_of_the_defaults_says_so():
    assert config_changes(load_config("projection")) == "Every setting is the package default of this task."
