"""One look for every figure in the book: a fixed colour per variant, baseline and integrator,
and font sizes readable at page width.

Colours are fixed by name, not by position, so ``flow`` is the same blue on a run page, in a
bar chart and in a band figure, whichever variants a sweep ran. A name not listed here gets a
colour from its own text, so it too is stable from figure to figure.
"""

from __future__ import annotations

import zlib

import matplotlib as mpl

COLOURS = {
    # variants (a mode, or a mode with its initial distribution)
    "regression": "#1b1b1b",
    "flow": "#1f77b4",
    "flow-gaussian": "#17becf",
    "straight_flow": "#2ca02c",
    "mip": "#d62728",
    "mip_one_step": "#ff7f0e",
    # classical baselines on the same training samples
    "linear": "#8c564b",
    "spline": "#9467bd",
    "smoothing-spline": "#bcbd22",
    "gp": "#e377c2",
    # integrators, on the error-against-NFE figures of one run
    "euler": "#1f77b4",
    "midpoint": "#2ca02c",
    "heun": "#ff7f0e",
    "rk4": "#d62728",
    "dopri5": "#9467bd",
}
_SPARE = ["#bcbd22", "#7f7f7f", "#aec7e8", "#98df8a", "#c5b0d5", "#c49c94", "#f7b6d2", "#dbdb8d"]

FONT_SIZES = {  # points; a 1400 px page shows a 12-inch figure at about 0.8 scale
    "font.size": 11, "axes.titlesize": 11, "axes.labelsize": 11, "xtick.labelsize": 10,
    "ytick.labelsize": 10, "legend.fontsize": 10, "figure.titlesize": 12,
}


def colour(name: str) -> str:
    """The colour of a variant, baseline or integrator: fixed by name across every figure."""
    if name in COLOURS:
        return COLOURS[name]
    return _SPARE[zlib.crc32(name.encode()) % len(_SPARE)]


def use() -> None:
    """Apply the book's font sizes to matplotlib's defaults (figures made after the call)."""
    mpl.rcParams.update(FONT_SIZES)
