"""Glue between a notebook's papermill parameters and :func:`toyexp.run.config.load_config`: the
parameters as the notebook receives them (:func:`config_from_parameters`), or a papermill
parameter file such as ``params/recon/flow.yaml`` read from Python (:func:`config_from_params_file`)."""

from __future__ import annotations

from pathlib import Path

import yaml

from ..schema import ConfigError, did_you_mean, valid
from .config import SECTION_NAMES, Config, load_config

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
    *,
    experiment: dict | None = None,
    dataset: dict | None = None,
    network: dict | None = None,
    training: dict | None = None,
    evaluation: dict | None = None,
    mode: str | None = None,
    seed: int | None = None,
    overrides: list[str] = (),
    quick: bool | None = None,
) -> Config:
    """The run's config from the notebook parameters, each given by its name.

    ``quick=None`` means: the quick preset when the notebook runs with its own defaults
    (JupyterLab, nbval), the package defaults when papermill injected any parameter. The quick
    preset trains :data:`QUICK_MODE` unless ``experiment["mode"]``, ``mode`` or an override says
    otherwise (it sits below the sections, like the rest of the preset).
    """
    if quick is None:
        quick = not papermill_injected()
    if quick:
        experiment = {"mode": QUICK_MODE, **(experiment or {})}
    given = {"experiment": experiment, "dataset": dataset, "network": network, "training": training, "evaluation": evaluation}
    sections = {name: section or {} for name, section in given.items()}
    return load_config(task, sections, mode=mode, seed=seed, overrides=list(overrides or []), quick=quick)


PARAMETERS = (*SECTION_NAMES, "mode", "seed", "overrides")  # a run notebook's parameters cell


def config_from_params_file(task: str, path: str | Path, mode: str | None = None, seed: int | None = None,
                            *, overrides: list[str] | tuple[str, ...] = ()) -> Config:
    """The config the ``task`` notebook builds from the papermill parameter file ``path``
    (``papermill notebooks/<task>.ipynb out.ipynb -f path``): its sections, ``mode``, ``seed`` and
    ``overrides`` on the package defaults, never the quick preset.

    ``mode`` and ``seed`` given here replace the file's (as ``-p`` does); ``overrides`` apply after
    the file's own. A relative ``path`` is read from the current folder, as ``-f`` reads it. An
    unknown parameter, which papermill would only warn about, is an error.
    """
    params = _read_params(Path(path))
    sections = {name: params.get(name) or {} for name in SECTION_NAMES}
    return config_from_parameters(
        task, **sections, mode=params.get("mode") if mode is None else mode, seed=params.get("seed") if seed is None else seed,
        overrides=[*(params.get("overrides") or []), *overrides], quick=False,
    )


def _read_params(path: Path) -> dict:
    """A papermill parameter file as a dict; ConfigError naming the file for a missing, unreadable
    or unknown parameter."""
    if not path.is_file():
        raise ConfigError(f"parameter file {str(path)!r} does not exist")
    try:
        params = yaml.safe_load(path.read_text())
    except yaml.YAMLError as err:
        raise ConfigError(f"parameter file {str(path)!r} is not valid YAML: {' '.join(str(err).split())}") from None
    if not isinstance(params, dict):
        raise ConfigError(f"parameter file {str(path)!r} must be a mapping of parameters {valid(PARAMETERS)}, got {params!r}")
    unknown = sorted(set(params) - set(PARAMETERS), key=str)
    if unknown:
        raise ConfigError(f"parameter file {str(path)!r}: unknown parameter {unknown[0]!r}{did_you_mean(unknown[0], PARAMETERS)}; "
                          f"valid: {valid(PARAMETERS)}")
    return params
