"""Grid axes: a sweep's numeric grid keys analysed as axes, not as a list of unrelated variants.

For one task, every grid point gets its :class:`~.results.TaskResults` (the classical baselines
refitted to that point's samples). Across the points this module computes, once:

- the **winner** of each point: the row (network or baseline) of lowest geometric mean l2, the
  runner-up, and their paired comparison (a ratio, tested on the log scale like every comparison
  of errors: :func:`~.summary.scale_of`), ``significant_after_bh`` (what the report calls
  distinguishable) after the Benjamini-Hochberg correction over the points of the task
  (:func:`~toyexp.core.stats.adjusted_p`);
- each network against the reference variant, and the best network against the best baseline,
  at every point, with the same correction over the points, and each **verdict** (lower, higher,
  not distinguishable) counted over the points in a :class:`~.verdicts.Tally`;
- for a sample-count axis (``dataset.num_train``): the **rate** of each row, the log-log slope of
  l2 against N fitted per seed over the points above the Nyquist rate (2 samples per cycle of
  the target's highest frequency), with its t interval over seeds; in each slice of the other keys.

Samples per cycle are 1 / (h f_max), h the training spacing and f_max the task's highest
frequency (:meth:`~toyexp.tasks.base.Task.highest_frequency`): 2 at Nyquist. Figures and
sentences (``grid_figures``, ``grid_text``, ``budget``) only read a :class:`GridResults`: its
tallies, wins and ratios are computed here, once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

import numpy as np

from ...core.stats import Paired, Stat, adjusted_p, rate
from ...tasks.base import L2, SummaryRow
from .baselines import prefit
from .collect import Collection, point_key
from .results import TaskResults, task_results
from .summary import compare, error_floor
from .verdicts import PointTest, Tally, Test, strongest

SAMPLES = "dataset.num_train"  # the grid key whose values are sample counts (rates are fitted along it)
NOISE = "dataset.noise_std"  # the grid key whose values are noise levels (the winners compared across them)
NYQUIST = 2.0  # samples per cycle at the Nyquist rate


@dataclass(frozen=True)
class Axis:
    key: str  # the dotted grid key
    values: tuple[Any, ...]  # its values, sorted

    @property
    def name(self) -> str:
        return self.key.split(".")[-1]

    @property
    def numeric(self) -> bool:
        return all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in self.values)

    @property
    def log(self) -> bool:
        """Whether to draw it on a log scale: positive numbers spanning a factor of 10 or more."""
        return self.numeric and min(self.values) > 0 and max(self.values) >= 10 * min(self.values)


@dataclass(frozen=True)
class Winner:
    best: SummaryRow  # lowest geometric mean l2 at the point
    runner_up: SummaryRow | None
    test: Test | None  # the runner-up's l2 against the best's, paired by seed (None until adjusted over the points)

    @property
    def clear(self) -> bool:
        """Whether the runner-up is distinguishable from the winner (significant after BH)."""
        return self.test is not None and self.test.significant_after_bh


@dataclass(frozen=True, kw_only=True)
class Cell:
    """One grid point of a task."""

    point: dict[str, Any]
    results: TaskResults
    samples_per_cycle: float | None  # 1 / (h f_max); None when the task has no highest frequency
    winner: Winner
    versus_reference: dict[str, Test]  # network variant -> its l2 against the reference's
    best_network: SummaryRow
    network_versus_baseline: Test | None  # the best network's l2 against the best baseline's


@dataclass(frozen=True)
class SliceRates:
    """The power-law rates of l2 in N in one slice of the other keys: l2 ∝ N^b, b fitted per seed,
    then mean, std and n over seeds, for each row."""

    slice: dict[str, Any]  # the other keys' values
    samples: tuple[int, ...]  # the N the fits used (those at or above the Nyquist rate)
    slopes: dict[str, Stat]  # row -> its rate


@dataclass(frozen=True, kw_only=True)
class GridResults:
    """Every number of one task's grid: its cells, rates, and (computed once, on first reading)
    the verdicts counted over the points that the sentences, figures and budget check read."""

    task: str
    axes: tuple[Axis, ...]
    cells: tuple[Cell, ...]
    reference: str  # the variant every network is compared with
    rates: tuple[SliceRates, ...]  # per slice of the other keys (none without a sample-count axis)

    @cached_property
    def wins(self) -> dict[str, int]:
        """Points won (lowest l2) per row, most first (a tie in the order of first winning)."""
        counts: dict[str, int] = {}
        for c in self.cells:
            counts[c.winner.best.variant] = counts.get(c.winner.best.variant, 0) + 1
        return dict(sorted(counts.items(), key=lambda item: -item[1]))

    @cached_property
    def baseline_wins(self) -> int:
        """The points a classical baseline wins."""
        return sum(c.winner.best.baseline for c in self.cells)

    @cached_property
    def unclear_winners(self) -> int:
        """The points whose runner-up is not distinguishable from the winner (or that have none)."""
        return sum(not c.winner.clear for c in self.cells)

    @cached_property
    def versus_reference(self) -> dict[str, Tally]:
        """Each network (in the order first met) against the reference, over the points that compare it."""
        variants = dict.fromkeys(v for c in self.cells for v in c.versus_reference)
        return {v: Tally(tuple(PointTest(v, c, c.versus_reference[v]) for c in self.cells if v in c.versus_reference))
                for v in variants}

    @cached_property
    def versus_baseline(self) -> Tally:
        """The best network against the best baseline, over the points that have both."""
        return Tally(tuple(PointTest("best network", c, c.network_versus_baseline) for c in self.cells
                           if c.network_versus_baseline is not None))

    @cached_property
    def largest_difference(self) -> PointTest | None:
        """The largest distinguishable difference of a network from the reference, over networks and points."""
        return strongest([t for t in (tally.largest for tally in self.versus_reference.values()) if t is not None])

    @cached_property
    def noise_pairs(self) -> tuple[tuple[Cell, Cell], ...]:
        """(cell at the lowest noise, cell at the highest) at each combination of the other keys that
        has both, in grid order; none without a noise axis of two levels or more."""
        axis = next((a for a in self.axes if a.key == NOISE), None)
        if axis is None or len(axis.values) < 2:
            return ()
        quiet, loud = axis.values[0], axis.values[-1]
        pairs = [(c, next((d for d in self.cells if d.point == {**c.point, NOISE: loud}), None))
                 for c in self.cells if c.point[NOISE] == quiet]
        return tuple((c, d) for c, d in pairs if d is not None)

    @cached_property
    def winner_changes(self) -> int:
        """Of :attr:`noise_pairs`, those whose winner (lowest l2) differs between the two noise levels."""
        return sum(c.winner.best.variant != d.winner.best.variant for c, d in self.noise_pairs)

    def cell(self, point: dict[str, Any]) -> Cell:
        return next(c for c in self.cells if c.point == point)

    def slices(self) -> list[dict[str, Any]]:
        """The combinations of the keys other than the first two (one empty slice for at most two keys)."""
        rest = [a for a in self.axes[2:]]
        seen: list[dict] = []
        for c in self.cells:
            s = {a.key: c.point[a.key] for a in rest}
            if s not in seen:
                seen.append(s)
        return sorted(seen, key=point_key)


def axes_of(points: list[dict[str, Any]]) -> tuple[Axis, ...]:
    """The grid's keys with their values, the sample count first when it is one of them."""
    keys = list(dict.fromkeys(k for p in points for k in p))
    keys.sort(key=lambda k: k != SAMPLES)  # stable: the others keep the sweep file's order
    return tuple(Axis(k, tuple(sorted({p[k] for p in points}, key=lambda v: point_key({"": v})))) for k in keys)


