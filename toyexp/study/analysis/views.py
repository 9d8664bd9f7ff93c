"""What the analysis notebook shows: one report per task, tables and figures displayed in place.

Like scikit-learn's ``*Display`` objects, a task's section is computed, then shown:
:meth:`TaskReport.from_collection` computes every number once (the task's
:class:`~.results.TaskResults`, or its :class:`~.grid.GridResults` over a grid, with the budget
check, the mechanism and the settling) and :meth:`TaskReport.show` only displays them: the final
errors with their intervals, the task's own metrics, the paired comparisons with the reference
variant, bars of every summarised metric, the predictions, the error between the samples, the
error against NFE, the task's own sections, and what we see, as Markdown. Its ``headline`` is the
task's paragraph for the report's abstract. :func:`task_report` does both and returns the
headline: the notebook calls it once per task.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
from IPython.display import Markdown, display

from ...core.stats import FDR, LEVEL
from ...run import style
from ...run.plots import png, show_png
from ...tasks import get_task
from . import budget_text, figures, grid_figures, grid_text, interpret, mechanism_report, tables
from .baselines import bounds_text
from .budget import BudgetCheck, budget_check
from .settled import Settling, settling, settling_text
from .collect import Collection
from .grid import GridResults, grid_results
from ..sweep.plan import describe, point_label
from .results import TaskResults, task_results
from .summary import metrics_of
from ...tasks.base import ERRORS

if TYPE_CHECKING:
    from .mechanism import MechanismStudy


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


@dataclass(frozen=True, kw_only=True)
class TaskReport:
    """Every number of one task's section, computed once; :meth:`show` displays them, and
    :attr:`headline` says them in a paragraph per claim for the report's abstract."""

    task: str
    root: Path  # the folder the runs were collected from (named when there are none)
    results: GridResults | TaskResults | None  # the grid's, or the one point's; None without a complete run
    budget: BudgetCheck | None = None  # a grid's budget check, when the sweep has one for this task
    mechanism: MechanismStudy | None = None  # a grid's mechanism study, where it applies
    settling: Settling | None = None

    @classmethod
    def from_collection(cls, collection: Collection, task: str, budget: Collection | None = None) -> TaskReport:
        """The report of ``task``: the full report of its one point, or the grid's when the sweep had a
        grid (with its budget check when ``budget`` holds the sweep's budget-check runs)."""
        points = collection.points(task)
        if not points:
            return cls(task=task, root=collection.root, results=None)
        grid = grid_results(collection, task)
        if grid is None:
            return cls(task=task, root=collection.root, results=task_results(collection, task, points[0]),
                       settling=settling(collection, task))
        from . import mechanism  # torch: only for a study the block applies to

        return cls(task=task, root=collection.root, results=grid, mechanism=mechanism.mechanism_study(collection, task),
                   budget=budget_check(collection, budget, task, grid) if budget is not None else None,
                   settling=settling(collection, task))

    @property
    def headline(self) -> str:
        """The task's claims, a paragraph (a bullet of the abstract) each; "" without a complete run."""
        if isinstance(self.results, TaskResults):
            return interpret.headline(self.results)
        if self.results is None:
            return ""
        lines = [grid_text.headline(self.results),
                 mechanism_report.headline(self.mechanism) if self.mechanism is not None else "",
                 budget_text.headline(self.budget) if self.budget is not None else ""]
        return "\n\n".join(line for line in lines if line)

    def show(self) -> None:
        """Display every table, figure and sentence of the task, in the notebook's order."""
        spec = get_task(self.task)
        style.use()
        _md(f"## {spec.title}\n\n{spec.description}")
        if self.results is None:
            _md(f"No complete runs of `{self.task}` under `{self.root}`: no figures.")
            return
        if isinstance(self.results, TaskResults):
            point_report(self.results)
        else:
            grid_report(self.results)
            if self.mechanism is not None:
                show_mechanism(self.mechanism)
            if self.budget is not None:
                budget_report(self.budget)
        if self.settling is not None:
            _md(settling_text(self.settling))


def task_report(collection: Collection, task: str, budget: Collection | None = None) -> str:
    """Compute ``task``'s :class:`TaskReport`, show it, and return its headline (for the abstract)."""
    report = TaskReport.from_collection(collection, task, budget)
    report.show()
    return report.headline


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


def mechanism_block(collection: Collection, task: str) -> MechanismStudy | None:
    """The mechanism of the flow variant from x_0 = 0 (:mod:`.mechanism`), for a task whose study
    has one and a grid over the number of samples, measured and shown; nothing otherwise. Returns
    the measurement, or None."""
    from . import mechanism  # torch: only for a study the block applies to

    study = mechanism.mechanism_study(collection, task)
    if study is not None:
        show_mechanism(study)
    return study


def show_mechanism(study: MechanismStudy) -> None:
    """The mechanism block of a measured :class:`~.mechanism.MechanismStudy`: the path, then its
    figure and sentences (or why nothing was measured)."""
    from .mechanism import CHECKPOINT

    _md("### Mechanism: where flow from x_0 = 0 reads c\n\nFrom x_0 = 0 the path is x_t = t x_1, so for t > 0 the "
        "target velocity x_1 = f(c) is also x_t / t: the loss can be met without reading c everywhere but near "
        "t = 0, and a field that is x_t / t carries its t = 0 output v(0, c, 0) unchanged through every Euler step.")
    if not study.measured:
        _md(f"No final checkpoint (`{CHECKPOINT}`) in the runs of this slice: no mechanism measured.")
        return
    _show([mechanism_report.figure(study, study.task)])
    _md(mechanism_report.sentences(study))
