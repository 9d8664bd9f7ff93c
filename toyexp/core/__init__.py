"""The method: probability paths, modes, networks, integrators, the optimiser, metrics,
statistics and the training loop. It knows no task and writes no file.

Its config sections and the names a config may choose (``config``, ``names``) import no
torch; the rest is imported when first used.
"""

from .._lazy import lazy_exports

EXPORTS = {
    "EvaluationConfig": ".config", "NetworkConfig": ".config", "TrainingConfig": ".config",
    "Tolerance": ".resolution",
    "STEPS": ".integrate", "integrate": ".integrate", "nfe": ".integrate",
    "Evaluation": ".metrics", "evaluate": ".metrics", "l1_error": ".metrics", "l2_error": ".metrics", "predict": ".metrics",
    "MODES": ".modes", "Mode": ".modes", "build_mode": ".modes",
    "ARCHITECTURES": ".nets", "ConcatMLP": ".nets", "FiLMMLP": ".nets", "build_network": ".nets",
    "History": ".train", "TrainingDiverged": ".train", "TrainResult": ".train", "train": ".train",
}
__getattr__ = lazy_exports(__name__, EXPORTS)
__all__ = list(EXPORTS)
