"""Text for the notebooks and the book: tables and sentences computed from the numbers of a run."""

from __future__ import annotations

import numpy as np

from ..core.metrics import Evaluation, distance_to_nearest, near_and_between
from ..core.modes import Mode
from ..core.train import TrainingDiverged
from ..tasks.base import Final, RunResult
from .config import Config, defaults
from .record import RunRecord


def evaluation_table(evaluations: tuple[Evaluation, ...]) -> str:
    """A fixed-precision table of l1 / l2 for each integrator and step count; when an adaptive
    method (dopri5) was evaluated, a column of its relative tolerance (its steps show as -)."""
    adaptive = any(e.tolerance is not None for e in evaluations)
    lines = [f"{'method':<9} {'steps':>5} {'NFE':>5} {'l1':>9} {'l2':>9}" + (f" {'rtol':>7}" if adaptive else "")]
    for e in evaluations:
        steps = "-" if e.steps is None else f"{e.steps:d}"
        rtol = "" if not adaptive else f" {'-':>7}" if e.tolerance is None else f" {e.tolerance.rtol:>7.0e}"
        lines.append(f"{e.method:<9} {steps:>5} {e.nfe:>5d} {e.l1:>9.4f} {e.l2:>9.4f}{rtol}")
    return "\n".join(lines)


def counted(n: int, noun: str) -> str:
    """``1 step``, ``16 steps``: a count and its noun, singular for exactly one."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def resolution_text(e: Evaluation) -> str:
    """How finely an evaluation integrated: ``1 step``, ``16 steps``, or ``rtol 1e-03`` for an adaptive method."""
    return counted(e.steps, "step") if e.tolerance is None else f"rtol {e.tolerance.rtol:.0e}"


def span_text(lo: Evaluation, hi: Evaluation) -> str:
    """``1 to 16 steps``, or ``rtol 1e-02 to rtol 1e-04`` for an adaptive method."""
    if lo.tolerance is None:
        return f"{lo.steps} to {hi.steps} steps"
    return f"{resolution_text(lo)} to {resolution_text(hi)}"


def final_setting(final: Evaluation, mode: Mode) -> str:
    """The integrator and resolution of ``final`` ("euler, 16 steps", "dopri5, rtol 1e-04"), or ""
    for a mode that does not integrate (regression, mip...): its prediction has neither."""
    return f"{final.method}, {resolution_text(final)}" if mode.integrates else ""


def draws_text(final: Final) -> str:
    """One sentence on a prediction that is the mean of K > 1 draws of x_0: the l2 of one draw
    beside the mean's, and the spread of single draws (the model's own uncertainty)."""
    d = final.draws
    return (f"That prediction is the mean of {d.k} integrated draws of x_0 at each point: one draw alone has "
            f"l2 = {d.single_l2:.4f} (the mean {final.l2:.4f}), and single draws spread around the mean by "
            f"{d.draw_std:.4f} (the RMS of their per-point standard deviation).")


def describe_run(ctx, result: RunResult) -> str:
    """Sentences about one run (a RunContext and its RunResult), every number taken from the
    result; then, as a paragraph of its own (Markdown), the task's own."""
    final, best, data = result.final, result.best, ctx.data
    setting = final_setting(final, ctx.mode)
    out = [
        f"The final {ctx.cfg.experiment.mode} model reaches l2 = {final.l2:.4f} and l1 = {final.l1:.4f} "
        f"on {len(data.c_eval)} evaluation points ({setting + ', ' if setting else ''}NFE {final.nfe}).",
        f"The best evaluated model (epoch {best.epoch}) has l2 = {best.l2:.4f}.",
    ]
    if final.draws is not None:
        out.insert(1, draws_text(final))
    near, between, spacing = near_and_between(result.c_grid, result.x_grid, result.pred_grid, data.c_train)
    if np.isfinite(near) and np.isfinite(between):
        ratio = between / near if near > 0 else float("inf")
        out.append(
            f"On the dense grid the RMSE is {near:.4f} within {spacing / 4:.4f} of a training input and "
            f"{between:.4f} between training inputs ({ratio:.2f} times as large)."
        )
    err = np.linalg.norm(np.asarray(result.pred_grid) - np.asarray(result.x_grid), axis=1)
    i = int(err.argmax())
    c_worst = float(result.c_grid[i, 0])
    d_worst = float(distance_to_nearest(result.c_grid[i : i + 1], data.c_train)[0])
    out.append(f"The largest error, {err[i]:.4f}, is at c = {c_worst:.3f}, {d_worst:.4f} from the nearest training input.")
    same = [e for e in result.evaluations if e.method == final.method]
    if len(same) > 1 and setting:
        lo, hi = same[0], same[-1]
        out.append(
            f"With {final.method}, going from {span_text(lo, hi)} changes l2 from {lo.l2:.4f} to {hi.l2:.4f}"
            + (f" (NFE {lo.nfe} to {hi.nfe})." if lo.tolerance is not None else ".")
        )
    own = ctx.task.describe(final.task_metrics) if final.task_metrics is not None else ""
    return "\n".join(out) + (f"\n\n{own}" if own else "")


