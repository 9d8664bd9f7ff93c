"""One run from config to results: the steps a notebook calls, in order.

    cfg = load_config(...)
    ctx = start_run(cfg)                      # folder, log, seed, threads, device, data, evaluation set
    model = build_network(cfg.network, ctx.data.dim).to(ctx.device)
    trained = fit(ctx, model)
    result = evaluate_run(ctx, model, trained)
    ... figures saved under ctx.dir / "plots" ...
    record = finish_run(ctx, trained, result)  # metrics.json, written last and atomically

:func:`run_all` takes them all in one call.
"""

from __future__ import annotations

import logging
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import Tensor, nn

from ..core.metrics import counted_draws, draw_std, evaluate, l1_error, l2_error, mean_of_draws, predict, spread
from ..core.modes import Mode, build_mode
from ..core.nets import build_network
from ..core.paths import INFERENCE_SEED_OFFSET, inference_starts  # the offset: re-exported, where it was
from ..core.resolution import Resolution
from ..core.train import TrainingDiverged, TrainResult
from ..tasks import get_task
from ..tasks.base import Best, Final, RunResult, Task
from ..tasks.sampling import GRID_POINTS, Samples, grid_size  # GRID_POINTS: re-exported, where it was
from .config import Config
from .files import display_path, run_directory, set_aside, write_yaml
from .outputs import save_checkpoint, write_npz
from .provenance import provenance
from .record import RunRecord, TrainingSummary, write_record
from .target import target_of



@dataclass(frozen=True, kw_only=True)
class RunContext:
    """A started run: its config and folder, where it computes, its mode, task and data, and the
    setting every evaluation during and after training uses."""

    cfg: Config
    dir: Path
    device: torch.device
    mode: Mode
    task: Task
    data: Samples
    x_0: Tensor  # (K, M, D) the K inference starts at each evaluation input (evaluation.num_draws), on the device
    final_setting: tuple[str, Resolution]  # (method, resolution) of ``final`` and of the best-model tracking
    log: logging.Logger
    started: float  # time.time() at the start


def select_device(name: str, log: logging.Logger) -> torch.device:
    """``auto`` picks CUDA when present; ``cuda`` without a GPU falls back to the CPU with a warning."""
    if name == "cpu" or (name == "auto" and not torch.cuda.is_available()):
        return torch.device("cpu")
    if not torch.cuda.is_available():
        msg = "experiment.device is 'cuda' but no CUDA device is available; running on the CPU"
        log.warning(msg)
        warnings.warn(msg, RuntimeWarning, stacklevel=2)
        return torch.device("cpu")
    return torch.device("cuda")


def open_log(directory: Path) -> logging.Logger:
    """The run's logger, writing to a fresh ``directory/train.log``."""
    log = logging.getLogger(f"toyexp.run.{directory}")
    log.setLevel(logging.INFO)
    log.propagate = False
    close_log(log)
    handler = logging.FileHandler(directory / "train.log", mode="w")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    return log


def close_log(log: logging.Logger) -> None:
    for handler in list(log.handlers):
        log.removeHandler(handler)
        handler.close()


def make_dataset(cfg: Config) -> Samples:
    """The dataset of ``cfg.experiment.task`` for the run seed."""
    return get_task(cfg.experiment.task).dataset(cfg.dataset, cfg.experiment.seed)


def inference_x0(cfg: Config, num: int, dim: int) -> Tensor:
    """The x_0 used at evaluation, (K, num, D) for K = ``evaluation.num_draws``, fixed by the run
    seed so evaluations are comparable (:func:`~toyexp.core.paths.inference_starts`)."""
    return inference_starts(cfg.evaluation, cfg.experiment.seed, (num, dim))


