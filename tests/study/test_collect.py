"""What the analysis reads of a run's predictions.npz: the dense grid and the training set, never
the evaluation set, whose num_eval rows have no bound."""

import numpy as np

from toyexp.study import collect


def test_only_the_grid_and_training_arrays_are_read(tmp_path, write_run):
    """Guards the analysis' memory against a large num_eval: the evaluation arrays stay on disk."""
    run_dir = write_run(tmp_path, "recon", "flow", "flow", 1, {"l1": 0.1, "l2": 0.2})
    with np.load(run_dir / "predictions.npz") as z:
        arrays = dict(z)
    big = np.zeros((100_000, 1), dtype=np.float32)
    np.savez(run_dir / "predictions.npz", **arrays, c_eval=big, x_eval=big, pred_eval=big)

    (record,) = collect.collect(tmp_path).runs

    assert set(record.predictions) == set(collect.PREDICTION_KEYS)
    for key in collect.PREDICTION_KEYS:
        assert np.array_equal(record.predictions[key], arrays[key])


def test_a_run_without_its_grid_is_incomplete(tmp_path, write_run):
    """Guards the KeyError path: a predictions.npz missing pred_grid marks the run incomplete."""
    run_dir = write_run(tmp_path, "recon", "flow", "flow", 1, {"l1": 0.1, "l2": 0.2})
    with np.load(run_dir / "predictions.npz") as z:
        arrays = {k: z[k] for k in z.files if k != "pred_grid"}
    np.savez(run_dir / "predictions.npz", **arrays)

    found = collect.collect(tmp_path)

    assert found.runs == () and found.incomplete == (run_dir,)
