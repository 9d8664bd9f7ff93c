"""Config per task, and config files of the original toyexp scripts (toyexp.run.legacy).

A run's dataset section holds only its task's keys; a key of another task is named as such.
The original scripts' files load unchanged: older names are read as the new ones with a
one-line note, keys that do nothing are accepted with a note, dataset.type must match.
(The original project's own files, in its layout: test_original_configs.py.)
"""

import warnings

import pytest
import yaml

import toyexp
from toyexp.run.legacy import DeprecatedConfigWarning
from toyexp.schema import ConfigError

LEGACY = {  # the shapes of the original scripts' three shipped configs
    "recon": {
        "experiment": {"name": "recon", "mode": "flow", "seed": 42},
        "dataset": {"type": "TargetFunctionDataset", "num_train": 50, "num_eval": 1000, "target_dim": 1,
                    "num_components": 3, "freq_seed": 1, "phase_seed": 2},
        "training": {"loss_aggregation": "full"},
    },
    "projection": {
        "experiment": {"name": "projection", "mode": "mip_one_step_integrate"},
        "dataset": {"type": "ProjectedTargetFunctionDataset", "target_dim": 8, "low_dim": 2, "freq_seed": 1},
        "evaluation": {"analyze_subspace": True},
    },
    "lie": {
        "experiment": {"name": "lie", "mode": "regression"},
        "dataset": {"type": "LieAlgebraRotationDataset", "num_c_train": 30, "num_c_eval": 200, "weight_mode": "high_frequency",
                    "rotation_dim": 2, "num_rotations": 4},
        "training": {"loss_aggregation": "per_component"},
        "evaluation": {"compute_cosine_similarity": True},
    },
}


@pytest.mark.parametrize("task", sorted(LEGACY))
def test_config_files_of_the_original_scripts_load(task, tmp_path):
    """Guards against rejecting a researcher's old file: it loads, with a note per older key, and
    config.yaml records only the new names."""
    path = tmp_path / f"{task}.yaml"
    path.write_text(yaml.safe_dump(LEGACY[task]))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cfg = toyexp.load_config(task, path)
    notes = [str(w.message) for w in caught if issubclass(w.category, DeprecatedConfigWarning)]
    recorded = cfg.to_yaml()
    for old in ("freq_seed", "phase_seed", "num_c_train", "num_c_eval", "weight_mode", "analyze_subspace",
                "compute_cosine_similarity", "mip_one_step_integrate", "Dataset", "name:"):
        assert old not in recorded
    assert all("\n" not in n for n in notes) and notes
    assert cfg.experiment.variant == task  # experiment.name, read as the variant
    assert "experiment.name is the older name of experiment.variant; read as experiment.variant" in notes
    if task == "lie":
        assert (cfg.dataset.num_train, cfg.dataset.num_eval, cfg.dataset.weight_type) == (30, 200, "high_frequency")
        assert cfg.training.loss_aggregation == "per_component"
        assert any("num_c_train is the older name of dataset.num_train" in n for n in notes)
    if task == "projection":
        assert cfg.experiment.mode == "mip_one_step"
        assert any("'mip_one_step_integrate' is the older name of 'mip_one_step'" in n for n in notes)
    if task == "recon":
        assert any("dataset.freq_seed has no effect: frequencies follow the prime rule" in n for n in notes)


def test_dataset_type_must_match_the_notebook(tmp_path):
    """Guards against silently running the wrong task: the error names both tasks."""
    with pytest.raises(ConfigError, match=r"dataset.type: 'LieAlgebraRotationDataset' is the dataset of the 'lie' task, but this is the 'recon' notebook"):
        toyexp.load_config("recon", {"dataset": {"type": "LieAlgebraRotationDataset"}})
    with pytest.raises(ConfigError, match=r"dataset.type: 'Nope' is unknown; valid: 'LieAlgebraRotationDataset', 'ProjectedTargetFunctionDataset', 'TargetFunctionDataset'"):
        toyexp.load_config("recon", {"dataset": {"type": "Nope"}})