def start_run(cfg: Config) -> RunContext:
    """Create the run folder, open train.log (with the config's notes), write config.yaml, fix
    seed, threads and device, and build the data and the evaluation's x_0."""
    directory = run_directory(cfg)
    aside = set_aside(directory, cfg.to_dict())  # a finished run of another config is kept, not replaced
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "metrics.json").unlink(missing_ok=True)  # a stale result must not outlive a rerun
    log = open_log(directory)
    if aside:
        log.warning("this folder held a finished run of another config (%s): moved it to %s", aside[1], display_path(aside[0]))
    torch.set_num_threads(cfg.experiment.num_threads)
    # Denormal Adam moments (units whose gradient stays 0) slow late steps by ~7 %; flushing
    # them left every measured metric bit-identical. Recorded in provenance.flush_denormal.
    torch.set_flush_denormal(True)
    torch.manual_seed(cfg.experiment.seed)
    device = select_device(cfg.experiment.device, log)
    write_yaml(directory / "config.yaml", cfg.to_dict())
    log.info("run %s: task %s, variant %s, mode %s, seed %d, device %s", directory, cfg.experiment.task,
             cfg.experiment.variant, cfg.experiment.mode, cfg.experiment.seed, device)
    for note in cfg.notes:  # what load_config said about the file: older names, keys without effect
        log.warning("config: %s", note)
    mode = build_mode(cfg.experiment.mode, cfg.training.mip_t_star)
    data = make_dataset(cfg)
    ev = cfg.evaluation
    return RunContext(
        cfg=cfg, dir=directory, device=device, mode=mode, task=get_task(cfg.experiment.task), data=data,
        x_0=inference_x0(cfg, len(data.c_eval), data.dim).to(device),
        final_setting=mode.final(ev.methods, ev.steps, ev.tolerances), log=log, started=time.time(),
    )


def fit(ctx: RunContext, model: nn.Module, progress: bool = True) -> TrainResult:
    """Train ``model`` on the run's data: a group of one (:func:`toyexp.run.group.fit_group`).
    The best model is tracked by eval l2 at the final setting (of the mean of the K draws, as
    every evaluation). Raises TrainingDiverged when training does."""
    from .group import Member, fit_group  # group builds on this module's steps

    (result,) = fit_group([Member(ctx, model)], progress)
    if isinstance(result, TrainingDiverged):
        raise result
    return result


def dense_grid(ctx: RunContext) -> Tensor:
    """The even grid of the figures and the error spectrum over [c_min, c_max], (G, 1): as many
    points as the evaluation set, G = num_eval, but at most :data:`~toyexp.tasks.sampling.GRID_POINTS`."""
    return ctx.data.grid(grid_size(ctx.cfg.dataset))


