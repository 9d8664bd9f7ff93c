"""The run page's text (toyexp.run.text): the one-line result, the table of settings and the
sentences about a run, against hand-made runs with round numbers."""

import dataclasses
from types import SimpleNamespace

import numpy as np
import pytest

from toyexp import get_task, load_config
from toyexp.core.metrics import Evaluation
from toyexp.core.modes import build_mode
from toyexp.run.record import RunRecord, TrainingSummary
from toyexp.run.text import config_changes, describe_run, final_setting, run_headline
from toyexp.run.target import target_of
from toyexp.tasks.base import Best, Final, RunResult


def record(mode: str, variant: str = "", **final) -> RunRecord:
    """A hand-made record: the fields the one-liner reads, with round numbers."""
    cfg = load_config("recon", mode=mode, overrides=["training.num_epochs=300"])
    fields = {"method": "rk4", "resolution": 8, "nfe": 32, "l1": 0.05, "l2": 0.012345, **final}
    return RunRecord(task="recon", variant=variant or mode, grid_point={}, mode=mode, seed=43, final=Final(**fields),
                     best=Best(200, 0.05, 0.0123), evaluations=(),
                     training=TrainingSummary(epochs=300, steps=600, seconds=12.345, best_epoch=200, eval_epochs=(),
                                              eval_l2=()),
                     run_seconds=13.0, device="cpu", num_threads=1, config=cfg, target=target_of(cfg), provenance=None)


def test_headline_of_a_flow_run_names_its_variant_and_setting():
    assert run_headline(record("flow", "flow-gaussian"), build_mode("flow")) == (
        "**recon · flow-gaussian · seed 43**: l2 = 0.0123 (rk4, 8 steps, NFE 32); trained for 300 epochs (600 steps) in 12.3 s."
    )


@pytest.mark.parametrize("mode, nfe", [("regression", 1), ("mip", 2), ("mip_one_step", 1)])
def test_a_mode_that_does_not_integrate_has_no_setting(mode, nfe):
    """regression's "rk4, 8 steps" would be a setting it never used: only the NFE is named."""
    r = record(mode, nfe=nfe)
    assert final_setting(r.final, build_mode(mode)) == ""
    assert f"l2 = 0.0123 (NFE {nfe});" in run_headline(r, build_mode(mode))


def test_straight_flow_integrates():
    r = record("straight_flow", method="euler", resolution=4, nfe=4)
    assert final_setting(r.final, build_mode("straight_flow")) == "euler, 4 steps"


def test_one_step_is_singular():
    """Guards "euler, 1 steps" (issue 25): one step, one epoch, one optimiser step read singular."""
    r = record("flow", method="euler", resolution=1, nfe=1)
    r = dataclasses.replace(r, training=TrainingSummary(epochs=1, steps=1, seconds=0.5, best_epoch=1, eval_epochs=(),
                                                        eval_l2=()))
    assert final_setting(r.final, build_mode("flow")) == "euler, 1 step"
    assert run_headline(r, build_mode("flow")) == (
        "**recon · flow · seed 43**: l2 = 0.0123 (euler, 1 step, NFE 1); trained for 1 epoch (1 step) in 0.5 s."
    )


def test_config_changes_lists_exactly_the_keys_off_the_defaults():
    cfg = load_config("lie", mode="flow", overrides=["network.hidden_dim=64", "evaluation.num_eval_steps=[1, 4]"])
    table = config_changes(cfg).splitlines()
    assert table[:2] == ["| setting | this run | default |", "|---|---|---|"]
    assert table[2:] == [  # the variant is the mode: not a change
        "| `experiment.mode` | `flow` | `regression` |",
        "| `network.hidden_dim` | `64` | `256` |",
        "| `evaluation.num_eval_steps` | `1, 4` | `1` |",
    ]


