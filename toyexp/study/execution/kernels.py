"""The sweep's kernels: the registry of their processes, the IPC kernel manager, and warm kernels.

Kernels talk to papermill over IPC sockets rather than TCP ports, because kernels started at
the same moment can pick the same free port (papermill issue 511).

Ctrl-C: jupyter_client starts every kernel in a session of its own, so a terminal's SIGINT
to the sweep's process group never reaches them. :data:`KERNELS` records the kernels this
process has running; :meth:`Kernels.stop` interrupts them and then kills what is left.

A :class:`WarmKernel` is one kernel kept for many notebooks: it imports torch and toyexp
once, and before each later notebook :mod:`toyexp.study.execution.kernel_state` puts back what the
last one changed (user variables, matplotlib, logging, seeds, threads, warnings, working
folder). Starting a kernel and importing torch costs seconds; the reset costs milliseconds.
"""

from __future__ import annotations

import os
import queue
import signal
import tempfile
import threading
import time
import uuid

from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.log import logger
from traitlets import CaselessStrEnum, Dict

IPC_FOLDER_MAX = 80  # + "/tk-" + 16 hex digits + "-<channel>" stays within 107 bytes
KEPT_KERNEL_ENGINE = "toyexp-kept-kernel"  # the papermill engine name of WarmKernel.execute
HISTORY_IN_MEMORY = ["--HistoryManager.hist_file=:memory:"]  # as nbclient starts kernels: no shared sqlite file
WARM_UP = """\
# What a run notebook imports: most of a fresh kernel's seconds before any work
import matplotlib.pyplot, torch, toyexp, toyexp.run.plots
from toyexp.study.execution import kernel_state as _kernel_state
_kernel_state.remember()
_kernel_state.restore({cwd!r})
"""
RESET = "from toyexp.study.execution import kernel_state as _kernel_state\n_kernel_state.restore({cwd!r})\n"


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
    # Variables the kernel gets on top of this process's environment (portable mode's code-path
    # variables); given to the kernel process alone, so a long-lived caller (a Dask worker) keeps its own.
    kernel_env = Dict(config=True)

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

    async def _async_pre_start_kernel(self, **kw):
        if self.kernel_env:
            kw["env"] = {**kw.get("env", os.environ), **self.kernel_env}
        return await super()._async_pre_start_kernel(**kw)

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


class KeptKernelEngine(NBClientEngine):
    """papermill's nbclient engine on a kernel that outlives the notebook (``km=``, started).

    nbclient leaves a kernel it does not own running, and also its client: closed here,
    because a client left open beside the next one loses that one's replies.
    """

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None, *, stderr_file=None,
                                 start_timeout=60, execution_timeout=None, km=None, **kwargs):
        if km is None or not km.has_kernel:
            raise ValueError(f"the {KEPT_KERNEL_ENGINE!r} engine needs km=, a kernel manager with a running kernel")
        kwargs.pop("input_path", None)
        client = PapermillNotebookClient(
            nb_man, km=km, timeout=execution_timeout, startup_timeout=start_timeout, kernel_name=kernel_name,
            log=logger, log_output=log_output, stdout_file=stdout_file, stderr_file=stderr_file, **kwargs,
        )
        try:
            return client.execute()
        finally:
            if client.kc is not None:
                client.kc.stop_channels()


papermill_engines.register(KEPT_KERNEL_ENGINE, KeptKernelEngine)


class KernelSetupError(RuntimeError):
    """A warm kernel could not import its modules or reset its state."""


class WarmKernel:
    """One kernel for many notebooks, started on first use in ``cwd``; not shared between threads."""

    def __init__(self, cwd: str, setup_timeout: float = 300.0):
        self.cwd = cwd
        self.setup_timeout = setup_timeout  # import torch on a busy machine, or a reset
        self.km: IPCKernelManager | None = None
        self.env: dict[str, str] = {}  # the running kernel's extra variables (IPCKernelManager.kernel_env)
        self.notebooks = 0  # executed on this kernel
        self.starts = 0  # kernels started, the first included

    def execute(self, notebook: str, output: str, parameters: dict, cell_timeout: float | None = None,
                *, env: dict[str, str] | None = None) -> None:
        """papermill's ``execute_notebook`` on this kernel (papermill's errors propagate); a cell
        running longer than ``cell_timeout`` seconds raises nbclient's CellTimeoutError. ``env``:
        variables the kernel must have had from its start; a kernel started without them is replaced."""
        import papermill

        if self.km is not None and self.env != (env or {}):  # read once, at the kernel's first torch work
            self.shutdown()
        if self.km is not None and self.notebooks:
            try:
                self._run_silently(RESET.format(cwd=self.cwd))
            except Exception:  # the kernel died or hangs between notebooks: start afresh
                self.shutdown(now=True)
        if self.km is None:
            self._start(env or {})
        self.notebooks += 1
        papermill.execute_notebook(
            notebook, output, parameters=parameters, kernel_name="python3", engine_name=KEPT_KERNEL_ENGINE,
            km=self.km, progress_bar=False, log_output=False, execution_timeout=cell_timeout,
        )  # no cwd=: papermill would chdir this whole process; the kernel is already in self.cwd

    def shutdown(self, now: bool = False) -> None:
        """Stop the kernel (``now``: kill it) and forget it; the next notebook starts a new one."""
        km, self.km, self.notebooks = self.km, None, 0
        if km is None:
            return
        try:
            run_sync(km.shutdown_kernel)(now=now)
        except Exception:  # already dead, or refusing to die: kill its process group
            if km.provisioner is not None and km.provisioner.pid:
                _signal_group(km.provisioner.pgid or km.provisioner.pid, signal.SIGKILL)
                KERNELS.discard(km.provisioner.pid)

    def _start(self, env: dict[str, str]) -> None:
        self.km, self.env = IPCKernelManager(kernel_name="python3", kernel_env=env), env
        self.starts += 1
        try:
            run_sync(self.km.start_kernel)(cwd=self.cwd, extra_arguments=HISTORY_IN_MEMORY)
            self._run_silently(WARM_UP.format(cwd=self.cwd))
        except Exception:
            self.shutdown(now=True)
            raise

    def _run_silently(self, code: str) -> None:
        """Execute ``code`` on a client of its own, closed afterwards; no output, no history."""
        run_sync(self._async_run_silently)(code)

    async def _async_run_silently(self, code: str) -> None:
        # The shell channel alone: its reply waits in the socket for us, while the 0.2 s of
        # waiting for iopub to settle (wait_for_ready) would be a fifth of a run's overhead.
        kc = self.km.client()
        kc.start_channels(iopub=False, stdin=False, hb=False, control=False)
        try:
            msg_id = kc.execute(code, silent=True, allow_stdin=False)
            deadline = time.monotonic() + self.setup_timeout
            while True:
                if not await self.km.is_alive():
                    raise KernelSetupError("warm kernel set-up failed: the kernel died")
                if time.monotonic() > deadline:
                    raise KernelSetupError(f"warm kernel set-up failed: no reply within {self.setup_timeout:.0f} s")
                try:
                    reply = await kc.get_shell_msg(timeout=0.5)
                except queue.Empty:
                    continue
                if reply["parent_header"].get("msg_id") == msg_id:
                    break
        finally:
            kc.stop_channels()
        content = reply["content"]
        if content["status"] != "ok":
            raise KernelSetupError(f"warm kernel set-up failed: {content.get('ename')}: {content.get('evalue')}")
