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
# runs of each variant over their seeds and compare the variants: every number is a mean
# $\bar v = \frac1n \sum_i v_i$ over the $n$ seeds with the sample standard deviation
# $s = \sqrt{\sum_i (v_i - \bar v)^2 / (n - 1)}$ (error bars and bands are $\pm 1\,s$; with one seed
# $s$ is undefined and printed as "—").

# %% [markdown]
# ## Parameters
#
# `results_dir` is the sweep's folder, `<results_dir>/<experiment>/<variant>/<mode>/seed-<seed>/`
# (relative paths start at the project root). Run as is (JupyterLab, nbval), `demo` first writes
# eighteen tiny deterministic runs (2 seeds × 3 variants × 3 experiments, a few seconds on a CPU)
# into `outputs/demo-sweep`, so the committed outputs are reproducible; a sweep runs this
# notebook with `demo: false` and its own `results_dir`.

# %%
from typing import Optional

# %% tags=["parameters"]
results_dir: str = "outputs/demo-sweep"  # the sweep's results folder
sweep_file: Optional[str] = None  # the sweep file that produced results_dir, shown under provenance
demo: bool = True  # write the tiny demo runs into results_dir first (refuses a folder of real results)

# %% tags=["hide-input"]
from toyexp import analysis, interpret
from toyexp import analysis_views as views
from toyexp import demo as demo_results
from toyexp.outputs import resolve_path

if not isinstance(demo, bool):  # papermill's `-p demo false` passes the string "false"
    raise TypeError(f"demo must be True or False (`-p demo False` or `-y 'demo: false'`), got {demo!r}")
if demo:
    demo_results.ensure_demo_results(results_dir)
collection = analysis.collect(results_dir)
print(f"{len(collection.runs)} complete and {len(collection.incomplete)} incomplete runs under {results_dir}")
for exp in collection.experiments():
    for variant in collection.variants(exp):
        print(f"  {exp} · {variant}: seeds {[r.seed for r in collection.select(exp, variant)]}")

# %% [markdown]
# Runs that started but never wrote their `metrics.json` (killed, failed, or still running) are
# left out of everything below:

# %% tags=["hide-input"]
print("\n".join(str(p.relative_to(collection.root)) for p in collection.incomplete) or "No incomplete runs.")

# %% [markdown]
# ## How we compare the variants
#
# - **Final metrics**: l1 and l2 (RMSE) on the evaluation set, for flow at the first integrator
#   and the largest step count of the run; for projection also the subspace metrics (largest
#   principal angle, projection distance, explained variance, off-subspace share; see Methods) and
#   for the rotations the cosine and projection error of each component to its true direction.
# - **Error between the samples**: on the even grid $c_g$ of `predictions.npz`, the RMSE of
#   the grid points binned by $u = \min_j |c_g - c_j| / h$, the distance to the nearest
#   training input in units of the training spacing $h$ ($u = 0.5$ is half-way between two
#   samples).
# - **Error spectrum**: the amplitude spectrum of $e(c) = \hat x(c) - x_1(c)$ on that grid (Hann
#   window, mean over output dimensions), in cycles per unit $c$. The target's own frequencies
#   are $\omega_k / (2\pi)$; samples $h$ apart resolve frequencies up to the Nyquist frequency
#   $1 / (2h)$, so error energy above it is structure the training set cannot see. The
#   frequency resolution is $1 / (c_{\max} - c_{\min})$, coarser than the lowest target frequencies.
# - **Error against cost**: l2 against the number of network evaluations (NFE) for each
#   integrator and step count a flow variant was evaluated with.

# %% [markdown]
# ## Reconstruction
#
# The scalar target $f(c) = \sum_k w_k \,\mathrm{trig}_k(\omega_k c + \phi_k)$.

# %% tags=["hide-input"]
rows = views.summary(collection, "recon")

# %% tags=["hide-input"]
views.metrics(rows, "recon")

# %% [markdown]
# Predictions on the dense grid: the mean over seeds with a $\pm 1\,s$ band, against the target
# and the training samples.

# %% tags=["hide-input"]
views.predictions(collection, rows, "recon")

# %% [markdown]
# Between the samples: the error against the distance to the nearest training input, and its spectrum.

# %% tags=["hide-input"]
views.between(collection, rows, "recon")

# %% tags=["hide-input"]
views.cost(collection, rows, "recon")

# %% [markdown]
# ### What we see

# %% tags=["hide-input"]
print(interpret.interpretation(collection, "recon"))

# %% [markdown]
# ## Projection
#
# The 8-dimensional target $g(c) = P f(c)$ on a rank-2 subspace: besides the error, does each
# variant find the subspace and stay on it?

# %% tags=["hide-input"]
rows = views.summary(collection, "projection")

# %% tags=["hide-input"]
views.metrics(rows, "projection", {"subspace": ()})

# %% [markdown]
# Predictions of the first two output dimensions, mean $\pm 1\,s$ over seeds.

# %% tags=["hide-input"]
views.predictions(collection, rows, "projection")

# %% tags=["hide-input"]
views.between(collection, rows, "projection")

# %% tags=["hide-input"]
views.cost(collection, rows, "projection")

# %% [markdown]
# ### What we see

# %% tags=["hide-input"]
print(interpret.interpretation(collection, "projection"))

# %% [markdown]
# ## Rotations
#
# $K$ components $f_i(c) = w_i(c) \exp(\alpha_i c A)\, e_1$ turning at velocities $\alpha_i$: besides the
# error, how well does each variant keep every component on its true direction, and does that get
# worse for the faster rotations?

# %% tags=["hide-input"]
rows = views.summary(collection, "lie")

# %% tags=["hide-input"]
views.metrics(rows, "lie", {"directions": ("cosine_mean", "cosine_min", "projection_mean", "projection_max")})

# %% [markdown]
# Per velocity $\alpha_i$: the cosine between each predicted component and its true direction, and the
# share of the component off the true line, mean (and minimum or maximum) over the evaluation points,
# then mean $\pm 1\,s$ over seeds.

# %% tags=["hide-input"]
views.velocities(collection, rows, "lie")

# %% [markdown]
# Predictions of the first two output dimensions (the slowest component), mean $\pm 1\,s$ over seeds.

# %% tags=["hide-input"]
views.predictions(collection, rows, "lie")

# %% [markdown]
# The error against the distance to the nearest training input (the prime-frequency markers of the
# error spectrum do not apply to rotations, so it is left out here).

# %% tags=["hide-input"]
views.between(collection, rows, "lie", spectrum=False)

# %% tags=["hide-input"]
views.cost(collection, rows, "lie")

# %% [markdown]
# ### What we see

# %% tags=["hide-input"]
print(interpret.interpretation(collection, "lie"))

# %% [markdown]
# ## Provenance
#
# What the runs recorded: git commit(s), package versions, platform and the dates they finished
# (these change from machine to machine, so nbval does not compare this cell).

# %% tags=["hide-input"]
# NBVAL_IGNORE_OUTPUT
print(analysis.provenance_summary(collection))
if sweep_file:
    path = resolve_path(sweep_file)
    print(f"\nsweep file {sweep_file}:\n\n" + (path.read_text() if path.is_file() else "(not found)"))
