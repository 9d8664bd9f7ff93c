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
# # Projection: an 8-dimensional target on a 2-dimensional subspace
#
# The target is $g(c) = P f(c) \in \mathbb{R}^D$, where $f$ is the sum of sinusoids of the
# reconstruction experiment with `dataset.target_dim` outputs and $P = A (A^\top A)^{-1} A^\top$ is
# an orthogonal projection of rank $k$ = `dataset.low_dim`, built from a Gaussian $A$ seeded by
# `dataset.proj_seed`. With `dataset.num_intervals` $= m > 1$, $[c_{\min}, c_{\max}]$ is cut into
# $m$ equal intervals, interval $i$ with its own projection from seed `proj_seed + i`.
#
# Regression predicts $\hat g = \mathrm{net}(0, c, 0)$; flow matching learns $v(x_t, c, t)$ on
# $x_t = (1 - t)\,x_0 + t\,x_1$ and integrates it. Neither is told that the outputs live on a
# $k$-dimensional subspace: do they find it, and stay on it between the samples?

# %% [markdown]
# ## Parameters
#
# As in the reconstruction notebook: five sections (empty = package defaults), `mode`, `seed`
# and dotted `overrides`. Run as is, a quick preset that trains flow matching; run by papermill with any parameter, the
# package defaults (`target_dim` 8, `low_dim` 2).
#
# Below: the settings of this run that differ from the task's package defaults, then the whole
# resolved config (the run folder's `config.yaml`).

# %% tags=["remove-cell"]
from typing import Optional

# %% tags=["parameters", "remove-cell"]
experiment: dict = {}  # variant, task, mode, seed, device, output_dir, num_threads, figures
dataset: dict = {}  # target_dim, low_dim, proj_seed, num_intervals, num_train, num_components, ...
network: dict = {}  # architecture, hidden_dim, num_layers, activation
training: dict = {}  # batch_size, num_epochs, learning_rate, initial_dist, loss_type, ...
evaluation: dict = {}  # num_eval_steps, integration_method, initial_dist
mode: Optional[str] = None  # regression, flow, straight_flow, mip or mip_one_step; None keeps experiment.mode
seed: Optional[int] = None  # None keeps experiment.seed
seeds: Optional[list] = None  # several seeds trained together, a run folder each (a sweep's group); None: the one run of `seed`
overrides: list = []  # dotted overrides, applied last

# %%
from IPython.display import Markdown

import toyexp
from toyexp.run import plots
from toyexp.run.text import config_changes, describe_group, evaluation_tables, seed_heading, training_summary

cfg = toyexp.config_from_parameters("projection", experiment=experiment, dataset=dataset, network=network, training=training,
                                    evaluation=evaluation, mode=mode, seed=seed, overrides=overrides)
Markdown(config_changes(cfg))

# %% tags=["hide-output"]
print(cfg.to_yaml())  # the whole config, as the run folder's config.yaml records it

# %% [markdown]
# ## Data

# %%
members = toyexp.start_group(cfg, seeds)  # per seed: the run folder, its log, seed, device, data and network
for ctx in (m.ctx for m in members):
    if seed_heading(ctx, members):
        print(f"\n{seed_heading(ctx, members)}")
    data = ctx.data
    d = cfg.dataset
    print(f"run folder: {toyexp.run.display_path(ctx.dir)}")
    print(f"{len(data.c_train)} training and {len(data.c_eval)} evaluation points; D = {d.target_dim}, k = {d.low_dim}, {d.num_intervals} interval(s)")
    for i, P in enumerate(data.projections):
        print(f"P_{i}: rank {int(round(P.trace().item()))}, ‖P² − P‖ = {(P @ P - P).norm():.1e}, ‖P − Pᵀ‖ = {(P - P.T).norm():.1e}")

# %% [markdown]
# ## Training

# %% tags=["nbval-ignore-output"]
trained = toyexp.fit_group(members)  # several seeds: their networks stacked and trained as one, each on its own data
print(training_summary(members, trained))

# %% [markdown]
# ## Evaluation
#
# Besides l1 and l2 (mean absolute and root mean squared error over points and dimensions),
# with $Q$ the true basis, $P = QQ^\top$, and $\hat Q$ the top-$k$ right singular vectors of the
# **uncentred** predictions $\hat X$ (the true outputs lie in a subspace through the origin):
#
# - largest **principal angle** between $\mathrm{span}(Q)$ and $\mathrm{span}(\hat Q)$,
#   $\theta_j = \arccos \sigma_j(Q^\top \hat Q)$, in degrees, and the **projection distance**
#   $\|P - \hat P\|_F / \sqrt{2k}$;
# - **explained variance**: the fraction $\|\hat X P\|_F^2 / \|\hat X\|_F^2$ of the predictions'
#   energy in the true subspace, and $\sum_{j \le k}\sigma_j^2 / \sum_j \sigma_j^2$ captured by
#   their own top $k$ components;
# - **off-subspace** energy $\frac1M \sum_i \|(I - P)\hat g_i\| / \|\hat g_i\|$.
#
# With $m > 1$ intervals these are computed per interval (the headline is their mean), and at
# each boundary $c_j$, over the points within $\pm 0.03$ of it, we report the fraction of
# $\hat g$ and of $\hat g - g$ outside the span of the two neighbouring subspaces.

# %%
results = toyexp.evaluate_group(members, trained)
print(evaluation_tables(members, results, task_metrics=True))

# %% [markdown]
# ## Figures

# %%
if cfg.experiment.figures:  # false in a large study, whose report draws its own
    for member, t, result in zip(members, trained, results):
        if result is not None:  # a member that diverged has none
            plots.save_and_show(plots.run_figures(member.ctx, t, result), member.ctx.dir / "plots")

# %% [markdown]
# ## What we see
#
# `metrics.json` is written last. The sentences about the run are computed from it and from the
# predictions; in the report they open this page, under a one-line result.

# %%
records = toyexp.finish_group(members, trained, results)  # raises, after the others, if a seed diverged

# %% tags=["remove-input", "run-summary"]
Markdown(describe_group(members, results))
