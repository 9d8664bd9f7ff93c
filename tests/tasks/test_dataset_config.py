"""The ``dataset`` section every task extends (toyexp.tasks.config), and each built-in task's own:
relations between keys checked by resolve(), and how the original scripts spelled them."""

import dataclasses

import pytest

from toyexp.schema import ConfigError
from toyexp.tasks import built_in, dataset_config
from toyexp.tasks.config import DatasetConfig, SinusoidConfig
from toyexp.tasks.projection.config import ProjectionConfig


def test_the_shared_keys_and_their_check():
    d = DatasetConfig()
    assert (d.num_train, d.num_eval, d.condition_dim, d.sampling_strategy, d.c_min, d.c_max, d.sample_seed) == (
        50, 1000, 1, "grid", 0.0, 1.0, 0)
    assert d.resolve() is d and d.inert_keys() == {}
    with pytest.raises(ConfigError, match=r"^dataset.c_max: -1.0 is invalid; it must exceed dataset.c_min = 0.0$"):
        DatasetConfig(c_max=-1.0).resolve()


def test_every_task_extends_the_shared_keys():
    shared = {f.name for f in dataclasses.fields(DatasetConfig)}
    for name in built_in():
        cls = dataset_config(name)
        assert issubclass(cls, DatasetConfig) and dataclasses.is_dataclass(cls) and shared <= {f.name for f in dataclasses.fields(cls)}
        assert cls.legacy_type  # the original scripts' dataset.type of each built-in task
    assert {dataset_config(n).legacy_type for n in built_in()} == {
        "TargetFunctionDataset", "ProjectedTargetFunctionDataset", "LieAlgebraRotationDataset"}


def test_the_sum_of_sinusoids_keys_are_shared_by_recon_and_projection():
    s = SinusoidConfig()
    assert (s.target_dim, s.num_components, s.weight_strategy) == (1, 3, "uniform")
    assert issubclass(ProjectionConfig, SinusoidConfig) and issubclass(dataset_config("recon"), SinusoidConfig)
    assert not issubclass(dataset_config("lie"), SinusoidConfig)


def test_projection_resolve():
    p = ProjectionConfig()
    assert (p.target_dim, p.low_dim, p.proj_seed, p.num_intervals) == (8, 2, 0, 1) and p.resolve() == p
    with pytest.raises(ConfigError, match=r"dataset.low_dim: 4 is invalid; the subspace must be smaller than dataset.target_dim = 4 \(valid: 1 to 3\)"):
        ProjectionConfig(target_dim=4, low_dim=4).resolve()
    with pytest.raises(ConfigError, match="dataset.c_max"):  # the shared check runs too
        ProjectionConfig(c_min=2.0).resolve()
