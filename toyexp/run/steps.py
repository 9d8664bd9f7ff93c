"""One run from config to results: the steps a notebook calls, in order.

    cfg = load_config(...)
    run = start_run(cfg)                  # output folder, log, seed, threads, device
    data = make_dataset(cfg)
    model = build_network(cfg.network, data.dim).to(run.device)
    trained = fit(run, data, model)
    results = evaluate_run(run, data, model, trained)
    ... figures saved under run.dir / "plots" ...
    metrics = finish_run(run, trained, results)   # metrics.json, written last and atomically

:func:`run` takes them all in one call.
"""

from __future__ import annotations

import json
import logging
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import Tensor, nn

from ..core.config import Config
from ..core.metrics import Evaluation, evaluate, l1_error, l2_error, predict
from ..core.modes import Mode, build_mode
from ..core.nets import build_network
from ..core.paths import sample_x0
from ..core.train import TrainResult, train
from ..tasks import Dataset, Task, get_task
from .files import provenance, resolve_path, save_checkpoint, write_json, write_npz, write_yaml

INFERENCE_SEED_OFFSET = 104729  # x_0 at inference is drawn from the run seed plus this prime
# The most points of the dense grid. It serves the figures and the error spectrum, for which
# 10 000 even points over [c_min, c_max] resolve the targets many times over: the fastest
# frequency, of the original lie config's weights (L = 8), is 113 cycles per unit c, the
# grid's Nyquist frequency ~5000. The evaluation set keeps all num_eval points.
GRID_POINTS = 10_000


@dataclass(frozen=True)
class Run:
    cfg: Config
    dir: Path
    device: torch.device
    mode: Mode
    task: Task
    log: logging.Logger
    started: float


@dataclass(frozen=True)
class RunResults:
    evaluations: list[Evaluation]  # final model, every (method, num_steps)
    final: dict  # final model at the first method and the largest num_steps, plus task metrics
    best: dict  # best model (by eval l2 during training) at the same setting
    c_grid: Tensor  # (G, 1) even grid over [c_min, c_max] (dense_grid)
    x_grid: Tensor  # (G, D) target on the grid
    pred_grid: Tensor  # (G, D) final model's prediction on the grid


def run_directory(cfg: Config) -> Path:
    """<output_dir>/<mode>/seed-<seed>, relative paths taken from the project root."""
    return resolve_path(cfg.experiment.output_dir) / cfg.experiment.mode / f"seed-{cfg.experiment.seed}"


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


def start_run(cfg: Config) -> Run:
    """Create the run folder, open train.log (with the config's notes), write config.yaml, fix seed, threads and device."""
    directory = run_directory(cfg)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "metrics.json").unlink(missing_ok=True)  # a stale result must not outlive a rerun
    log = logging.getLogger(f"toyexp.run.{directory}")
    log.setLevel(logging.INFO)
    log.propagate = False
    for handler in list(log.handlers):
        log.removeHandler(handler)
        handler.close()
    handler = logging.FileHandler(directory / "train.log", mode="w")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log.addHandler(handler)

    torch.set_num_threads(cfg.experiment.num_threads)
    # Denormal Adam moments (units whose gradient stays 0) slow late steps by ~7 %; flushing
    # them left every measured metric bit-identical. Recorded in provenance.flush_denormal.
    torch.set_flush_denormal(True)
    torch.manual_seed(cfg.experiment.seed)
    device = select_device(cfg.experiment.device, log)
    write_yaml(directory / "config.yaml", cfg.to_dict())
    log.info("run %s: task %s, mode %s, seed %d, device %s", directory, cfg.experiment.task, cfg.experiment.mode, cfg.experiment.seed, device)
    for note in cfg.notes:  # what load_config said about the file: older names, keys without effect
        log.warning("config: %s", note)
    mode = build_mode(cfg.experiment.mode, cfg.training.mip_t_star)
    return Run(cfg, directory, device, mode, get_task(cfg.experiment.task), log, time.time())


def make_dataset(cfg: Config) -> Dataset:
    """The dataset of ``cfg.experiment.task`` for the run seed."""
    return get_task(cfg.experiment.task).dataset(cfg.dataset, cfg.experiment.seed)


def dense_grid(cfg: Config, data: Dataset) -> Tensor:
    """The even grid of the figures and the error spectrum over [c_min, c_max], (G, 1): as many
    points as the evaluation set, G = num_eval, but at most :data:`GRID_POINTS`."""
    return data.grid(min(cfg.dataset.num_eval, GRID_POINTS))


def inference_x0(cfg: Config, num: int, dim: int) -> Tensor:
    """The x_0 used at evaluation, (num, D): fixed by the run seed so evaluations are comparable."""
    g = torch.Generator().manual_seed(cfg.experiment.seed + INFERENCE_SEED_OFFSET)
    return sample_x0(cfg.evaluation.initial_dist, (num, dim), g)


def fit(run: Run, data: Dataset, model: nn.Module, progress: bool = True) -> TrainResult:
    """Train ``model`` on the run's data; tracks the best model by eval l2 at the final setting."""
    ev, dev = run.cfg.evaluation, run.device
    c_eval, x_eval = data.c_eval.to(dev), data.x_eval.to(dev)
    x_0 = inference_x0(run.cfg, len(c_eval), data.dim).to(dev)

    method, steps = run.mode.final(ev.methods, ev.steps, ev.tolerances)

    def eval_l2() -> float:
        return l2_error(predict(model, run.mode, c_eval, x_0, steps, method), x_eval)

    def checkpoint(epoch: int, state: dict[str, Tensor]) -> None:
        save_checkpoint(run.dir / "checkpoints" / f"checkpoint_{epoch}.pt", state, epoch)

    generator = torch.Generator().manual_seed(run.cfg.experiment.seed)
    return train(
        model, run.mode, data.c_train.to(dev), data.x_train.to(dev), run.cfg.training, generator,
        eval_l2, run.log, checkpoint, progress, run.task.num_components(run.cfg.dataset),
    )


