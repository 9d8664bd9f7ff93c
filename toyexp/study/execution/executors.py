"""Where a sweep's notebooks execute: on warm kernels here, on Dask, or as a Slurm job array.

Locally, each of the ``--jobs`` threads keeps one warm kernel (:class:`~.kernels.WarmKernel`)
for all the runs it executes: torch and toyexp are imported once per kernel, and the state a
run leaves behind is reset before the next. A run that fails (an error, a kernel that died)
has its kernel replaced by a fresh one before the next run; ``fresh=True`` gives every run
a kernel of its own instead. On Dask and Slurm every run is its own kernel: their workers
live outside the sweep, where a kept kernel could outlive it. After Ctrl-C
(:data:`~.kernels.KERNELS` stopping) the runs in progress report "interrupted" and the
queued ones "not started"; every kernel is shut down. A full disk (:mod:`.disk`) fails its
run and, locally, no run starts after it: the queued ones report "not started".
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from pathlib import Path
from typing import Callable

from .execute import Job, Outcome, execute_notebook
from .kernels import KERNELS, WarmKernel


def not_started(job: Job) -> Outcome:
    return Outcome(id=job.run_id, status="not started", notebook=job.output)


def run_local(jobs: list[Job], workers: int, on_done: Callable[[Outcome], None], fresh: bool = False) -> list[Outcome]:
    """``workers`` threads take the runs in order, each on its warm kernel (``fresh``: a new
    kernel per run); the kernels do the work. Returns the outcomes in the order they finished.

    A run that did not end "done" leaves a kernel that may be dead, wedged or dirty: it is shut
    down, and that thread's next run starts a fresh one. Once :data:`KERNELS` is stopping, the
    queued runs report "not started"; so do they after a run found the disk full (every later
    run would fail too), while the runs in progress go on. Every kernel is shut down before
    this returns.
    """
    todo: queue.SimpleQueue = queue.SimpleQueue()
    for job in jobs:
        todo.put(job)
    finished: queue.SimpleQueue = queue.SimpleQueue()
    full = threading.Event()  # a run found no space left: no run starts after it

    def work() -> None:
        # in the sweep's own folder, as a fresh kernel and a papermill run by hand are (its paths are absolute)
        kernel = None if fresh else WarmKernel(os.getcwd())
        try:
            while not full.is_set():
                try:
                    job = todo.get_nowait()
                except queue.Empty:
                    return
                try:
                    outcome = execute_notebook(job, kernel=kernel)
                except Exception as err:  # a bug here must not hang the sweep
                    outcome = Outcome(id=job.run_id, status="failed", notebook=job.output, seconds=0.0,
                                      error=f"{type(err).__name__}: {err}")
                if outcome.no_space:
                    full.set()
                if kernel is not None and (outcome.status != "done" or KERNELS.stopping.is_set()):
                    kernel.shutdown(now=True)
                finished.put(outcome)
        finally:
            if kernel is not None:
                kernel.shutdown(now=KERNELS.stopping.is_set())

    threads = [threading.Thread(target=work, name=f"toyexp-run-{i}", daemon=True) for i in range(min(workers, len(jobs)))]
    for thread in threads:
        thread.start()
    outcomes: list[Outcome] = []
    try:
        while len(outcomes) < len(jobs) and (any(t.is_alive() for t in threads) or not finished.empty()):
            try:  # a timeout: Ctrl-C's handler needs the main thread back now and then
                outcomes.append(finished.get(timeout=0.2))
            except queue.Empty:
                continue
            on_done(outcomes[-1])
    except BaseException:  # an error here: stop the runs, and their kernels with them
        KERNELS.stop(grace=1.0)
        raise
    finally:
        for thread in threads:  # each shuts its kernel down on the way out
            thread.join()
    while not todo.empty():  # after a full disk (or if a thread ended early; it should not)
        outcomes.append(not_started(todo.get()))
        on_done(outcomes[-1])
    return outcomes


def _collect(pending: dict, result: Callable, cancel: Callable, on_done: Callable[[Outcome], None]) -> list[Outcome]:
    """Poll remote runs (Dask futures, submitit jobs) until all are done; after Ctrl-C, cancel the rest."""
    outcomes = []
    while pending:
        if KERNELS.stopping.is_set():
            cancel(list(pending))
            for job in pending.values():
                outcomes.append(Outcome(id=job.run_id, status="interrupted", notebook=job.output, seconds=0.0,
                                        error="cancelled by Ctrl-C"))
                on_done(outcomes[-1])
            break
        for handle in [h for h in pending if h.done()]:
            outcomes.append(result(handle, pending.pop(handle)))
            on_done(outcomes[-1])
        time.sleep(0.5)
    return outcomes


def run_dask(jobs: list[Job], workers: int, on_done: Callable[[Outcome], None], scheduler: str | None = None) -> list[Outcome]:
    """The same runs on a Dask cluster: ``scheduler`` address, or a LocalCluster of ``workers``.

    Ctrl-C cancels the runs not yet finished; a LocalCluster is closed, and its kernels exit
    with their worker (ipykernel polls its parent). On a remote cluster a run already running
    finishes in the background.
    """
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError as err:
        raise SystemExit(f"--executor dask needs Dask: pip install -e '.[dask]' ({err})")
    cluster = None if scheduler else LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=logging.WARNING)
    client = Client(scheduler or cluster)

    def result(future, job: Job) -> Outcome:
        try:
            return future.result()
        except Exception as err:  # the worker died
            return Outcome(id=job.run_id, status="failed", notebook=job.output, seconds=0.0,
                           error=f"dask: {type(err).__name__}: {err}")

    try:
        pending = {client.submit(execute_notebook, job, pure=False): job for job in jobs}
        return _collect(pending, result, client.cancel, on_done)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def run_slurm(jobs: list[Job], workers: int, on_done: Callable[[Outcome], None], folder: Path, *,
              cluster: str | None = None) -> list[Outcome]:
    """The same runs as a submitit job array (Slurm when present; ``cluster="local"`` for tests).

    Ctrl-C cancels (scancel) the jobs not yet finished.
    """
    try:
        import submitit
    except ImportError as err:
        raise SystemExit(f"--executor slurm needs submitit: pip install -e '.[slurm]' ({err})")
    executor = submitit.AutoExecutor(folder=str(folder), cluster=cluster)
    executor.update_parameters(timeout_min=120, cpus_per_task=1, slurm_array_parallelism=workers, tasks_per_node=1, nodes=1)
    submitted = executor.map_array(execute_notebook, jobs)

    def result(job, args: Job) -> Outcome:
        try:
            return job.result()
        except Exception as err:  # the job itself died (time limit, node failure)
            return Outcome(id=args.run_id, status="failed", notebook=args.output, seconds=0.0,
                           error=f"submitit job {job.job_id}: {err}")

    def cancel(unfinished: list) -> None:
        for job in unfinished:
            job.cancel(check=False)

    return _collect(dict(zip(submitted, jobs)), result, cancel, on_done)
