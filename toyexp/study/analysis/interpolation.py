"""Between the samples: error against distance to the training inputs, and the error spectrum.

Distances are in units of the training spacing h (the median gap between neighbouring
training inputs); frequencies in cycles per unit c, with the training grid's Nyquist
frequency 1 / (2h) the highest it can resolve.

An error within :data:`ROUNDING_MARGIN` times the rounding of the stored targets has no shape
worth reporting: its spectrum and its near/between split are those of the rounding and of the
arithmetic that made the prediction, and they change with the CPU's code paths.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...core.metrics import distance_to_nearest, near_and_between, training_spacing
from ...core.stats import Band, Stat, mean_std, stat
from ...run.sections import Config
from ...tasks import get_task
from .collect import Member

DISTANCE_EDGES = np.linspace(0.0, 0.5, 6)  # distance to the nearest training input / spacing h
# Measured on the analysis demo: the GP's error is 27-54 times the rounding of its float32 targets,
# and its share of energy above Nyquist moved by up to 4 % when only numpy's and OpenBLAS's code paths
# changed (tests/test_nbval.py); the next smallest error, lie's spline at 1000 times, and
# every network's (above 10^5 times) did not move.
ROUNDING_MARGIN = 100


def binned_rmse(c_grid, x_grid, pred_grid, c_train, *, edges=DISTANCE_EDGES) -> np.ndarray:
    """RMSE per bin of u = (distance to the nearest training input) / h, (len(edges) - 1,).

    RMSE_b = sqrt(mean over grid points i with u_i in [edges_b, edges_b+1) and dims d of
    (pred_id - x_id)^2); u beyond the last edge counts in the last bin; an empty bin is NaN.
    """
    u = distance_to_nearest(c_grid, c_train) / training_spacing(c_train)
    b = np.clip(np.searchsorted(edges, u, side="right") - 1, 0, len(edges) - 2)
    sq = ((np.asarray(pred_grid) - np.asarray(x_grid)) ** 2).mean(axis=1)
    return np.array([np.sqrt(sq[b == j].mean()) if (b == j).any() else np.nan for j in range(len(edges) - 1)])


def rounding_rms(x) -> float:
    """RMS of the rounding error of ``x`` in its own dtype: a value rounded to the spacing u of
    its floating-point neighbours is off by up to u/2, uniformly, so by u/sqrt(12) in RMS."""
    u = np.spacing(np.abs(np.asarray(x))).astype(float)
    return float(np.sqrt(np.mean(u**2) / 12))


def above_rounding(x_grid, pred_grid) -> bool:
    """Whether the RMS of e = pred - x is at least ROUNDING_MARGIN times the rounding of x."""
    e = np.asarray(pred_grid, dtype=float) - np.asarray(x_grid, dtype=float)
    return bool(np.sqrt(np.mean(e**2)) >= ROUNDING_MARGIN * rounding_rms(x_grid))


def error_spectrum(c_grid, x_grid, pred_grid) -> tuple[np.ndarray, np.ndarray]:
    """Frequencies f_k (cycles per unit c) and the amplitude spectrum A_k of e = pred - x.

    On the even grid c_n = c_0 + n Δc (n < G), with a Hann window w_n,
    A_k = 2 |sum_n w_n e_n exp(-2πi kn/G)| / sum_n w_n, f_k = k / (G Δc), averaged over output
    dims: an error a sin(2π f c) gives a peak of height ≈ a at f.
    """
    c = np.asarray(c_grid, dtype=float)[:, 0]
    dc = (c[-1] - c[0]) / (len(c) - 1)
    # even up to the rounding of each point to float32, as predictions.npz stores them: on a grid
    # of 10 000 points over [0, 1] that moves a spacing by 5e-4 of itself
    rounding = 2 * np.finfo(np.float32).eps * np.abs(c).max()
    if not np.allclose(np.diff(c), dc, rtol=1e-4, atol=max(rounding, 1e-9)):
        raise ValueError("error_spectrum needs an even grid c_grid (as predictions.npz stores)")
    w = np.hanning(len(c))
    e = np.asarray(pred_grid, dtype=float) - np.asarray(x_grid, dtype=float)  # (G, D)
    amplitude = 2 * np.abs(np.fft.rfft(w[:, None] * e, axis=0)) / w.sum()  # (G // 2 + 1, D)
    return np.fft.rfftfreq(len(c), d=dc), amplitude.mean(axis=1)


def energy_fraction_above(freqs, amplitude, f: float) -> float:
    """sum_{f_k > f} A_k^2 / sum_k A_k^2: the share of the error energy above frequency f."""
    power = np.asarray(amplitude) ** 2
    return float(power[np.asarray(freqs) > f].sum() / power.sum()) if power.sum() > 0 else 0.0


@dataclass(frozen=True, kw_only=True)
class Interpolation:
    distance: Band  # x: bin centres of u = distance / h; y: RMSE per bin
    spectrum: Band  # x: frequency (cycles per unit c); y: error amplitude
    edges: np.ndarray
    nyquist: float  # 1 / (2h), the training grid's Nyquist frequency
    target_freqs: np.ndarray | None  # the task's frequencies, None when it has none to mark
    # the error's shape; None when a seed's error is within ROUNDING_MARGIN of the targets' rounding
    between_over_near: Stat | None  # RMSE beyond h/4 of any training input over the RMSE within h/4
    above_nyquist: Stat | None  # share of the error energy above the Nyquist frequency


def target_frequencies(task: str, config: Config) -> np.ndarray | None:
    """The task's target frequencies (cycles per unit c) for a run's resolved ``config``."""
    return get_task(task).target_frequencies(config.dataset)


def interpolation_profile(members: tuple[Member, ...], task: str, edges=DISTANCE_EDGES) -> Interpolation:
    """Error against distance to the training inputs, and the error spectrum, over the seeds of a row."""
    preds = [m.predictions for m in members]
    rmse = [binned_rmse(p.c_grid, p.x_grid, p.pred_grid, p.c_train, edges=edges) for p in preds]
    spectra = [error_spectrum(p.c_grid, p.x_grid, p.pred_grid) for p in preds]
    nyquist = 1 / (2 * training_spacing(preds[0].c_train))
    split = [near_and_between(p.c_grid, p.x_grid, p.pred_grid, p.c_train) for p in preds]
    shaped = all(above_rounding(p.x_grid, p.pred_grid) for p in preds)
    return Interpolation(
        distance=Band((edges[:-1] + edges[1:]) / 2, *mean_std(rmse), len(members)),
        spectrum=Band(spectra[0][0], *mean_std([a for _, a in spectra]), len(members)),
        edges=np.asarray(edges), nyquist=nyquist, target_freqs=target_frequencies(task, members[0].config),
        between_over_near=stat([between / near if near > 0 else np.inf for near, between,
                                _ in split]) if shaped else None,
        above_nyquist=stat([energy_fraction_above(f, a, nyquist) for f, a in spectra]) if shaped else None,
    )
