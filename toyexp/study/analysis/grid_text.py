"""What we see across a grid, as Markdown: every number read from a :class:`~.grid.GridResults`.

Who wins where and whether the runner-up can be told apart, where each network differs from
the reference and by how much, where the networks beat the best baseline, the rates in N, and
what the noise changes. Errors are geometric means over the seeds and comparisons ratios,
tested on log l2 (:func:`~.summary.scale_of`). Every difference is called distinguishable only
after the Benjamini-Hochberg correction over the task's points (false-discovery rate 5 %), and
the text says so.
"""

from __future__ import annotations

from ...report import format_factor, format_number, ratio_text, short_ratio, with_ci
from ...core.stats import FDR
from .baselines import BoundCount, bounds_text
from ...tasks.base import L2
from .grid import NOISE, NYQUIST, Cell, GridResults
from .verdicts import strongest
from ..sweep.plan import point_text, short_point



def _where(cell: Cell) -> str:
    spc = f", {cell.samples_per_cycle:.3g} samples per cycle" if cell.samples_per_cycle is not None else ""
    return f"{point_text(cell.point)}{spc}"


def correction_text(grid: GridResults) -> str:
    return (f"Each comparison below is a paired t-test over the seeds at one point, on log l2 (so an effect is a ratio, "
            f"and an l2 is a geometric mean over the seeds); the p-values of one question "
            f"across the {len(grid.cells)} points of {grid.task} are corrected by Benjamini-Hochberg, and a difference "
            f"is called distinguishable at a false-discovery rate of {100 * FDR:.0f} %.")


def winners_paragraph(grid: GridResults) -> list[str]:
    """Which row has the lowest l2 where, and where the runner-up cannot be told apart."""
    out = [f"**Who wins where.** Lowest geometric mean l2, by points won (of {len(grid.cells)}): "
           + "; ".join(f"{v} {n}" for v, n in grid.wins.items()) + "."]
    networks = [c for c in grid.cells if not c.winner.best.baseline]
    if networks:
        out.append("- a network wins at: " + "; ".join(
            f"{c.winner.best.variant} at {_where(c)} (l2 {with_ci(c.winner.best.stats[L2])}"
            + (", runner-up " + c.winner.runner_up.variant + (" distinguishable" if c.winner.clear
                                                             else " not distinguishable") if c.winner.runner_up else "") + ")"
            for c in networks) + ".")
    else:
        out.append("- a classical baseline wins at every point.")
    out.append(f"- the runner-up cannot be told apart from the winner at {grid.unclear_winners} of {len(grid.cells)} points.")
    return out


def reference_paragraph(grid: GridResults) -> list[str]:
    """Each network against the reference variant: where it is lower or higher, and by how much."""
    out = [f"**Against {grid.reference}** (paired by seed, l2):"]
    for v, tally in grid.versus_reference.items():
        ratios = tally.ratios()
        line = (f"- {v}: lower at {len(tally.lower)}, higher at {len(tally.higher)}, not distinguishable at "
                f"{tally.not_distinguishable} of {len(tally.tests)} points")
        if ratios:
            line += (f"; its l2 is {format_factor(min(ratios))} to {format_factor(max(ratios))} times {grid.reference}'s "
                     "(geometric mean of the per-seed ratios)")
        if tally.lower:
            line += "; lower at " + "; ".join(_where(t.cell) for t in tally.lower)
        out.append(line + ".")
    return out


def baseline_paragraph(grid: GridResults) -> list[str]:
    """Where the best network beats the best baseline, if anywhere."""
    tally = grid.versus_baseline
    if not tally.tests:
        return []
    out = [f"**Networks against the best baseline** (the best network's l2 against the best baseline's at each point): "
           f"lower at {len(tally.lower)}, higher at {len(tally.higher)}, not distinguishable at {tally.not_distinguishable} "
           f"of {len(tally.tests)} points."]
    for c in (t.cell for t in tally.lower):
        b = c.results.best_baseline
        out.append(f"- {c.best_network.variant} beats {b.variant} at {_where(c)}: "
                   f"{with_ci(c.best_network.stats[L2])} against {with_ci(b.stats[L2])}.")
    if tally.higher:
        ratios = tally.ratios(tally.higher)
        if ratios:
            out.append(f"- where the baseline is lower, the best network's l2 is {format_factor(min(ratios))} to "
                       f"{format_factor(max(ratios))} times the best baseline's (geometric mean of the per-seed ratios).")
    return out


