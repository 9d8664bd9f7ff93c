"""Executing the runs of a sweep: papermill in parallel, locally, on Dask or on Slurm.

Locally, each of the ``--jobs`` threads keeps one warm kernel (:class:`~.kernels.WarmKernel`)
for all the runs it executes: torch and toyexp are imported once per kernel, and the state a
run leaves behind is reset before the next. A run that fails (an error, a kernel that died)
has its kernel replaced by a fresh one before the next run; ``fresh=True`` gives every run
a kernel of its own instead. On Dask and Slurm every run is its own kernel: their workers
live outside the sweep, where a kept kernel could outlive it. A job's variables (``--portable``'s)
go to the kernel it starts, never into the environment of this process or of a worker.

A failed run never stops the others; its executed notebook, with the error in it, is kept
for inspection. With a cell timeout, a cell that runs longer (a wedged run) fails its run,
and its kernel is killed and replaced like any failed run's. After Ctrl-C
(:data:`~.kernels.KERNELS` stopping) the runs in progress report "interrupted" and the
queued ones "not started"; every kernel is shut down.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import nbformat

from ..run.files import PROJECT_ROOT
from .kernels import KERNELS, IPCKernelManager, WarmKernel

SINGLE_THREAD = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}


@dataclass(frozen=True)
class Outcome:
    id: str
    status: str  # "done", "failed", "skipped", "interrupted" (by Ctrl-C) or "not started"
    notebook: str
    seconds: float = 0.0
    error: str = ""


def execute_notebook(notebook: str, output: str, parameters: dict, title: str | None, run_id: str,
                     cell_timeout: float | None = None, env: dict[str, str] | None = None,
                     kernel: WarmKernel | None = None) -> Outcome:
    """Execute ``notebook`` with ``parameters`` into ``output`` and title its first heading (if ``title``).

    In a fresh kernel of its own, or on ``kernel``, kept for the next notebook. A cell that runs
    longer than ``cell_timeout`` seconds (None: no limit) fails the run. ``env``: variables the
    kernel starts with, on top of this process's (``toyexp sweep --portable``'s code-path
    variables); this process's own environment is left as it is. A module-level function so
    that Dask and submitit can ship it to workers by reference.
    """
    import papermill
    from nbclient.exceptions import CellTimeoutError
    from traitlets.config import Config

    if KERNELS.stopping.is_set():
        return Outcome(run_id, "not started", output)
    os.environ.update(SINGLE_THREAD)  # one torch thread per run: parallel runs do not fight over cores
    start = time.perf_counter()
    try:
        if kernel is None:
            papermill.execute_notebook(
                notebook, output, parameters=parameters, kernel_name="python3", cwd=str(PROJECT_ROOT),
                progress_bar=False, log_output=False, kernel_manager_class=IPCKernelManager,
                execution_timeout=cell_timeout, config=Config({"IPCKernelManager": {"kernel_env": env or {}}}),
            )
        else:
            kernel.execute(notebook, output, parameters, cell_timeout, env)
    except Exception as err:  # papermill's execution error, or a kernel that died
        if KERNELS.stopping.is_set():
            return Outcome(run_id, "interrupted", output, time.perf_counter() - start, "interrupted by Ctrl-C")
        if isinstance(err, CellTimeoutError):  # nbclient's message ends with the cell's source
            return Outcome(run_id, "failed", output, time.perf_counter() - start,
                           f"a cell ran longer than the cell timeout ({cell_timeout:g} s); its kernel was stopped")
        message = str(err).strip().splitlines()
        return Outcome(run_id, "failed", output, time.perf_counter() - start, message[-1] if message else type(err).__name__)
    if title:
        retitle(Path(output), title)
    return Outcome(run_id, "done", output, time.perf_counter() - start)


def retitle(path: Path, title: str) -> None:
    """Replace the first level-1 heading of an executed notebook, so every book page has its own title."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.source.startswith("# "):
            first, _, rest = cell.source.partition("\n")
            cell.source = f"# {title}\n\n*{first[2:]}*\n{rest}"
            break
    tmp = path.with_name(f".{path.name}.tmp")
    nbformat.write(nb, tmp)
    os.replace(tmp, path)


Job = tuple[str, str, dict, str, str, float | None, dict | None]  # the arguments of execute_notebook


def not_started(job: Job) -> Outcome:
    return Outcome(job[4], "not started", job[1])


def run_local(jobs: list[Job], workers: int, on_done: Callable[[Outcome], None], fresh: bool = False) -> list[Outcome]:
    """``workers`` threads take the runs in order, each on its warm kernel (``fresh``: a new
    kernel per run); the kernels do the work. Returns the outcomes in the order they finished.

    A run that did not end "done" leaves a kernel that may be dead, wedged or dirty: it is shut
    down, and that thread's next run starts a fresh one. Once :data:`KERNELS` is stopping, the
    queued runs report "not started". Every kernel is shut down before this returns.
    """
    todo: queue.SimpleQueue = queue.SimpleQueue()
    for job in jobs:
        todo.put(job)
    finished: queue.SimpleQueue = queue.SimpleQueue()

    def work() -> None:
        kernel = None if fresh else WarmKernel(str(PROJECT_ROOT))
        try:
            while True:
                try:
                    job = todo.get_nowait()
                except queue.Empty:
                    return
                try:
                    outcome = execute_notebook(*job, kernel=kernel)
                except Exception as err:  # a bug here must not hang the sweep
                    outcome = Outcome(job[4], "failed", job[1], 0.0, f"{type(err).__name__}: {err}")
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
    while not todo.empty():  # only if a thread ended early; it should not
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
                outcomes.append(Outcome(job[4], "interrupted", job[1], 0.0, "cancelled by Ctrl-C"))
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
            return Outcome(job[4], "failed", job[1], 0.0, f"dask: {type(err).__name__}: {err}")

    try:
        pending = {client.submit(execute_notebook, *job, pure=False): job for job in jobs}
        return _collect(pending, result, client.cancel, on_done)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def run_slurm(jobs: list[Job], workers: int, on_done: Callable[[Outcome], None], folder: Path, cluster: str | None = None) -> list[Outcome]:
    """The same runs as a submitit job array (Slurm when present; ``cluster="local"`` for tests).

    Ctrl-C cancels (scancel) the jobs not yet finished.
    """
    try:
        import submitit
    except ImportError as err:
        raise SystemExit(f"--executor slurm needs submitit: pip install -e '.[slurm]' ({err})")
    executor = submitit.AutoExecutor(folder=str(folder), cluster=cluster)
    executor.update_parameters(timeout_min=120, cpus_per_task=1, slurm_array_parallelism=workers, tasks_per_node=1, nodes=1)
    columns: Iterable = zip(*jobs)
    submitted = executor.map_array(execute_notebook, *columns)

    def result(job, args: Job) -> Outcome:
        try:
            return job.result()
        except Exception as err:  # the job itself died (time limit, node failure)
            return Outcome(args[4], "failed", args[1], 0.0, f"submitit job {job.job_id}: {err}")

    def cancel(unfinished: list) -> None:
        for job in unfinished:
            job.cancel(check=False)

    return _collect(dict(zip(submitted, jobs)), result, cancel, on_done)