@pytest.mark.parametrize("task, key, owner", [("recon", "low_dim", "projection"), ("recon", "rotation_dim", "lie"), ("recon", "alpha_max", "lie"),
                                               ("lie", "num_components", "projection and recon"), ("projection", "alpha_max", "lie")])
def test_a_key_of_another_task_is_named(task, key, owner):
    """Guards against one schema for every task: another task's key fails, naming both tasks, in a file or an override."""
    message = rf"dataset.{key} is a {owner} key; {task} takes: "
    with pytest.raises(ConfigError, match=message):
        toyexp.load_config(task, overrides=[f"dataset.{key}=3"])
    with pytest.raises(ConfigError, match=message):
        toyexp.load_config(task, {"dataset": {key: 3}})


@pytest.mark.parametrize("task, absent", [("recon", {"low_dim", "rotation_dim", "alpha_max", "weight_seed"}),
                                          ("lie", {"low_dim", "num_components", "proj_seed"})])
def test_config_yaml_holds_only_the_keys_of_the_task(task, absent):
    """Guards against config.yaml and the book listing keys that play no part in the run."""
    assert not absent & set(toyexp.load_config(task).to_dict()["dataset"])


@pytest.mark.parametrize("task,section,old,new", [("recon", "experiment", "name", "variant"), ("lie", "dataset", "num_c_train", "num_train")])
def test_an_older_name_beside_its_new_name_is_refused(task, section, old, new):
    """Guards against the older name's value silently replacing the new one's (which was meant?)."""
    with pytest.raises(ConfigError, match=rf"^{section}\.{old} is the older name of {section}\.{new}; give only {section}\.{new}$"):
        toyexp.load_config(task, {section: {new: 3 if new == "num_train" else "a", old: 4 if new == "num_train" else "b"}})


def test_an_older_name_in_an_override_is_read_over_a_file_value(tmp_path):
    """An override comes after the file, so it wins whichever name either uses."""
    path = tmp_path / "lie.yaml"
    path.write_text("dataset:\n  num_train: 30\n")
    with pytest.warns(DeprecatedConfigWarning, match="dataset.num_c_train is the older name of dataset.num_train"):
        assert toyexp.load_config("lie", path, overrides=["dataset.num_c_train=12"]).dataset.num_train == 12


@pytest.mark.parametrize("task", ["recon", "projection", "lie"])
def test_each_dataset_section_names_its_legacy_type(task):
    """The original scripts' dataset.type of each task, accepted by that task alone."""
    legacy = {"recon": "TargetFunctionDataset", "projection": "ProjectedTargetFunctionDataset", "lie": "LieAlgebraRotationDataset"}
    assert toyexp.load_config(task, {"dataset": {"type": legacy[task]}}) == toyexp.load_config(task)


def test_keys_without_effect_outside_the_dataset_come_from_the_task_folders():
    """Guards legacy.py against naming tasks: a registered task's ``ignored_elsewhere`` is accepted in
    every task's config with its note, and refused once the task is gone (known answers: the two
    shipped keys, each from the folder of the task it belonged to)."""
    from dataclasses import dataclass
    from typing import ClassVar

    from toyexp.run.legacy import ignored
    from toyexp.tasks import register, unregister
    from toyexp.tasks.base import Task
    from toyexp.tasks.config import DatasetConfig

    assert ignored() == {("evaluation", "analyze_subspace"): "the subspace metrics are always computed for projection",
                         ("evaluation", "compute_cosine_similarity"): "the cosine metrics are always computed for lie"}

    @dataclass(frozen=True)
    class Old(DatasetConfig):
        ignored_elsewhere: ClassVar[dict[tuple[str, str], str]] = {("training", "use_ema"): "the old task had an EMA"}

    class OldTask(Task):
        name, title, dataset_config = "old", "An old task", Old

    sections = {"training": {"use_ema": True}}
    register(OldTask())
    try:
        with pytest.warns(DeprecatedConfigWarning, match=r"^training\.use_ema has no effect: the old task had an EMA$"):
            assert toyexp.load_config("recon", sections) == toyexp.load_config("recon")
    finally:
        unregister("old")
    with pytest.raises(ConfigError, match="use_ema"):
        toyexp.load_config("recon", sections)
