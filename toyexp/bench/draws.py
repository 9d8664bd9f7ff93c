"""What averaging K integrated draws of x_0 ~ N(0, I) buys, and what it costs (``evaluation.num_draws``).

    python -m toyexp.bench.draws                      # recon and projection, N 27 and 200, noise 0 and 0.2
    python -m toyexp.bench.draws --tasks recon --num-train 27 --noise 0.2 --draws 1 4 16 64

Each case is a regimes-study run of the ``flow-gaussian`` variant (the study's overrides, read
from params/regimes.yaml, at ``dataset.max_frequency`` 4), trained once; its final model is then
evaluated as a run evaluates it (:func:`toyexp.evaluate_run`: every setting on the evaluation
set, the dense grid, the best model) with the first K draws of one set of draws for each K, so
the draws of a smaller K are among those of a larger one. Printed per case and K: the l2 of the
mean, the l2 of draw 0 alone, the RMS std of single draws, the evaluation's wall seconds, and
the change of the mean's l2 from the next smaller K, relative to it. One torch thread.

The rule for the study's K: the smallest K whose mean's l2 is within ``--within`` (5 %) of the
l2 at every larger K measured, in every case.
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
import time
from pathlib import Path

import torch
import yaml

VARIANT = ["experiment.mode=flow", "training.initial_dist=gaussian", "evaluation.initial_dist=gaussian"]


def regimes_overrides() -> list[str]:
    """The regimes study's overrides for every run (the package's params/regimes.yaml, from any folder)."""
    from toyexp.study.sweep import study_file

    return list(yaml.safe_load(study_file("regimes").read_text())["overrides"])


def measure(task: str, num_train: int, noise: float, draws: list[int], *, folder: Path) -> list[dict]:
    """Train one case, then evaluate its final model with each K of ``draws``: one dict per K."""
    import toyexp
    from toyexp.run.steps import close_log, inference_x0

    cfg = toyexp.load_config(task, seed=42, overrides=[
        *regimes_overrides(), *VARIANT, f"dataset.num_train={num_train}", "dataset.max_frequency=4",
        f"dataset.noise_std={noise}", f"experiment.output_dir={folder}", "experiment.num_threads=1"])
    ctx = toyexp.start_run(cfg)
    model = toyexp.build_network(cfg.network, ctx.data.dim)
    trained = toyexp.fit(ctx, model, progress=False)
    largest = dataclasses.replace(cfg, evaluation=dataclasses.replace(cfg.evaluation, num_draws=max(draws)))
    x_0 = inference_x0(largest, len(ctx.data.c_eval), ctx.data.dim)  # (K_max, M, D); K's draws are its first K
    rows = []
    for k in draws:
        start = time.perf_counter()
        final = toyexp.evaluate_run(dataclasses.replace(ctx, x_0=x_0[:k]), model, trained).final
        seconds = time.perf_counter() - start
        rows.append({"k": k, "l2": final.l2, "single_l2": final.draws.single_l2 if final.draws else final.l2,
                     "draw_std": final.draws.draw_std if final.draws else float("nan"), "seconds": seconds})
    close_log(ctx.log)
    return rows


def smallest_stable(cases: dict, within: float) -> int:
    """The smallest K whose l2 every case keeps, within ``within`` of itself, at every larger K."""
    ks = [r["k"] for r in next(iter(cases.values()))]
    for i, k in enumerate(ks):
        if all(abs(later["l2"] - rows[i]["l2"]) < within * rows[i]["l2"] for rows in cases.values() for later in rows[i + 1:]):
            return k
    return ks[-1]


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--tasks", nargs="+", default=["recon", "projection"])
    p.add_argument("--num-train", nargs="+", type=int, default=[27, 200])
    p.add_argument("--noise", nargs="+", type=float, default=[0.0, 0.2])
    p.add_argument("--draws", nargs="+", type=int, default=[1, 4, 16, 64])
    p.add_argument("--within", type=float, default=0.05)
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    draws = sorted(set(args.draws))
    cases = {}
    print(f"{'task':<11}{'N':>4}{'noise':>6}{'K':>4}{'l2 mean':>10}{'l2 draw 0':>11}{'draw std':>10}{'change':>8}{'eval s':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        for task in args.tasks:
            for n in args.num_train:
                for noise in args.noise:
                    rows = cases[task, n, noise] = measure(task, n, noise, draws,
                                                           folder=Path(tmp) / f"{task}-{n}-{noise}")
                    for prev, r in zip([None, *rows], rows):
                        change = "" if prev is None else f"{(r['l2'] - prev['l2']) / prev['l2']:+.1%}"
                        print(f"{task:<11}{n:>4}{noise:>6}{r['k']:>4}{r['l2']:>10.4f}{r['single_l2']:>11.4f}"
                              f"{r['draw_std']:>10.4f}{change:>8}{r['seconds']:>8.2f}", flush=True)
    print(f"smallest K whose l2 stays within {args.within:.0%} at every larger K, in every case: {smallest_stable(cases, args.within)}")


if __name__ == "__main__":
    main()
