"""What a large ``dataset.num_eval`` costs one run and its analysis: time, peak memory, predictions.npz.

    python -m toyexp.bench.num_eval                       # recon and lie, num_eval 1000 and 100000, 3 repeats
    python -m toyexp.bench.num_eval --tasks lie --num-eval 1000 100000 --repeats 5

Each (task, num_eval) runs in a child python of its own, so that its peak resident memory is its
own; the children run one at a time, interleaved (every setting once, then again), so that load
from other processes on a shared machine falls on all settings alike. Training is tiny (2 epochs
of a flow model, evaluated with euler and rk4 at 1 and 4 steps); what is timed is what reads the
evaluation set or the dense grid: building the data, the evaluation inside training, evaluate_run
(every integrator setting on the evaluation set, the dense grid, the best model,
predictions.npz), the run's figures, and the analysis of the run (collect, the classical
baselines, the error between the samples: ``study.analysis.results.task_results``). Peak RSS is taken
after the run and again after the analysis. Medians over the repeats, and the ratio of each
num_eval to the first.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = """
import json, resource, sys, time
import matplotlib
matplotlib.use("Agg")
import toyexp
from toyexp.run import plots
from toyexp.study.analysis.collect import collect
from toyexp.study.analysis import task_results
rss = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
task, num_eval, folder = sys.argv[1], int(sys.argv[2]), sys.argv[3]
cfg = toyexp.load_config(task, mode="flow", overrides=[  # a run folder <folder>/<task>/<variant>/seed-<seed>
    f"dataset.num_eval={num_eval}", f"experiment.output_dir={folder}/{task}", "training.num_epochs=2",
    "evaluation.num_eval_steps=[1,4]", "evaluation.integration_method=[euler,rk4]"])
t0 = time.perf_counter()
ctx = toyexp.start_run(cfg)  # the data and the evaluation set with it
t1 = time.perf_counter()
model = toyexp.build_network(cfg.network, ctx.data.dim)
trained = toyexp.fit(ctx, model, progress=False)
t2 = time.perf_counter()
result = toyexp.evaluate_run(ctx, model, trained)
t3 = time.perf_counter()
plots.save_all(plots.run_figures(ctx, trained, result), ctx.dir / "plots")
t4 = time.perf_counter()
toyexp.finish_run(ctx, trained, result)
run_rss = rss()
t5 = time.perf_counter()
assert task_results(collect(folder), task, {}) is not None
t6 = time.perf_counter()
print(json.dumps({"data_s": t1 - t0, "fit_s": t2 - t1, "evaluate_s": t3 - t2, "figures_s": t4 - t3, "analysis_s": t6 - t5,
                  "run_rss_mb": run_rss, "peak_rss_mb": rss(), "npz_mb": (ctx.dir / "predictions.npz").stat().st_size / 1e6,
                  "grid_points": len(result.c_grid)}))
"""

COLUMNS = ("data_s", "fit_s", "evaluate_s", "figures_s", "analysis_s", "run_rss_mb", "peak_rss_mb", "npz_mb", "grid_points")


def measure(task: str, num_eval: int, folder: Path) -> dict:
    """One child run and its analysis: timings, peak RSS and the size of predictions.npz."""
    child = subprocess.run([sys.executable, "-c", CHILD, task, str(num_eval), str(folder)],
                           capture_output=True, text=True)
    if child.returncode != 0:
        raise RuntimeError(f"{task} num_eval={num_eval} failed: {child.stderr.strip()[-2000:]}")
    return json.loads(child.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--tasks", nargs="+", default=["recon", "lie"])
    p.add_argument("--num-eval", nargs="+", type=int, default=[1000, 100_000])
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args(argv)
    samples: dict[tuple[str, int], list[dict]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.repeats):
            for task in args.tasks:
                for n in args.num_eval:
                    samples.setdefault((task, n), []).append(measure(task, n, Path(tmp) / f"{task}-{n}-{r}"))
    print(f"medians over {args.repeats} interleaved repeats (ratio to num_eval={args.num_eval[0]} in brackets)")
    print(f"{'task':<8}{'num_eval':>9}" + "".join(f"{c:>20}" for c in COLUMNS))
    for task in args.tasks:
        base = {c: statistics.median(s[c] for s in samples[task, args.num_eval[0]]) for c in COLUMNS}
        for n in args.num_eval:
            med = {c: statistics.median(s[c] for s in samples[task, n]) for c in COLUMNS}
            cells = "".join(f"{med[c]:>11.3g} {f'({med[c] / base[c]:.2f}x)':>8}" for c in COLUMNS)
            print(f"{task:<8}{n:>9}{cells}")


if __name__ == "__main__":
    main()