def bounds_paragraph(grid: GridResults) -> list[str]:
    """How many baseline fits, over every point and seed, ended with a hyperparameter on a bound."""
    total: dict[str, BoundCount] = {}
    for c in grid.cells:
        for name, count in c.results.baseline_bounds.items():
            total[name] = total[name] + count if name in total else count
    text = bounds_text(total)
    return [f"**Baseline fits on a bound**, over the {len(grid.cells)} points. {text}"] if text else []


def rates_paragraph(grid: GridResults) -> list[str]:
    """The rates in N above the Nyquist rate, per slice, lowest first."""
    if not grid.rates:
        return []
    out = [f"**Rates in N.** The log-log slope b of l2 ∝ N^b, fitted per seed over the sample counts at or above "
           f"the Nyquist rate ({NYQUIST:g} samples per cycle), mean with its 95 % t interval over seeds (a row whose error "
           f"reaches the rounding floor at some N, an exact interpolant's, has none):"]
    for part in grid.rates:
        where = point_text(part.slice) or "all points"
        out.append(f"- {where} (N = {', '.join(map(str, part.samples))}): " + "; ".join(
            f"{v} {with_ci(s, '.2f')}" for v, s in sorted(part.slopes.items(), key=lambda item: item[1].mean)) + ".")
    return out


def noise_paragraph(grid: GridResults) -> list[str]:
    """What the noise changes: the winner at each (other keys) point, and the best baseline's and
    best network's l2, from the lowest to the highest noise level (:attr:`GridResults.noise_pairs`)."""
    if not grid.noise_pairs:
        return []
    axis = next(a for a in grid.axes if a.key == NOISE)
    out = [f"**Noise.** From noise_std = {axis.values[0]} to {axis.values[-1]}, at each other point (winner; best "
           f"baseline's and best network's geometric mean l2):",
           f"- the winner changes at {grid.winner_changes} of {len(grid.noise_pairs)} points."]
    for c, d in grid.noise_pairs:
        rest = point_text({k: v for k, v in c.point.items() if k != NOISE})
        base = lambda cell: cell.results.best_baseline  # noqa: E731
        out.append(f"- {rest}: {c.winner.best.variant} → {d.winner.best.variant}; "
                   + (f"{base(c).variant} {format_number(base(c).stats[L2].centre)} → {base(d).variant} "
                      f"{format_number(base(d).stats[L2].centre)}; " if base(c) and base(d) else "")
                   + f"{c.best_network.variant} {format_number(c.best_network.stats[L2].centre)} → "
                   f"{d.best_network.variant} {format_number(d.best_network.stats[L2].centre)}.")
    return out


def _span(values: list[float]) -> str:
    lo, hi = min(values), max(values)
    return f"{lo:.2g}" if f"{lo:.2g}" == f"{hi:.2g}" else f"{lo:.2g}–{hi:.2g}"


