"""What the analysis notebook shows: one report per task, tables and figures displayed in place.

:func:`task_report` is the whole section of a task: the final errors with their intervals, the
task's own metrics, the paired comparisons with the reference variant (three narrow tables,
each row a trained variant or a classical baseline), bars of every summarised metric, the
predictions, the error between the samples, the error against NFE, the task's own sections,
and what we see, as Markdown. The notebook calls it once per task present.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from IPython.display import Markdown, display

from ..core.modes import build_mode
from ..core.stats import LEVEL
from ..run import style
from ..run.plots import png, show_png
from ..tasks import get_task
from . import figures, interpret, summary
from .collect import Collection
from .results import TaskResults, task_results


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
    """Every table, figure and sentence of ``task`` across its variants, seeds and baselines."""
    spec = get_task(task)
    style.use()
    _md(f"## {spec.title}\n\n{spec.description}")
    res = task_results(collection, task)
    if res is None:
        _md(f"No complete runs of `{task}` under `{collection.root}`: no figures.")
        return
    tables(res)
    figures.metric_bars(res.rows, summary.ERRORS, f"{task}: final error")
    if spec.summary_metrics:
        figures.metric_bars(res.rows, spec.summary_metrics, f"{task}: {spec.title.lower()} metrics")
    _show()
    _md("Predictions on the dense grid: the mean over seeds with a ± 1 std band, against the target "
        "and the training samples; the baselines share the last panel.")
    baselines = [r.variant for r in res.baselines]
    bands = {v: summary.prediction_band(runs) for v, runs in res.runs.items()}
    _show([figures.prediction_bands(bands, f"{task}: predictions", baselines=baselines)])
    has_spectrum = next(iter(res.profiles.values())).target_freqs is not None
    _md("Between the samples: the error against the distance to the nearest training input"
        + (", and its spectrum." if has_spectrum else " (the task has no target frequencies to mark, so no spectrum)."))
    _show([figures.error_vs_distance(res.profiles, f"{task}: error between the samples", baselines)]
          + ([figures.error_spectrum(res.profiles, f"{task}: error spectrum", baselines)] if has_spectrum else []))
    cost(res)
    for section in spec.analysis(res.rows, res.finals(), style.colour):
        _md(f"### {section.title}")
        _show(section.figures)
        if section.markdown:
            _md(section.markdown)
    _md("### What we see\n\n" + interpret.findings(res))


def tables(res: TaskResults) -> None:
    """The three tables: final errors with intervals, the task's metrics, the paired comparisons."""
    pct = f"{100 * LEVEL:.0f}"
    _md("### Final errors\n\n"
        f"Mean ± std over the n seeds of each variant, and the {pct} % confidence interval of the mean (Student t, "
        "n − 1 degrees of freedom). The baselines, in italic here and in every table below, interpolate exactly "
        "the training samples of the same seeds."
        + (f" {res.note}" if res.note else "") + "\n\n" + summary.interval_table(res.rows))
    own = get_task(res.task).summary_metrics
    if own:
        _md(f"The {res.task} metrics, mean ± std over seeds (baselines in italic):\n\n{summary.markdown_table(res.rows, own)}")
    _md(f"### Paired with {res.reference.variant}\n\n"
        f"Each variant against {res.reference.variant}, seed by seed (same seed: same training data and "
        f"initialisation): the mean difference, its {pct} % t interval and the paired t-test's p-value. A difference "
        "whose interval contains 0 is one these seeds cannot tell apart.\n\n"
        + summary.comparison_table(res.rows, res.reference))


def cost(res: TaskResults) -> None:
    """l2 against NFE per integrator for the variants whose prediction depends on the step count."""
    curves = {r.variant: res.curves[r.variant] for r in res.networks if build_mode(r.mode).integrates}
    if curves:
        figures.error_vs_nfe(curves, f"{res.task}: error against NFE")
        _show()
    else:
        _md(f"No variant of {res.task} integrates: no error-against-NFE figure.")
