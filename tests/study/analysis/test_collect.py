"""Collecting a results folder: which run each folder holds is read from its record (task, variant,
grid point, mode, seed), never from the folder's path; incomplete and unreadable runs are
listed, not raised; only the grid and training arrays of predictions.npz are read."""

import json
import shutil

import numpy as np
import pytest

from toyexp.study.analysis import collect
from toyexp.study.book.report_paths import shown_as
from toyexp.study.analysis.results import task_results

POINTS = [{"training.learning_rate": 0.01}, {"training.learning_rate": 0.001}]


def test_identity_is_read_from_the_record_wherever_the_folder_is(tmp_path, write_run):
    """Guards identity as data: runs in folders whose path says nothing (or says something else)
    are collected under the task, variant, grid point, mode and seed their records hold."""
    folders = {  # (variant, point, mode, seed) -> a folder under the results folder
        ("regression", 0, "regression", 1): "a",
        ("regression", 1, "regression", 1): "deep/er/b",
        ("flow", 0, "flow", 1): "recon/regression/learning_rate=0.001/regression/seed-2",  # a path that lies
        ("flow", 1, "flow", 1): "c",
        ("flow", 1, "flow", 2): "c2",
    }
    for (variant, point, mode, seed), folder in folders.items():
        write_run(tmp_path, "recon", variant, mode, seed, {"l1": 0.1, "l2": 0.2}, grid_point=POINTS[point], folder=folder)
    write_run(tmp_path, "projection", "flow", "flow", 3, {"l1": 0.1, "l2": 0.2}, folder="p")
    c = collect.collect(tmp_path)
    assert c.incomplete == () and c.problems == ()
    got = {(r.record.variant, POINTS.index(r.record.grid_point), r.record.mode, r.record.seed): r.folder.relative_to(tmp_path).as_posix()
           for r in c.select("recon")}
    assert got == folders
    assert c.tasks() == ["projection", "recon"] and c.tasks(["recon", "lie"]) == ["recon", "projection"]
    assert c.points("recon") == [POINTS[1], POINTS[0]]  # 0.001 before 0.01: numbers by value
    assert c.points("projection") == [{}]
    assert c.variants("recon", POINTS[1]) == ["flow", "regression"]
    assert [r.record.seed for r in c.select("recon", "flow", POINTS[1])] == [1, 2]
    assert [r.record.seed for r in c.select("recon", "flow")] == [1, 2, 1]  # by grid point, then seed
    assert c.overview(["recon"]).splitlines() == [
        f"6 complete and 0 incomplete runs under {shown_as(tmp_path)}",
        "  recon · flow: 2 grid points; 2 seeds at 1 point, 1 seed at 1 point",
        "  recon · regression: 2 grid points; 1 seed at 2 points",
        "  projection · flow: seeds [3]",
    ]


@pytest.mark.slow
def test_a_grid_sweep_is_collected_by_identity_after_its_folders_move(grid_sweep, tmp_path):
    """Guards identity as data end to end: the runs of a real sweep with a grid (conftest's
    grid_sweep), their folders moved and renamed under the results folder so that each path names
    another run, are collected as the runs they are; each grid point's results compute, and the
    run that failed is listed as incomplete."""
    report, folder = grid_sweep
    results = tmp_path / "results"
    shutil.copytree(folder / "results", results)
    planned = {r.id: r for r in report.runs}
    dirs = [r.run_dir.relative_to(folder / "results") for r in report.runs]
    for i, d in enumerate(dirs):  # run i now lives where run i + 1 lived, under moved/
        target = results / "moved" / dirs[(i + 1) % len(dirs)]
        target.parent.mkdir(parents=True, exist_ok=True)
        (results / d).rename(target)
    shutil.rmtree(results / "recon")

    c = collect.collect(results)
    identities = {(r.record.variant, json.dumps(r.record.grid_point), r.record.mode, r.record.seed) for r in c.runs}
    assert identities == {(r.variant, json.dumps(r.grid_point), r.config["experiment"]["mode"], r.seed)
                          for r in report.runs if r.id != "recon/flow/learning_rate=0.001/seed-1"}
    for run in c.runs:  # each record is the one its run wrote, whatever its folder is called now
        point = run.record.grid_point["training.learning_rate"]
        assert run.record.config.training.learning_rate == point
        assert run.record.config.to_dict() == planned[f"recon/{run.record.variant}/learning_rate={point}/seed-1"].config
    assert len(c.incomplete) == 1 and not (c.incomplete[0] / "metrics.json").exists()
    assert c.points("recon") == [{"training.learning_rate": 0.001}, {"training.learning_rate": 0.01}]
    low, high = (task_results(c, "recon", p) for p in c.points("recon"))
    assert [r.variant for r in low.networks] == ["regression"] and [r.variant for r in high.networks] == ["flow", "regression"]
    assert set(high.curves) == {"flow"} and high.note == "" and low.note == ""


