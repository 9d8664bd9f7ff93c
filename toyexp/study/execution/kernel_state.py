"""The process state a notebook can leave behind in a kept kernel, and putting it back.

Runs inside the kernel. :func:`remember` is called once, after the kernel has imported torch,
toyexp and pyplot; :func:`restore` before every later notebook, so that each notebook starts
as it would in a fresh kernel that has just imported them. Each part of the state is one
entry of :data:`PARTS`, a (save, restore) pair, so adding one is adding two small functions.

What a fresh kernel leaves to chance stays chance here: the global random generators of
torch, numpy and ``random`` are seeded from the OS again, not from a fixed number, so a
notebook that forgets to seed itself is no more reproducible warm than fresh.
"""

from __future__ import annotations

import gc
import logging
import os
import random
import sys
import warnings
from dataclasses import dataclass
from typing import Any, Callable

import matplotlib as mpl
import numpy as np
import torch
from matplotlib import pyplot as plt

INLINE_TRAITS = ("figure_formats", "print_figure_kwargs", "close_figures", "rc")  # the inline backend's settings


@dataclass(frozen=True)
class Part:
    save: Callable[[], Any]
    restore: Callable[[Any], None]


def _shell():
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def _reset_namespace(_: Any) -> None:
    """``%reset -f`` and a new history session: no user variable, no ``In``/``Out``, and the
    next cell is ``[1]``, as in a fresh kernel. (The reset ends with a full garbage collection.)"""
    shell = _shell()
    if shell is not None:
        shell.reset(new_session=True)
    for name in ("last_type", "last_value", "last_traceback", "last_exc"):
        sys.__dict__.pop(name, None)  # a failed cell's traceback keeps its frames alive


def _save_logging() -> dict:
    loggers = [logging.root, *(v for v in logging.root.manager.loggerDict.values() if isinstance(v, logging.Logger))]
    return {"disable": logging.root.manager.disable,
            "loggers": {lg.name: (list(lg.handlers), lg.level, lg.propagate, lg.disabled) for lg in loggers}}


def _restore_logging(saved: dict) -> None:
    """Close and remove every handler a notebook added (a run's ``train.log``), restore levels."""
    logging.disable(saved["disable"])
    for lg in [logging.root, *logging.root.manager.loggerDict.values()]:
        if not isinstance(lg, logging.Logger):
            continue  # a placeholder for a dotted name's parent
        handlers, level, propagate, disabled = saved["loggers"].get(lg.name, ([], logging.NOTSET, True, False))
        for handler in [h for h in lg.handlers if h not in handlers]:
            lg.removeHandler(handler)
            handler.close()
        lg.handlers[:] = handlers
        lg.setLevel(level)
        lg.propagate, lg.disabled = propagate, disabled


def _save_matplotlib() -> dict:
    try:  # first: in a kernel, importing the inline backend activates it (rcParams["interactive"]
        # among others), as a run's first figure would; what is saved is the state after that
        from matplotlib_inline.backend_inline import InlineBackend
    except ImportError:
        InlineBackend = None
    saved: dict = {"rc": {k: v for k, v in mpl.rcParams.items() if k != "backend"}}
    if InlineBackend is not None:
        inline = InlineBackend.instance()
        saved["inline"] = {name: getattr(inline, name) for name in INLINE_TRAITS}
    return saved


def _restore_matplotlib(saved: dict) -> None:
    plt.close("all")  # also restarts figure numbers at 1
    mpl.rcParams.update(saved["rc"])
    if "inline" in saved:
        from matplotlib_inline.backend_inline import InlineBackend

        inline = InlineBackend.instance()
        for name, value in saved["inline"].items():
            if getattr(inline, name) != value:
                setattr(inline, name, value)


def _save_torch() -> dict:
    return {"threads": torch.get_num_threads(), "dtype": torch.get_default_dtype(),
            "deterministic": torch.are_deterministic_algorithms_enabled()}


def _restore_torch(saved: dict) -> None:
    torch.seed()  # from the OS, like a new process
    torch.set_num_threads(saved["threads"])
    torch.set_default_dtype(saved["dtype"])
    torch.set_flush_denormal(False)  # a fresh process keeps denormals; start_run turns flushing on
    torch.set_grad_enabled(True)
    if torch.is_anomaly_enabled():
        torch.autograd.set_detect_anomaly(False)
    if torch.are_deterministic_algorithms_enabled() != saved["deterministic"]:
        torch.use_deterministic_algorithms(saved["deterministic"])  # seconds: only when changed
    torch.set_printoptions(profile="default")


def _save_numpy() -> dict:
    return {"err": np.geterr(), "print": np.get_printoptions()}


def _restore_numpy(saved: dict) -> None:
    np.random.seed()  # from the OS, like a new process
    random.seed()
    np.seterr(**saved["err"])
    np.set_printoptions(**saved["print"])


def _save_warnings() -> tuple:
    return list(warnings.filters), warnings.showwarning


def _restore_warnings(saved: tuple) -> None:
    """The filters of the fresh kernel, and every "shown once" record forgotten, so a warning
    the last notebook printed is printed again."""
    filters, showwarning = saved
    warnings.filters[:] = filters
    warnings.showwarning = showwarning
    warnings.onceregistry.clear()
    warnings._filters_mutated()  # invalidates each module's __warningregistry__


def _restore_environ(saved: dict) -> None:
    for name in set(os.environ) - set(saved):
        del os.environ[name]
    os.environ.update(saved)


PARTS: dict[str, Part] = {
    "namespace": Part(lambda: None, _reset_namespace),  # first: drops the notebook's figures and tensors
    "logging": Part(_save_logging, _restore_logging),
    "matplotlib": Part(_save_matplotlib, _restore_matplotlib),
    "torch": Part(_save_torch, _restore_torch),
    "numpy and random": Part(_save_numpy, _restore_numpy),
    "warnings": Part(_save_warnings, _restore_warnings),
    "environment": Part(lambda: dict(os.environ), _restore_environ),
    "sys.path": Part(lambda: list(sys.path), lambda saved: sys.path.__setitem__(slice(None), saved)),
    "streams": Part(lambda: (sys.stdout, sys.stderr), lambda saved: (setattr(sys, "stdout", saved[0]), setattr(sys, "stderr", saved[1]))),
}
_saved: dict[str, Any] | None = None


def remember() -> None:
    """Record the state of the just-started kernel: what :func:`restore` goes back to."""
    global _saved
    _saved = {name: part.save() for name, part in PARTS.items()}
    gc.collect()
    gc.freeze()  # the imported modules live as long as the kernel: later collections skip them


def restore(cwd: str) -> None:
    """Put the kernel back as :func:`remember` found it, and work in ``cwd`` (papermill's ``cwd``)."""
    if _saved is None:
        raise RuntimeError("kernel_state.restore() before remember(): nothing to restore to")
    for name, part in PARTS.items():
        part.restore(_saved[name])
    os.chdir(cwd)
