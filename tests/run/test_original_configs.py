"""Config files of the original toyexp scripts, in that project's own layout, load and run unchanged.

``original_configs/`` holds one file per original script (config_recon.yaml, config_proj.yaml,
config_lie.yaml), written for these tests in the original project's layout: every section and
every key its script reads, quoted strings, ``null``, comments, blank lines with trailing spaces,
and the sizes the original configs use (num_eval 100000, num_epochs 50000). Each key must land
with its original meaning; each key without effect here, and each older name, gives exactly one
one-line note, warned and written to the run's train.log.
"""

import json
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch
import yaml

import toyexp
from toyexp.run.files import run_directory
from toyexp.run.legacy import DeprecatedConfigWarning
from toyexp.run.steps import GRID_POINTS
from toyexp.schema import ConfigError

HERE = Path(__file__).resolve().parent / "original_configs"
FILES = {"recon": HERE / "config_recon.yaml", "projection": HERE / "config_proj.yaml", "lie": HERE / "config_lie.yaml"}

# What each file resolves to, by hand: its values under the new names, the package defaults for
# the keys the original scripts did not have (num_threads, rtol, atol, recon's loss_aggregation, num_steps,
# noise_std, max_frequency, num_draws).
RESOLVED = {
    "recon": {
        "experiment": {"task": "recon", "variant": "recon_original_layout", "grid_point": {}, "mode": "mip", "seed": 7, "device": "cuda",
                       "output_dir": "./outputs/original/recon", "num_threads": 1, "figures": True},
        "dataset": {"num_train": 40, "num_eval": 100000, "condition_dim": 1, "sampling_strategy": "random", "c_min": -0.5,
                    "c_max": 1.5, "sample_seed": 14, "noise_std": 0.0, "target_dim": 1, "num_components": 4, "weight_strategy": "inverse_freq",
                    "max_frequency": None},
        "network": {"architecture": "film", "hidden_dim": 64, "num_layers": 2, "activation": "tanh"},
        "training": {"batch_size": 16, "num_epochs": 50000, "num_steps": None, "learning_rate": 0.0005, "lr_schedule": "constant", "log_interval": 1000, "eval_interval": 50000,
                     "save_interval": 50000, "initial_dist": "gaussian", "loss_type": "l1", "loss_aggregation": "full", "mip_t_star": 0.8},
        "evaluation": {"num_eval_steps": 1, "integration_method": "euler", "initial_dist": "zeros", "rtol": 0.001, "atol": 1e-05, "num_draws": 1},
    },
    "projection": {
        "experiment": {"task": "projection", "variant": "proj_original_layout", "grid_point": {}, "mode": "mip_one_step", "seed": 3, "device": "cpu",
                       "output_dir": "./outputs/original/proj", "num_threads": 1, "figures": True},
        "dataset": {"num_train": 60, "num_eval": 100000, "condition_dim": 1, "sampling_strategy": "grid", "c_min": 0.0, "c_max": 2.0,
                    "sample_seed": 25, "noise_std": 0.0, "target_dim": 8, "num_components": 2, "weight_strategy": "uniform", "max_frequency": None, "low_dim": 3,
                    "proj_seed": 24, "num_intervals": 2},
        "network": {"architecture": "concat", "hidden_dim": 48, "num_layers": 3, "activation": "gelu"},
        "training": {"batch_size": 20, "num_epochs": 50000, "num_steps": None, "learning_rate": 0.002, "lr_schedule": "constant", "log_interval": 500, "eval_interval": 25000,
                     "save_interval": 25000, "initial_dist": "zeros", "loss_type": "l2", "loss_aggregation": "full", "mip_t_star": 0.7},
        "evaluation": {"num_eval_steps": 1, "integration_method": "euler", "initial_dist": "zeros", "rtol": 0.001, "atol": 1e-05, "num_draws": 1},
    },
    "lie": {
        "experiment": {"task": "lie", "variant": "lie_original_layout", "grid_point": {}, "mode": "mip", "seed": 5, "device": "cpu",
                       "output_dir": "./outputs/original/lie", "num_threads": 1, "figures": True},
        "dataset": {"num_train": 30, "num_eval": 100000, "condition_dim": 1, "sampling_strategy": "grid", "c_min": 0.0, "c_max": 1.0,
                    "sample_seed": 33, "noise_std": 0.0, "target_dim": 12, "rotation_dim": 2, "num_rotations": 6, "alpha_min": 0.5, "alpha_max": 3.0,
                    "alpha_values": [], "rotation_seed": 31, "weight_seed": 32, "weight_type": "high_frequency",
                    "num_weight_components": 4, "weight_strategy": "inverse_freq"},
        "network": {"architecture": "concat", "hidden_dim": 256, "num_layers": 3, "activation": "silu"},
        "training": {"batch_size": 10, "num_epochs": 50000, "num_steps": None, "learning_rate": 0.001, "lr_schedule": "constant", "log_interval": 1000, "eval_interval": 50000,
                     "save_interval": 50000, "initial_dist": "gaussian", "loss_type": "l2", "loss_aggregation": "per_component",
                     "mip_t_star": 0.9},
        "evaluation": {"num_eval_steps": 9, "integration_method": "euler", "initial_dist": "zeros", "rtol": 0.001, "atol": 1e-05, "num_draws": 1},
    },
}
# The keys of each file that have no effect here -> a fragment of the reason its note gives.
NO_EFFECT = {
    "recon": {"dataset.freq_seed": "prime rule", "dataset.phase_seed": "prime rule", "dataset.weight_seed": "dataset.weight_strategy"},
    "projection": {"dataset.freq_seed": "prime rule", "dataset.phase_seed": "prime rule", "dataset.weight_seed": "dataset.weight_strategy",
                   "evaluation.analyze_subspace": "always computed"},
    "lie": {"evaluation.compute_cosine_similarity": "always computed",
            "dataset.weight_seed": "constant weights, and dataset.weight_type is 'high_frequency'",
            "dataset.rotation_seed": "in the plane A is fixed"},
}
# The older names each file uses -> the new ones.
OLDER = {
    "recon": {"experiment.name": "experiment.variant"},
    "projection": {"experiment.name": "experiment.variant", "experiment.mode: 'mip_one_step_integrate'": "'mip_one_step'"},
    "lie": {"experiment.name": "experiment.variant", "dataset.num_c_train": "dataset.num_train", "dataset.num_c_eval": "dataset.num_eval",
            "dataset.weight_mode": "dataset.weight_type"},
}
TASKS = sorted(FILES)


