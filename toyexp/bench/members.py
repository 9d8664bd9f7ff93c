"""``toyexp bench --members E``: the training CPU of a group of E seeds trained together
(:mod:`toyexp.run.group`) against the same E seeds trained one after another, as a ratio
measured in one process. Issue 24's target: at most 0.55 per member.

Each case is a run of the regimes study's set-up (a 128 x 3 MLP, batches of 32, the cosine
rate), repeated with the lone and the grouped training interleaved so that a machine's drift
hits both; the ratio of the medians is reported. Only the training loop is timed (its
evaluation every ``eval_interval`` epochs included): the runs' folders, data and evaluation
after training cost the same either way.
"""

from __future__ import annotations

import statistics
import tempfile
import time

import torch

from ..run.config import load_config
from ..run.group import fit_group, start_group
from ..run.steps import close_log

CASES = {  # name -> (task, overrides of the regimes study's set-up)
    "recon flow, N = 200": ("recon", ["experiment.mode=flow", "dataset.num_train=200"]),
    "projection regression, N = 200": ("projection", ["experiment.mode=regression", "dataset.num_train=200"]),
    "recon mip, N = 4": ("recon", ["experiment.mode=mip", "dataset.num_train=4"]),
}
SETUP = ["network.architecture=concat", "network.hidden_dim=128", "network.num_layers=3", "training.batch_size=32",
         "training.learning_rate=0.01", "training.lr_schedule=cosine", "training.eval_interval=500", "training.save_interval=100000",
         "dataset.sampling_strategy=grid", "dataset.num_eval=1000", "evaluation.num_eval_steps=16",
         "evaluation.integration_method=euler", "experiment.figures=false"]


def training_cpu(task: str, overrides: list[str], seeds: list[int], *, together: bool, folder: str) -> float:
    """CPU seconds of training ``seeds``: as one group, or one lone run after another."""
    cfg = load_config(task, overrides=[*overrides, f"experiment.output_dir={folder}"])
    total = 0.0
    for group in ([seeds] if together else [[s] for s in seeds]):
        members = start_group(cfg, group)
        start = time.process_time()
        fit_group(members, progress=False)
        total += time.process_time() - start
        for m in members:
            close_log(m.ctx.log)
    return total


def member_ratios(members: int, steps: int, repeats: int) -> list[tuple[str, float, float, float]]:
    """(case, lone CPU-s, grouped CPU-s, ratio of the medians) per case."""
    torch.set_num_threads(1)
    seeds = list(range(42, 42 + members))
    out = []
    with tempfile.TemporaryDirectory() as folder:
        for name, (task, case) in CASES.items():
            overrides = [*SETUP, *case, f"training.num_steps={steps}"]
            lone, grouped = [], []
            for _ in range(repeats):
                lone.append(training_cpu(task, overrides, seeds, together=False, folder=folder))
                grouped.append(training_cpu(task, overrides, seeds, together=True, folder=folder))
            a, b = statistics.median(lone), statistics.median(grouped)
            out.append((name, a, b, b / a))
    return out


def members_report(members: int, steps: int, repeats: int) -> str:
    rows = member_ratios(members, steps, repeats)
    lines = [f"training CPU of {members} seeds, {steps} steps each, median of {repeats} interleaved repeats (target: ratio <= 0.55)",
             f"{'case':<32} {'one by one':>11} {'together':>9} {'ratio':>6}"]
    lines += [f"{name:<32} {a:>10.2f}s {b:>8.2f}s {r:>6.3f}" for name, a, b, r in rows]
    return "\n".join(lines)


if __name__ == "__main__":
    print(members_report(5, 1000, 3))
