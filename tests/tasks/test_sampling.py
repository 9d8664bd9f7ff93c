"""Where every task samples its target (toyexp.tasks.sampling): training inputs on a grid or drawn
from ``sample_seed``, evaluation inputs drawn from the run seed, the same for every task."""

import pytest
import torch

from toyexp.tasks.config import DatasetConfig
from toyexp.tasks.sampling import EVAL_SEED_OFFSET, Samples, evaluation_conditions, training_conditions


def config(**values) -> DatasetConfig:
    return DatasetConfig(**{"num_eval": 10, **values})


class Square(Samples):
    """x = c^2: the smallest target a task could add."""

    dim = 1

    def target(self, c):
        return c**2


def test_grid_sampling_is_linspace():
    c = training_conditions(config(num_train=17, c_min=-2.0, c_max=3.0))
    assert c.shape == (17, 1) and c.dtype == torch.float64
    assert c[:, 0].tolist() == pytest.approx([-2.0 + 5.0 * i / 16 for i in range(17)], abs=1e-12)
    assert c[0, 0] == -2.0 and c[-1, 0] == 3.0


def random_train(sample_seed):
    return training_conditions(config(sampling_strategy="random", sample_seed=sample_seed, num_train=40, c_min=0.5, c_max=1.5))


def test_random_sampling_sorted_in_range_and_seeded():
    c = random_train(3)
    assert c.shape == (40, 1)
    values = c[:, 0]
    assert torch.all(values[1:] >= values[:-1])
    assert values.min() >= 0.5 and values.max() <= 1.5
    assert values.max() - values.min() > 0.5  # spread over the interval, not a constant
    assert len(set(values.tolist())) == 40  # not a grid with repeats
    assert not torch.allclose(values, torch.linspace(0.5, 1.5, 40, dtype=torch.float64), atol=1e-3)  # random, not the grid
    # the draws, sorted: 0.5 + u with u ~ U[0, 1) from the seed, written out here
    u = torch.rand(40, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    torch.testing.assert_close(values, torch.sort(0.5 + u).values, atol=1e-15, rtol=0)
    assert torch.equal(random_train(3), c)
    assert not torch.equal(random_train(4), c)


def test_evaluation_set_depends_on_the_run_seed_alone():
    a, b, other = (evaluation_conditions(config(num_eval=64), s) for s in (1, 1, 2))
    assert a.shape == (64, 1) and torch.all(a[1:, 0] >= a[:-1, 0]) and a.min() >= 0.0 and a.max() <= 1.0
    assert torch.equal(a, b) and not torch.equal(a, other)
    u = torch.rand(64, generator=torch.Generator().manual_seed(1 + EVAL_SEED_OFFSET), dtype=torch.float64)
    torch.testing.assert_close(a[:, 0], torch.sort(u).values, atol=0, rtol=0)
    assert torch.equal(evaluation_conditions(config(num_eval=64, sample_seed=5), 1), a)  # sample_seed plays no part


def test_evaluation_set_honours_the_range():
    c = evaluation_conditions(config(num_eval=64, c_min=-3.0, c_max=-1.0), 1)
    assert c.min() >= -3.0 and c.max() <= -1.0


def test_samples_hold_the_target_at_both_sets_in_float32():
    data = Square(config(num_train=5, num_eval=8, sampling_strategy="random"), seed=7)
    assert data.c_train.dtype == data.x_train.dtype == torch.float32
    torch.testing.assert_close(data.c_train, training_conditions(data.cfg).float(), atol=0, rtol=0)
    torch.testing.assert_close(data.c_eval, evaluation_conditions(data.cfg, 7).float(), atol=0, rtol=0)
    assert torch.equal(data.x_train, data.c_train**2) and torch.equal(data.x_eval, data.c_eval**2)
    # the training set is the same for every run seed; the evaluation set is not
    other = Square(data.cfg, seed=8)
    assert torch.equal(other.c_train, data.c_train) and not torch.equal(other.c_eval, data.c_eval)


def test_grid_helper():
    data = Square(config(c_min=1.0, c_max=2.0), seed=0)
    assert data.grid(5)[:, 0].tolist() == pytest.approx([1.0, 1.25, 1.5, 1.75, 2.0])