def samples_per_cycle(res: TaskResults) -> float | None:
    """1 / (h f_max) of the point's samples, as its first member's run recorded it (:class:`~toyexp.run.target.Target`)."""
    return next(iter(res.members.values()))[0].target.samples_per_cycle


def _winner(res: TaskResults) -> Winner:
    """The point's lowest l2 and its runner-up, not yet tested (their test is adjusted over the points)."""
    ranked = sorted(res.rows, key=lambda r: r.stats[L2].centre)
    return Winner(ranked[0], ranked[1] if len(ranked) > 1 else None, None)


def _adjusted(pairs: list[Paired | None]) -> list[Test | None]:
    """Tests with BH-adjusted p-values over the ones given (None stays None)."""
    q = adjusted_p([p.p for p in pairs if p is not None])
    it = iter(q)
    return [None if p is None else Test(p, float(next(it))) for p in pairs]


def grid_results(collection: Collection, task: str) -> GridResults | None:
    """The task's grid as axes (see the module docstring); None without a grid."""
    points = sorted(collection.points(task), key=point_key)
    if len(points) < 2 or not all(points):
        return None
    prefit([collection.select(task, point=p) for p in points])  # the points' baselines across the cores, then read
    results = [task_results(collection, task, p) for p in points]
    reference = results[0].reference.variant
    winners = [_winner(r) for r in results]
    winner_tests = _adjusted([compare(w.best, w.runner_up, L2) if w.runner_up else None for w in winners])
    networks = [r.variant for r in results[0].networks if r.variant != reference]
    versus = {v: _adjusted([r.versus_reference.get((v, L2)) for r in results]) for v in networks}
    best_nets = [min(r.networks, key=lambda row: row.stats[L2].centre) for r in results]
    nvb = _adjusted([r.versus_best_baseline.get(b.variant) if r.best_baseline else None for r, b in zip(results, best_nets)])
    cells = tuple(
        Cell(point=p, results=r, samples_per_cycle=samples_per_cycle(r), winner=replace(w, test=t),
             versus_reference={v: versus[v][i] for v in networks if versus[v][i]},
             best_network=best_nets[i], network_versus_baseline=nvb[i])
        for i, (p, r, w, t) in enumerate(zip(points, results, winners, winner_tests))
    )
    axes = axes_of(points)
    return GridResults(task=task, axes=axes, cells=cells, reference=reference, rates=_rates(cells, axes))


