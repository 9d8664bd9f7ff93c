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
queued ones "not started"; every kernel is shut down. A full disk (:mod:`.disk`) fails its
run and, locally, no run starts after it: the queued ones report "not started".

papermill writes the executed notebook while it runs; here it writes a hidden file beside
it, renamed into place once it reads whole, so a full disk or a killed kernel never leaves
a torn notebook where the book looks for one.
"""

from __future__ import annotations

import logging
import os
import queue
import re
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import nbformat

from ..run.files import PROJECT_ROOT, display_path
from .disk import no_space
from .kernels import KERNELS, IPCKernelManager, WarmKernel

SINGLE_THREAD = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}


@dataclass(frozen=True)
class Outcome:
    id: str
    status: str  # "done", "failed", "skipped", "interrupted" (by Ctrl-C) or "not started"
    notebook: str
    seconds: float = 0.0
    error: str = ""
    no_space: str = ""  # the disk was full writing: "notebook" (the executed notebook) or "run" (the run's files)


def execute_notebook(notebook: str, output: str, parameters: dict, title: str | None, run_id: str,
                     cell_timeout: float | None = None, env: dict[str, str] | None = None,
                     kernel: WarmKernel | None = None) -> Outcome:
    """Execute ``notebook`` with ``parameters`` into ``output`` and title its first heading (if ``title``).

    In a fresh kernel of its own, or on ``kernel``, kept for the next notebook. A cell that runs
    longer than ``cell_timeout`` seconds (None: no limit) fails the run. ``env``: variables the
    kernel starts with, on top of this process's (``toyexp sweep --portable``'s code-path
    variables); this process's own environment is left as it is. ``output`` only ever
    receives a whole notebook: that of a failed run too, if it could be written. A
    module-level function so that Dask and submitit can ship it to workers by reference.
    """
    import papermill
    from nbclient.exceptions import CellTimeoutError
    from papermill.exceptions import PapermillExecutionError
    from traitlets.config import Config

    if KERNELS.stopping.is_set():
        return Outcome(run_id, "not started", output)
    os.environ.update(SINGLE_THREAD)  # one torch thread per run: parallel runs do not fight over cores
    start = time.perf_counter()
    partial = partial_path(Path(output))
    try:
        if kernel is None:
            papermill.execute_notebook(
                notebook, str(partial), parameters=parameters, kernel_name="python3", cwd=str(PROJECT_ROOT),
                progress_bar=False, log_output=False, kernel_manager_class=IPCKernelManager,
                execution_timeout=cell_timeout, config=Config({"IPCKernelManager": {"kernel_env": env or {}}}),
            )
        else:
            kernel.execute(notebook, str(partial), parameters, cell_timeout, env)
    except Exception as err:  # papermill's execution error, a kernel that died, or a notebook that cannot be written
        seconds = time.perf_counter() - start
        try:  # the failed run's notebook, with its error, for inspection
            put_in_place(partial, Path(output))
        except Exception as lost:  # torn or never written: nothing to keep
            if no_space(lost) and not no_space(err):
                err = lost  # the run failed for a reason of its own, and now the disk is full too
        if KERNELS.stopping.is_set():
            return Outcome(run_id, "interrupted", output, seconds, "interrupted by Ctrl-C")
        if no_space(err):
            where = "notebook" if isinstance(err, OSError) else "run"
            message = f"cannot write its notebook: {err}" if where == "notebook" else _last_line(err)
            return Outcome(run_id, "failed", output, seconds, message, where)
        if isinstance(err, CellTimeoutError):  # nbclient's message ends with the cell's source
            return Outcome(run_id, "failed", output, seconds,
                           f"a cell ran longer than the cell timeout ({cell_timeout:g} s); its kernel was stopped")
        if isinstance(err, PapermillExecutionError) and err.ename in ("SyntaxError", "IndentationError", "TabError"):
            return Outcome(run_id, "failed", output, seconds, syntax_error(notebook, err))
        return Outcome(run_id, "failed", output, seconds, _last_line(err))
    try:
        put_in_place(partial, Path(output), title)
    except Exception as err:
        where = "notebook" if no_space(err) else ""
        return Outcome(run_id, "failed", output, time.perf_counter() - start, f"cannot write its notebook: {err}", where)
    return Outcome(run_id, "done", output, time.perf_counter() - start)


def _last_line(err: Exception) -> str:
    message = str(err).strip().splitlines()
    return message[-1] if message else type(err).__name__


def partial_path(output: Path) -> Path:
    """Where papermill writes ``output`` while it runs: a hidden file beside it, of its own."""
    return output.with_name(f".{output.stem}.{uuid.uuid4().hex[:8]}.partial{output.suffix}")


def put_in_place(partial: Path, output: Path, title: str | None = None) -> None:
    """Rename the notebook papermill wrote to ``partial`` into ``output`` once it reads whole,
    with papermill's record of its path corrected and its first heading titled (if ``title``).

    Raises when it cannot (torn by a full disk, never written); ``partial`` is gone either way.
    """
    try:
        nb = nbformat.read(partial, as_version=4)
        nb.metadata.get("papermill", {})["output_path"] = str(output)
        if title:
            retitle(nb, title)
        nbformat.write(nb, partial)
        os.replace(partial, output)
    finally:
        partial.unlink(missing_ok=True)


def retitle(nb, title: str) -> None:
    """Replace the first level-1 heading of an executed notebook, so every book page has its own title."""
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.source.startswith("# "):
            first, _, rest = cell.source.partition("\n")
            cell.source = f"# {title}\n\n*{first[2:]}*\n{rest}"
            break


def syntax_error(notebook: str, err) -> str:
    """One line for a cell that does not parse (papermill's error ``err``): the notebook, the
    cell (counted from 1 in the source notebook), the line and its text, and the reason."""
    found = re.search(r"\s*\([^()]*, line (\d+)\)$", err.evalue)  # the kernel's "(<file>, line <n>)"
    where = display_path(Path(notebook))
    cell = _cell_number(notebook, err.source)
    if cell:
        where += f", cell {cell}"
    if found:
        lines = err.source.splitlines()
        number = int(found[1])
        where += f", line {number}" + (f" ({lines[number - 1].strip()})" if number <= len(lines) else "")
    return f"{err.ename} in {where}: {err.evalue[:found.start()] if found else err.evalue}"


def _cell_number(notebook: str, source: str) -> int | None:
    """The number (from 1) of the cell of ``notebook`` holding ``source``; None if none does."""
    try:
        cells = nbformat.read(notebook, as_version=4).cells
    except (OSError, ValueError):
        return None
    return next((i for i, cell in enumerate(cells, 1) if cell.source == source), None)


Job = tuple[str, str, dict, str, str, float | None, dict | None]  # the arguments of execute_notebook


def not_started(job: Job) -> Outcome:
    return Outcome(job[4], "not started", job[1])


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
        kernel = None if fresh else WarmKernel(str(PROJECT_ROOT))
        try:
            while not full.is_set():
                try:
                    job = todo.get_nowait()
                except queue.Empty:
                    return
                try:
                    outcome = execute_notebook(*job, kernel=kernel)
                except Exception as err:  # a bug here must not hang the sweep
                    outcome = Outcome(job[4], "failed", job[1], 0.0, f"{type(err).__name__}: {err}")
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
