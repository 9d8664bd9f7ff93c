"""The budget check: do a grid's findings hold when the runs they rest on are trained otherwise?

A sweep's ``budget_check`` (:mod:`.plan`) trains every run at a few grid points again, once per
budget (more optimiser steps, another peak learning rate). For each budget b the task's grid is
analysed again with the runs at those points replaced by their b runs: the same samples and
seeds (so the same baselines), every other point as it was, the Benjamini-Hochberg correction
over the same family of points. Every number is then what the report would say had those points
been trained at b.

At each checked point three findings are compared across the budgets:

- each network against the reference variant: lower, higher or not distinguishable;
- the best network against the best baseline: the same three verdicts;
- the winner: the row of lowest l2.

A finding *holds* when its verdict is the same at the study's budget and at every other, and is
*budget-dependent* otherwise; both keep their numbers at every budget.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal

from .collect import Collection, sorted_runs
from ...tasks.base import L2
from .grid import Cell, GridResults, grid_results
from .verdicts import Test, Verdict

Kind = Literal["versus reference", "versus baseline", "winner"]


def verdict(test: Test | None) -> Verdict:
    """The test's verdict (:attr:`.grid.Test.verdict`); not distinguishable without a test."""
    return "not distinguishable" if test is None else test.verdict


@dataclass(frozen=True)
class Outcome:
    """A finding at one budget: its verdict (or the winner's name) and the two rows' l2 it compares."""

    verdict: str  # a Verdict, or for a winner the winning row's name
    l2: float  # the row's l2, geometric mean over seeds (the network's, or the winner's)
    against: float | None  # the other row's (the reference's, the best baseline's); None for a winner


@dataclass(frozen=True, kw_only=True)
class Finding:
    """One finding at one checked point, at the study's budget and at each checked budget."""

    kind: Kind
    subject: str  # the network ("flow"), "best network", or "winner"
    against: str  # the row it is compared with ("regression", the best baseline); "" for a winner
    point: dict[str, Any]
    at_study: Outcome  # at the study's own budget
    at_budgets: tuple[Outcome, ...]  # in the order of BudgetCheck.budgets

    @property
    def holds(self) -> bool:
        return all(o.verdict == self.at_study.verdict for o in self.at_budgets)


@dataclass(frozen=True, kw_only=True)
class BudgetCheck:
    task: str
    points: tuple[dict[str, Any], ...]  # the checked grid points
    budgets: tuple[dict[str, Any], ...]  # each budget's changed keys
    study_budget: dict[str, Any]  # the study's own values of those keys
    findings: tuple[Finding, ...]


def split(point: dict[str, Any], grid_keys: set[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A budget run's grid point as (the grid point, the budget's keys)."""
    return ({k: v for k, v in point.items() if k in grid_keys}, {k: v for k, v in point.items() if k not in grid_keys})


def retrained(study: Collection, check: Collection, task: str, budget: dict[str, Any], *,
              grid_keys: set[str]) -> Collection:
    """``study`` with ``task``'s runs at the checked points replaced by their runs at ``budget``
    (their grid point read without the budget's keys)."""
    swapped = []
    for run in check.select(task):
        point, keys = split(run.record.grid_point, grid_keys)
        if keys == budget:
            swapped.append(replace(run, record=replace(run.record, grid_point=point)))
    points = [r.record.grid_point for r in swapped]
    kept = [r for r in study.runs if not (r.record.task == task and r.record.grid_point in points)]
    return replace(study, runs=sorted_runs(kept + swapped))


def _outcomes(cell: Cell, reference: str) -> dict[tuple[Kind, str], Outcome]:
    """The findings at ``cell``, keyed by (kind, subject)."""
    l2 = {r.variant: r.stats[L2].centre for r in cell.results.rows}
    out: dict[tuple[Kind, str], Outcome] = {
        ("winner", "winner"): Outcome(cell.winner.best.variant, l2[cell.winner.best.variant], None)}
    for variant, test in cell.versus_reference.items():
        out["versus reference", variant] = Outcome(verdict(test), l2[variant], l2[reference])
    base = cell.results.best_baseline
    if cell.network_versus_baseline is not None and base is not None:
        out["versus baseline", "best network"] = Outcome(verdict(cell.network_versus_baseline),
                                                         l2[cell.best_network.variant], l2[base.variant])
    return out


def budget_check(study: Collection, check: Collection, task: str, grid: GridResults) -> BudgetCheck | None:
    """The budget check of ``task`` (``grid``: its grid from ``study``); None when ``check`` holds no run of it."""
    grid_keys = {a.key for a in grid.axes}
    pairs = [split(r.record.grid_point, grid_keys) for r in check.select(task)]
    if not pairs:
        return None
    points = tuple(dict.fromkeys(map(_frozen, (p for p, _ in pairs))))
    budgets = tuple(dict.fromkeys(map(_frozen, (b for _, b in pairs))))
    regrids = [grid_results(retrained(study, check, task, dict(b), grid_keys=grid_keys), task) for b in budgets]
    findings = []
    for point in map(dict, points):
        base = _outcomes(grid.cell(point), grid.reference)
        others = [_outcomes(g.cell(point), g.reference) for g in regrids]
        for (kind, subject), outcome in base.items():
            if not all((kind, subject) in o for o in others):
                continue
            against = {"versus reference": grid.reference, "winner": "",
                       "versus baseline": getattr(grid.cell(point).results.best_baseline, "variant", "")}[kind]
            findings.append(Finding(kind=kind, subject=subject, against=against, point=point, at_study=outcome,
                                    at_budgets=tuple(o[kind, subject] for o in others)))
    config = study.select(task, point=dict(points[0]))[0].record.config
    keys = dict.fromkeys(k for b in budgets for k, _ in b)
    study_budget = {k: getattr(getattr(config, k.split(".")[0]), k.split(".")[1]) for k in keys}
    return BudgetCheck(task=task, points=tuple(map(dict, points)), budgets=tuple(map(dict, budgets)),
                       study_budget=study_budget, findings=tuple(findings))


def _frozen(d: dict[str, Any]) -> tuple:
    return tuple(d.items())
