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
# # Rotations: K weighted directions turning at different speeds
#
# The target stacks $K$ = `dataset.num_rotations` components in $\mathbb{R}^n$, $n$ = `dataset.rotation_dim` (2 or 3):
#
# $$f(c) = \big(f_0(c), \dots, f_{K-1}(c)\big) \in \mathbb{R}^{K n}, \qquad f_i(c) = w_i(c)\, d_i(c), \qquad d_i(c) = \exp(\alpha_i c A)\, e_1 .$$
#
# $A$ is skew-symmetric, so $\exp(\alpha_i c A)$ is a rotation in $SO(n)$ and $\|f_i(c)\| = |w_i(c)|$:
# for $n = 2$, $A = \begin{pmatrix} 0 & -1 \\ 1 & 0 \end{pmatrix}$ and $d_i(c) = (\cos \alpha_i c, \sin \alpha_i c)$;
# for $n = 3$, $A = \sqrt 2\,(B - B^\top)/\|B - B^\top\|_F$ with a Gaussian $B$ from `dataset.rotation_seed`
# (a unit-speed rotation about a random axis). The velocities $\alpha_i$ are evenly spaced in
# [`alpha_min`, `alpha_max`] $= [0, 2\pi]$, both ends included, unless `alpha_values` lists them.
# The weights are constant, $w_i \sim \mathcal{U}[-1, 1]$ from `weight_seed` (`weight_type: constant`), or
# $w_i(c) = \frac1L \sum_l \mathrm{trig}_l(\omega_{il} c + \phi_{il})$ with the recon prime rule, row $i$
# (`high_frequency`, $L$ = `num_weight_components`).
#
# The models (`experiment.mode`: regression, flow, straight_flow, mip or mip_one_step; see Methods) see
# only samples of $f$: do they keep each component on its turning line, and how does that depend on
# how fast it turns?

# %% [markdown]
# ## Parameters
#
# As in the other notebooks: five sections (empty = package defaults), `mode`, `seed` and dotted
# `overrides`. Run as is, a quick preset that trains flow matching; run by papermill with any parameter, the package defaults
# ($K = 8$, $n = 2$, constant weights). `dataset.target_dim` is derived, $K n$.
#
# Below: the settings of this run that differ from the task's package defaults, then the whole
# resolved config (the run folder's `config.yaml`).

# %% tags=["remove-cell"]
from typing import Optional

# %% tags=["parameters", "remove-cell"]
experiment: dict = {}  # variant, task, mode, seed, device, output_dir, num_threads, figures
dataset: dict = {}  # rotation_dim, num_rotations, alpha_min, alpha_max, alpha_values, rotation_seed, weight_type, ...
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

cfg = toyexp.config_from_parameters("lie", experiment=experiment, dataset=dataset, network=network, training=training,
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
    A = data.A
    print(f"run folder: {toyexp.run.display_path(ctx.dir)}")
    print(f"{len(data.c_train)} training and {len(data.c_eval)} evaluation points; K = {d.num_rotations}, n = {d.rotation_dim}, D = K n = {data.dim}")
    print("velocities α:", [round(a, 4) for a in data.alphas.tolist()])
    print(f"A: ‖A + Aᵀ‖ = {(A + A.T).norm():.1e}, ‖A‖_F = {A.norm():.4f}")
    print(f"{d.weight_type} weights at c = 0:", [round(w, 4) for w in data.weights(data.c_train[:1])[0].tolist()])
    norms = data.x_train.double().reshape(len(data.c_train), d.num_rotations, d.rotation_dim).norm(dim=-1)
    print(f"max over the training set of | ‖f_i(c)‖ − |w_i(c)| | = {(norms - data.weights(data.c_train).abs()).abs().max():.1e}")

# %% [markdown]
# ## Training

# %% tags=["nbval-ignore-output"]
trained = toyexp.fit_group(members)  # several seeds: their networks stacked and trained as one, each on its own data
print(training_summary(members, trained))

# %% [markdown]
# ## Evaluation
#
# Besides l1 and l2 (mean absolute and root mean squared error over points and dimensions), each
# predicted component $\hat f_i(c)$ is compared with the unit vector of the true one,
# $u_i(c) = \mathrm{sign}(w_i(c))\, d_i(c)$, and with the line it spans, $P_i(c) = d_i d_i^\top$:
#
# - **cosine similarity** $\langle \hat f_i, u_i \rangle / \|\hat f_i\|$: 1 on the true function, $-1$ for
#   a component pointing the opposite way;
# - **projection error** $\|(I - P_i)\hat f_i\| / \|\hat f_i\|$: the share of the component off the line,
#   the sine of its angle to it.
#
# Both are 0 for a zero component. We report their mean and minimum (cosine) or maximum (projection)
# over the evaluation points and components, and the same per velocity $\alpha_i$.

# %%
results = toyexp.evaluate_group(members, trained)
print(evaluation_tables(members, results))

# %% [markdown]
# ## Figures
#
# `predictions` shows the first four coordinates, i.e. the two slowest components; `rotation_components`
# every coordinate of the slowest, a middle and the fastest component; `velocity_metrics` the cosine
# similarity and the projection error per velocity $\alpha_i$.

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
