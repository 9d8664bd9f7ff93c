"""The plan of a sweep: every (task, variant, grid point, seed) with its resolved config, its
identity recorded as data, its folders; and when a planned run counts as complete."""

import dataclasses
import json
from pathlib import Path

import pytest

from toyexp import ConfigError, load_config
from toyexp.cli import main
from toyexp.run.files import PROJECT_ROOT, run_directory
from toyexp.study.sweep.plan import (ANALYSIS_NOTEBOOK, complete_record, grid_points, is_complete, notebook_for, notebook_path, plan,
                                     point_label, point_text)
from toyexp.study.sweep.sweep_file import load_sweep
from sweeps import write_sweep

VARIANTS = {
    "regression": ["experiment.mode=regression"],
    "flow": ["experiment.mode=flow", "training.initial_dist=zeros", "evaluation.initial_dist=zeros"],
    "flow-gaussian": ["experiment.mode=flow", "training.initial_dist=gaussian", "evaluation.initial_dist=gaussian"],
}


def test_default_study_plans_ninety_runs():
    runs = plan(load_sweep(PROJECT_ROOT / "params" / "sweep.yaml"))
    assert len(runs) == 3 * 6 * 5
    assert {r.task for r in runs} == {"recon", "projection", "lie"}
    assert {r.config["experiment"]["mode"] for r in runs} == {"regression", "flow", "straight_flow", "mip", "mip_one_step"}
    flow = next(r for r in runs if r.id == "recon/flow/seed-43")
    assert flow.run_dir == PROJECT_ROOT / "outputs" / "recon" / "flow" / "seed-43"  # ../outputs from params/
    assert flow.notebook == PROJECT_ROOT / "book" / "runs" / "recon" / "flow-seeds.ipynb"
    assert flow.config["evaluation"]["num_eval_steps"] == [1, 2, 4, 8, 16]
    assert flow.config["training"]["num_epochs"] == 5000  # the seed README's defaults, not the notebook's quick ones


def test_plan_crosses_grid_and_resolves_each_config(tmp_path):
    sweep = load_sweep(write_sweep(tmp_path, seeds=[1, 2], variants=VARIANTS, grid={"training.learning_rate": [0.01, 0.001]}))
    runs = plan(sweep, tmp_path / "book")
    assert len(runs) == 3 * 2 * 2
    run = next(r for r in runs if r.id == "recon/flow/learning_rate=0.001/seed-2")
    assert run.run_dir == tmp_path / "results" / "recon" / "flow" / "learning_rate=0.001" / "seed-2"
    assert run.notebook == tmp_path / "book" / "runs" / "recon" / "flow-learning_rate=0.001-seeds.ipynb"
    expected = load_config("recon", seed=2, overrides=run.overrides)
    assert run.config == expected.to_dict() and expected.training.learning_rate == 0.001
    assert run.parameters == {"seed": 2, "overrides": run.overrides}
    assert run.title == "recon: flow (learning_rate = 0.001), seed 2"  # the folder keeps learning_rate=0.001


def test_each_run_records_its_identity_in_its_config(tmp_path):
    """Guards identity as data: the variant and the grid point a run belongs to are keys of its
    resolved config (so of config.yaml and metrics.json), not only parts of its folder's path."""
    grid = {"training.learning_rate": [0.01, 0.001], "dataset.num_train": [10, 25]}
    runs = plan(load_sweep(write_sweep(tmp_path, variants=VARIANTS, grid=grid)), tmp_path / "book")
    assert len(runs) == 3 * 4
    for run in runs:
        experiment = run.config["experiment"]
        assert (experiment["variant"], experiment["grid_point"]) == (run.variant, run.grid_point)
        assert run.config["training"]["learning_rate"] == run.grid_point["training.learning_rate"]
        assert run.config["dataset"]["num_train"] == run.grid_point["dataset.num_train"]
    plain = plan(load_sweep(write_sweep(tmp_path, name="plain.yaml")), tmp_path / "book")
    assert [(r.grid_point, r.config["experiment"]["grid_point"], r.config["experiment"]["variant"]) for r in plain] == [
        ({}, {}, "regression")]


def test_each_run_carries_its_variants_overrides_and_its_file_stem(tmp_path):
    """Guards identity and layout as data: the book reads a run's own overrides and its file stem
    from the plan, never back out of a notebook's name. A variant name with '/' gets '_' in files."""
    variants = {"flow/zeros": VARIANTS["flow"], "regression": VARIANTS["regression"]}
    sweep = load_sweep(write_sweep(tmp_path, seeds=[1, 2], variants=variants, overrides=["training.num_epochs=3"],
                                   grid={"dataset.num_train": [10, 25]}))
    run = next(r for r in plan(sweep, tmp_path / "book") if r.id == "recon/flow/zeros/num_train=25/seed-2")
    assert run.variant_overrides == tuple(VARIANTS["flow"])
    assert run.own_overrides == (*VARIANTS["flow"], "dataset.num_train=25")  # not the sweep's training.num_epochs=3
    assert run.stem == "flow_zeros-num_train=25"
    assert run.notebook == tmp_path / "book" / "runs" / "recon" / "flow_zeros-num_train=25-seeds.ipynb"


