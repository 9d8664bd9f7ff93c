# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: tags,-papermill,-execution
#     notebook_metadata_filter: -papermill
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Across seeds: regression and flow matching between the samples
#
# Each run of a sweep learns $x_1 = f(c)$ from a few samples, by regression or by flow
# matching (from $x_0 = 0$ or $x_0 \sim \mathcal{N}(0, I)$), for one seed. Here we gather the
# runs of each variant over their seeds and compare the variants. An error (l1, l2) is
# summarised on the log scale, as the geometric mean $g = \exp(\overline{\log v})$ over the $n$
# seeds with its 95 % interval $\exp(\overline{\log v} \pm t_{0.975,\,n-1}\, s_{\log} / \sqrt n)$; a
# task's own bounded metrics as the mean $\bar v$ with the sample standard deviation $s$ and the
# interval $\bar v \pm t_{0.975,\,n-1}\, s / \sqrt n$ (with one seed $s$ is undefined and printed as
# "—"). Next to the networks stand four classical baselines fitted to exactly the same training
# samples: piecewise-linear interpolation, a not-a-knot cubic spline, a smoothing spline and a
# Gaussian process.

# %% [markdown] tags=["notebook-only"]
# ## Parameters
#
# A sweep runs this notebook with its sweep file: then it reads exactly the runs that file plans,
# each from its own folder and only if its record is that run (same identity, same config); any
# other run under the results folder is counted and left out. Without a sweep file it reads every
# run folder under `results_dir` (a relative path starts at the folder the kernel runs in). Run as is
# (JupyterLab, nbval), it reads `notebooks/demo-results`: six tiny real runs of every task (2 seeds
# × 3 variants) committed with the notebooks, so nothing trains here and the outputs below
# do not depend on the CPU that re-executes them (`make demo-results` retrains them).

# %% tags=["remove-cell"]
from typing import Optional

# %% tags=["parameters"]
results_dir: Optional[str] = None  # read every run under it when no sweep file is given (None: the committed demo runs)
sweep_file: Optional[str] = None  # the sweep whose planned runs are read (its results_dir is theirs); shown under provenance
headline_file: Optional[str] = None  # where a sweep wants this page's headlines, for the report's abstract

# %% tags=["hide-input"]
from toyexp.run.files import resolve_path, write_text
from toyexp.study.analysis import collect, demo_folder, tables, views
from toyexp.study.sweep import load_sweep

order = load_sweep(sweep_file).tasks if sweep_file else None  # the tasks in the sweep file's order
collection = collect.collect_sweep(sweep_file) if sweep_file else collect.collect(results_dir or demo_folder())
budget = collect.collect_budget_check(sweep_file) if sweep_file and load_sweep(sweep_file).budget_check else None
if sweep_file:
    views.study_intro(sweep_file)
print(collection.overview(order))
if budget is not None:
    print(f"budget check: {len(budget.runs)} complete and {len(budget.incomplete)} incomplete runs"
          + (f"; {budget.not_run} have not run" if budget.not_run else ""))

# %% [markdown]
# Runs that started but never wrote their `metrics.json` (killed, failed, or still running) are
# left out of everything below:

# %% tags=["hide-input"]
print("\n".join(str(p.relative_to(collection.root)) for p in collection.incomplete) or "No incomplete runs.")

