"""Which GP fits need the marginal-likelihood restarts (``toyexp.core.gp.GP_RESTARTS``)?

    python -m toyexp.bench.gp_restarts                          # the regimes study's datasets, 0 2 5 restarts
    python -m toyexp.bench.gp_restarts --restarts 0 2 --out restarts.json

For each dataset of a study's complete runs (task, grid point, seed: the samples the report's
GP baseline is fitted to), the shared-kernel GP of :func:`toyexp.core.gp.gp_shared` is fitted
with each number of restarts R. The optimiser's first start is the same for every R, and the
random starts of a smaller R are the first ones of a larger R (one generator seeded by the run
seed), so the log marginal likelihood of the chosen optimum never falls as R grows. Printed per
(task, noise) and for all: the datasets where R raised it over the previous R's by more than
``--tol`` (1e-6), and where it moved the posterior mean (at the evaluation inputs and the dense
grid) by more than ``--tol``, with the largest move. About 150 s on one core here for 0, 2, 5.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict

import numpy as np


def fit_lml(c_train: np.ndarray, x_train: np.ndarray, c: np.ndarray, seed: int, *,
            restarts: int) -> tuple[float, np.ndarray]:
    """The shared-kernel GP on the standardised samples (as gp_shared fits it) with ``restarts``:
    its log marginal likelihood log p(y | c) at the chosen optimum and its posterior mean (M, D) at c (M, 1)."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from threadpoolctl import threadpool_limits

    from toyexp.core.baseline_fit import inputs, sorted_samples
    from toyexp.core.gp import _model, _standardise
    from toyexp.core.metrics import training_spacing

    ct, xt = sorted_samples(c_train, x_train)
    mu, s = _standardise(xt)
    model = _model(training_spacing(ct[:, None]) if len(ct) > 1 else 1.0, seed, restarts)
    with warnings.catch_warnings(), threadpool_limits(1):
        warnings.simplefilter("ignore", ConvergenceWarning)  # fits on a bound are expected (toyexp.core.gp)
        model.fit(ct[:, None], (xt - mu) / s)
        mean = model.predict(inputs(c)[:, None]).reshape(len(c), -1)  # (M, D)
    return float(model.log_marginal_likelihood_value_), mu + s * mean


def datasets(sweep_file: str):
    """(task, dataset keys, seed, c_train, x_train, c) of each distinct dataset of the sweep's complete runs."""
    import dataclasses

    from toyexp.study.analysis import collect_sweep
    from toyexp.tasks import get_task

    collection, seen = collect_sweep(sweep_file), set()
    for task in collection.tasks():
        for run in collection.select(task):
            r = run.record
            key = json.dumps([task, r.seed, dataclasses.asdict(r.config.dataset)], sort_keys=True, default=str)
            if key in seen:
                continue
            seen.add(key)
            data = get_task(task).dataset(r.config.dataset, r.seed)
            c = np.concatenate([data.c_eval.numpy(), data.grid(r.target.grid_size).numpy()])
            yield task, r.config.dataset, r.seed, data.c_train.numpy(), data.x_train.numpy(), c


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sweep", default="params/regimes.yaml", help="the study whose complete runs' datasets are fitted")
    parser.add_argument("--restarts", type=int, nargs="+", default=[0, 2, 5], help="numbers of restarts, increasing")
    parser.add_argument("--tol", type=float, default=1e-6, help="a change of lml or prediction larger than this counts")
    parser.add_argument("--out", help="also write every dataset's numbers as JSON here")
    args = parser.parse_args(argv)
    import torch

    torch.set_num_threads(1)
    rows = []
    for task, d, seed, c_train, x_train, c in datasets(args.sweep):
        fits = [fit_lml(c_train, x_train, c, seed, restarts=r) for r in args.restarts]
        rows.append({"task": task, "num_train": d.num_train, "max_frequency": d.max_frequency, "noise": d.noise_std,
                     "seed": seed, "lml": [f[0] for f in fits],
                     "move": [float(np.max(np.abs(b[1] - a[1]))) for a, b in zip(fits, fits[1:])]})
    groups = defaultdict(list)
    for r in rows:
        groups[f"{r['task']} noise {r['noise']}"].append(r)
    groups["all"] = rows
    for i, (lo, hi) in enumerate(zip(args.restarts, args.restarts[1:])):
        print(f"{hi} restarts against {lo}:")
        for name, rs in groups.items():
            raised = sum(r["lml"][i + 1] - r["lml"][i] > args.tol for r in rs)
            moved = [r["move"][i] for r in rs if r["move"][i] > args.tol]
            print(f"  {name:24s} {len(rs):4d} datasets: lml raised in {raised:4d}, prediction moved in {len(moved):4d}"
                  + (f" (largest {max(moved):.2g})" if moved else ""))
    if args.out:
        with open(args.out, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
