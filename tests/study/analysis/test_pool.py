"""Fits across the cores: a process pool computes exactly the serial list, and the baselines
fitted in worker processes are bit for bit those of the serial path; the fit cache is bounded."""

import dataclasses
import pickle

import pytest

from toyexp.study.analysis import baselines, collect
from toyexp.study.analysis.pool import pool_map


def test_pool_map_is_the_serial_loop_in_order():
    jobs = [-3, 1, -4, 1, -5, 9, -2, 6]
    assert pool_map(abs, jobs, 2) == pool_map(abs, jobs, 1) == [3, 1, 4, 1, 5, 9, 2, 6]


def test_pool_map_raises_a_job_error_and_names_bad_workers():
    with pytest.raises(TypeError):
        pool_map(abs, [-1, "not a number"], 2)
    with pytest.raises(ValueError, match="workers: 0 is not a number of processes; give 1 or more"):
        pool_map(abs, [1], 0)


@pytest.fixture
def empty_cache(monkeypatch):
    monkeypatch.setattr(baselines, "_CACHE", type(baselines._CACHE)())
    return baselines._CACHE


def test_parallel_fits_are_the_serial_fits_bit_for_bit(small_study, empty_cache):
    """Guards prefit: every task's datasets (3 seeds each, lie's GP per output) fitted by two
    worker processes, against the same datasets fitted one after another here. Known answer:
    equality of every byte of every baseline's numbers, predictions and bound counts."""
    c = collect.collect(small_study)
    points = [c.select(task) for task in c.tasks()]
    assert baselines.prefit(points, workers=2, min_fits=1) == 9
    parallel = dict(empty_cache)
    empty_cache.clear()
    serial = {key: baselines.fit_baselines(runs[0]) for key, runs in
              ((baselines._dataset(runs[0])[0], runs) for task in c.tasks() for runs in baselines._by_seed(c.select(task)).values())}
    assert list(serial) == list(parallel)
    for key in serial:
        assert _bytes(serial[key]) == _bytes(parallel[key]), key
    assert baselines.prefit(points, workers=2, min_fits=1) == 0  # all cached now: no pool


def _bytes(fitted: dict) -> dict:
    """Every byte of each fit: its pickle without the predictions, and each prediction array's
    dtype, shape and data (a pickle of the arrays would also hold whether their dtype objects are
    shared, which differs between arrays read from a run's npz and arrays from a worker)."""
    out = {}
    for name, f in fitted.items():
        p = f.member.predictions if f.member else None
        arrays = [(a.dtype.str, a.shape, a.tobytes()) for a in dataclasses.astuple(p)] if p else None
        bare = dataclasses.replace(f, member=dataclasses.replace(f.member, predictions=None)) if f.member else f
        out[name] = (pickle.dumps(bare), arrays)
    return out


def test_prefit_leaves_few_fits_and_one_worker_to_the_serial_path(small_study, empty_cache):
    points = [collect.collect(small_study).select("recon")]
    assert baselines.prefit(points, workers=1, min_fits=1) == 0
    assert baselines.prefit(points, workers=2, min_fits=4) == 0  # 3 datasets: not worth a pool
    assert len(empty_cache) == 0


def test_the_fit_cache_keeps_the_datasets_used_last(small_study, empty_cache, monkeypatch):
    monkeypatch.setattr(baselines, "CACHE_SIZE", 2)
    runs = [r for r in collect.collect(small_study).select("recon") if r.record.variant == "regression"]
    keys = [baselines._dataset(r)[0] for r in runs]  # seeds 42, 43, 44
    first = baselines.fit_baselines(runs[0])
    baselines.fit_baselines(runs[1])
    assert baselines.fit_baselines(runs[0]) is first  # a hit, now the most recent
    baselines.fit_baselines(runs[2])  # drops seed 43's, the least recently used
    assert list(empty_cache) == [keys[0], keys[2]]
