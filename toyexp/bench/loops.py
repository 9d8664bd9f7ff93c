"""Training cost per step: toyexp's loop against two reference loops written here on the same loss.

The references are the common DataLoader loop (shuffle, default torch threads) and a lean
loop (randperm indexing, one thread), both with torch.optim.Adam(foreach=True): the faster
of torch's two unfused CPU forms (the CPU default loops over the parameters in Python).
All three start from the same weights and are timed on CPU (process_time) and wall
(perf_counter) clocks.
"""

from __future__ import annotations

import contextlib
import logging
import statistics
import time
from dataclasses import dataclass, replace
from typing import Callable, Iterator

import torch
from torch import Tensor, nn

from ..core.modes import build_mode
from ..core.nets import build_network
from ..core.paths import LOSSES
from ..core.train import train
from ..run.config import Config, load_config
from ..run.steps import make_dataset

DEFAULT_THREADS = torch.get_num_threads()  # recorded at import, before any run sets its own count


@dataclass(frozen=True, kw_only=True)
class StepCost:
    mode: str
    loop: str  # "toyexp", "lean" or "dataloader"
    threads: int
    cpu: float  # CPU seconds per step (time.process_time, every thread), median of the repeats
    wall: float  # wall seconds per step (time.perf_counter), median of the repeats



@contextlib.contextmanager
def torch_threads(n: int) -> Iterator[None]:
    """Run with ``n`` torch threads, then give back the count found."""
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def seed_model(cfg: Config) -> nn.Module:
    torch.manual_seed(cfg.experiment.seed)  # every loop starts from the same weights
    return build_network(cfg.network, cfg.dataset.target_dim)


def reference_loss(model: nn.Module, mode: str, c: Tensor, x_1: Tensor, *, x_0: Tensor) -> Tensor:
    """The seed-default losses, written out: c (B, 1), x_0, x_1 (B, D).

    regression: |net(0, c, 0) - f(c)|^2;  flow: |net(x_t, c, t) - (x_1 - x_0)|^2 with
    x_t = (1 - t) x_0 + t x_1, t ~ U[0, 1].
    """
    if mode == "regression":
        return ((model(torch.zeros_like(x_1), c, torch.zeros(len(c), 1)) - x_1) ** 2).mean()
    t = torch.rand(len(c), 1)  # (B, 1)
    return ((model((1 - t) * x_0 + t * x_1, c, t) - (x_1 - x_0)) ** 2).mean()


def reference_loop(cfg: Config, batches: Iterator[tuple[Tensor, Tensor]]) -> Callable[[int], int]:
    """``run(steps) -> steps`` of torch.optim.Adam on ``batches`` of (c, x_1).

    Each call starts a new optimizer on the model trained so far, as each call of
    toyexp's loop does: both are timed from the same kind of optimizer state (denormal
    moments, which slow Adam down, build up only over thousands of steps).
    """
    model = seed_model(cfg)
    zeros = cfg.training.initial_dist == "zeros"

    def run(steps: int) -> int:
        opt = torch.optim.Adam(model.parameters(), lr=cfg.training.learning_rate, foreach=True)
        for _, (c, x_1) in zip(range(steps), batches):
            x_0 = torch.zeros_like(x_1) if zeros else torch.randn_like(x_1)
            loss = reference_loss(model, cfg.experiment.mode, c, x_1, x_0=x_0)
            opt.zero_grad()
            loss.backward()
            opt.step()
        return steps

    return run


def lean_batches(c: Tensor, x_1: Tensor, batch_size: int) -> Iterator[tuple[Tensor, Tensor]]:
    """Epoch after epoch of minibatches indexed directly through a randperm."""
    while True:
        perm = torch.randperm(len(c))
        for i in range(0, len(c), batch_size):
            idx = perm[i : i + batch_size]
            yield c[idx], x_1[idx]


def dataloader_batches(c: Tensor, x_1: Tensor, batch_size: int) -> Iterator[tuple[Tensor, Tensor]]:
    """Epoch after epoch of the common TensorDataset + DataLoader(shuffle=True)."""
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(c, x_1), batch_size=batch_size, shuffle=True)
    while True:
        yield from loader


def toyexp_loop(cfg: Config, c: Tensor, x_1: Tensor) -> Callable[[int], int]:
    """``run(steps) -> steps taken`` of toyexp.train.train (a new optimizer each call), with no
    evaluation, logging or checkpoint."""
    model, mode = seed_model(cfg), build_mode(cfg.experiment.mode, cfg.training.mip_t_star)
    generator = torch.Generator().manual_seed(cfg.experiment.seed)
    log = logging.getLogger("toyexp.bench")
    log.disabled = True
    per_epoch = -(-len(c) // cfg.training.batch_size)

    def run(steps: int) -> int:
        epochs = -(-steps // per_epoch)
        beyond = epochs + 1  # intervals past the run: only the final, stub evaluation happens
        training = replace(cfg.training, num_epochs=epochs, log_interval=beyond, eval_interval=beyond, save_interval=beyond)
        return train(model, mode, c, x_1, cfg=training, ell=LOSSES[training.loss_type], generator=generator,
                     eval_l2=lambda: 0.0, log=log, progress=False).steps

    return run


def timed(run: Callable[[int], int], steps: int, threads: int) -> tuple[float, float]:
    """(CPU seconds, wall seconds) per step of one ``run(steps)`` on ``threads`` torch threads."""
    with torch_threads(threads):
        time.sleep(0.05)  # off the clock: the OpenMP workers of the previous loop stop spinning on the CPU
        cpu, wall = time.process_time(), time.perf_counter()
        taken = run(steps)
        return (time.process_time() - cpu) / taken, (time.perf_counter() - wall) / taken


def training_costs(mode: str, steps: int, repeats: int) -> list[StepCost]:
    """Our loop and the two references on the seed-default problem, repeats interleaved so
    that a burst of load on a shared machine hits all three alike; warm-up excluded."""
    cfg = load_config("recon", mode=mode)
    data = make_dataset(cfg)
    c, x_1, batch = data.c_train, data.x_train, cfg.training.batch_size
    torch.manual_seed(cfg.experiment.seed)  # the DataLoader and t ~ U[0, 1] draw from the global RNG
    loops = {
        "toyexp": (toyexp_loop(cfg, c, x_1), cfg.experiment.num_threads),
        "lean": (reference_loop(cfg, lean_batches(c, x_1, batch)), 1),
        "dataloader": (reference_loop(cfg, dataloader_batches(c, x_1, batch)), DEFAULT_THREADS),
    }
    for run, threads in loops.values():
        timed(run, max(steps // 5, 10), threads)  # warm-up: allocations, kernels, lazy imports
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in loops}
    for _ in range(repeats):
        for name, (run, threads) in loops.items():
            samples[name].append(timed(run, steps, threads))
    return [
        StepCost(mode=mode, loop=name, threads=threads, cpu=statistics.median(s[0] for s in samples[name]),
                 wall=statistics.median(s[1] for s in samples[name]))
        for name, (_, threads) in loops.items()
    ]


# 2. One notebook run, by phase ----------------------------------------------------------