def test_config_changes_name_a_variant_of_its_own():
    cfg = load_config("recon", mode="flow", overrides=["experiment.variant=flow-gaussian"])
    assert config_changes(cfg).splitlines()[2:] == ["| `experiment.variant` | `flow-gaussian` | `flow` |",
                                                    "| `experiment.mode` | `flow` | `regression` |"]


def test_config_changes_of_the_defaults_says_so():
    assert config_changes(load_config("projection")) == "Every setting is the package default of this task."


def narrative(mode: str, nfe: int, evaluations: list[tuple[int, float]], c_train=(0.0, 0.45, 0.7, 1.0)) -> str:
    """describe_run on a hand-made run: four training inputs, a grid of three points whose
    errors are 0.1, 0.3 and 0.2 (the largest at c = 0.5, 0.05 from the input 0.45)."""
    final = Final(method="rk4", resolution=8, nfe=nfe, l1=0.05, l2=0.25)
    result = RunResult(
        evaluations=tuple(Evaluation(method="rk4", resolution=n, nfe=4 * n, l1=0.1, l2=l2) for n,
                          l2 in evaluations), final=final, best=Best(200, 0.1, 0.2),
        c_grid=np.array([[0.0], [0.5], [1.0]]), x_grid=np.zeros((3, 1)), pred_grid=np.array([[0.1], [0.3], [0.2]]),
    )
    data = SimpleNamespace(c_train=np.array(c_train)[:, None], c_eval=np.zeros((40, 1)))
    ctx = SimpleNamespace(cfg=load_config("recon", mode=mode), mode=build_mode(mode), data=data, task=get_task("recon"))
    return describe_run(ctx, result)


def test_narrative_of_a_flow_run_names_setting_and_step_counts():
    text = narrative("flow", 32, [(1, 0.5), (8, 0.25)])
    assert "The final flow model reaches l2 = 0.2500 and l1 = 0.0500 on 40 evaluation points (rk4, 8 steps, NFE 32)." in text
    assert "The best evaluated model (epoch 200) has l2 = 0.2000." in text
    assert "The largest error, 0.3000, is at c = 0.500, 0.0500 from the nearest training input." in text
    assert "With rk4, going from 1 to 8 steps changes l2 from 0.5000 to 0.2500." in text


def test_narrative_splits_the_error_near_and_between_the_samples():
    # spacing: median of 0.3, 0.4, 0.3 = 0.3; near means within 0.075: c = 0 and 1 (errors 0.1, 0.2), between: c = 0.5
    text = narrative("flow", 32, [(8, 0.25)], c_train=(0.0, 0.3, 0.7, 1.0))
    near = np.sqrt((0.1**2 + 0.2**2) / 2)
    assert (f"On the dense grid the RMSE is {near:.4f} within 0.0750 of a training input and 0.3000 between training inputs "
            f"({0.3 / near:.2f} times as large).") in text


def test_narrative_of_regression_has_no_integrator():
    text = narrative("regression", 1, [(8, 0.25)])
    assert "on 40 evaluation points (NFE 1)." in text and "steps" not in text


def test_narrative_ends_with_the_task_s_own_paragraph():
    """A task's own sentences follow as a paragraph of their own, from Final.task_metrics."""
    ctx_task = SimpleNamespace(describe=lambda m: f"own: {m}")
    final = Final(method="rk4", resolution=8, nfe=32, l1=0.05, l2=0.25, task_metrics=7)
    result = RunResult(evaluations=(), final=final, best=Best(1, 0.1, 0.2), c_grid=np.array([[0.0], [1.0]]),
                       x_grid=np.zeros((2, 1)), pred_grid=np.ones((2, 1)))
    data = SimpleNamespace(c_train=np.array([[0.0], [1.0]]), c_eval=np.zeros((2, 1)))
    ctx = SimpleNamespace(cfg=load_config("recon", mode="flow"), mode=build_mode("flow"), data=data, task=ctx_task)
    assert describe_run(ctx, result).endswith("\n\nown: 7")
    assert "own" not in describe_run(ctx, dataclasses.replace(result, final=dataclasses.replace(final, task_metrics=None)))
