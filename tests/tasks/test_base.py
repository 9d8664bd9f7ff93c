"""The results every task shares (toyexp.tasks.base): Final, the Metric that reads a number of it,
and a row of the analysis; and the contract each built-in task fulfils, checked by what it returns."""

import dataclasses

import pytest
import torch

from toyexp.core.metrics import Evaluation
from toyexp.core.resolution import Tolerance
from toyexp.core.stats import stat
from toyexp.tasks import built_in, dataset_config, get_task, task_names
from toyexp.tasks.base import ERRORS, L2, Final, Metric, SummaryRow
from toyexp.tasks.lie.metrics import RotationMetrics, VelocityMetrics
from toyexp.tasks.sampling import Samples

ROTATION = RotationMetrics(0.9, 0.5, 0.1, 0.4, per_velocity=(VelocityMetrics(1.0, 1.0, 0.0, 0.0, alpha=0.0),))


def test_final_is_an_evaluation_with_the_task_metrics():
    final = Final(method="dopri5", resolution=Tolerance(1e-4, 1e-6), nfe=38, l1=0.1, l2=0.2, task_metrics=ROTATION)
    assert isinstance(final, Evaluation) and (final.steps, final.tolerance, final.nfe) == (None, Tolerance(1e-4, 1e-6), 38)
    assert Final(method="euler", resolution=4, nfe=4, l1=0.1, l2=0.2).task_metrics is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        final.l2 = 0.0


def test_metric_of_reads_an_error_or_an_own_metric():
    final = Final(method="euler", resolution=4, nfe=4, l1=0.125, l2=0.25, task_metrics=ROTATION)
    l1, l2 = ERRORS
    assert (l1.name, l2.name, l1.of(final), l2.of(final)) == ("l1", "l2", 0.125, 0.25)
    assert Metric("cosine_min", "cosine, minimum").of(final) == 0.5
    assert Metric("projection_max", "projection error, maximum", fmt=".3f", log=True).of(final) == 0.4
    assert type(Metric("cosine_mean", "c").of(final)) is float
    with pytest.raises(AttributeError):
        Metric("cosine_mean", "c").of(Final(method="euler", resolution=4, nfe=4, l1=0.1,
                                            l2=0.2))  # a task metric of a run without them


def test_metric_defaults():
    m = Metric("x", "label")
    assert (m.fmt, m.complement, m.log, m.of_task) == (".4f", False, False, True)
    assert all(not e.of_task for e in ERRORS)


def test_a_summary_row_knows_its_seeds_and_whether_it_is_a_baseline():
    finals = tuple(Final(method="euler", resolution=1, nfe=1, l1=v, l2=v) for v in (0.1, 0.3))
    row = SummaryRow(variant="flow", mode="flow", seeds=(42, 43), finals=finals, stats={L2: stat([0.1, 0.3])}, values={L2: (0.1, 0.3)})
    assert (row.n, row.baseline, row.stats[L2].mean) == (2, False, pytest.approx(0.2))
    assert SummaryRow(variant="spline", mode=None, seeds=(42,), finals=finals[:1]).baseline
    assert row == dataclasses.replace(row, finals=(), values={})  # compared by identity and statistics only


# --- the contract of each built-in task ------------------------------------------------------------


# Known answers for the shipped tasks: a shape other than the default, and its loss blocks (each
# output coordinate a component; for lie each rotation). A new task folder runs with its defaults.
DIMS = {"recon": {"target_dim": 2, "num_components": 3},
        "projection": {"target_dim": 6, "low_dim": 2, "num_components": 2},
        "lie": {"num_rotations": 3, "rotation_dim": 3}}
BLOCKS = {"recon": 2, "projection": 6, "lie": 3}


@pytest.mark.parametrize("name", built_in())
def test_a_built_in_task_fulfils_the_contract(name):
    task = get_task(name)
    assert task.name == name and name in task_names() and task.dataset_config is dataset_config(name)
    cfg = task.dataset_config(**DIMS.get(name, {}), num_train=6, num_eval=40).resolve()
    data = task.dataset(cfg, seed=1)
    assert isinstance(data, Samples) and data.x_train.shape == (6, data.dim) and data.x_eval.shape == (40, data.dim)
    assert data.dim == getattr(cfg, "target_dim", data.dim)
    blocks = task.loss_blocks(cfg)
    assert blocks == BLOCKS[name] if name in BLOCKS else data.dim % blocks == 0
    own = task.metrics(data, data.c_eval, data.x_eval)
    if task.metrics_type is None:
        assert own is None and task.summary_metrics == ()
    else:
        assert type(own) is task.metrics_type
        fields = {f.name for f in dataclasses.fields(task.metrics_type)}
        assert {m.name for m in task.summary_metrics} <= fields and all(m.of_task for m in task.summary_metrics)
        final = Final(method="euler", resolution=1, nfe=1, l1=0.0, l2=0.0, task_metrics=own)
        assert all(isinstance(m.of(final), float) for m in task.summary_metrics)
        assert task.describe(own)


def test_target_frequencies_of_each_task():
    """Marked on the error spectrum: the sinusoids' ω / 2π for recon and projection; lie has no spectrum to mark."""
    recon = get_task("recon")
    freqs = recon.target_frequencies(dataset_config("recon")())
    assert freqs.tolist() == pytest.approx([2 / (2 * torch.pi), 5 / (2 * torch.pi), 11 / (2 * torch.pi)])
    assert get_task("projection").target_frequencies(dataset_config("projection")()).shape == (24,)  # 8 dims x 3 components
    assert get_task("lie").target_frequencies(dataset_config("lie")()) is None
