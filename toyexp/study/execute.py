"""Executing the runs of a sweep: papermill in parallel, locally, on Dask or on Slurm.

Each run is its own Jupyter kernel. Kernels talk to papermill over IPC sockets rather
than TCP ports, because kernels started at the same moment can pick the same free port
(papermill issue 511). A failed run never stops the others; its executed notebook, with
the error in it, is kept for inspection.
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import nbformat
from jupyter_client.manager import AsyncKernelManager
from traitlets import CaselessStrEnum

from ..run.files import PROJECT_ROOT

SINGLE_THREAD = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}


class IPCKernelManager(AsyncKernelManager):
    """A kernel manager that talks to its kernel over IPC sockets (files) instead of TCP ports."""

    transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc", config=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # The default socket prefix is "kernel-ipc" in the working directory, shared by every
        # kernel started there; a unique prefix per kernel keeps parallel runs apart.
        self.ip = os.path.join(tempfile.gettempdir(), f"toyexp-kernel-{uuid.uuid4().hex}")


@dataclass(frozen=True)
class Outcome:
    id: str
    status: str  # "done", "failed" or "skipped"
    notebook: str
    seconds: float = 0.0
    error: str = ""


def execute_notebook(notebook: str, output: str, parameters: dict, title: str | None, run_id: str) -> Outcome:
    """Execute ``notebook`` with ``parameters`` into ``output`` and title its first heading (if ``title``).

    A module-level function so that Dask and submitit can ship it to workers by reference.
    """
    import papermill

    os.environ.update(SINGLE_THREAD)  # one torch thread per run: parallel runs do not fight over cores
    start = time.perf_counter()
    try:
        papermill.execute_notebook(
            notebook, output, parameters=parameters, kernel_name="python3", cwd=str(PROJECT_ROOT),
            progress_bar=False, log_output=False, kernel_manager_class=IPCKernelManager,
        )
    except Exception as err:  # papermill's execution error, or a kernel that died
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


Job = tuple[str, str, dict, str, str]  # the arguments of execute_notebook


def run_local(jobs: list[Job], workers: int, on_done: Callable[[Outcome], None]) -> list[Outcome]:
    """Threads that each drive one kernel process; the kernels do the work."""
    outcomes = []
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(execute_notebook, *job) for job in jobs]
        for future in as_completed(futures):
            outcomes.append(future.result())
            on_done(outcomes[-1])
    return outcomes


def run_dask(jobs: list[Job], workers: int, on_done: Callable[[Outcome], None], scheduler: str | None = None) -> list[Outcome]:
    """The same runs on a Dask cluster: ``scheduler`` address, or a LocalCluster of ``workers``."""
    try:
        from dask.distributed import Client, LocalCluster
        from dask.distributed import as_completed as dask_completed
    except ImportError as err:
        raise SystemExit(f"--executor dask needs Dask: pip install -e '.[dask]' ({err})")
    cluster = None if scheduler else LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=logging.WARNING)
    client = Client(scheduler or cluster)
    try:
        futures = [client.submit(execute_notebook, *job, pure=False) for job in jobs]
        outcomes = []
        for future in dask_completed(futures):
            outcomes.append(future.result())
            on_done(outcomes[-1])
        return outcomes
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def run_slurm(jobs: list[Job], workers: int, on_done: Callable[[Outcome], None], folder: Path, cluster: str | None = None) -> list[Outcome]:
    """The same runs as a submitit job array (Slurm when present; ``cluster="local"`` for tests)."""
    try:
        import submitit
    except ImportError as err:
        raise SystemExit(f"--executor slurm needs submitit: pip install -e '.[slurm]' ({err})")
    executor = submitit.AutoExecutor(folder=str(folder), cluster=cluster)
    executor.update_parameters(timeout_min=120, cpus_per_task=1, slurm_array_parallelism=workers, tasks_per_node=1, nodes=1)
    columns: Iterable = zip(*jobs)
    submitted = executor.map_array(execute_notebook, *columns)
    outcomes = []
    for job, args in zip(submitted, jobs):
        try:
            outcomes.append(job.result())
        except Exception as err:  # the job itself died (time limit, node failure)
            outcomes.append(Outcome(args[4], "failed", args[1], 0.0, f"submitit job {job.job_id}: {err}"))
        on_done(outcomes[-1])
    return outcomes
