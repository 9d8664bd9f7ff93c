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
# # Reconstruction: learning a scalar sum of sinusoids from a few samples
#
# We learn $f(c) = \sum_k w_k \, \mathrm{trig}_k(\omega_k c + \phi_k)$ on $c \in [c_{\min}, c_{\max}]$
# from `dataset.num_train` samples, in one of two ways:
#
# - **regression**: a network predicts $\hat x = \mathrm{net}(0, c, 0)$ and is trained on
#   $\ell(\hat x, f(c))$;
# - **flow matching**: a network learns a velocity $v(x_t, c, t)$ on the linear path
#   $x_t = (1 - t)\,x_0 + t\,x_1$ with $x_1 = f(c)$, trained on $\ell(v(x_t, c, t), x_1 - x_0)$;
#   the prediction integrates $\mathrm{d}x/\mathrm{d}t = v(x, c, t)$ from $x_0$ at $t = 0$ to $t = 1$.
#
# Then we measure what each model does *between* the training samples.

# %% [markdown]
# ## Parameters
#
# Each section is a dict of keys of the config (empty = package defaults); `mode` and `seed`
# are shortcuts for `experiment.mode` and `experiment.seed`, and `overrides` are dotted
# `key=value` strings applied last. Run as is (JupyterLab, nbval), the notebook uses a quick
# preset that trains flow matching in seconds (set `mode` for another); run by papermill with
# any parameter, it starts from the package defaults (the seed README's values: regression) instead.
#
# Below: the settings of this run that differ from the task's package defaults, then the whole
# resolved config (the run folder's `config.yaml`).

# %% tags=["remove-cell"]
from typing import Optional

# %% tags=["parameters", "remove-cell"]
experiment: dict = {}  # variant, task, mode, seed, device, output_dir, num_threads, figures
dataset: dict = {}  # num_train, num_eval, num_components, weight_strategy, sampling_strategy, ...
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

cfg = toyexp.config_from_parameters("recon", experiment=experiment, dataset=dataset, network=network, training=training,
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
    print(f"run folder: {toyexp.run.display_path(ctx.dir)}")
    print(f"{len(data.c_train)} training and {len(data.c_eval)} evaluation points on [{cfg.dataset.c_min}, {cfg.dataset.c_max}]")
    print("frequencies:", data.freqs[0].tolist(), " phases:", data.phases[0].tolist(), " weights:", [round(w, 4) for w in data.weights[0].tolist()])

# %% [markdown]
# ## Training

# %% tags=["nbval-ignore-output"]
trained = toyexp.fit_group(members)  # several seeds: their networks stacked and trained as one, each on its own data
print(training_summary(members, trained))

# %% [markdown]
# ## Evaluation
#
# l1 is the mean absolute error and l2 the root mean squared error over the evaluation set;
# a flow model is evaluated for every integrator and step count in `evaluation`.

# %%
results = toyexp.evaluate_group(members, trained)
print(evaluation_tables(members, results))

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
