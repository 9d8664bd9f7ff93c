"""Executing the runs of a sweep: papermill in parallel, locally, on Dask or on Slurm.

Each run is its own Jupyter kernel. Kernels talk to papermill over IPC sockets rather
than TCP ports, because kernels started at the same moment can pick the same free port
(papermill issue 511). A failed run never stops the others; its executed notebook, with
the error in it, is kept for inspection.

Ctrl-C: jupyter_client starts every kernel in a session of its own, so a terminal's SIGINT
to the sweep's process group never reaches them. :data:`KERNELS` records the kernels this
process has running; :meth:`Kernels.stop` interrupts them and then kills what is left, and
the runs they carried report "interrupted".
"""

from __future__ import annotations

import logging
import os
import signal
import tempfile
import threading
import time
import uuid
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import nbformat
from jupyter_client.manager import AsyncKernelManager
from traitlets import CaselessStrEnum

from ..run.files import PROJECT_ROOT

IPC_FOLDER_MAX = 80  # + "/tk-" + 16 hex digits + "-<channel>" stays within 107 bytes
SINGLE_THREAD = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}


class Kernels:
    """The kernel processes this process has started and not yet shut down, by process group."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._groups: dict[int, int] = {}  # pid -> process group
        self.stopping = threading.Event()  # set by the first Ctrl-C: no run starts after it

    def add(self, pid: int, pgid: int) -> None:
        with self._lock:
            if not self.stopping.is_set():
                self._groups[pid] = pgid
                return
        _signal_group(pgid, signal.SIGKILL)  # Ctrl-C came while this kernel was starting

    def discard(self, pid: int | None) -> None:
        with self._lock:
            self._groups.pop(pid, None)

    def signal(self, signum: int) -> None:
        with self._lock:
            groups = list(self._groups.values())
        for pgid in groups:
            _signal_group(pgid, signum)

    def stop(self, grace: float = 3.0) -> None:
        """Start no more kernels; SIGINT the running ones (their cell raises KeyboardInterrupt and
        papermill shuts them down), then SIGKILL whatever is still there after ``grace`` seconds."""
        with self._lock:
            self.stopping.set()
        self.signal(signal.SIGINT)
        deadline = time.monotonic() + grace
        while self._groups and time.monotonic() < deadline:
            time.sleep(0.1)
        self.signal(signal.SIGKILL)


def _signal_group(pgid: int, signum: int) -> None:
    try:
        os.killpg(pgid, signum)
    except (ProcessLookupError, PermissionError):
        pass  # already gone


KERNELS = Kernels()


class IPCKernelManager(AsyncKernelManager):
    """A kernel manager that talks to its kernel over IPC sockets (files) instead of TCP ports."""

    transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc", config=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # The default socket prefix is "kernel-ipc" in the working directory, shared by every
        # kernel started there; a unique prefix per kernel keeps parallel runs apart.
        # A socket path has at most 107 bytes (sockaddr_un), so the name is short, and a long
        # temporary folder gives way to /tmp.
        folder = tempfile.gettempdir()
        if len(folder) > IPC_FOLDER_MAX:
            folder = "/tmp"
        self.ip = os.path.join(folder, f"tk-{uuid.uuid4().hex[:16]}")

    async def _async_launch_kernel(self, kernel_cmd, **kw) -> None:
        await super()._async_launch_kernel(kernel_cmd, **kw)
        pid = self.provisioner.pid
        KERNELS.add(pid, self.provisioner.pgid or pid)

    async def shutdown_kernel(self, now: bool = False, restart: bool = False) -> None:
        pid = getattr(self.provisioner, "pid", None)
        try:
            await super().shutdown_kernel(now=now, restart=restart)
        finally:
            KERNELS.discard(pid)


@dataclass(frozen=True)
class Outcome:
    id: str
    status: str  # "done", "failed", "skipped", "interrupted" (by Ctrl-C) or "not started"
    notebook: str
    seconds: float = 0.0
    error: str = ""


def execute_notebook(notebook: str, output: str, parameters: dict, title: str | None, run_id: str) -> Outcome:
    """Execute ``notebook`` with ``parameters`` into ``output`` and title its first heading (if ``title``).

    A module-level function so that Dask and submitit can ship it to workers by reference.
    """
    import papermill

    if KERNELS.stopping.is_set():
        return Outcome(run_id, "not started", output)
    os.environ.update(SINGLE_THREAD)  # one torch thread per run: parallel runs do not fight over cores
    start = time.perf_counter()
    try:
        papermill.execute_notebook(
            notebook, output, parameters=parameters, kernel_name="python3", cwd=str(PROJECT_ROOT),
            progress_bar=False, log_output=False, kernel_manager_class=IPCKernelManager,
        )
    except Exception as err:  # papermill's execution error, or a kernel that died
        if KERNELS.stopping.is_set():
            return Outcome(run_id, "interrupted", output, time.perf_counter() - start, "interrupted by Ctrl-C")
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


def not_started(job: Job) -> Outcome:
    return Outcome(job[4], "not started", job[1])


def run_local(jobs: list[Job], workers: int, on_done: Callable[[Outcome], None]) -> list[Outcome]:
    """Threads that each drive one kernel process; the kernels do the work.

    Once :data:`KERNELS` is stopping, queued runs are cancelled ("not started").
    """
    outcomes = []
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending = {pool.submit(execute_notebook, *job): job for job in jobs}
        while pending:
            # A timeout, not as_completed: a cancelled future never completes, and Ctrl-C's
            # handler needs the main thread back now and then.
            wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            if KERNELS.stopping.is_set():
                for future in pending:
                    future.cancel()
            for future in [f for f in pending if f.done()]:
                job = pending.pop(future)
                outcomes.append(not_started(job) if future.cancelled() else future.result())
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
