"""Figures of one projection run: predictions seen in and out of the true subspace."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from .subspace import principal_angles, principal_subspace


def _coordinates(x, bases, interval) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates Q_i^T x in each point's subspace (N, k) and the norm of (I - P_i) x (N,)."""
    x = torch.as_tensor(np.asarray(x), dtype=torch.float64)
    Q = bases[interval]  # (N, D, k)
    coords = torch.einsum("ndk,nd->nk", Q, x)
    outside = x - torch.einsum("ndk,nk->nd", Q, coords)
    return coords.numpy(), outside.norm(dim=1).numpy()


def subspace_coordinates(c_grid, x_grid, pred_grid, c_train, *, bases, interval, title: str = "") -> Figure:
    """Left: target and prediction in the basis Q of the true subspace. Right: the prediction's
    component in the orthogonal complement, ||(I - P) x_hat||, along c."""
    true_coords, _ = _coordinates(x_grid, bases, interval)
    pred_coords, pred_out = _coordinates(pred_grid, bases, interval)
    c = np.asarray(c_grid)[:, 0]
    fig, (a, b) = plt.subplots(1, 2, figsize=(12, 3.8))
    for j in range(true_coords.shape[1]):
        a.plot(c, true_coords[:, j], color=f"C{j}", lw=1.4, label=f"target, q{j + 1}ᵀx")
        a.plot(c, pred_coords[:, j], color=f"C{j}", lw=1.0, ls="--", label=f"prediction, q{j + 1}ᵀx̂")
    a.set(xlabel="condition c", ylabel="coordinate in the true subspace", title="in the subspace")
    a.legend(fontsize="small", ncol=2)
    b.semilogy(c, pred_out + 1e-12, color="C3", lw=0.9, label="‖(I − P) x̂‖")
    b.vlines(np.asarray(c_train)[:, 0], 0, 1, transform=b.get_xaxis_transform(), color="0.85", lw=0.5, zorder=0, label="training inputs")
    b.set(xlabel="condition c", ylabel="norm outside the subspace (log)", title="out of the subspace")
    b.legend(fontsize="small")
    for ax in (a, b):
        ax.grid(alpha=0.3)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def subspace_spectrum(pred, Q_true, title: str = "") -> Figure:
    """Left: the fraction of the predictions' energy per principal component (the first k should
    hold it all). Right: principal angles between the true and the predicted top-k subspace."""
    X = torch.as_tensor(np.asarray(pred), dtype=torch.float64)
    Q_true = torch.as_tensor(Q_true, dtype=torch.float64)
    k = Q_true.shape[1]
    s2 = torch.linalg.svdvals(X) ** 2
    frac = (s2 / s2.sum()).numpy()
    angles = np.degrees(principal_angles(Q_true, principal_subspace(X, k)).numpy())
    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 3.5))
    idx = np.arange(1, len(frac) + 1)
    a.bar(idx, frac, color=["C0" if i <= k else "C3" for i in idx])
    a.set(yscale="log", xlabel="principal component", ylabel="fraction of energy (log)",
          title=f"energy per component (first {k} = subspace dimension)", xticks=idx)
    a.legend(handles=[Patch(color="C0", label=f"top {k}"), Patch(color="C3", label="the rest")], fontsize="small")
    b.bar(np.arange(1, k + 1), angles, color="C2", label="principal angle")
    b.set(xlabel="angle index", ylabel="angle (degrees)", title="principal angles, true vs predicted",
          xticks=np.arange(1, k + 1), ylim=(0, max(1.0, math.ceil(angles.max() * 1.2))))
    b.legend(fontsize="small")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def run_figures(data, result, title: str) -> dict[str, Figure]:
    """The projection figures of one run: coordinates in and out of the subspace, and the
    energy spectrum with the principal angles on the first interval."""
    interval = data.interval(result.c_grid)
    return {
        "subspace_coordinates": subspace_coordinates(
            result.c_grid, result.x_grid, result.pred_grid, data.c_train, bases=data.bases, interval=interval, title=title
        ),
        "subspace_spectrum": subspace_spectrum(result.pred_grid[interval == 0], data.bases[0], title + " · interval 0"),
    }
