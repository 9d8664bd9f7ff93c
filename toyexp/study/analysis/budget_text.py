"""The budget check as Markdown: a table of the findings at each checked point and budget, and
what holds. Every number is read from a :class:`~.budget.BudgetCheck`."""

from __future__ import annotations

from ...report import format_number
from .budget import BudgetCheck, Finding, Outcome
from ..sweep.plan import point_text, short_point


def _cell(outcome: Outcome, winner: bool) -> str:
    if winner:
        return f"{outcome.verdict} ({format_number(outcome.l2, '.3g')})"
    return f"{outcome.verdict} ({format_number(outcome.l2, '.3g')} vs {format_number(outcome.against, '.3g')})"


def _claim(f: Finding) -> str:
    if f.kind == "winner":
        return "lowest l2"
    return f"{f.subject} vs {f.against}"


def budget_table(check: BudgetCheck) -> str:
    """One row per finding: its point, the claim, its verdict at the study's budget and at each other
    budget (with the mean l2 of the rows it compares), and whether it holds."""
    head = ["point", "finding", f"study's budget ({short_point(check.study_budget)})", *(short_point(b) for b in check.budgets), "holds"]
    rows = [[short_point(f.point), _claim(f), _cell(f.at_study, f.kind == "winner"),
             *(_cell(o, f.kind == "winner") for o in f.at_budgets), "yes" if f.holds else "**no**"]
            for f in check.findings]
    return "\n".join(["| " + " | ".join(head) + " |", "|" + "---|" * len(head)] + ["| " + " | ".join(r) + " |" for r in rows])


def budget_findings(check: BudgetCheck) -> str:
    """How many findings hold at every budget, and each one that does not, with its verdicts."""
    held = [f for f in check.findings if f.holds]
    budgets = "; ".join(point_text(b) for b in check.budgets)
    lines = [f"{len(held)} of {len(check.findings)} findings at the {len(check.points)} checked "
             f"point{'s' if len(check.points) != 1 else ''} hold at every budget ({budgets})."]
    for f in check.findings:
        if not f.holds:
            changed = "; ".join(f"{point_text(b)}: {o.verdict}" for b, o in zip(check.budgets, f.at_budgets)
                                if o.verdict != f.at_study.verdict)
            lines.append(f"- budget-dependent: {_claim(f)} at {point_text(f.point)} is {f.at_study.verdict} at the "
                         f"study's budget, but {changed}.")
    return "\n".join(lines)


def headline(check: BudgetCheck) -> str:
    """One sentence for the abstract: how many findings at the checked points keep their verdict at
    every other budget, and where those that change are."""
    held = sum(f.holds for f in check.findings)
    budgets = ", ".join(short_point(b) for b in check.budgets)
    text = (f"Retrained at other budgets ({budgets}), {held} of the {len(check.findings)} findings at the "
            f"{len(check.points)} checked point{'s' * (len(check.points) != 1)} keep their verdict")
    moved = [f for f in check.findings if not f.holds]
    if moved:
        where = list(dict.fromkeys(short_point(f.point) for f in moved))
        text += f"; the {len(moved)} that change are at {'; '.join(where)}"
    return text + "."