def load(task, **kwargs):
    """The task's file through toyexp.load_config, and the DeprecatedConfigWarning notes it gave."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cfg = toyexp.load_config(task, FILES[task], **kwargs)
    return cfg, [str(w.message) for w in caught if issubclass(w.category, DeprecatedConfigWarning)]


def check_notes(task, notes):
    """Exactly one one-line note per key without effect, naming it and why, and one per older name."""
    assert all("\n" not in note for note in notes)
    for key, why in NO_EFFECT[task].items():
        (note,) = [n for n in notes if n.startswith(f"{key} ")]
        assert note.startswith(f"{key} has no effect: ") and why in note, note
    for old, new in OLDER[task].items():
        (note,) = [n for n in notes if n.startswith(f"{old} ")]
        assert f"is the older name of {new}" in note, note
    assert len(notes) == len(NO_EFFECT[task]) + len(OLDER[task]), notes


# --- loading ----------------------------------------------------------------------------


def test_the_files_are_in_the_original_layout():
    """Guards the fixture itself: every section, quoted strings, a null, comments."""
    for task, path in FILES.items():
        text = path.read_text()
        assert list(yaml.safe_load(text)) == ["experiment", "dataset", "network", "training", "evaluation"], task
        assert text.lstrip().startswith("#") and '  type: "' in text and '  mode: "' in text, task
    assert "alpha_values: null" in FILES["lie"].read_text()


@pytest.mark.parametrize("task", TASKS)
def test_every_key_lands_with_its_original_meaning(task):
    """Guards against a key that loads but lands elsewhere or under another value: the whole
    resolved config, by hand."""
    cfg, notes = load(task)
    assert cfg.to_dict() == RESOLVED[task]
    check_notes(task, notes)
    assert cfg.notes == tuple(notes)


@pytest.mark.parametrize("task", TASKS)
def test_the_notebook_path_gives_the_same_config_and_notes(task):
    """Guards the papermill route: ``-f file.yaml`` injects each section as a dict."""
    sections = yaml.safe_load(FILES[task].read_text())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cfg = toyexp.config_from_parameters(task, **sections, mode=None, seed=None, overrides=[], quick=False)
    notes = [str(w.message) for w in caught if issubclass(w.category, DeprecatedConfigWarning)]
    assert cfg.to_dict() == RESOLVED[task]
    check_notes(task, notes)
    assert cfg.notes == tuple(notes)


def test_recon_keys_mean_what_they_meant():
    """inverse_freq weights are 1/frequency, random sampling draws sorted inputs in [c_min, c_max],
    num_components sinusoids from the prime rule (2, 5, 11, 17), num_eval evaluation inputs."""
    data = toyexp.make_dataset(load("recon")[0])
    assert data.freqs.tolist() == [[2.0, 5.0, 11.0, 17.0]]
    torch.testing.assert_close(data.weights, 1 / data.freqs, rtol=0, atol=0)
    c = data.c_train[:, 0]
    assert len(c) == 40 and bool((c.diff() > 0).all()) and -0.5 <= c.min() and c.max() <= 1.5
    assert not torch.allclose(c, torch.linspace(-0.5, 1.5, 40), atol=1e-3)  # random, not the grid
    assert data.c_eval.shape == (100000, 1) and data.x_eval.shape == (100000, 1)


def test_projection_keys_mean_what_they_meant():
    """num_intervals projections, each of rank low_dim in R^target_dim, from proj_seed and proj_seed + 1."""
    data = toyexp.make_dataset(load("projection")[0])
    assert data.projections.shape == (2, 8, 8) and data.bases.shape == (2, 8, 3)
    for P in data.projections.double():
        torch.testing.assert_close(P @ P, P, atol=1e-5, rtol=0)  # a projection
        assert torch.trace(P).item() == pytest.approx(3, abs=1e-5)  # of rank low_dim
    assert not torch.allclose(data.projections[0], data.projections[1])
    assert data.freqs.shape == (8, 2) and data.c_train.shape == (60, 1) and data.c_train[-1].item() == pytest.approx(2.0)


def test_lie_keys_mean_what_they_meant():
    """alpha_values: null gives K velocities evenly spaced in [alpha_min, alpha_max]; inverse_freq
    weight coefficients are 1/ω_il; num_c_train and num_c_eval are the sample counts."""
    data = toyexp.make_dataset(load("lie")[0])
    assert data.alphas.tolist() == pytest.approx([0.5, 1.0, 1.5, 2.0, 2.5, 3.0], abs=1e-14)
    assert data.weight_freqs.shape == (6, 4)
    torch.testing.assert_close(data.weight_coefficients, 1 / data.weight_freqs, rtol=0, atol=0)
    assert data.c_train.shape == (30, 1) and data.c_eval.shape == (100000, 1) and data.x_eval.shape == (100000, 12)


@pytest.mark.parametrize("task, key, owner", [
    ("recon", "low_dim", "projection"), ("recon", "num_c_train", "lie"), ("recon", "alpha_values", "lie"),
    ("projection", "weight_mode", "lie"), ("lie", "proj_seed", "projection"), ("lie", "freq_seed", "projection and recon"),
    ("lie", "num_components", "projection and recon"),
])
def test_a_key_of_another_task_is_refused_naming_both(task, key, owner):
    """Guards against one schema for all: in the original file or as an override, another task's
    key (one of its fields, older names or keys without effect) fails, naming both tasks."""
    message = rf"dataset\.{key} is a {owner} key; {task} takes: "
    sections = yaml.safe_load(FILES[task].read_text())
    sections["dataset"][key] = 3
    with pytest.raises(ConfigError, match=message), warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecatedConfigWarning)
        toyexp.load_config(task, sections)
    with pytest.raises(ConfigError, match=message), warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecatedConfigWarning)
        toyexp.load_config(task, FILES[task], overrides=[f"dataset.{key}=3"])


def test_a_key_without_effect_at_its_default_gives_no_note():
    """Guards against noise from a resolved config.yaml read back (it spells out every key): a key
    without effect that keeps its default changes nothing either way."""
    constant = {"dataset": {"weight_type": "constant", "weight_strategy": "uniform", "num_weight_components": 3}}
    assert load_sections("lie", constant) == []
    constant["dataset"] |= {"weight_strategy": "inverse_freq", "num_weight_components": 5}
    assert load_sections("lie", constant) == [
        f"dataset.{key} has no effect: it shapes the high-frequency weights, and dataset.weight_type is 'constant'"
        for key in ("weight_strategy", "num_weight_components")
    ]


def test_notes_are_not_part_of_the_config():
    """Guards config.yaml and comparisons: a file with notes equals the same config without them."""
    noted = load_sections("recon", {"dataset": {"freq_seed": 1}, "evaluation": {"analyze_subspace": True}})
    assert len(noted) == 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecatedConfigWarning)
        cfg = toyexp.load_config("recon", {"dataset": {"freq_seed": 1}, "evaluation": {"analyze_subspace": True}})
    assert cfg.notes == tuple(noted) and cfg == toyexp.load_config("recon") and toyexp.load_config("recon").notes == ()
    again = load("lie", overrides=["dataset.weight_seed=9", "dataset.num_c_eval=100"])[1]  # given in the file and again
    assert len(again) == len(NO_EFFECT["lie"]) + len(OLDER["lie"])
    assert list(cfg.to_dict()) == ["experiment", "dataset", "network", "training", "evaluation"]


def load_sections(task, sections):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        toyexp.load_config(task, sections)
    return [str(w.message) for w in caught if issubclass(w.category, DeprecatedConfigWarning)]


# --- runs -------------------------------------------------------------------------------


def check_run_folder(task, run_dir, cfg, figures):
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert np.isfinite(metrics["final"]["l2"]) and metrics["config"] == cfg.to_dict()
    assert {p.stem for p in (run_dir / "plots").glob("*.png")} == figures
    recorded = (run_dir / "config.yaml").read_text()
    for older in ("num_c_train", "num_c_eval", "weight_mode", "freq_seed", "phase_seed", "analyze_subspace",
                  "compute_cosine_similarity", "mip_one_step_integrate", "notes", "name:"):
        assert older not in recorded
    log = (run_dir / "train.log").read_text()
    for note in cfg.notes:  # each note once, on one line
        assert log.count(f"WARNING config: {note}\n") == 1, note
    return metrics, log


@pytest.mark.training
@pytest.mark.parametrize("task", ["recon", "projection"])
def test_a_short_run_from_the_file(task, tmp_path):
    """The file with few epochs (and a smaller evaluation set: the lie run keeps 100000) runs to the end."""
    cfg, _ = load(task, overrides=["training.num_epochs=3", "dataset.num_eval=2000", f"experiment.output_dir={tmp_path}"])
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")  # recon's device: "cuda" falls back to the CPU with a warning
        toyexp.run_all(cfg)
    run_dir = run_directory(cfg)  # <output_dir>/<variant: the file's experiment.name>/seed-<seed>
    figures = {"training_curves", "predictions", "errors"} | ({"subspace_coordinates", "subspace_spectrum"} if task == "projection" else set())
    _, log = check_run_folder(task, run_dir, cfg, figures)
    if task == "recon" and not torch.cuda.is_available():
        assert "experiment.device is 'cuda' but no CUDA device is available; running on the CPU" in log


CHILD = """
import json, resource, sys, warnings
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot
import toyexp
warnings.simplefilter("ignore")
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
cfg = toyexp.load_config("lie", sys.argv[1], overrides=["training.num_epochs=2", "experiment.output_dir=" + sys.argv[2]])
toyexp.run_all(cfg)
print(json.dumps({"base_mb": base / 1024, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


@pytest.mark.training
@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss is in KiB on Linux")
def test_the_lie_file_runs_with_100000_evaluation_points_in_bounded_memory(tmp_path):
    """Guards the memory of a large num_eval: the original lie file (100000 evaluation points, a
    256-wide network) in a python of its own. Before evaluation went in chunks it took 440-500 MB
    over the imports, now about 160 MB."""
    child = subprocess.run([sys.executable, "-c", CHILD, str(FILES["lie"]), str(tmp_path)], capture_output=True, text=True)
    assert child.returncode == 0, child.stderr[-3000:]
    memory = json.loads(child.stdout.strip().splitlines()[-1])
    assert memory["peak_mb"] - memory["base_mb"] < 300, memory

    cfg, _ = load("lie", overrides=["training.num_epochs=2", f"experiment.output_dir={tmp_path}"])
    run_dir = run_directory(cfg)
    check_run_folder("lie", run_dir, cfg, {"training_curves", "predictions", "errors", "rotation_components", "velocity_metrics"})
    with np.load(run_dir / "predictions.npz") as z:
        assert z["c_eval"].shape == (100000, 1) and z["pred_eval"].shape == (100000, 12)
        assert z["c_grid"].shape == (GRID_POINTS, 1) and z["pred_grid"].shape == (GRID_POINTS, 12)