def _rates(cells: tuple[Cell, ...], axes: tuple[Axis, ...]) -> tuple[SliceRates, ...]:
    """Per slice of the keys other than num_train, each row's rate in N at or above the Nyquist
    rate (a slice with fewer than three such sample counts gets none)."""
    if not axes or axes[0].key != SAMPLES:
        return ()
    by_slice: dict[tuple, list[Cell]] = {}
    for c in cells:
        by_slice.setdefault(point_key({k: v for k, v in c.point.items() if k != SAMPLES}), []).append(c)
    out = []
    for group in by_slice.values():
        above = sorted((c for c in group if c.samples_per_cycle is None or c.samples_per_cycle >= NYQUIST),
                       key=lambda c: c.point[SAMPLES])
        if len(above) < 3:
            continue
        n = tuple(c.point[SAMPLES] for c in above)
        # a row whose error reaches the rounding floor at some N has no rate: the floor, not the method, bends it
        rows = [r.variant for r in above[0].results.rows if _has_all(above, r.variant) and not _at_floor(above, r.variant)]
        out.append(SliceRates({k: v for k, v in above[0].point.items() if k != SAMPLES}, n,
                              {v: rate(n, _per_seed_l2(above, v)) for v in rows}))
    return tuple(out)


def _at_floor(cells: list[Cell], variant: str) -> bool:
    """Whether any seed of the row reads its l2 at the rounding floor (:func:`~.summary.error_floor`) at any of the cells."""
    return any(m.final.l2 <= error_floor(m) for c in cells for m in c.results.members[variant])


def _has_all(cells: list[Cell], variant: str) -> bool:
    return all(any(r.variant == variant for r in c.results.rows) for c in cells)


def _per_seed_l2(cells: list[Cell], variant: str) -> np.ndarray:
    """(S, P): the row's l2 per seed (the seeds every point has) at each of the points."""
    rows = [c.results.row(variant) for c in cells]
    seeds = [s for s in rows[0].seeds if all(s in r.seeds for r in rows)]
    return np.array([[r.values[L2][r.seeds.index(s)] for r in rows] for s in seeds])


def nyquist_samples(cell: Cell) -> float | None:
    """The sample count N at which the cell's spacing would sample at the Nyquist rate (grid sampling)."""
    n, spc = cell.point.get(SAMPLES), cell.samples_per_cycle
    if n is None or spc is None:
        return None
    return 1 + (n - 1) * NYQUIST / spc if n > 1 else math.nan