# %% [markdown]
# ## How we compare the variants
#
# - **Final metrics**: l1 and l2 (RMSE) on the evaluation set, for flow at the first integrator
#   and the largest step count of the run, and each task's own metrics, defined on its page of the
#   Tasks chapter (projection's subspace metrics, for instance: largest principal angle, projection
#   distance, explained variance, off-subspace share).
# - **Error between the samples**: on the even grid $c_g$ of `predictions.npz`, the RMSE of
#   the grid points binned by $u = \min_j |c_g - c_j| / h$, the distance to the nearest
#   training input in units of the training spacing $h$ ($u = 0.5$ is half-way between two
#   samples).
# - **Error spectrum**: the amplitude spectrum of $e(c) = \hat x(c) - x_1(c)$ on that grid (Hann
#   window, mean over output dimensions), in cycles per unit $c$. The target's own frequencies
#   are $\omega_k / (2\pi)$; samples $h$ apart resolve frequencies up to the Nyquist frequency
#   $1 / (2h)$, so error energy above it is structure the training set cannot see. The
#   frequency resolution is $1 / (c_{\max} - c_{\min})$, coarser than the lowest target frequencies.
#   An error within 100 times the rounding of the targets has no shape to report: its spectrum
#   and its split between and near the samples are left out.
# - **Error against cost**: l2 against the number of network evaluations (NFE) for each
#   integrator and step count a flow variant was evaluated with.
# - **Baselines**: for each seed the dataset is rebuilt from the run's config and checked against
#   the training samples the run stored; `linear` interpolates each output coordinate piecewise
#   linearly, `spline` with a not-a-knot cubic spline (both constant beyond the outermost samples),
#   `smoothing-spline` smooths it with a penalty chosen by generalised cross-validation (from 5
#   samples), and `gp` takes the posterior mean of a Gaussian process (kernel
#   $\sigma^2 \exp(-(c - c')^2 / 2\ell^2)$ plus white noise, one kernel for all output coordinates,
#   hyperparameters by maximum marginal likelihood on standardised outputs, the noise free to reach
#   the outputs' variance, the length scale $\ell$ at least half the training spacing $h$; fits that end
#   on a bound are counted). They get the same measures as the networks; the best baseline is the
#   one of lowest l2, an oracle choice that favours the baselines.
# - **Errors on the log scale**: l1 and l2 span decades (a network near $10^{-2}$, the GP near
#   $10^{-7}$), so each is the geometric mean over the seeds, $g = \exp(\overline{\log v})$, shown
#   as $g \times/\div$ the geometric std factor $\exp(s_{\log})$, with the always-positive 95 %
#   interval $\exp(\overline{\log v} \pm t_{0.975,n-1} s_{\log}/\sqrt n)$. The tasks' own metrics
#   (angles, cosines, explained variance) stay on the linear scale: mean ± std. An error below 100
#   times the rounding of its float32 targets is the arithmetic's, not the method's, and reads as
#   that floor (Methods).
# - **Paired comparisons**: two variants on the same seed share the training data and the
#   initialisation, so we compare them seed by seed: for an error on log l2,
#   $d_i = \log b_i - \log a_i$, reported as the ratio $\exp(\bar d)$ ("flow's l2 is 3.1×
#   regression's") with its 95 % $t$ interval and the paired $t$-test's p-value on $d$. A ratio
#   interval that contains 1 means these seeds cannot tell the two apart. The p-values of questions asked together (the comparisons
#   of one table, or one question at every point of a grid) are adjusted by Benjamini-Hochberg,
#   and a difference is *distinguishable* when its adjusted p-value is at most 0.05 (Methods).
# - **Mechanism** (a study with flow from $x_0 = 0$ and a grid over $N$): on the final checkpoints,
#   how much the learned velocity $v(x_t, c, t)$ changes when only $c$ is swapped along the
#   training path, its error against $x_1 - x_0$ and against the c-free field $x_t / t$, and how
#   much of the Euler prediction is the $t = 0$ output $v(0, c, 0)$ (Methods).

# %% [markdown]
# ## The tasks
#
# Every task present in the results gets the same report: the final errors with their intervals,
# the task's own metrics, the paired comparisons, bars of the final error and of the task's own
# metrics, the predictions, the error between the samples, the error against NFE, the task's own
# sections, and what we see, every number computed from the runs.

# %% tags=["hide-input"]
headlines = [views.task_report(collection, task, budget) for task in collection.tasks(order)]

# %% [markdown]
# ## Provenance
#
# What the runs recorded: git commit(s), package versions, platform and the dates they finished
# (these change from machine to machine, so nbval does not compare this cell).

# %% tags=["hide-input", "nbval-ignore-output"]
print(tables.provenance_summary(collection))
if sweep_file:
    path = resolve_path(sweep_file)
    print(f"\nsweep file {sweep_file}:\n\n" + (path.read_text() if path.is_file() else "(not found)"))

# %% tags=["remove-cell"]
if headline_file:  # one sentence per task, computed above, for the abstract that opens the report
    write_text(resolve_path(headline_file), "\n\n".join(h for h in headlines if h) + "\n")
