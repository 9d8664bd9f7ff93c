"""One run: its config, the steps a notebook takes, and :func:`run` that takes them all.

It writes the run's folder (config.yaml, train.log, checkpoints, predictions.npz, plots,
and metrics.json last) and knows tasks only through the registry.
"""

from .config import QUICK, load_config
from .files import display_path, resolve_path
from .notebook import config_from_parameters
from .steps import GRID_POINTS, Run, RunResults, dense_grid, evaluate_run, finish_run, fit, load_metrics, load_predictions, make_dataset, run, run_directory, start_run

__all__ = [
    "QUICK", "load_config", "display_path", "resolve_path", "config_from_parameters", "GRID_POINTS", "Run", "RunResults", "dense_grid",
    "evaluate_run", "finish_run", "fit", "load_metrics", "load_predictions", "make_dataset", "run",
    "run_directory", "start_run",
]
