"""Glue between a notebook's papermill parameters and :func:`toyexp.run.config.load_config`."""

from __future__ import annotations

from ..core.config import Config
from .config import load_config

PAPERMILL_MARKER = "# Parameters"  # first line of the cell papermill injects


def papermill_injected() -> bool:
    """Whether papermill injected parameters into the running kernel.

    papermill inserts a cell starting with ``# Parameters`` after the ``parameters`` cell;
    IPython keeps every executed cell in its input history ``In``.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None:
        return False
    return any(str(cell).lstrip().startswith(PAPERMILL_MARKER) for cell in shell.user_ns.get("In", []))


def config_from_parameters(
    task: str,
    experiment: dict,
    dataset: dict,
    network: dict,
    training: dict,
    evaluation: dict,
    mode: str | None,
    seed: int | None,
    overrides: list[str],
    quick: bool | None = None,
) -> Config:
    """The run's config from the notebook parameters.

    ``quick=None`` means: the quick preset when the notebook runs with its own defaults
    (JupyterLab, nbval), the package defaults when papermill injected any parameter.
    """
    if quick is None:
        quick = not papermill_injected()
    sections = {
        "experiment": experiment, "dataset": dataset, "network": network,
        "training": training, "evaluation": evaluation,
    }
    return load_config(task, sections, mode=mode, seed=seed, overrides=list(overrides or []), quick=quick)
