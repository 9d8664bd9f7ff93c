"""What the analysis notebook shows: one report per task, tables and figures displayed in place.

:func:`task_report` is the whole section of a task: for each grid point (one, without a grid)
its :class:`~.results.TaskResults` is computed once, then shown: the final errors with their
intervals, the task's own metrics, the paired comparisons with the reference variant, bars of
every summarised metric, the predictions, the error between the samples, the error against
NFE, the task's own sections, and what we see, as Markdown. The notebook calls it once per task.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from IPython.display import Markdown, display

from ...core.stats import FDR, LEVEL
from ...run import style
from ...run.plots import png, show_png
from ...tasks import get_task
from . import budget_text, figures, grid_figures, grid_text, interpret, mechanism_report, tables
from .baselines import bounds_text
from .budget import BudgetCheck, budget_check
from .settled import settling, settling_text
from .collect import Collection
from .grid import GridResults, grid_results
from ..sweep.plan import describe, point_label
from .results import TaskResults, task_results
from .summary import metrics_of
from ...tasks.base import ERRORS


def _show(figs=None, dpi: int = 80) -> None:
    """Show ``figs`` (default: every open figure) as PNGs at ``dpi`` and close them (keeps the
    executed notebook small)."""
    for fig in figs if figs is not None else [plt.figure(n) for n in plt.get_fignums()]:
        data = png(fig, dpi)
        plt.close(fig)
        show_png(data)


def _md(text: str) -> None:
    display(Markdown(text))


def study_intro(sweep_file: str) -> None:
    """What the study of ``sweep_file`` runs, as Markdown: this page is that study's analysis."""
    from ..sweep.sweep_file import load_sweep

    _md(f"This page analyses one study, the sweep file `{sweep_file}` (its text is under Provenance, at the end):\n\n"
        + "\n".join(describe(load_sweep(sweep_file))))


def task_report(collection: Collection, task: str, budget: Collection | None = None) -> str:
    """Every table, figure and sentence of ``task`` across its variants, seeds and baselines: the
    full report of its one point, or the grid's report when the sweep had a grid (with its budget
    check when ``budget`` holds the sweep's budget-check runs). Returns its headline (one
    sentence for the report's abstract)."""
    spec = get_task(task)
    style.use()
    _md(f"## {spec.title}\n\n{spec.description}")
    points = collection.points(task)
    if not points:
        _md(f"No complete runs of `{task}` under `{collection.root}`: no figures.")
        return ""
    grid = grid_results(collection, task)
    if grid is not None:
        grid_report(grid)
        lines = [grid_text.headline(grid)]
        mechanism = mechanism_block(collection, task)
        if mechanism is not None:
            lines.append(mechanism_report.headline(mechanism))
        check = budget_check(collection, budget, task, grid) if budget is not None else None
        if check is not None:
            budget_report(check)
            lines.append(budget_text.headline(check))
        _settling(collection, task)
        return "\n\n".join(line for line in lines if line)  # a paragraph (a bullet of the abstract) per claim
    res = task_results(collection, task, points[0])
    point_report(res)
    _settling(collection, task)
    return interpret.headline(res)


def _settling(collection: Collection, task: str) -> None:
    s = settling(collection, task)
    if s is not None:
        _md(settling_text(s))


def grid_report(grid: GridResults) -> None:
    """The report of a task over a grid: who wins where, each metric against the first key, the
    l2 at every point, and what we see; every number read from ``grid``."""
    axes = ", ".join(f"`{a.key}` ({', '.join(map(str, a.values))})" for a in grid.axes)
    seeds = sorted({r.n for c in grid.cells for r in c.results.rows})
    _md(f"The sweep's grid, {len(grid.cells)} points: {axes}; at each point every variant over "
        f"{'–'.join(map(str, seeds))} seeds, and the classical baselines refitted to that point's samples.")
    _md("### Who wins where\n\nAt each point, the row (network or baseline) with the lowest geometric mean l2; hatched "
        "where the runner-up cannot be told apart from it (paired t-test on log l2 over seeds, Benjamini-Hochberg over "
        "the points).")
    _show([grid_figures.winner_maps(grid, grid.task)])
    _md(f"### Against {grid.axes[0].name}\n\nEach summarised metric against `{grid.axes[0].key}`: the mean over seeds "
        "with its 95 % t interval as a band (for l1 and l2 the geometric mean and its interval, on a log axis); "
        "baselines dashed.")
    _show([grid_figures.metric_curves(grid, m, grid.task) for m in metrics_of(grid.task)])
    _md("### l2 at every point\n\nGeometric mean over seeds; the lowest of each point in bold.\n\n" + tables.grid_table(grid))
    _md("### What we see\n\n" + grid_text.grid_findings(grid))


