"""Independent jobs across the CPU cores: ``pool_map(f, jobs, workers)`` is ``[f(j) for j in jobs]``.

With one worker it is exactly that loop, in this process; with more, a process pool computes
the same list in the same order. Either way each job runs with one numpy/BLAS thread and one
torch thread, so a job's arithmetic does not depend on where it ran: same inputs and same code
give the same bits (the analysis's baselines are held to that, tests/study/analysis/test_pool.py).

The pool starts its workers by ``spawn``: a fork of a process holding torch's and BLAS's thread
pools (the analysis kernel) can deadlock in the child. A spawned worker pays its imports once
(about 3 s here for toyexp, torch and scikit-learn), so a pool pays only for a few seconds of
jobs or more; the caller decides when that is.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing import get_context
from typing import Callable, Iterator, Sequence, TypeVar

J = TypeVar("J")
R = TypeVar("R")


def available_cores() -> int:
    """The cores this process may run on (its affinity, where the OS reports one), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # no affinity outside Linux
        return os.cpu_count() or 1


@contextmanager
def one_thread() -> Iterator[None]:
    """numpy's BLAS/OpenMP pools and torch's intra-op pool held to one thread inside the block."""
    import torch
    from threadpoolctl import threadpool_limits

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with threadpool_limits(1):
            yield
    finally:
        torch.set_num_threads(before)


def _in_worker(f: Callable[[J], R], job: J) -> R:
    with one_thread():
        return f(job)


def pool_map(f: Callable[[J], R], jobs: Sequence[J], workers: int) -> list[R]:
    """``[f(j) for j in jobs]``, each call under :func:`one_thread`, over ``workers`` processes
    (this one alone when ``workers`` is 1). ``f`` must be a module-level function of an
    importable module, and jobs and results picklable. A job's exception is raised here."""
    if workers < 1:
        raise ValueError(f"workers: {workers} is not a number of processes; give 1 or more")
    if workers == 1 or len(jobs) <= 1:
        return [_in_worker(f, j) for j in jobs]
    with ProcessPoolExecutor(min(workers, len(jobs)), mp_context=get_context("spawn")) as pool:
        # chunks of one: the jobs differ in cost (N = 4 to 200 samples), so each worker takes the next when free
        return list(pool.map(_in_worker, [f] * len(jobs), jobs, chunksize=1))