def test_only_the_grid_and_training_arrays_are_read(tmp_path, write_run):
    """Guards the analysis' memory against a large num_eval: the evaluation arrays stay on disk."""
    run_dir = write_run(tmp_path, "recon", "flow", "flow", 1, {"l1": 0.1, "l2": 0.2})
    with np.load(run_dir / "predictions.npz") as z:
        arrays = dict(z)
    big = np.zeros((100_000, 1), dtype=np.float32)
    np.savez(run_dir / "predictions.npz", **arrays, c_eval=big, x_eval=big, pred_eval=big)

    (run,) = collect.collect(tmp_path).runs

    assert set(vars(run.predictions)) == set(collect.PREDICTION_KEYS)
    for key in collect.PREDICTION_KEYS:
        assert np.array_equal(getattr(run.predictions, key), arrays[key])


def test_a_run_without_its_grid_is_incomplete(tmp_path, write_run):
    """Guards the KeyError path: a predictions.npz missing pred_grid marks the run incomplete."""
    run_dir = write_run(tmp_path, "recon", "flow", "flow", 1, {"l1": 0.1, "l2": 0.2})
    with np.load(run_dir / "predictions.npz") as z:
        arrays = {k: z[k] for k in z.files if k != "pred_grid"}
    np.savez(run_dir / "predictions.npz", **arrays)

    found = collect.collect(tmp_path)

    assert found.runs == () and found.incomplete == (run_dir,)


def test_incomplete_and_unreadable_runs_are_listed_not_raised(tmp_path, write_run):
    """Guards: a killed run (config.yaml only), a torn metrics.json, a corrupt predictions.npz and a
    record of an older format are incomplete; the older format (and the torn file) are named among
    the problems, so the overview says why a run was not read."""
    good = write_run(tmp_path, "recon", "flow", "flow", 1, {"l1": 0.1, "l2": 0.2})
    killed = tmp_path / "recon" / "flow" / "flow" / "seed-2"
    killed.mkdir(parents=True)
    (killed / "config.yaml").write_text("experiment: {}\n")
    corrupt = write_run(tmp_path, "recon", "flow", "flow", 3, {"l1": 0.1, "l2": 0.2})
    (corrupt / "metrics.json").write_text('{"final": {"l2": 0.')
    bad_npz = write_run(tmp_path, "recon", "flow", "flow", 4, {"l1": 0.1, "l2": 0.2})
    (bad_npz / "predictions.npz").write_bytes(b"not a zip file")
    older = write_run(tmp_path, "recon", "flow", "flow", 5, {"l1": 0.1, "l2": 0.2})
    metrics = json.loads((older / "metrics.json").read_text())
    del metrics["format"]  # as toyexp 0.1 wrote it
    (older / "metrics.json").write_text(json.dumps(metrics))
    c = collect.collect(tmp_path)
    assert [r.folder for r in c.runs] == [good]
    assert c.incomplete == tuple(sorted([killed, corrupt, bad_npz, older]))
    assert len(c.problems) == 2
    assert any(p.startswith("recon/flow/flow/seed-5: metrics.json format 1 is not 2") for p in c.problems), c.problems
    assert any(p.startswith("recon/flow/flow/seed-3: ") and "is not JSON" in p for p in c.problems), c.problems
    assert "  not read: recon/flow/flow/seed-5: metrics.json format 1 is not 2" in c.overview()


def test_a_record_of_an_unknown_task_is_not_a_run(tmp_path, write_run):
    """Guards: a record naming a task this toyexp does not have is named among the problems."""
    run_dir = write_run(tmp_path, "recon", "flow", "flow", 1, {"l1": 0.1, "l2": 0.2})
    metrics = json.loads((run_dir / "metrics.json").read_text())
    (run_dir / "metrics.json").write_text(json.dumps(metrics | {"task": "sampling"}))
    c = collect.collect(tmp_path)
    assert c.runs == () and c.incomplete == (run_dir,)
    (problem,) = c.problems
    assert "task 'sampling' is unknown" in problem


def test_missing_results_dir_gives_an_empty_collection(tmp_path):
    from toyexp.study.analysis.tables import provenance_summary

    c = collect.collect(tmp_path / "nothing-here")
    assert c.runs == () and c.incomplete == () and c.tasks() == []
    assert c.points("recon") == [] and task_results(c, "recon", {}) is None
    assert c.overview() == f"0 complete and 0 incomplete runs under {shown_as(tmp_path / 'nothing-here')}"
    assert provenance_summary(c) == "No complete runs, so no provenance."