def budget_report(check: BudgetCheck) -> None:
    """The budget check of a task: each finding at the checked points, at the study's budget and at each other."""
    _md(f"### Against the training budget\n\nThe runs at {len(check.points)} point{'s' if len(check.points) != 1 else ''} "
        "trained again at other budgets (same samples and seeds), and the grid analysed again with them in place: "
        "each finding's verdict and the l2 (geometric mean over seeds) of the two rows it compares.\n\n" + budget_text.budget_table(check)
        + "\n\n" + budget_text.budget_findings(check))


def point_report(res: TaskResults, heading: str = "###") -> None:
    """The report of one task at one grid point, every number read from ``res``."""
    task = get_task(res.task)
    name = res.task + (f" ({point_label(res.point)})" if res.point else "")
    show_tables(res, heading)
    figures.metric_bars(res.rows, ERRORS, f"{name}: final error")
    if task.summary_metrics:
        figures.metric_bars(res.rows, task.summary_metrics, f"{name}: {task.title.lower()} metrics")
    _show()
    _md("Predictions on the dense grid: the mean over seeds with a ± 1 std band, against the target "
        "and the training samples; the baselines share the last panel.")
    baselines = [r.variant for r in res.baselines]
    _show([figures.prediction_bands(res.bands, f"{name}: predictions", baselines=baselines)])
    has_spectrum = next(iter(res.profiles.values())).target_freqs is not None
    _md("Between the samples: the error against the distance to the nearest training input"
        + (", and its spectrum." if has_spectrum else " (the task has no target frequencies to mark, so no spectrum)."))
    _show([figures.error_vs_distance(res.profiles, f"{name}: error between the samples", baselines)]
          + ([figures.error_spectrum(res.profiles, f"{name}: error spectrum", baselines)] if has_spectrum else []))
    if res.curves:
        _show([figures.error_vs_nfe(res.curves, f"{name}: error against NFE")])
    else:
        _md(f"No variant of {name} integrates: no error-against-NFE figure.")
    for section in task.sections(list(res.rows), res.own, style.colour):
        _md(f"{heading} {section.title}")
        _show(section.figures)
        if section.markdown:
            _md(section.markdown)
    _md(f"{heading} What we see\n\n" + interpret.findings(res))


def show_tables(res: TaskResults, heading: str = "###") -> None:
    """The three tables: final errors with intervals, the task's metrics, the paired comparisons."""
    pct = f"{100 * LEVEL:.0f}"
    _md(f"{heading} Final errors\n\n"
        f"On the log scale: the geometric mean ×/÷ the geometric std over the n seeds of each variant, and the {pct} % "
        "confidence interval of the geometric mean (Student t on the logarithms, n − 1 degrees of freedom, mapped back by exp, "
        "so always positive). The baselines, in italic here and in every table below, are fitted to exactly "
        "the training samples of the same seeds."
        + (f" {res.note}" if res.note else "") + (f" {bounds_text(res.baseline_bounds)}" if res.baseline_bounds else "")
        + "\n\n" + tables.interval_table(res.rows))
    own = get_task(res.task).summary_metrics
    if own:
        _md(f"The {res.task} metrics, on the linear scale, mean ± std over seeds (baselines in italic):\n\n{tables.markdown_table(res.rows, own)}")
    _md(f"{heading} Paired with {res.reference.variant}\n\n"
        f"Each variant against {res.reference.variant}, seed by seed (same seed: same training data and "
        f"initialisation), on the log scale: the ratio variant / {res.reference.variant} (the geometric mean of the "
        f"per-seed ratios), its {pct} % t interval and the paired t-test's p-value on the log ratios, and that p-value "
        "adjusted over every comparison of the table (Benjamini-Hochberg): a difference is distinguishable when the "
        f"adjusted p is at most {FDR:g}.\n\n"
        + tables.comparison_table(res))


def mechanism_block(collection: Collection, task: str):
    """The mechanism of the flow variant from x_0 = 0 (:mod:`.mechanism`), for a task whose study
    has one and a grid over the number of samples; nothing otherwise. Returns the measurement
    (a :class:`~.mechanism.MechanismStudy`), or None."""
    from . import mechanism  # torch: only for a study the block applies to

    if not mechanism.applies(collection, task):
        return None
    study = mechanism.mechanism_study(collection, task)
    _md("### Mechanism: where flow from x_0 = 0 reads c\n\nFrom x_0 = 0 the path is x_t = t x_1, so for t > 0 the "
        "target velocity x_1 = f(c) is also x_t / t: the loss can be met without reading c everywhere but near "
        "t = 0, and a field that is x_t / t carries its t = 0 output v(0, c, 0) unchanged through every Euler step.")
    if not study.measured:
        _md(f"No final checkpoint (`{mechanism.CHECKPOINT}`) in the runs of this slice: no mechanism measured.")
        return study
    _show([mechanism_report.figure(study, task)])
    _md(mechanism_report.sentences(study))
    return study
