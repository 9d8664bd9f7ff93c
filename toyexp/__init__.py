"""toyexp: regression versus flow matching on functions learnt from a few samples."""

__version__ = "0.1.0"

from .config import Config, ConfigError, load_config  # noqa: E402
from .data import ProjectedTargetFunctionDataset, TargetFunctionDataset  # noqa: E402
from .tasks import make_dataset  # noqa: E402
from .experiment import evaluate_run, finish_run, fit, start_run  # noqa: E402
from .integrate import integrate  # noqa: E402
from .nets import ConcatMLP, FiLMMLP, build_network  # noqa: E402
from .notebook import config_from_parameters  # noqa: E402
from .train import TrainingDiverged  # noqa: E402

__all__ = [
    "Config", "ConfigError", "load_config", "TargetFunctionDataset", "ProjectedTargetFunctionDataset",
    "make_dataset", "start_run", "fit", "evaluate_run", "finish_run", "integrate", "ConcatMLP",
    "FiLMMLP", "build_network", "config_from_parameters", "TrainingDiverged",
]