def test_notebook_path_is_the_one_place_a_notebook_is_put():
    pages, run_dir = Path("/b/runs/recon"), Path("/r/recon/flow/seed-42")
    assert notebook_path(pages, "flow", seed=42, grouped=True,
                         run_dir=run_dir) == Path("/b/runs/recon/flow-seeds.ipynb")
    assert notebook_path(pages, "flow", seed=42, grouped=False,
                         run_dir=run_dir) == Path("/b/runs/recon/flow-seed42.ipynb")
    assert notebook_path(None, "flow", seed=42, grouped=True, run_dir=run_dir) == Path("/r/recon/flow/group.ipynb")
    assert notebook_path(None, "flow", seed=42, grouped=False,
                         run_dir=run_dir) == Path("/r/recon/flow/seed-42/run.ipynb")


def test_grid_points_and_their_labels():
    """Every combination, the first key slowest; one empty point without a grid; labels (folder
    names) and texts (titles) name the last part of each key, strings as they are and numbers as JSON."""
    grid = {"training.learning_rate": [0.01, 0.001], "training.initial_dist": ["zeros", "gaussian"]}
    assert grid_points(grid) == [
        {"training.learning_rate": 0.01, "training.initial_dist": "zeros"},
        {"training.learning_rate": 0.01, "training.initial_dist": "gaussian"},
        {"training.learning_rate": 0.001, "training.initial_dist": "zeros"},
        {"training.learning_rate": 0.001, "training.initial_dist": "gaussian"},
    ]
    assert grid_points({}) == [{}]
    assert point_label({"training.learning_rate": 0.001, "training.initial_dist": "zeros"}) == "learning_rate=0.001,initial_dist=zeros"
    assert point_label({}) == ""
    assert point_text({"training.learning_rate": 0.001, "training.initial_dist": "zeros"}) == "learning_rate = 0.001, initial_dist = zeros"


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"tasks": ["recon", "projektion"]}, "projektion"),
        ({"seeds": ["42"]}, "seeds"),
        ({"variants": {"flow": "experiment.mode=flow"}}, "variants"),
        ({"grid": {"training.learning_rate": []}}, "grid"),
        ({"result_dir": "x"}, "result_dir"),
        ({"seeds": []}, "'seeds' is missing or empty"),
    ],
)
def test_bad_sweep_file_is_named(tmp_path, fields, message):
    with pytest.raises(ConfigError, match=message):
        load_sweep(write_sweep(tmp_path, **fields))


def test_bad_run_config_fails_before_anything_runs(tmp_path, capsys):
    path = write_sweep(tmp_path, variants={"flow": ["experiment.mode=flw"]})
    assert main(["sweep", str(path), "--book-dir", str(tmp_path / "book")]) == 2
    err = capsys.readouterr().err
    assert "run recon/flow/seed-1" in err and "experiment.mode" in err and "did you mean 'flow'" in err
    assert not (tmp_path / "results").exists()


