"""toyexp: regression versus flow matching on functions learnt from a few samples.

Layers, each importing only the ones below it (checked by import-linter, see pyproject.toml):

    cli, bench    the ``toyexp`` command and its benchmark
    study         sweeps, their execution, and the analysis across seeds
    run           one run: config, steps, files, figures and text
    tasks         recon, projection, lie: one folder each, and the registry that finds them
    report        numbers and sentences as the report prints them
    core          the method: paths, modes, networks, integrators, optimiser, metrics, statistics, training
    schema        config fields and their loader, knowing no task and no method

The names below are imported when first used, so ``import toyexp`` is cheap.
"""

from ._lazy import lazy_exports

__version__ = "0.2.0"

EXPORTS = {
    "ConfigError": ".schema",
    "build_network": ".core.nets", "integrate": ".core.integrate", "TrainingDiverged": ".core.train",
    "Task": ".tasks.base", "get_task": ".tasks", "register": ".tasks", "task_names": ".tasks",
    "Config": ".run.config", "load_config": ".run.config", "config_from_parameters": ".run.notebook",
    "config_from_params_file": ".run.notebook",
    "start_run": ".run.steps", "fit": ".run.steps", "evaluate_run": ".run.steps", "finish_run": ".run.steps",
    "run_all": ".run.steps", "make_dataset": ".run.steps",
    "start_group": ".run.group", "fit_group": ".run.group", "evaluate_group": ".run.group", "finish_group": ".run.group",
}
__getattr__ = lazy_exports(__name__, EXPORTS)
__all__ = list(EXPORTS)