def evaluate_run(ctx: RunContext, model: nn.Module, trained: TrainResult) -> RunResult:
    """Evaluate the final and best models, save both checkpoints and the predictions.

    Every prediction is the mean of the K draws of ``ctx.x_0``; with K > 1, ``final`` records
    their spread and predictions.npz the std of the draws on the dense grid (``std_grid``).
    """
    ev, dev, mode, data = ctx.cfg.evaluation, ctx.device, ctx.mode, ctx.data
    method, resolution = ctx.final_setting
    c_eval, x_eval = data.c_eval.to(dev), data.x_eval.to(dev)

    evaluated = evaluate(model, mode, c_eval, x_eval, x_0=ctx.x_0,
                         settings=mode.settings(ev.methods, ev.steps, ev.tolerances))
    chosen = next(e for e in evaluated if e.evaluation.setting == ctx.final_setting)
    pred_eval = chosen.prediction.cpu()
    e = chosen.evaluation
    final = Final(method=e.method, resolution=e.resolution, nfe=e.nfe, l1=e.l1, l2=e.l2,
                  task_metrics=ctx.task.metrics(data, data.c_eval, pred_eval),
                  draws=spread(chosen.draws, x_eval))

    c_grid = dense_grid(ctx)
    x_grid = data.target(c_grid)
    draws_grid = counted_draws(model, mode, c_grid.to(dev), ctx.x_0[:, : len(c_grid)], resolution=resolution,
                               method=method)[0].cpu()  # x_0 itself when G = num_eval
    pred_grid = mean_of_draws(draws_grid)
    std_grid = draw_std(draws_grid) if len(draws_grid) > 1 else None

    final_state = {k: v.clone() for k, v in model.state_dict().items()}
    model.load_state_dict(trained.best_state)
    pred_best = predict(model, mode, c_eval, ctx.x_0, resolution=resolution, method=method)
    best = Best(trained.best_epoch, l1_error(pred_best, x_eval), l2_error(pred_best, x_eval))
    model.load_state_dict(final_state)

    save_checkpoint(ctx.dir / "checkpoints" / "final_model.pt", final_state, trained.history.epochs[-1])
    save_checkpoint(ctx.dir / "checkpoints" / "best_model.pt", trained.best_state, trained.best_epoch)
    write_npz(
        ctx.dir / "predictions.npz",
        c_train=data.c_train.numpy(), x_train=data.x_train.numpy(),
        c_eval=data.c_eval.numpy(), x_eval=data.x_eval.numpy(), pred_eval=pred_eval.numpy(),
        c_grid=c_grid.numpy(), x_grid=x_grid.numpy(), pred_grid=pred_grid.numpy(),
        **({} if std_grid is None else {"std_grid": std_grid.numpy()}),
    )
    ctx.log.info("final l1 %.6f l2 %.6f (%s, %s, NFE %d); best l2 %.6f at epoch %d",
                 e.l1, e.l2, method, resolution, e.nfe, best.l2, best.epoch)
    if final.draws is not None:
        ctx.log.info("final: mean of %d draws; one draw l2 %.6f, draw std %.6f", final.draws.k, final.draws.single_l2, final.draws.draw_std)
    return RunResult(evaluations=tuple(x.evaluation for x in evaluated), final=final, best=best, c_grid=c_grid,
                     x_grid=x_grid, pred_grid=pred_grid, std_grid=std_grid)


def finish_run(ctx: RunContext, trained: TrainResult, result: RunResult) -> RunRecord:
    """Write metrics.json (atomically, last of all files: its presence marks a complete run)."""
    exp = ctx.cfg.experiment
    history = trained.history
    record = RunRecord(
        task=exp.task, variant=exp.variant, grid_point=dict(exp.grid_point), mode=exp.mode, seed=exp.seed,
        final=result.final, best=result.best, evaluations=result.evaluations,
        training=TrainingSummary(epochs=history.epochs[-1], steps=trained.steps, seconds=trained.train_seconds,
                                 best_epoch=trained.best_epoch,
                                 eval_epochs=tuple(history.eval_epochs), eval_l2=tuple(history.eval_l2)),
        run_seconds=time.time() - ctx.started, device=str(ctx.device), num_threads=torch.get_num_threads(),
        config=ctx.cfg, target=target_of(ctx.cfg), provenance=provenance(),
    )
    write_record(ctx.dir / "metrics.json", record)
    ctx.log.info("wrote %s", ctx.dir / "metrics.json")
    close_log(ctx.log)
    return record


def run_all(cfg: Config, progress: bool = False, figures: bool = True) -> RunRecord:
    """Every step of one run, as the notebooks take them; returns the record written to metrics.json.

    The figures under ``plots/`` are drawn when ``cfg.experiment.figures`` is true, unless
    ``figures=False`` (the demo study and tests save the time).
    """
    ctx = start_run(cfg)
    model = build_network(cfg.network, ctx.data.dim).to(ctx.device)
    trained = fit(ctx, model, progress)
    result = evaluate_run(ctx, model, trained)
    if figures and cfg.experiment.figures:
        from .plots import run_figures, save_all  # matplotlib only where figures are drawn

        save_all(run_figures(ctx, trained, result), ctx.dir / "plots")
    return finish_run(ctx, trained, result)
