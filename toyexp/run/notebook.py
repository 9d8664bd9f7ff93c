"""Glue between a notebook's papermill parameters and :func:`toyexp.run.config.load_config`."""

from __future__ import annotations

from .config import Config, load_config

PAPERMILL_MARKER = "# Parameters"  # first line of the cell papermill injects

# The mode of a run notebook executed with its own defaults (JupyterLab, nbval): flow matching,
# whose quick-preset l2 stayed within 6e-6 (relative) under the code paths of two foreign CPUs
# (tests/test_nbval.py), so nbval can compare them; regression's l2 after the quick preset's 1500 epochs moved by 5% when only torch's CPU
# kernels changed (ATEN_CPU_CAPABILITY=default against avx2). The quick preset also evaluates
# 1 and 4 steps of euler and rk4, which only a flow model uses. Runs with papermill-injected
# parameters never see it: they start from the package defaults (regression).
QUICK_MODE = "flow"


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
    (JupyterLab, nbval), the package defaults when papermill injected any parameter. The quick
    preset trains :data:`QUICK_MODE` unless ``experiment["mode"]``, ``mode`` or an override says
    otherwise (it sits below the sections, like the rest of the preset).
    """
    if quick is None:
        quick = not papermill_injected()
    if quick:
        experiment = {"mode": QUICK_MODE, **(experiment or {})}
    sections = {
        "experiment": experiment, "dataset": dataset, "network": network,
        "training": training, "evaluation": evaluation,
    }
    return load_config(task, sections, mode=mode, seed=seed, overrides=list(overrides or []), quick=quick)
