"""The budget check: a sweep re-runs some grid points at other training budgets, and the grid's
findings there are compared across budgets.

The sweep file's ``budget_check`` is checked like every key; its runs get identities and folders of
their own and never enter the grid; and on planted runs whose verdicts are known (flow's l2 4x
regression's at the study's budget, equal to it at the other) the check calls the changed finding
budget-dependent and the unchanged ones held.
"""

import pytest

from toyexp.schema import ConfigError
from toyexp.study.analysis.budget import budget_check
from toyexp.study.analysis.budget_text import budget_findings, budget_table
from toyexp.study.analysis.collect import collect, collect_budget_check, collect_sweep
from toyexp.study.analysis.grid import grid_results
from toyexp.study.sweep.plan import describe, plan
from toyexp.study.sweep.sweep_file import load_sweep
from sweeps import write_sweep

GRID = {"dataset.num_train": [8, 16]}
CHECK = {"points": [{"dataset.num_train": 16}], "budgets": [{"training.num_epochs": 40}, {"training.learning_rate": 0.002}]}


@pytest.mark.parametrize("check, expected", [
    ({"points": [{"dataset.num_train": 16}]}, "needs exactly the keys points, budgets"),
    ({"points": [{"dataset.num_train": 12}], "budgets": [{"training.num_epochs": 40}]}, "dataset.num_train = 12 is not a value of the grid"),
    ({"points": [{"dataset.noise_std": 0.1}], "budgets": [{"training.num_epochs": 40}]}, "must give every grid key (dataset.num_train)"),
    ({"points": [{"dataset.num_train": 16}], "budgets": [{"dataset.num_train": 40}]}, "a key of the grid"),
    ({"points": [{"dataset.num_train": 16}], "budgets": [{"training.num_epoch": 40}]}, "training.num_epoch"),
    ({"points": [{"dataset.num_train": 16}], "budgets": [{}]}, "changes nothing"),
])
def test_a_bad_budget_check_is_one_line_naming_the_key(tmp_path, check, expected):
    path = write_sweep(tmp_path, grid=GRID, budget_check=check)
    with pytest.raises(ConfigError) as err:
        load_sweep(path)
    assert "budget_check" in str(err.value) and expected in str(err.value) and "\n" not in str(err.value)


def test_budget_runs_have_their_own_identity_folder_and_description(tmp_path):
    sweep = load_sweep(write_sweep(tmp_path, seeds=[1, 2], grid=GRID, budget_check=CHECK))
    runs = plan(sweep)
    budget = [r for r in runs if r.budget]
    assert len(runs) == 2 * 2 + 2 * 2 and len(budget) == 4
    assert {r.id for r in budget} == {f"recon/regression/num_train=16,{b}/seed-{s}"
                                      for b in ("num_epochs=40", "learning_rate=0.002") for s in (1, 2)}
    assert len({r.run_dir for r in runs}) == len(runs)
    longer = next(r for r in budget if "num_epochs" in r.id)
    assert longer.grid_point == {"dataset.num_train": 16, "training.num_epochs": 40}
    assert longer.config["training"]["num_epochs"] == 40 and longer.config["dataset"]["num_train"] == 16
    assert describe(sweep)[-1] == ("- **budget check**: the same runs at 1 grid point (num_train = 16), once per budget "
                                   "(num_epochs = 40; learning_rate = 0.002): 4 more runs")


def test_the_grid_reads_its_runs_and_the_check_its_own(tmp_path, write_run):
    path = write_sweep(tmp_path, seeds=[1], grid=GRID, budget_check=CHECK)
    results = tmp_path / "results"
    for run in plan(load_sweep(path)):
        write_run(results, run.task, run.variant, "regression", run.seed, {"l1": 0.1, "l2": 0.2}, config=run.config,
                  grid_point=run.grid_point, folder=run.run_dir.relative_to(results))
    grid, check = collect_sweep(path), collect_budget_check(path)
    assert {tuple(r.record.grid_point) for r in grid.runs} == {("dataset.num_train",)} and len(grid.runs) == 2
    assert len(check.runs) == 2 and all("dataset.num_train" in r.record.grid_point for r in check.runs)
    assert not grid.unplanned and not check.unplanned  # neither counts the other's folders as foreign


@pytest.mark.training
def test_a_finding_that_changes_with_the_budget_is_called_budget_dependent(tmp_path, dataset_run):
    """At num_train = 20, flow's error is 4x regression's at the study's budget (higher, distinguishable)
    and the same as regression's at the other budget (not distinguishable): that finding is
    budget-dependent; the winner (a baseline, fitted to the same samples) holds."""
    study, other = tmp_path / "study", tmp_path / "other"
    for n in (12, 20):
        for seed in (1, 2, 3):
            point = {"dataset.num_train": n}
            dataset_run(study / f"n{n}", "recon", "regression", "regression", seed, 0.05, num_train=n, grid_point=point)
            dataset_run(study / f"n{n}", "recon", "flow", "flow", seed, 0.2, num_train=n, grid_point=point)
    budget = {"dataset.num_train": 20, "training.num_epochs": 99}
    for seed in (1, 2, 3):
        dataset_run(other, "recon", "regression", "regression", seed, 0.05, num_train=20, grid_point=budget)
        dataset_run(other, "recon", "flow", "flow", seed, 0.05, num_train=20, grid_point=budget)
    runs = collect(study)
    grid = grid_results(runs, "recon")
    check = budget_check(runs, collect(other), "recon", grid)

    assert check.points == ({"dataset.num_train": 20},) and check.budgets == ({"training.num_epochs": 99},)
    assert check.study_budget == {"training.num_epochs": 5000}
    found = {(f.kind, f.subject): f for f in check.findings}
    flow = found["versus reference", "flow"]
    assert (flow.at_study.verdict, flow.at_budgets[0].verdict) == ("higher", "not distinguishable")
    assert flow.at_study.l2 == pytest.approx(4 * flow.at_study.against, rel=0.05) and not flow.holds
    assert found["winner", "winner"].holds and found["winner", "winner"].at_study.verdict in ("linear", "spline", "gp")
    text = budget_findings(check)
    assert text.startswith(f"{len(check.findings) - 1} of {len(check.findings)} findings at the 1 checked point hold")
    assert "budget-dependent: flow vs regression at num_train = 20 is higher at the study's budget, but num_epochs = 99: not distinguishable" in text
    assert "| N = 20 | flow vs regression | higher (" in budget_table(check)
