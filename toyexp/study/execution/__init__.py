"""Executing notebooks: one :class:`Job` in, one :class:`Outcome` out.

``execute`` runs one notebook with papermill (:func:`execute_notebook`; a failed run keeps its
notebook, a cell may time out), ``executors`` run many (:func:`run_local` on warm or fresh
kernels, :func:`run_dask`, :func:`run_slurm`), ``kernels`` keeps the warm kernels (IPC
transport, one process group each) and ``kernel_state`` puts a warm kernel back as a fresh one
would be between notebooks. ``outcome`` is what came of a job; ``disk`` tells a full disk
from other failures. Nothing here knows a sweep, a task or the book.

Names are imported when first used: ``outcome`` and ``disk`` load nothing heavy, the rest
loads papermill.
"""

from ..._lazy import lazy_exports

EXPORTS = {
    "Job": ".execute", "execute_notebook": ".execute", "SINGLE_THREAD": ".execute",
    "run_local": ".executors", "run_dask": ".executors", "run_slurm": ".executors",
    "KERNELS": ".kernels", "WarmKernel": ".kernels",
    "Outcome": ".outcome",
    "no_space": ".disk",
}
__getattr__ = lazy_exports(__name__, EXPORTS)
__all__ = list(EXPORTS)
