# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # A line: the run notebook of the fourth task

# %% tags=["parameters"]
experiment: dict = {}
dataset: dict = {}
network: dict = {}
training: dict = {}
evaluation: dict = {}
mode = None
seed = None
overrides: list = []

# %%
import toyexp

cfg = toyexp.config_from_parameters("line", experiment=experiment, dataset=dataset, network=network, training=training,
                                    evaluation=evaluation, mode=mode, seed=seed, overrides=overrides)
record = toyexp.run_all(cfg, figures=False)
print(f"l2 {record.final.l2:.4f}, largest absolute error {record.final.task_metrics.max_abs:.4f}")