def test_missing_sweep_file_and_bad_jobs(tmp_path, capsys):
    assert main(["sweep", str(tmp_path / "none.yaml")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main(["sweep", str(write_sweep(tmp_path)), "--jobs", "0"]) == 2
    assert "--jobs 0" in capsys.readouterr().err


def test_complete_means_a_record_of_the_same_config_and_a_notebook(tmp_path, run_record):
    """Guards --resume: a run is complete only when its metrics.json reads as a record of this
    toyexp for the same resolved config and its notebook exists; a torn file, a record of an
    older format or of another config is never trusted."""
    from toyexp.run.record import record_to_json
    from toyexp.tasks.base import Final

    (run,) = plan(load_sweep(write_sweep(tmp_path)), tmp_path)
    assert not is_complete(run) and complete_record(run) is None
    run.run_dir.mkdir(parents=True)
    run.notebook.parent.mkdir(parents=True)
    metrics = run.run_dir / "metrics.json"
    done = record_to_json(run_record("recon", "regression", "regression", 1,
                                     Final(method="euler", resolution=1, nfe=1, l1=0.1, l2=0.2), config=run.config))
    metrics.write_text(json.dumps(done))
    assert not is_complete(run)  # no notebook yet
    run.notebook.write_text("{}")
    assert is_complete(run) and complete_record(run).final.l2 == 0.2
    metrics.write_text(json.dumps(done)[:100])  # a torn file
    assert not is_complete(run)
    metrics.write_text(json.dumps({k: v for k, v in done.items() if k != "format"}))  # toyexp 0.1 wrote no format
    assert not is_complete(run)
    changed = dict(run.config, training={**run.config["training"], "num_epochs": 21})
    metrics.write_text(json.dumps(done | {"config": changed}))
    assert not is_complete(run)


def test_search_file_crosses_learning_rates_and_sample_sizes():
    runs = plan(load_sweep(PROJECT_ROOT / "params" / "search.yaml"))
    assert len(runs) == 1 * 2 * (2 * 5) * 3
    points = {(r.config["training"]["learning_rate"], r.config["dataset"]["num_train"]) for r in runs}
    assert points == {(lr, n) for lr in (0.001, 0.0003) for n in (10, 25, 50, 100, 200)}
    assert len({r.run_dir for r in runs}) == len(runs)  # every run has its own folder
    assert len({r.id for r in runs}) == len(runs)  # and its own id


def test_book_dir_comes_from_the_sweep_file_unless_given(tmp_path):
    sweep = load_sweep(write_sweep(tmp_path, variants={"flow": VARIANTS["flow"]}, book_dir=str(tmp_path / "nb")))
    assert plan(sweep)[0].notebook == tmp_path / "nb" / "runs" / "recon" / "flow-seeds.ipynb"
    assert plan(sweep, tmp_path / "other")[0].notebook.parent == tmp_path / "other" / "runs" / "recon"
    assert load_sweep(PROJECT_ROOT / "params" / "smoke.yaml").book_dir != "book"  # smoke runs stay out of the report


def test_each_task_runs_its_own_notebook_and_the_analysis_its_own():
    for task in ("recon", "projection", "lie"):
        assert notebook_for(task) == PROJECT_ROOT / "notebooks" / f"{task}.ipynb" and notebook_for(task).is_file()
    assert ANALYSIS_NOTEBOOK == PROJECT_ROOT / "notebooks" / "analysis.ipynb" and ANALYSIS_NOTEBOOK.is_file()


def test_without_run_pages_each_notebook_stays_in_its_run_folder(tmp_path):
    sweep = load_sweep(write_sweep(tmp_path, seeds=[1, 2], run_pages=False))
    assert [r.notebook for r in plan(sweep)] == [r.run_dir.parent / "group.ipynb" for r in plan(sweep)]
    assert all(r.run_dir.parent == tmp_path / "results" / "recon" / "regression" for r in plan(sweep))


def test_a_grid_runs_folder_does_not_repeat_its_mode(tmp_path):
    """Guards issue 25, part 6: `recon/flow/num_train=16/flow/seed-1` named the mode twice. A run's
    folder is <results_dir>/<task>/<variant>/<grid point>/seed-<seed>, every part once, the same
    folder the run itself computes from its config (run_directory), wherever the kernel runs."""
    variants = {"fm": ["experiment.mode=flow"], "reg": ["experiment.mode=regression"]}
    sweep = load_sweep(write_sweep(tmp_path, variants=variants, grid={"dataset.num_train": [8, 16]}))
    folders = {r.id: r.run_dir.relative_to(tmp_path / "results") for r in plan(sweep)}
    assert folders == {f"recon/{v}/num_train={n}/seed-1": Path("recon", v, f"num_train={n}", "seed-1")
                       for v in variants for n in (8, 16)}
    for run in plan(sweep):
        assert run_directory(load_config("recon", seed=run.seed, overrides=run.overrides)) == run.run_dir


def test_a_large_grid_is_described_by_its_keys_not_its_points(tmp_path):
    """The study page's description lists a grid's points only when they are few (the regimes
    study's 20 filled a screen)."""
    from toyexp.study.sweep.plan import describe

    sweep = load_sweep(write_sweep(tmp_path, seeds=[1], grid={"dataset.num_train": [8, 16, 32], "training.learning_rate": [0.1, 0.01, 0.001]}))
    lines = describe(sweep)
    assert lines[3] == ("- **grid**: `dataset.num_train` in 8, 16, 32; `training.learning_rate` in 0.1, 0.01, 0.001 "
                        "(9 points, every combination)")
    assert lines[-1] == "- **runs**: 9 = 1 task × 1 variant × 9 grid points × 1 seed"


def test_a_notebook_takes_seeds_only_if_its_parameters_cell_declares_them(tmp_path):
    """The package's run notebooks run a group per notebook; a task's own notebook written for one
    seed (no ``seeds`` in its parameters cell) runs one seed per notebook, each with ``seed``."""
    import nbformat

    from toyexp.study.sweep.plan import PlannedGroup, notebook_for, takes_seeds

    def notebook(parameters: str) -> Path:
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell(parameters, metadata={"tags": ["parameters"]}),
                    nbformat.v4.new_code_cell("seeds = [1, 2]  # not the parameters cell")]
        path = tmp_path / f"nb{len(list(tmp_path.iterdir()))}.ipynb"
        nbformat.write(nb, path)
        return path

    assert takes_seeds(notebook("seed = None\nseeds: Optional[list] = None"))
    assert not takes_seeds(notebook("seed = None\nmy_seeds = None"))
    assert all(takes_seeds(notebook_for(task)) for task in ("recon", "projection", "lie"))
    runs = plan(load_sweep(write_sweep(tmp_path, seeds=[1, 2])))
    lone = [dataclasses.replace(r, grouped=False) for r in runs]
    assert PlannedGroup(tuple(runs)).parameters == {"seeds": [1, 2], "overrides": runs[0].overrides}
    assert PlannedGroup(tuple(lone[:1])).parameters == {"seed": 1, "overrides": runs[0].overrides}
