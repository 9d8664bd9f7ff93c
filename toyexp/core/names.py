"""The names of the method's registered parts: what a config may choose.

A config, and with it a sweep file, is checked against these names without importing torch,
so that ``toyexp sweep`` answers a bad file at once. Each registry holds exactly these keys
(modes.MODES, integrate.STEPS and adaptive.ADAPTIVE, nets.ARCHITECTURES and nets.ACTIVATIONS,
paths.LOSSES and paths.INITIAL_DISTS, optim.LR_SCHEDULES) and checks it with :func:`check_registry` when it is
imported: a part added to a registry but not named here (or the reverse) fails at once.
"""

from __future__ import annotations

from typing import Iterable

MODES = ("regression", "flow", "straight_flow", "mip", "mip_one_step")
FIXED_STEP_METHODS = ("euler", "midpoint", "heun", "rk4")
ADAPTIVE_METHODS = ("dopri5",)
METHODS = (*FIXED_STEP_METHODS, *ADAPTIVE_METHODS)  # every integrator, fixed-step first
ARCHITECTURES = ("concat", "film")
ACTIVATIONS = ("relu", "gelu", "silu", "tanh")
LOSSES = ("l2", "l1")
INITIAL_DISTS = ("zeros", "gaussian")  # the distributions of x_0
LOSS_AGGREGATIONS = ("full", "per_component")  # per_component: the sum of each output block's loss
LR_SCHEDULES = ("constant", "cosine")  # the learning rate over the optimiser steps (optim.LR_SCHEDULES)


def check_registry(registry: str, keys: Iterable[str], names: tuple[str, ...]) -> None:
    """Raise ImportError unless the registry's ``keys`` are exactly ``names``, in order."""
    keys = tuple(keys)
    if keys != names:
        raise ImportError(
            f"{registry} has {keys} but toyexp/core/names.py lists {names}: "
            "a registered part must be named in both (the config checks names without importing torch)"
        )