def uncertainty_paragraph(grid: GridResults) -> list[str]:
    """Each network that averages draws (``evaluation.num_draws`` > 1) against the GP: how far its
    single draws spread around their mean and how large the GP's posterior std of f is (each the RMS
    over the evaluation inputs, mean over seeds), each over its own l2, by noise level."""
    rows = []
    for c in grid.cells:
        gp = c.results.baseline_spreads.get("gp")
        for r in c.results.networks:
            draws = [f.draws for f in r.finals]
            if gp and all(d is not None for d in draws):
                gp_row = c.results.row("gp")
                rows.append((c.point.get(NOISE), r.variant, sum(d.draw_std for d in draws) / len(draws),
                             r.stats[L2].centre, sum(gp) / len(gp), gp_row.stats[L2].centre))
    if not rows:
        return []
    out = ["**Uncertainty.** A model's own uncertainty against its error: the spread of single draws around "
           "their mean (RMS over the evaluation inputs, mean over seeds) and the GP's posterior standard deviation "
           "of f, each divided by its own l2 (1: as large as the error it makes), ranges over the points:"]
    for noise in dict.fromkeys(row[0] for row in rows):
        for variant in dict.fromkeys(row[1] for row in rows):
            own = [row for row in rows if row[0] == noise and row[1] == variant]
            where = f"noise_std = {noise}" if noise is not None else "every point"
            out.append(f"- {where}: {variant}'s draws spread by {_span([r[2] for r in own])} "
                       f"({_span([r[2] / r[3] for r in own])} × its l2); the GP's posterior std is "
                       f"{_span([r[4] for r in own])} ({_span([r[4] / r[5] for r in own])} × its l2).")
    return out


def grid_findings(grid: GridResults) -> str:
    """The "What we see" of a grid as Markdown paragraphs and bullets."""
    slices = "" if len(grid.axes) <= 2 else (
        f" With {len(grid.axes)} grid keys the maps are slices: one per value of "
        + ", ".join(a.name for a in grid.axes[2:]) + ".")
    blocks = [[correction_text(grid) + slices], winners_paragraph(grid), reference_paragraph(grid),
              baseline_paragraph(grid), bounds_paragraph(grid), rates_paragraph(grid), noise_paragraph(grid),
              uncertainty_paragraph(grid)]
    return "\n\n".join("\n".join(b) for b in blocks if b)


def headline(grid: GridResults) -> str:
    """The task's claims for the report's abstract, one short paragraph each: how often a classical
    baseline wins and where (if anywhere) a network beats the best one; where each network is higher
    or lower than the reference; and the largest of those differences, as a ratio with its interval."""
    n = len(grid.cells)
    beat = grid.versus_baseline.lower
    first = f"On {grid.task}, a classical baseline has the lowest l2 at {grid.baseline_wins} of {n} grid points"
    if beat:
        most = strongest(beat)
        c = most.cell
        first += (f"; a network beats the best baseline distinguishably at {len(beat)} "
                  f"({'; '.join(short_point(b.cell.point) for b in beat)}), most clearly {c.best_network.variant} at "
                  f"{short_point(c.point)}: its l2 is {short_ratio(most.test.paired)} "
                  f"{c.results.best_baseline.variant}'s.")
    else:
        first += f", and no network beats the best baseline distinguishably at any of the {len(grid.versus_baseline.tests)}."
    counts = [f"{v} at {len(tally.higher)} and {len(tally.lower)}" for v, tally in grid.versus_reference.items()]
    out = [first]
    if counts:
        out.append(f"Against {grid.reference}, the networks' l2 is distinguishably higher and lower at: "
                   + "; ".join(counts) + f" of the {n} points.")
    largest = grid.largest_difference
    if largest:
        out.append(f"The largest difference: {largest.subject}'s l2 is {short_ratio(largest.test.paired)} {grid.reference}'s "
                   f"at {short_point(largest.cell.point)}.")
    return "\n\n".join(out)


def _ratio(c, variant: str, other: str) -> str:
    """" (flow's l2 is 3.1× regression's (95 % CI [...], ...))" for a log-scale comparison; "" otherwise."""
    if c.scale != "log":
        return ""
    return " (" + ratio_text(c, variant + "'s l2", other + "'s") + ")"


def _shared(grid: GridResults, cells: list[Cell]) -> str:
    """", all at noise_std = 0.2" when every cell of ``cells`` (two or more) has one value of a key
    that the grid varies; "" otherwise."""
    if len(cells) < 2:
        return ""
    common = {a.key: cells[0].point[a.key] for a in grid.axes
              if len(a.values) > 1 and all(c.point[a.key] == cells[0].point[a.key] for c in cells)}
    return f", all at {point_text(common)}" if common else ""
