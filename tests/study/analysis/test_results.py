"""The analysis computes once, then renders: :func:`task_results` makes the rows and comparisons of a
task's report in one pass (and what only the full report draws the first time it is read), and
the tables, figures and sentences only read what it made."""

import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from toyexp.core.baselines import BASELINES  # noqa: E402
from toyexp.study.analysis import collect, interpret, results, tables, views  # noqa: E402
from toyexp.tasks.base import L2

COMPUTE = ("paired_on", "compare", "summary_row", "nfe_curves", "prediction_band", "interpolation_profile", "baselines",
           "fit_baselines", "velocity_curves")


@pytest.fixture
def calls(monkeypatch):
    """Every compute function of the analysis counted, wherever a module of toyexp holds it."""
    counts = dict.fromkeys(COMPUTE, 0)
    originals = {}
    for module in [m for name, m in sys.modules.items() if name.startswith("toyexp") and m is not None]:
        for name in COMPUTE:
            f = getattr(module, name, None)
            if callable(f) and getattr(f, "__module__", "").startswith("toyexp"):
                original = originals.setdefault(name, f)
                assert f is original, f"two functions named {name}"

                def counted(*args, _f=original, _name=name, **kwargs):
                    counts[_name] += 1
                    return _f(*args, **kwargs)

                monkeypatch.setattr(module, name, counted)
    assert set(originals) == set(COMPUTE)
    return counts


def render(res, monkeypatch) -> tuple[list, list]:
    """Draw the whole report of ``res`` (tables, every figure, the task's sections, the findings);
    what it displayed: Markdown and PNGs."""
    shown, pngs = [], []
    monkeypatch.setattr(views, "display", shown.append)
    monkeypatch.setattr(views, "show_png", pngs.append)
    views.point_report(res)
    tables.interval_table(res.rows)
    tables.comparison_table(res)
    interpret.findings(res)
    interpret.headline(res)
    plt.close("all")
    return shown, pngs


@pytest.mark.parametrize("task", ["recon", "lie"])
def test_each_comparison_is_computed_once_and_rendering_computes_nothing_twice(small_study, calls, task, monkeypatch):
    """Guards the compute-then-render split: the compute pass makes one row per variant and
    baseline, one paired comparison per (row, l1 or l2) against the reference and one per network
    against the best baseline; drawing the whole report adds no comparison and no row, computes
    what only the full report reads (bands, profiles, NFE curves, the task's own numbers) once
    on first reading, and drawing it again computes nothing at all. So no number on the page can
    be computed twice, or differently in a table and in a sentence."""
    res = results.task_results(collect.collect(small_study), task, {})
    rows = len(res.rows)
    assert (len(res.networks), len(res.baselines)) == (2, len(BASELINES))
    assert len(res.versus_reference) == (rows - 1) * 2 and len(res.versus_best_baseline) == 2
    computed = dict(calls)
    assert computed["compare"] == computed["paired_on"] == (rows - 1) * 2 + 2
    assert computed["summary_row"] == rows
    assert computed["baselines"] == 1 and computed["fit_baselines"] == 3  # one fit (cached) per seed
    assert computed["prediction_band"] == computed["interpolation_profile"] == computed["nfe_curves"] == 0  # not yet read

    shown, pngs = render(res, monkeypatch)
    assert shown[-1].data.startswith("### What we see")
    assert len(pngs) >= 5 and all(p.startswith(b"\x89PNG") for p in pngs)  # bars, predictions, distance, spectrum, NFE
    drawn = dict(calls)
    assert {k: drawn[k] for k in ("compare", "paired_on", "summary_row", "baselines", "fit_baselines")} == {
        k: computed[k] for k in ("compare", "paired_on", "summary_row", "baselines", "fit_baselines")}
    assert drawn["prediction_band"] == drawn["interpolation_profile"] == rows
    assert drawn["nfe_curves"] == 1 and set(res.curves) == {"flow"}  # regression does not integrate
    assert drawn["velocity_curves"] == (rows if task == "lie" else 0)

    render(res, monkeypatch)
    assert calls == drawn


def test_a_task_results_holds_the_numbers_its_report_shows(small_study):
    """The comparisons are those of the rows it holds: the reference is regression, the best
    baseline the one of lowest geometric mean l2, every network paired with it on l2, as a ratio."""
    res = results.task_results(collect.collect(small_study), "recon", {})
    assert (res.task, res.point, res.reference.variant) == ("recon", {}, "regression")
    assert res.best_baseline is min(res.baselines, key=lambda r: r.stats[L2].geometric_mean)
    assert set(res.versus_best_baseline) == {"flow", "regression"}
    flow = next(r for r in res.rows if r.variant == "flow")
    # same seeds: the geometric mean of the per-seed ratios is the ratio of the geometric means
    assert res.versus_reference["flow", L2].scale == "log"
    assert res.versus_reference["flow", L2].effect.geometric_mean == pytest.approx(
        flow.stats[L2].geometric_mean / res.reference.stats[L2].geometric_mean)
    assert set(res.members) == set(res.bands) == set(res.profiles) == {r.variant for r in res.rows}
    assert [m.seed for m in res.members["gp"]] == [42, 43, 44]


def test_a_row_by_its_variant_and_an_unknown_one_named(small_study):
    res = results.task_results(collect.collect(small_study), "recon", {})
    assert res.row("flow") is res.rows[[r.variant for r in res.rows].index("flow")]
    assert res.row("linear").baseline and res.row("regression") is res.reference
    with pytest.raises(KeyError) as err:
        res.row("flw")
    assert "'flw'" in str(err.value) and "flow, regression" in str(err.value)
