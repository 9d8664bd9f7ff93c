"""Verdicts as data: a test's verdict is decided once (Test.verdict), counted over the grid's points
once (Tally, GridResults), and the sentences and the report only read them; planted p-values and
ratios whose verdicts are known by hand."""

import dataclasses
import math
from pathlib import Path
from types import SimpleNamespace as NS

import pytest

from toyexp.core.stats import FDR, LogStat, Paired
from toyexp.study.analysis import views
from toyexp.study.analysis import verdicts as v
from toyexp.study.analysis.grid import NOISE, Axis, Cell, GridResults, Winner
from toyexp.study.analysis.verdicts import PointTest, Tally, strongest


def planted(ratio: float, q: float) -> v.Test:
    """A paired log-scale comparison whose ratio is ``ratio`` (3 seeds), adjusted to ``q``."""
    return v.Test(Paired(LogStat(math.log(ratio), 0.1, 3), q), q)


def row(variant, baseline=False):
    return NS(variant=variant, baseline=baseline)


def cell(n, winner, runner_q, versus: dict[str, v.Test], against_baseline: v.Test | None) -> Cell:
    best = row(winner, baseline=winner == "gp")
    return Cell(point={"dataset.num_train": n}, results=NS(), samples_per_cycle=None,
                winner=Winner(best, row("other"), planted(2.0, runner_q)), versus_reference=versus,
                best_network=row("flow"), network_versus_baseline=against_baseline)


@pytest.mark.parametrize("ratio, q, verdict", [
    (0.5, FDR / 2, "lower"), (2.0, FDR / 2, "higher"), (0.5, 2 * FDR, "not distinguishable"), (2.0, FDR, "higher"),
])
def test_a_verdict_reads_the_adjusted_p_and_the_ratios_side(ratio, q, verdict):
    assert planted(ratio, q).verdict == verdict


def test_a_tally_counts_each_verdict_once_and_keeps_the_grid_order():
    tests = [planted(0.5, 0.01), planted(3.0, 0.01), planted(1.1, 0.5), planted(0.25, 0.02), planted(4.0, 0.03)]
    tally = Tally(tuple(PointTest("flow", cell(n, "gp", 0.5, {}, None), t) for n, t in zip(range(5), tests)))
    assert [t.cell.point["dataset.num_train"] for t in tally.lower] == [0, 3]
    assert [t.cell.point["dataset.num_train"] for t in tally.higher] == [1, 4]
    assert tally.not_distinguishable == 1 and len(tally.apart) == 4
    assert tally.ratios() == pytest.approx([0.5, 3.0, 1.1, 0.25, 4.0])
    assert tally.ratios(tally.higher) == pytest.approx([3.0, 4.0])
    # 0.25 and 4 are equally far from 1 on the log scale: the first in grid order is the largest
    assert tally.largest.cell.point["dataset.num_train"] == 3
    assert strongest([]) is None


def test_the_grid_counts_wins_tallies_and_the_largest_difference():
    cells = (
        cell(4, "gp", 0.01, {"flow": planted(3.0, 0.01), "mip": planted(1.2, 0.6)}, planted(5.0, 0.01)),
        cell(8, "flow", 0.5, {"flow": planted(0.5, 0.01), "mip": planted(0.2, 0.04)}, planted(0.5, 0.01)),
        cell(16, "gp", 0.01, {"flow": planted(1.1, 0.5)}, None),
    )
    grid = GridResults(task="recon", axes=(), cells=cells, reference="regression", rates=())
    assert grid.wins == {"gp": 2, "flow": 1} and grid.baseline_wins == 2 and grid.unclear_winners == 1
    assert list(grid.versus_reference) == ["flow", "mip"]
    flow, mip = grid.versus_reference["flow"], grid.versus_reference["mip"]
    assert (len(flow.lower), len(flow.higher), flow.not_distinguishable, len(flow.tests)) == (1, 1, 1, 3)
    assert (len(mip.lower), len(mip.higher), mip.not_distinguishable, len(mip.tests)) == (1, 0, 1, 2)
    assert (len(grid.versus_baseline.lower), len(grid.versus_baseline.higher), len(grid.versus_baseline.tests)) == (1, 1, 2)
    largest = grid.largest_difference  # mip's 0.2 (|log| 1.61) beats flow's 3 (1.10) and 0.5 (0.69)
    assert (largest.subject, largest.cell.point["dataset.num_train"]) == ("mip", 8)


def test_a_report_without_runs_shows_one_line_and_has_no_headline(monkeypatch):
    said = []
    monkeypatch.setattr(views, "_md", said.append)
    report = views.TaskReport(task="recon", root=Path("/somewhere"), results=None)
    report.show()
    assert said[1] == "No complete runs of `recon` under `/somewhere`: no figures." and len(said) == 2
    assert report.headline == ""


def test_the_grid_pairs_the_noise_levels_and_counts_the_winners_that_change():
    """Two sample counts at three noise levels: the pairs are the lowest and the highest level at each
    count (the middle one is not compared), and the winner changes at one of the two."""
    def at(n, noise, winner):
        return dataclasses.replace(cell(n, winner, 0.01, {}, None), point={"dataset.num_train": n, NOISE: noise})

    cells = (at(4, 0.0, "gp"), at(4, 0.1, "flow"), at(4, 0.2, "gp"), at(8, 0.0, "flow"), at(8, 0.1, "gp"), at(8, 0.2, "gp"))
    axes = (Axis("dataset.num_train", (4, 8)), Axis(NOISE, (0.0, 0.1, 0.2)))
    grid = GridResults(task="recon", axes=axes, cells=cells, reference="regression", rates=())
    assert [(c.point, d.point[NOISE]) for c, d in grid.noise_pairs] == [
        ({"dataset.num_train": 4, NOISE: 0.0}, 0.2), ({"dataset.num_train": 8, NOISE: 0.0}, 0.2)]
    assert grid.winner_changes == 1
    assert GridResults(task="recon", axes=axes[:1], cells=cells[:1], reference="regression", rates=()).noise_pairs == ()


@pytest.mark.parametrize("place", ["book/methods.md", "notebooks/analysis.py"])
def test_the_prose_states_the_rate_the_verdicts_use(place):
    """Methods and the analysis notebook say in words which adjusted p-value makes a difference
    distinguishable; that number is core.stats.FDR, and a change of one must show in the other."""
    text = " ".join((Path(__file__).parents[3] / place).read_text().replace("#", " ").split())
    assert f"adjusted p-value is at most {FDR:g}" in text
