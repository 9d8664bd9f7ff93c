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


def narrative(mode: str, nfe: int, evaluations: list[tuple[int, float]]) -> str:
    """describe_run on a hand-made run: four training inputs, a grid of three points whose
    errors are 0.1, 0.3 and 0.2 (the largest at c = 0.5, 0.05 from the input 0.45)."""
    import numpy as np
    from types import SimpleNamespace

    m = metrics(mode, nfe=nfe, l1=0.05, l2=0.25)
    m["best"] = {"epoch": 200, "l2": 0.2}
    m["evaluations"] = [{"method": "rk4", "num_steps": n, "l2": l2} for n, l2 in evaluations]
    c_grid = np.array([[0.0], [0.5], [1.0]])
    results = SimpleNamespace(c_grid=c_grid, x_grid=np.zeros((3, 1)), pred_grid=np.array([[0.1], [0.3], [0.2]]))
    data = SimpleNamespace(c_train=np.array([[0.0], [0.45], [0.7], [1.0]]), c_eval=np.zeros((40, 1)))
    from toyexp.run.text import describe_run

    return describe_run(m, results, data)


def test_narrative_of_a_flow_run_names_setting_and_step_counts():
    text = narrative("flow", 32, [(1, 0.5), (8, 0.25)])
    assert "reaches l2 = 0.2500 and l1 = 0.0500 on 40 evaluation points (rk4, 8 steps, NFE 32)." in text
    assert "The largest error, 0.3000, is at c = 0.500, 0.0500 from the nearest training input." in text
    assert "With rk4, going from 1 to 8 steps changes l2 from 0.5000 to 0.2500." in text


def test_narrative_of_regression_has_no_integrator():
    text = narrative("regression", 1, [(8, 0.25)])
    assert "on 40 evaluation points (NFE 1)." in text and "steps" not in text
