"""What a run records about its target (toyexp.run.target), against numbers worked out by hand,
and how a metrics.json without the key, or with a config this toyexp refuses, reads."""

import json

import pytest

import toyexp
from toyexp.run.record import RecordError, record_from_json, record_to_json
from toyexp.run.target import target_of


def test_samples_per_cycle_of_an_even_grid_is_n_minus_1_over_f_max():
    # 27 inputs evenly on [0, 1]: h = 1/26, so 1 / (h f_max) = 26 / 4 = 6.5 (up to float32 inputs)
    cfg = toyexp.load_config("recon", overrides=["dataset.num_train=27", "dataset.max_frequency=4", "dataset.num_eval=20000"])
    target = target_of(cfg)
    assert target.f_max == pytest.approx(4.0)
    assert target.samples_per_cycle == pytest.approx(6.5, rel=1e-6)
    assert (target.grid_size, target.num_eval, target.c_range) == (10_000, 20_000, (0.0, 1.0))  # G capped at GRID_POINTS


def test_a_single_sample_has_no_spacing_and_so_no_samples_per_cycle():
    assert target_of(toyexp.load_config("recon", overrides=["dataset.num_train=1"])).samples_per_cycle is None


def test_a_file_without_the_target_key_reads_with_the_target_of_its_config(write_run, tmp_path):
    folder = write_run(tmp_path, "recon", "flow", "flow", 42, {"l1": 0.1, "l2": 0.2})
    data = json.loads((folder / "metrics.json").read_text())
    record = record_from_json(data)
    older = {k: v for k, v in data.items() if k != "target"}  # as written before the key existed
    assert record_from_json(older) == record and record.target == target_of(record.config)
    assert record_to_json(record) == data


def test_a_record_whose_config_no_longer_loads_names_the_key(write_run, tmp_path):
    folder = write_run(tmp_path, "recon", "flow", "flow", 42, {"l1": 0.1, "l2": 0.2})
    data = json.loads((folder / "metrics.json").read_text())
    data["config"]["training"]["learning_rat"] = 0.1
    with pytest.raises(RecordError, match="metrics.json's config no longer loads: .*learning_rat"):
        record_from_json(data)
