"""What the analysis notebook shows for one experiment: tables and figures, displayed in place.

Each function draws from a :class:`~toyexp.analysis.Collection` and does nothing when the
experiment has no complete runs, so every section of the notebook reads as one call per cell.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from IPython.display import Markdown, display

from . import analysis, interpolation, plots
from . import analysis_plots as aplots
from .analysis import Collection, SummaryRow
from .modes import MODES


def _show(dpi: int = 80) -> None:
    """Show the open figures as PNGs at ``dpi`` and close them (keeps the executed notebook small)."""
    for number in plt.get_fignums():
        fig = plt.figure(number)
        data = plots.png(fig, dpi)
        plt.close(fig)
        plots.show_png(data)


def summary(collection: Collection, experiment: str) -> list[SummaryRow]:
    """Show the mean ± std table of the experiment's variants and return its rows."""
    rows = analysis.summary_table(collection, experiment)
    empty = f"No complete runs of `{experiment}` under `{collection.root}`: no figures."
    display(Markdown(analysis.markdown_table(rows) if rows else empty))
    return rows


def metrics(rows: list[SummaryRow], experiment: str, extra: dict[str, tuple[str, ...]] | None = None) -> None:
    """Bars of the final l1 and l2 per variant (± 1 std over seeds), then one bar chart per ``extra`` group."""
    if not rows:
        return
    aplots.metric_bars(rows, ["l1", "l2"], f"{experiment}: final error")
    for title, names in (extra or {}).items():
        if title == "subspace":
            aplots.subspace_bars(rows, f"{experiment}: subspace")
        else:
            aplots.metric_bars(rows, list(names), f"{experiment}: {title}")
    _show()


def predictions(collection: Collection, rows: list[SummaryRow], experiment: str) -> None:
    """Mean prediction over seeds with a ± 1 std band, against the target and the training samples."""
    if rows:
        bands = {r.variant: analysis.prediction_band(collection.select(experiment, r.variant)) for r in rows}
        aplots.prediction_bands(bands, f"{experiment}: predictions")
        _show()


def between(collection: Collection, rows: list[SummaryRow], experiment: str, spectrum: bool = True) -> None:
    """Error against the distance to the nearest training input and (optionally) the error spectrum."""
    if not rows:
        return
    profiles = {r.variant: interpolation.interpolation_profile(collection.select(experiment, r.variant)) for r in rows}
    aplots.error_vs_distance(profiles, f"{experiment}: error between the samples")
    if spectrum:
        aplots.error_spectrum(profiles, f"{experiment}: error spectrum")
    _show()


def cost(collection: Collection, rows: list[SummaryRow], experiment: str) -> None:
    """l2 against NFE per integrator for the variants whose prediction depends on the step count."""
    curves = {r.variant: analysis.nfe_curves(collection.select(experiment, r.variant)) for r in rows if MODES[r.mode].integrates}
    if curves:
        aplots.error_vs_nfe(curves, f"{experiment}: error against NFE")
        _show()
    elif rows:
        print(f"No variant of {experiment} integrates: no error-against-NFE figure.")


def velocities(collection: Collection, rows: list[SummaryRow], experiment: str) -> None:
    """Cosine and projection error per rotation velocity, figure and tables (the lie task)."""
    if not rows:
        return
    curves = {r.variant: analysis.velocity_curves(collection.select(experiment, r.variant)) for r in rows}
    aplots.velocity_metrics(curves, f"{experiment}: directions per velocity")
    _show()
    display(Markdown("Mean cosine per velocity:\n\n" + analysis.velocity_table(curves, "cosine_mean")))
    display(Markdown("Mean projection error per velocity:\n\n" + analysis.velocity_table(curves, "projection_mean")))
