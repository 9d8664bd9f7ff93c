"""The analysis figures read at page width: no two tick labels overlap, and no legend covers the
data, checked on the rendered boxes (Agg) of every figure made from a small synthetic study."""

from toyexp.core.baselines import BASELINES
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from toyexp.run import style  # noqa: E402
from toyexp.study.analysis import collect, figures, results  # noqa: E402
from toyexp.tasks import get_task  # noqa: E402
from toyexp.tasks.base import ERRORS  # noqa: E402


def _labels(locs, labels, view):
    """The boxes of the labels of ticks inside the view, with text."""
    lo, hi = sorted(view)
    span = (hi - lo) * 1e-9
    return [lab.get_window_extent() for loc, lab in zip(locs, labels)
            if lo - span <= loc <= hi + span and lab.get_visible() and lab.get_text().strip()]


def tick_label_boxes(ax):
    """Per axis, the window boxes of the drawn tick labels, major and minor."""
    out = {}
    for name, axis, view in (("x", ax.xaxis, ax.get_xlim()), ("y", ax.yaxis, ax.get_ylim())):
        out[name] = (_labels(axis.get_majorticklocs(), axis.get_majorticklabels(), view)
                     + _labels(axis.get_minorticklocs(), axis.get_minorticklabels(), view))
    return out


def _overlap(a, b, slack=0.5):
    return a.x0 + slack < b.x1 and b.x0 + slack < a.x1 and a.y0 + slack < b.y1 and b.y0 + slack < a.y1


def layout_problems(fig):
    """Overlapping tick labels on any axis, and legends that overlap an axes' data area."""
    fig.canvas.draw()
    problems = []
    axes = [ax for ax in fig.axes if ax.get_visible()]
    for i, ax in enumerate(axes):
        for name, boxes in tick_label_boxes(ax).items():
            for j in range(len(boxes)):
                for k in range(j + 1, len(boxes)):
                    if _overlap(boxes[j], boxes[k]):
                        problems.append(f"axes {i} ({ax.get_title()!r}): {name} tick labels {j} and {k} overlap")
    legends = list(fig.legends) + [ax.get_legend() for ax in axes if ax.get_legend() is not None]
    for leg in legends:
        box = leg.get_window_extent()
        for i, ax in enumerate(axes):
            if _overlap(box, ax.get_window_extent()):
                problems.append(f"a legend overlaps the data area of axes {i} ({ax.get_title()!r})")
    return problems


def analysis_figures(root, task):
    """Every figure the report of ``task`` draws, except error_vs_nfe (another module's)."""
    res = results.task_results(collect.collect(root), task, {})
    base = [r.variant for r in res.baselines]
    figs = {"bars": figures.metric_bars(res.rows, ERRORS, "final error")}
    spec = get_task(task)
    if spec.summary_metrics:
        figs["task bars"] = figures.metric_bars(res.rows, spec.summary_metrics, "task metrics")
    figs["predictions"] = figures.prediction_bands(res.bands, "predictions", baselines=base)
    figs["distance"] = figures.error_vs_distance(res.profiles, "between", base)
    if next(iter(res.profiles.values())).target_freqs is not None:
        figs["spectrum"] = figures.error_spectrum(res.profiles, "spectrum", base)
    for section in spec.sections(list(res.rows), res.own, style.colour):
        for k, fig in enumerate(section.figures):
            figs[f"{section.title} {k}"] = fig
    return figs


@pytest.mark.parametrize("task", ["recon", "projection", "lie"])
def test_analysis_figures_have_no_overlapping_labels_or_legends(small_study, task):
    figs = analysis_figures(small_study, task)
    try:
        assert {name: layout_problems(fig) for name, fig in figs.items()} == {name: [] for name in figs}
    finally:
        for fig in figs.values():
            plt.close(fig)


@pytest.mark.parametrize("task", ["recon", "lie"])
def test_every_study_figure_colours_a_variant_by_its_name(small_study, task):
    """The colour of each variant and baseline is style.colour(name), whatever its position."""
    figs = analysis_figures(small_study, task)
    try:
        ax = figs["distance"].axes[0]
        drawn = {c.get_label(): c.lines[0].get_color() for c in ax.containers}  # one errorbar per variant
        assert set(drawn) == {"flow", "regression", *BASELINES}
        for name, colour in drawn.items():
            assert matplotlib.colors.same_color(colour, style.colour(name))
        bars = figs["bars"].axes[0]
        colours = {tuple(np.round(p.get_facecolor()[:3], 3)) for p in bars.patches}
        assert {tuple(np.round(matplotlib.colors.to_rgb(style.colour(v)), 3)) for v in ("flow", "gp")} <= colours
    finally:
        for fig in figs.values():
            plt.close(fig)


def test_the_check_catches_crowded_ticks_and_a_legend_on_the_data():
    """The layout check itself can fail: vertical bars with long names, and a legend inside."""
    fig, ax = plt.subplots(figsize=(3, 2))
    names = [f"a long variant name {i}" for i in range(6)]
    ax.bar(names, range(6), label="bars")
    ax.legend(loc="center")
    problems = layout_problems(fig)
    plt.close(fig)
    assert any("x tick labels" in p for p in problems)
    assert any("legend overlaps" in p for p in problems)
