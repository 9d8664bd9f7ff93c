"""One run: its config, the steps a notebook takes, and :func:`run_all` that takes them all.

It writes the run's folder (config.yaml, train.log, checkpoints, predictions.npz, plots,
and metrics.json last) and knows tasks only through the registry. The config loads without
torch; the steps import it when first used.
"""

from .._lazy import lazy_exports

EXPORTS = {
    "QUICK": ".config", "Config": ".config", "load_config": ".config",
    "display_path": ".files", "resolve_path": ".files", "run_directory": ".files",
    "config_from_parameters": ".notebook", "config_from_params_file": ".notebook",
    "RunRecord": ".record", "read_record": ".record",
    "load_predictions": ".outputs",
    "RunContext": ".steps", "start_run": ".steps", "fit": ".steps", "evaluate_run": ".steps",
    "finish_run": ".steps", "run_all": ".steps", "make_dataset": ".steps",
    "start_group": ".group", "fit_group": ".group", "evaluate_group": ".group", "finish_group": ".group",
}
__getattr__ = lazy_exports(__name__, EXPORTS)
__all__ = list(EXPORTS)