def run_headline(record: RunRecord, mode: Mode) -> str:
    """The one-line result of a run, in Markdown: task, variant, seed, l2 at the ``final`` setting
    with that setting and its NFE, and the training time."""
    final = record.final
    who = " · ".join([record.task, record.variant, f"seed {record.seed}"])
    setting = final_setting(final, mode)
    cost = f"{setting}, NFE {final.nfe}" if setting else f"NFE {final.nfe}"
    return (f"**{who}**: l2 = {final.l2:.4f} ({cost}); trained for {counted(record.training.epochs, 'epoch')} "
            f"({counted(record.training.steps, 'step')}) in {record.training.seconds:.1f} s.")


def _markdown_value(value) -> str:
    text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return f"`{text}`"


def config_changes(cfg: Config) -> str:
    """A Markdown table of the keys of ``cfg`` whose values differ from the task's package defaults.

    The run's whole config is its task's own sections (config.yaml); this is the part a reader
    needs to tell one run from another. A key whose default is None is derived from the others
    (lie's ``target_dim``) and is left out, as is the variant when it is the mode.
    """
    base = defaults(cfg.experiment.task)
    base["experiment"]["variant"] = cfg.experiment.mode
    rows = [
        f"| `{section}.{key}` | {_markdown_value(value)} | {_markdown_value(base[section][key])} |"
        for section, keys in cfg.to_dict().items()
        for key, value in keys.items()
        if base[section][key] is not None and value != base[section][key]
    ]
    if not rows:
        return "Every setting is the package default of this task."
    return "\n".join(["| setting | this run | default |", "|---|---|---|", *rows])


def seed_heading(ctx, members: list) -> str:
    """``seed 42`` above each member's part of a group's output; "" for a lone run."""
    return f"seed {ctx.cfg.experiment.seed}" if len(members) > 1 else ""


def training_summary(members: list, trained: list) -> str:
    """One line per member: its steps, its (share of the) training time and its best eval l2, or why it diverged."""
    lines = []
    for member, t in zip(members, trained):
        head = f"seed {member.ctx.cfg.experiment.seed}: " if len(members) > 1 else ""
        if isinstance(t, TrainingDiverged):
            lines.append(f"{head}{t}")
            continue
        share = f" (its share of {len(members)} networks trained together)" if len(members) > 1 else ""
        lines.append(f"{head}{t.steps} steps in {t.train_seconds:.1f} s{share}; best eval RMSE {t.best_l2:.4f} at epoch {t.best_epoch}")
    return "\n".join(lines)


def evaluation_tables(members: list, results: list, task_metrics: bool = False) -> str:
    """:func:`evaluation_table` of each member that finished training, under its seed in a group;
    with ``task_metrics``, the task's own sentences about its final model below it."""
    parts = []
    for member, result in zip(members, results):
        if result is not None:
            head = seed_heading(member.ctx, members)
            own = member.ctx.task.describe(result.final.task_metrics) if task_metrics else ""
            parts.append((f"{head}\n" if head else "") + evaluation_table(result.evaluations) + (f"\n\n{own}" if own else ""))
    return "\n\n".join(parts)


def describe_group(members: list, results: list) -> str:
    """:func:`describe_run` of each member that finished, under a heading per seed in a group."""
    parts = []
    for member, result in zip(members, results):
        head = seed_heading(member.ctx, members)
        text = describe_run(member.ctx, result) if result is not None else "Training diverged: no result (see its train.log)."
        parts.append((f"**{head}.** " if head else "") + text)
    return "\n\n".join(parts)
