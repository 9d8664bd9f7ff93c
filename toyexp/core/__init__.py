"""The method: probability paths, modes, networks, integrators, the optimiser, metrics and the
training loop. It knows no task and writes no file."""

from .config import Config, DatasetConfig, EvaluationConfig, ExperimentConfig, NetworkConfig, TrainingConfig
from .integrate import STEPS, integrate, nfe
from .metrics import Evaluation, evaluate, l1_error, l2_error, predict
from .modes import MODES, Mode, build_mode
from .nets import ARCHITECTURES, ConcatMLP, FiLMMLP, build_network
from .train import History, TrainingDiverged, TrainResult, train

__all__ = [
    "Config", "DatasetConfig", "EvaluationConfig", "ExperimentConfig", "NetworkConfig", "TrainingConfig",
    "STEPS", "integrate", "nfe", "Evaluation", "evaluate", "l1_error", "l2_error", "predict",
    "MODES", "Mode", "build_mode", "ARCHITECTURES", "ConcatMLP", "FiLMMLP", "build_network",
    "History", "TrainingDiverged", "TrainResult", "train",
]
