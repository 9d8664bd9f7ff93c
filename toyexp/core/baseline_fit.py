"""What every classical baseline shares: its result (:class:`Fit`), the error for samples it is
not defined on (:class:`Undefined`), and the checked, sorted training samples it reads."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


class Undefined(ValueError):
    """A baseline that is not defined for these samples (the message says why); the study leaves
    it out at that point and says so."""


@dataclass(frozen=True)
class Fit:
    """A baseline's prediction and what its fit chose.

    prediction (M, D): x̂ at the query inputs. std (M, D) or None: the posterior standard
    deviation of the latent f there (without the observation noise), for a probabilistic
    baseline. hyperparameters: fitted value per name ({} for an interpolant). at_bound: the
    hyperparameters that ended on a bound (within a small relative margin), as ``"name lower"``
    or ``"name upper"``, each once per fit.
    """

    prediction: np.ndarray
    std: np.ndarray | None = None
    hyperparameters: dict[str, float] = field(default_factory=dict)
    at_bound: tuple[str, ...] = ()


def sorted_samples(c_train, x_train) -> tuple[np.ndarray, np.ndarray]:
    """The samples as (N,) inputs in increasing order and (N, D) outputs; checks shapes and ties."""
    c, x = np.asarray(c_train, dtype=float), np.asarray(x_train, dtype=float)
    if c.ndim != 2 or c.shape[1] != 1 or x.ndim != 2 or len(x) != len(c):
        raise ValueError(f"a baseline needs c_train of shape (N, 1) and x_train of shape (N, D); got {c.shape} and {x.shape}")
    order = np.argsort(c[:, 0], kind="stable")
    c, x = c[order, 0], x[order]
    if np.any(np.diff(c) <= 0):
        raise ValueError("a baseline needs distinct training inputs c_train; some repeat")
    return c, x


def inputs(c) -> np.ndarray:
    """The query inputs (M, 1) as (M,); checks the shape."""
    c = np.asarray(c, dtype=float)
    if c.ndim != 2 or c.shape[1] != 1:
        raise ValueError(f"a baseline predicts at inputs c of shape (M, 1); got {c.shape}")
    return c[:, 0]
