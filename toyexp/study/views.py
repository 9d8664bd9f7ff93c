"""What the analysis notebook shows: one report per task, tables and figures displayed in place.

:func:`task_report` is the whole section of a task: its summary table, bars of every
summarised metric, the predictions, the error between the samples, the error against NFE,
the task's own sections, and what we see. The notebook calls it once per task present.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from IPython.display import Markdown, display

from ..core.modes import build_mode
from ..core.stats import SummaryRow
from ..run.plots import png, show_png
from ..tasks import get_task
from . import figures, interpolation, interpret, summary
from .collect import Collection


def _show(figs=None, dpi: int = 80) -> None:
    """Show ``figs`` (default: every open figure) as PNGs at ``dpi`` and close them (keeps the
    executed notebook small)."""
    for fig in figs if figs is not None else [plt.figure(n) for n in plt.get_fignums()]:
        data = png(fig, dpi)
        plt.close(fig)
        show_png(data)


def _md(text: str) -> None:
    display(Markdown(text))


def task_report(collection: Collection, task: str) -> None:
    """Every table, figure and sentence of ``task`` across its variants and seeds."""
    spec = get_task(task)
    _md(f"## {spec.title}\n\n{spec.description}")
    rows = summary.summary_table(collection, task)
    if not rows:
        _md(f"No complete runs of `{task}` under `{collection.root}`: no figures.")
        return
    _md(f"Final errors, mean ± std over seeds (n seeds per variant):\n\n{summary.markdown_table(rows)}")
    if spec.summary_metrics:
        _md(f"The {task} metrics, mean ± std over seeds:\n\n{summary.markdown_table(rows, spec.summary_metrics)}")
    figures.metric_bars(rows, summary.ERRORS, f"{task}: final error")
    if spec.summary_metrics:
        figures.metric_bars(rows, spec.summary_metrics, f"{task}: {spec.title.lower()} metrics")
    _show()
    _md("Predictions on the dense grid: the mean over seeds with a ± 1 std band, against the target "
        "and the training samples.")
    predictions(collection, rows, task)
    _md("Between the samples: the error against the distance to the nearest training input"
        + (", and its spectrum." if spec.target_frequencies(collection.select(task)[0].metrics["config"]) is not None
           else " (the task has no target frequencies to mark, so no spectrum)."))
    between(collection, rows, task)
    cost(collection, rows, task)
    finals = {r.variant: [run.metrics["final"] for run in collection.select(task, r.variant)] for r in rows}
    for section in spec.analysis(rows, finals):
        _md(f"### {section.title}")
        _show(section.figures)
        if section.markdown:
            _md(section.markdown)
    _md("### What we see\n\n" + "\n".join(f"- {s}" for s in interpret.interpretation(collection, task).splitlines()))


def predictions(collection: Collection, rows: list[SummaryRow], task: str) -> None:
    """Mean prediction over seeds with a ± 1 std band, against the target and the training samples."""
    bands = {r.variant: summary.prediction_band(collection.select(task, r.variant)) for r in rows}
    figures.prediction_bands(bands, f"{task}: predictions")
    _show()


def between(collection: Collection, rows: list[SummaryRow], task: str) -> None:
    """Error against the distance to the nearest training input and, where the task has target
    frequencies to mark, the error spectrum."""
    profiles = {r.variant: interpolation.interpolation_profile(collection.select(task, r.variant)) for r in rows}
    figures.error_vs_distance(profiles, f"{task}: error between the samples")
    if next(iter(profiles.values())).target_freqs is not None:
        figures.error_spectrum(profiles, f"{task}: error spectrum")
    _show()


def cost(collection: Collection, rows: list[SummaryRow], task: str) -> None:
    """l2 against NFE per integrator for the variants whose prediction depends on the step count."""
    curves = {r.variant: summary.nfe_curves(collection.select(task, r.variant)) for r in rows if build_mode(r.mode).integrates}
    if curves:
        figures.error_vs_nfe(curves, f"{task}: error against NFE")
        _show()
    else:
        _md(f"No variant of {task} integrates: no error-against-NFE figure.")
