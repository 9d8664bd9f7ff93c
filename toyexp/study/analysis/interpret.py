"""What we see in a task, as Markdown: every number read from its TaskResults, with its uncertainty.

The paragraphs every task gets are written here: the final error of each variant and baseline
with its 95 % interval, where the networks beat the best baseline and where they do not, which
paired comparisons with the reference variant this many seeds can tell apart, the error between
the samples, and the cost. The task adds its own sentences through ``Task.interpretation``.

Errors are on the log scale (:func:`~.summary.scale_of`): a row's l2 is its geometric mean over
the seeds with that mean's interval, and two rows are compared by the ratio of their l2 ("flow's
l2 is 3.1× regression's"), tested on the log ratios seed by seed.
"""

from __future__ import annotations

from ...core.stats import FDR, Paired, Stat
from ...report import NBSP, format_interval, format_number, format_p, p_text, pairs_text, ratio_text, short_ratio, with_ci
from ...tasks import get_task
from ...tasks.base import L2
from .interpolation import ROUNDING_MARGIN
from .results import TaskResults

FMT = L2.fmt


def difference_text(c: Paired, fmt: str = FMT) -> str:
    """A linear-scale comparison: ``+0.0120 (95 % CI [+0.0040, +0.0200], p = 0.012, 5 pairs)``."""
    if c.scale != "linear":
        raise ValueError(f"difference_text needs a comparison on the linear scale; got scale = {c.scale!r} (use ratio_text)")
    d = c.effect
    ci = f"95{NBSP}% CI {format_interval(d.ci, '+' + fmt)}, {p_text(c.p)}, " if d.ci else ""
    return f"{format_number(d.mean, '+' + fmt)} ({ci}{pairs_text(c.n)})"


def effect_text(c: Paired, variant: str, other: str, fmt: str = FMT) -> str:
    """``variant`` against ``other`` in l2: a ratio on the log scale ("flow's l2 is 3.1×
    regression's (95 % CI [...], ...)"), a difference on the linear one."""
    if c.scale == "log":
        return ratio_text(c, f"{variant}'s l2", f"{other}'s")
    return f"{variant} {difference_text(c, fmt)}"


def _items(texts) -> str:
    """Nested bullets, one per text, under a bullet."""
    return "".join(f"\n  - {t}" for t in texts)


def error_paragraph(res: TaskResults) -> list[str]:
    """Final l2 of every row, lowest first, and how the networks fare against the best baseline."""
    l2 = lambda r: r.stats[L2]  # noqa: E731
    ranked = sorted(res.rows, key=lambda r: l2(r).centre)
    out = [f"**Final error.** Final l2, the {_centre(res)} over the seeds with its 95{NBSP}% interval, lowest first: "
           + "; ".join(f"{r.variant}{' (baseline)' * r.baseline} {with_ci(l2(r), FMT)}" for r in ranked) + "."]
    best = res.best_baseline
    if best is None:
        return out + ["", f"No baseline to compare with. {res.note}".strip()]
    better, worse, unclear = [], [], []
    for r in res.networks:
        c = res.versus_best_baseline[r.variant]
        text = f"{effect_text(c, r.variant, best.variant)}, adjusted p {format_p(res.best_baseline_q[r.variant])}"
        (unclear if not res.apart_from_best_baseline(r.variant) else better if c.sign < 0 else worse).append(text)
    c0 = next(iter(res.versus_best_baseline.values()), None)
    out += ["", f"**Against the best baseline, {best.variant}** ({_how(c0, best.variant)}, paired by seed; "
            f"p-values adjusted over the {len(res.networks)} networks by Benjamini-Hochberg):"]
    out += [f"- lower than {best.variant}, distinguishably:" + _items(better) if better else
            f"- no network has a lower l2 than {best.variant} that this many seeds can tell apart."]
    if worse:
        out.append(f"- higher than {best.variant}, distinguishably:" + _items(worse))
    if unclear:
        out.append("- not distinguishable from it at this n:" + _items(unclear))
    return out + (["", res.note] if res.note else [])


def comparison_paragraph(res: TaskResults) -> list[str]:
    """Which paired differences in l2 with the reference variant the seeds can tell apart."""
    ref = res.reference
    pairs = {r.variant: res.versus_reference[r.variant, L2] for r in res.rows if r is not ref}
    if not pairs:
        return []
    apart = [v for v in pairs if res.significant_after_bh(v)]
    close = [v for v in pairs if not res.significant_after_bh(v)]
    n = max(c.n for c in pairs.values())
    out = [f"**Paired with {ref.variant}** ({_how(next(iter(pairs.values())), ref.variant)}, same seed = same data and "
           f"initialisation, {n} pair{'s' * (n != 1)} at most):"]
    if n < 2:
        return out + ["- with one seed there is no interval: no difference can be told apart."]
    item = lambda v: f"{effect_text(pairs[v], v, ref.variant)}, adjusted p {format_p(res.reference_q[v, L2])}"  # noqa: E731
    if apart:
        out.append("- distinguishable:" + _items(item(v) for v in apart))
    if close:
        out.append(f"- not distinguishable at n = {n}:" + _items(item(v) for v in close))
    out.append(f"- the p-values of the {len(res.reference_q)} comparisons of the table above are adjusted together "
               f"(Benjamini-Hochberg); a comparison is distinguishable when its adjusted p is at most {FDR:g}.")
    return out