def evaluate_run(run: Run, data: Dataset, model: nn.Module, trained: TrainResult) -> RunResults:
    """Evaluate the final and best models, save both checkpoints and the predictions."""
    ev, dev, mode = run.cfg.evaluation, run.device, run.mode
    method, steps = mode.final(ev.methods, ev.steps, ev.tolerances)  # steps: a Tolerance when method is adaptive
    c_eval, x_eval = data.c_eval.to(dev), data.x_eval.to(dev)
    x_0 = inference_x0(run.cfg, len(c_eval), data.dim).to(dev)

    predictions: dict = {}
    evaluations = evaluate(model, mode, c_eval, x_eval, x_0, ev.methods, ev.steps, ev.tolerances, predictions)
    chosen = next(e for e in evaluations if e.setting == (method, steps))
    pred_eval = predictions[method, steps].cpu()
    final = {"l1": chosen.l1, "l2": chosen.l2, "method": method, "num_steps": chosen.num_steps, "nfe": chosen.nfe}
    if chosen.rtol is not None:  # an adaptive method: its tolerance instead of a step count
        final.update(rtol=chosen.rtol, atol=chosen.atol)
    final.update(run.task.metrics(data, data.c_eval, pred_eval))

    c_grid = dense_grid(run.cfg, data)
    x_grid = data.target(c_grid)
    pred_grid = predict(model, mode, c_grid.to(dev), x_0[: len(c_grid)], steps, method).cpu()  # x_0 itself when G = num_eval

    final_state = {k: v.clone() for k, v in model.state_dict().items()}
    model.load_state_dict(trained.best_state)
    pred_best = predict(model, mode, c_eval, x_0, steps, method)
    best = {"epoch": trained.best_epoch, "l1": l1_error(pred_best, x_eval), "l2": l2_error(pred_best, x_eval)}
    model.load_state_dict(final_state)

    save_checkpoint(run.dir / "checkpoints" / "final_model.pt", final_state, run.cfg.training.num_epochs)
    save_checkpoint(run.dir / "checkpoints" / "best_model.pt", trained.best_state, trained.best_epoch)
    write_npz(
        run.dir / "predictions.npz",
        c_train=data.c_train.numpy(), x_train=data.x_train.numpy(),
        c_eval=data.c_eval.numpy(), x_eval=data.x_eval.numpy(), pred_eval=pred_eval.numpy(),
        c_grid=c_grid.numpy(), x_grid=x_grid.numpy(), pred_grid=pred_grid.numpy(),
    )
    run.log.info("final l1 %.6f l2 %.6f (%s, %s, NFE %d); best l2 %.6f at epoch %d",
                 chosen.l1, chosen.l2, method, steps, chosen.nfe, best["l2"], best["epoch"])
    return RunResults(evaluations, final, best, c_grid, x_grid, pred_grid)


def finish_run(run: Run, trained: TrainResult, results: RunResults) -> dict:
    """Write metrics.json (atomically, last of all files: its presence marks a complete run)."""
    cfg = run.cfg
    metrics = {
        "task": cfg.experiment.task,
        "name": cfg.experiment.name,
        "mode": cfg.experiment.mode,
        "seed": cfg.experiment.seed,
        "final": results.final,
        "best": results.best,
        "evaluations": [e.to_dict() for e in results.evaluations],
        "best_epoch": trained.best_epoch,
        "train_seconds": trained.train_seconds,
        "train_steps": trained.steps,
        "run_seconds": time.time() - run.started,
        "history": {"eval_epochs": trained.history.eval_epochs, "eval_l2": trained.history.eval_l2},
        "device": str(run.device),
        "num_threads": torch.get_num_threads(),
        "config": cfg.to_dict(),
        "provenance": provenance(),
    }
    write_json(run.dir / "metrics.json", metrics)
    run.log.info("wrote %s", run.dir / "metrics.json")
    for handler in list(run.log.handlers):
        run.log.removeHandler(handler)
        handler.close()
    return metrics


def load_metrics(path: Path) -> dict:
    """Read a metrics.json (written atomically, so it is either complete or absent)."""
    return json.loads(Path(path).read_text())


def load_predictions(run_dir: Path, keys: tuple[str, ...] | None = None) -> dict[str, np.ndarray]:
    """The arrays of a run's predictions.npz; with ``keys``, only those are read (a KeyError names
    a missing one), so the evaluation set's num_eval rows stay on disk when only the grid is needed."""
    with np.load(Path(run_dir) / "predictions.npz") as z:
        return dict(z) if keys is None else {k: z[k] for k in keys}


def run(cfg: Config, progress: bool = False, figures: bool = True) -> dict:
    """Every step of one run, as the notebooks take them; returns the metrics written to metrics.json.

    ``figures=False`` skips the figures under ``plots/`` (the demo study and tests save the time).
    """
    from .plots import run_figures, save  # matplotlib only where figures are drawn

    started = start_run(cfg)
    data = make_dataset(cfg)
    model = build_network(cfg.network, data.dim).to(started.device)
    trained = fit(started, data, model, progress)
    results = evaluate_run(started, data, model, trained)
    if figures:
        import matplotlib.pyplot as plt

        for name, fig in run_figures(started, data, trained, results).items():
            save(fig, started.dir / "plots" / f"{name}.png")
            plt.close(fig)
    return finish_run(started, trained, results)
