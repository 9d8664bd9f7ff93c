"""Executing one notebook of a sweep (a :class:`Job`) with papermill, and what came of it (an :class:`Outcome`).

A job's variables (``--portable``'s) go to the kernel it starts, never into the environment of
this process or of a worker. A failed run's executed notebook, with the error in it, is kept
for inspection. With a cell timeout, a cell that runs longer (a wedged run) fails its run.
A full disk (:mod:`.disk`) is told apart from other failures.

papermill writes the executed notebook while it runs; here it writes a hidden file beside
it, renamed into place once it reads whole, so a full disk or a killed kernel never leaves
a torn notebook where the book looks for one.
"""

from __future__ import annotations

import os
import re
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import nbformat

from ...run.files import display_path
from .disk import no_space
from .outcome import Outcome
from .kernels import KERNELS, IPCKernelManager, WarmKernel

SINGLE_THREAD = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}


@dataclass(frozen=True, kw_only=True)
class Job:
    """One notebook execution: what papermill runs and where it writes, and how the sweep names it.

    A dataclass of plain values, so that Dask and submitit can ship it to their workers.
    """

    run_id: str  # PlannedRun.id, or "analysis"
    notebook: str  # the notebook executed
    output: str  # the executed notebook, written whole when papermill is done
    parameters: dict
    title: str | None = None  # the executed notebook's first heading, if given
    cell_timeout: float | None = None  # seconds a cell may run; None: no limit
    env: dict[str, str] | None = None  # variables the kernel starts with (--portable's code path)
    subtitle: bool = True  # keep the notebook's own first heading under ``title`` (a run page: which notebook ran)


def execute_notebook(job: Job, kernel: WarmKernel | None = None) -> Outcome:
    """Execute ``job.notebook`` with its parameters into ``job.output`` and title its first heading.

    In a fresh kernel of its own, or on ``kernel``, kept for the next notebook. A cell that runs
    longer than ``job.cell_timeout`` seconds fails the run. ``job.env`` is added to the kernel's
    environment (this process's own is left as it is). ``output`` only ever receives a whole
    notebook: that of a failed run too, if it could be written. A module-level function so that
    Dask and submitit can ship it to workers by reference.
    """
    import papermill
    from nbclient.exceptions import CellTimeoutError
    from papermill.exceptions import PapermillExecutionError
    from traitlets.config import Config

    run_id, notebook, output, cell_timeout = job.run_id, job.notebook, job.output, job.cell_timeout
    if KERNELS.stopping.is_set():
        return Outcome(id=run_id, status="not started", notebook=output)
    os.environ.update(SINGLE_THREAD)  # one torch thread per run: parallel runs do not fight over cores
    start = time.perf_counter()
    partial = partial_path(Path(output))
    try:
        if kernel is None:  # the kernel runs in this process's folder, as papermill by hand: a sweep's paths are absolute
            papermill.execute_notebook(
                notebook, str(partial), parameters=job.parameters, kernel_name="python3",
                progress_bar=False, log_output=False, kernel_manager_class=IPCKernelManager,
                execution_timeout=cell_timeout, config=Config({"IPCKernelManager": {"kernel_env": job.env or {}}}),
            )
        else:
            kernel.execute(notebook, str(partial), job.parameters, cell_timeout, env=job.env)
    except Exception as err:  # papermill's execution error, a kernel that died, or a notebook that cannot be written
        seconds = time.perf_counter() - start
        try:  # the failed run's notebook, with its error, for inspection
            put_in_place(partial, Path(output))
        except Exception as lost:  # torn or never written: nothing to keep
            if no_space(lost) and not no_space(err):
                err = lost  # the run failed for a reason of its own, and now the disk is full too
        if KERNELS.stopping.is_set():
            return Outcome(id=run_id, status="interrupted", notebook=output, seconds=seconds,
                           error="interrupted by Ctrl-C")
        if no_space(err):
            where = "notebook" if isinstance(err, OSError) else "run"
            message = f"cannot write its notebook: {err}" if where == "notebook" else _last_line(err)
            return Outcome(id=run_id, status="failed", notebook=output, seconds=seconds, error=message,
                           no_space=where)
        if isinstance(err, CellTimeoutError):  # nbclient's message ends with the cell's source
            return Outcome(id=run_id, status="failed", notebook=output, seconds=seconds,
                           error=f"a cell ran longer than the cell timeout ({cell_timeout:g} s); its kernel was stopped")
        if isinstance(err, PapermillExecutionError) and err.ename in ("SyntaxError", "IndentationError", "TabError"):
            return Outcome(id=run_id, status="failed", notebook=output, seconds=seconds,
                           error=syntax_error(notebook, err))
        return Outcome(id=run_id, status="failed", notebook=output, seconds=seconds, error=_last_line(err))
    try:
        put_in_place(partial, Path(output), job.title, job.subtitle)
    except Exception as err:
        where = "notebook" if no_space(err) else ""
        return Outcome(id=run_id, status="failed", notebook=output, seconds=time.perf_counter() - start,
                       error=f"cannot write its notebook: {err}", no_space=where)
    return Outcome(id=run_id, status="done", notebook=output, seconds=time.perf_counter() - start)


def _last_line(err: Exception) -> str:
    message = str(err).strip().splitlines()
    return message[-1] if message else type(err).__name__


def partial_path(output: Path) -> Path:
    """Where papermill writes ``output`` while it runs: a hidden file beside it, of its own."""
    return output.with_name(f".{output.stem}.{uuid.uuid4().hex[:8]}.partial{output.suffix}")


def put_in_place(partial: Path, output: Path, title: str | None = None, subtitle: bool = True) -> None:
    """Rename the notebook papermill wrote to ``partial`` into ``output`` once it reads whole,
    with papermill's record of its path corrected and its first heading titled (if ``title``).

    Raises when it cannot (torn by a full disk, never written); ``partial`` is gone either way.
    """
    try:
        nb = nbformat.read(partial, as_version=4)
        nb.metadata.get("papermill", {})["output_path"] = str(output)
        if title:
            retitle(nb, title, subtitle)
        nbformat.write(nb, partial)
        os.replace(partial, output)
    finally:
        partial.unlink(missing_ok=True)


def retitle(nb, title: str, subtitle: bool = True) -> None:
    """Replace the first level-1 heading of an executed notebook, so every book page has its own
    title; with ``subtitle`` the notebook's own heading stays under it, in italics."""
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.source.startswith("# "):
            first, _, rest = cell.source.partition("\n")
            cell.source = f"# {title}\n\n*{first[2:]}*\n{rest}" if subtitle else f"# {title}\n{rest}"
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