def _centre(res: TaskResults) -> str:
    return "geometric mean" if res.rows[0].stats[L2].scale == "log" else "mean"


def _how(c: Paired | None, other: str) -> str:
    """How a comparison with ``other`` is made, in words, for a paragraph's head."""
    if c is not None and c.scale == "log":
        return f"the ratio of the variant's l2 to {other}'s, tested on the log scale"
    return f"l2 of the variant − {other}"


def _percent(s: Stat) -> Stat:
    return Stat(100 * s.mean, 100 * s.std, s.n)


def between_paragraph(res: TaskResults) -> list[str]:
    """The RMSE between the samples over the RMSE near them, and the error energy above Nyquist,
    for every variant whose error stands clear of the targets' rounding."""
    prof = res.profiles
    shaped = [v for v in prof if prof[v].above_nyquist is not None]
    ratio = sorted(shaped, key=lambda v: prof[v].between_over_near.mean)
    above = sorted(shaped, key=lambda v: prof[v].above_nyquist.mean, reverse=True)
    nyquist = next(iter(prof.values())).nyquist
    out = ["**Between the samples.**"]
    if shaped:
        out[0] += (" RMSE beyond h/4 of every training input over the RMSE within h/4 of one, lowest first: "
                   + "; ".join(f"{v} {with_ci(prof[v].between_over_near, '.2f')}" for v in ratio) + ".")
        out += ["", f"Share of the error energy above the training grid's Nyquist frequency ({nyquist:.2f} cycles per unit c), "
                "in %, largest first: " + "; ".join(f"{v} {with_ci(_percent(prof[v].above_nyquist), '.2f')}" for v in above) + "."]
    rounding = [v for v in prof if v not in shaped]
    if rounding:
        out += ["", f"Left out of both, their error being within {ROUNDING_MARGIN} times the rounding of the targets' "
                "floating-point values (its split and its spectrum measure rounding, which differs from CPU to CPU): "
                f"{', '.join(rounding)}."]
    return out


def cost_paragraph(res: TaskResults) -> list[str]:
    """How l2 changes from the fewest to the most integration steps, per integrating variant."""
    out, adaptive = [], False
    for r in res.networks:
        for curve in res.curves.get(r.variant, ()):
            if len(curve.steps) > 1:
                first, last = curve.at(0), curve.at(-1)
                verb = "does not change" if last.centre == first.centre else ("falls" if last.centre < first.centre else "rises")
                out.append(f"- {r.variant}, {curve.method}: geometric mean l2 {verb} from {with_ci(first)} at {curve.steps[0]} "
                           f"step{'s' * (curve.steps[0] != 1)} (NFE {curve.nfe[0]}) to {with_ci(last)} at "
                           f"{curve.steps[-1]} steps (NFE {curve.nfe[-1]}).")
            elif curve.adaptive:
                adaptive = True
                out.append(f"- {r.variant}, {curve.method} at its tightest tolerance (rtol {curve.rtol[-1]:.0e}, "
                           f"{curve.nfe[-1]:.0f} network evaluations on average): geometric mean l2 {with_ci(curve.at(-1))}, "
                           f"against {with_ci(r.stats[L2])} at the final setting.")
    head = "**Cost.** l2 against the number of integration steps"
    if adaptive:
        head += ("; an adaptive solve at its tightest tolerance is close to the exact flow of the learned velocity, "
                 "so its gap to the final setting is what the final setting's discretisation adds or removes")
    return [head + ":"] + out if out else []


def findings(res: TaskResults) -> str:
    """The "What we see" of one task as Markdown paragraphs and bullets."""
    task = get_task(res.task)
    own = task.interpretation(list(res.rows), res.own)
    blocks = [error_paragraph(res), comparison_paragraph(res), between_paragraph(res), cost_paragraph(res),
              ([f"**{task.title}.**"] + [f"- {s}" for s in own]) if own else []]
    return "\n\n".join("\n".join(b) for b in blocks if b)


def headline(res: TaskResults) -> str:
    """The task's line for the report's abstract: the best network's l2 with its interval, as a ratio
    to the best baseline's when there is one, and which networks differ from the reference."""
    best_net = min(res.networks, key=lambda r: r.stats[L2].centre)
    where = res.task + (f" ({', '.join(f'{k.split(chr(46))[-1]} = {v}' for k, v in res.point.items())})" if res.point else "")
    text = f"On {where}, the best network ({best_net.variant}) reaches l2 {with_ci(best_net.stats[L2])}"
    if res.best_baseline is not None:
        c = res.versus_best_baseline[best_net.variant]
        verdict = "" if res.apart_from_best_baseline(best_net.variant) else ", not distinguishable from it"
        text += (f", {short_ratio(c)} that of the best baseline ({res.best_baseline.variant}, "
                 f"{format_number(res.best_baseline.stats[L2].centre)}){verdict}")
    apart = [r.variant for r in res.networks if r is not res.reference and res.significant_after_bh(r.variant)]
    return text + (f"; {', '.join(apart)} differ{'s' * (len(apart) == 1)} distinguishably from {res.reference.variant}." if apart
                   else f"; no other network differs distinguishably from {res.reference.variant}.")
