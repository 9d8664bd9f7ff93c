"""toyexp: regression versus flow matching on functions learnt from a few samples.

Layers, each importing only the ones below it (checked by import-linter, see pyproject.toml):

    cli, bench    the ``toyexp`` command and its benchmark
    study         sweeps, their execution, and the analysis across seeds
    run           one run: config, steps, files, figures and text
    tasks         recon, projection, lie: one folder each, and their registry
    core          the method: paths, modes, networks, integrators, optimiser, metrics, training
    schema        config fields and their loader, knowing no task and no method
"""

__version__ = "0.1.0"

# ``toyexp.run`` is the subpackage of one run; its function ``toyexp.run.run(cfg)`` takes every step.

from .core import ConcatMLP, Config, FiLMMLP, TrainingDiverged, build_network, integrate  # noqa: E402
from .run import (  # noqa: E402
    config_from_parameters, evaluate_run, finish_run, fit, load_config, make_dataset, start_run,
)
from .schema import ConfigError  # noqa: E402
from .tasks import TASKS, Task, get_task, register  # noqa: E402

__all__ = [
    "Config", "ConfigError", "load_config", "config_from_parameters", "make_dataset", "start_run", "fit",
    "evaluate_run", "finish_run", "integrate", "ConcatMLP", "FiLMMLP", "build_network",
    "TrainingDiverged", "TASKS", "Task", "get_task", "register",
]
