"""The runs of one variant at one grid point, one per seed, trained together: a group.

    members = start_group(cfg, seeds)          # a run per seed: its folder, log, data, and network
    trained = fit_group(members)               # the networks stacked and trained as one
    results = evaluate_group(members, trained)
    records = finish_group(members, trained, results)   # each metrics.json; raises for a diverged one

Each member is its seed's run in every respect but the training loop: the same folder, files
and numbers as the lone run of that seed (:mod:`toyexp.core.stack` says where rounding could
differ, and ``tests/run/test_group.py`` measures it). A group of one seed is the lone run itself.
Evaluation goes member by member through the lone network: its cost is arithmetic on 1000s of
points, which a stack does not save, and dopri5 then picks each member's steps on its own.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import torch
from torch import nn

from ..core.metrics import l2_error, predict
from ..core.nets import build_network
from ..core.paths import training_loss
from ..core.stack import member_state, stack
from ..core.train import TrainingDiverged, TrainResult, train_members
from ..schema import ConfigError
from ..tasks.base import RunResult
from .config import Config
from .outputs import save_checkpoint
from .record import RunRecord
from .steps import RunContext, close_log, evaluate_run, finish_run, start_run


@dataclass(frozen=True)
class Member:
    """One seed's run in a group: its started run and its network (initialised from its seed)."""

    ctx: RunContext
    model: nn.Module


class GroupFailed(RuntimeError):
    """Some members of a group diverged; the others finished and wrote their metrics.json.

    The message is one line naming each diverged seed and why (a sweep reports the last line).
    """


def with_seed(cfg: Config, seed: int) -> Config:
    return dataclasses.replace(cfg, experiment=dataclasses.replace(cfg.experiment, seed=seed))


def group_seeds(cfg: Config, seeds: list[int] | None) -> list[int]:
    """The seeds of a group: ``seeds``, or the config's own seed; ConfigError for anything else
    than distinct integers (before any run starts)."""
    if seeds is None:
        return [cfg.experiment.seed]
    if (not isinstance(seeds, (list, tuple)) or not seeds
            or not all(isinstance(s, int) and not isinstance(s, bool) for s in seeds) or len(set(seeds)) != len(seeds)):
        raise ConfigError(f"seeds {seeds!r} is invalid; valid: a non-empty list of distinct integers, or None for experiment.seed")
    return list(seeds)


def start_group(cfg: Config, seeds: list[int] | None = None) -> list[Member]:
    """Start the run of each seed (``seeds`` None: the config's own) and build its network right
    after, from the global RNG its start seeded: in the order a lone run takes, so each member's
    initial weights are its lone run's."""
    members = []
    for seed in group_seeds(cfg, seeds):
        ctx = start_run(with_seed(cfg, seed))
        members.append(Member(ctx, build_network(cfg.network, ctx.data.dim).to(ctx.device)))
    return members


def eval_l2(ctx: RunContext, model: nn.Module) -> float:
    """The l2 training tracks the best model by: at the final setting, of the mean of the K draws."""
    data, dev = ctx.data, ctx.device
    method, resolution = ctx.final_setting
    return l2_error(predict(model, ctx.mode, data.c_eval.to(dev), ctx.x_0, resolution=resolution, method=method),
                    data.x_eval.to(dev))


def fit_group(members: list[Member], progress: bool = True) -> list[TrainResult | TrainingDiverged]:
    """Train every member's network: stacked into one for two or more (:func:`toyexp.core.stack.stack`),
    each on its own pairs with its own draws. Afterwards each member's network holds its final
    weights. Returns each member's TrainResult, or its TrainingDiverged (the others go on)."""
    ctxs = [m.ctx for m in members]
    cfg, dev = ctxs[0].cfg, ctxs[0].device
    lone = len(members) == 1
    net = members[0].model if lone else stack([m.model for m in members])

    def rows(name: str) -> torch.Tensor:
        tensors = [getattr(ctx.data, name).to(dev) for ctx in ctxs]
        return tensors[0] if lone else torch.stack(tensors)

    def member_l2(e: int) -> float:
        if not lone:
            members[e].model.load_state_dict(member_state(net, e))
        return eval_l2(ctxs[e], members[e].model)

    def checkpoint(e: int, epoch: int, state: dict[str, torch.Tensor]) -> None:
        save_checkpoint(ctxs[e].dir / "checkpoints" / f"checkpoint_{epoch}.pt", state, epoch)

    training = cfg.training
    results = train_members(
        net, ctxs[0].mode, rows("c_train"), rows("x_train"), cfg=training,
        ell=training_loss(training.loss_type, training.loss_aggregation, ctxs[0].task.loss_blocks(cfg.dataset)),
        generators=[torch.Generator().manual_seed(ctx.cfg.experiment.seed) for ctx in ctxs],
        eval_l2=member_l2, logs=[ctx.log for ctx in ctxs], on_checkpoint=checkpoint, progress=progress,
    )
    if not lone:
        for e, member in enumerate(members):
            member.model.load_state_dict(member_state(net, e))
    return results


def evaluate_group(members: list[Member], trained: list[TrainResult | TrainingDiverged]) -> list[RunResult | None]:
    """Each trained member evaluated as its lone run is (:func:`~.steps.evaluate_run`); None for a diverged one."""
    return [None if isinstance(t, TrainingDiverged) else evaluate_run(m.ctx, m.model, t) for m, t in zip(members, trained)]


def finish_group(members: list[Member], trained: list[TrainResult | TrainingDiverged],
                 results: list[RunResult | None]) -> list[RunRecord]:
    """Write each finished member's metrics.json; then raise :class:`GroupFailed` if any diverged
    (a lone run's TrainingDiverged itself, unchanged, when the group is one run)."""
    records = [finish_run(m.ctx, t, r) for m, t, r in zip(members, trained, results) if r is not None]
    failed = [(m, t) for m, t in zip(members, trained) if isinstance(t, TrainingDiverged)]
    for member, _ in failed:  # its log holds the error; finish_run closed the others'
        close_log(member.ctx.log)
    if len(members) == 1 and failed:
        raise failed[0][1]
    if failed:
        raise GroupFailed("; ".join(f"seed {m.ctx.cfg.experiment.seed}: {err}" for m, err in failed))
    return records
