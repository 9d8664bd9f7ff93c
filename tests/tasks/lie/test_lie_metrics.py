"""lie's direction metrics (toyexp.tasks.lie.metrics) against planted answers: exact on the true
function, cos β and sin β for components turned by β, −1 for the opposite direction, 0 for none."""

import dataclasses
import json
import math

import pytest
import torch

import toyexp
from known_answers import rodrigues
from notebook_chain import notebook_chain
from toyexp.tasks import get_task
from toyexp.tasks.lie.config import RotationConfig
from toyexp.tasks.lie.data import RotationDataset
from toyexp.tasks.lie.metrics import RotationMetrics, VelocityMetrics, rotation_metrics

C = torch.linspace(-0.5, 1.5, 41, dtype=torch.float64)[:, None]
CASES = [(2, "constant"), (2, "high_frequency"), (3, "constant"), (3, "high_frequency")]


def dataset(**values) -> RotationDataset:
    return RotationDataset(RotationConfig(**{"num_eval": 40, **values}).resolve(), seed=42)


@pytest.mark.parametrize("n,weight_type", CASES)
def test_metrics_are_exact_on_the_true_function(n, weight_type):
    data = dataset(rotation_dim=n, weight_type=weight_type)
    m = rotation_metrics(data.components(C).flatten(1), data.oriented_directions(C), data.alphas)
    assert isinstance(m, RotationMetrics) and all(type(p) is VelocityMetrics for p in m.per_velocity)
    assert m.cosine_mean == pytest.approx(1, abs=1e-14) and m.cosine_min == pytest.approx(1, abs=1e-14)
    assert m.projection_mean == pytest.approx(0, abs=1e-7) and m.projection_max == pytest.approx(0, abs=1e-7)
    assert [p.alpha for p in m.per_velocity] == data.alphas.tolist()
    # the stored float32 samples, through the task's hook that fills metrics.json
    final = get_task("lie").metrics(data, data.c_eval, data.x_eval)
    assert final.cosine_min == pytest.approx(1, abs=1e-12) and final.projection_max < 1e-6


def planted(data, c, beta):
    """Each component w_i d_i rotated by beta_i (K,) within its plane (n = 3: about an axis ⊥ d_i)."""
    d, w = data.directions(c), data.weights(c)
    if data.cfg.rotation_dim == 2:
        R = torch.linalg.matrix_exp(beta[:, None, None] * data.A)  # (K, 2, 2)
        rotated = torch.einsum("kij,nkj->nki", R, d)
    else:
        g = torch.tensor([0.3, -0.5, 0.8], dtype=torch.float64)  # not parallel to any d here
        axis = torch.linalg.cross(d, g.expand_as(d), dim=-1)
        axis = axis / axis.norm(dim=-1, keepdim=True)
        assert (axis * d).sum(-1).abs().max() < 1e-12
        rotated = rodrigues(axis, d, beta.expand(len(c), -1))
    return (w[..., None] * rotated).flatten(1)


@pytest.mark.parametrize("n,weight_type", CASES)
def test_planted_rotation_gives_cos_and_sin(n, weight_type):
    data = dataset(rotation_dim=n, weight_type=weight_type)
    K = data.cfg.num_rotations
    beta = 0.1 + 0.35 * torch.arange(K, dtype=torch.float64)  # 0.1 to 2.55: past π/2, the cosine is negative
    m = rotation_metrics(planted(data, C, beta), data.oriented_directions(C), data.alphas)
    for i, p in enumerate(m.per_velocity):
        b = beta[i].item()
        assert p.alpha == data.alphas[i].item()
        assert p.cosine_mean == pytest.approx(math.cos(b), abs=1e-12) and p.cosine_min == pytest.approx(math.cos(b), abs=1e-12)
        assert p.projection_mean == pytest.approx(math.sin(b), abs=1e-12)
        assert p.projection_max == pytest.approx(math.sin(b), abs=1e-12)
    assert m.cosine_mean == pytest.approx(sum(math.cos(b) for b in beta.tolist()) / K, abs=1e-12)
    assert m.cosine_min == pytest.approx(math.cos(beta[-1].item()), abs=1e-12)
    assert m.projection_max == pytest.approx(max(math.sin(b) for b in beta.tolist()), abs=1e-12)


def test_opposite_direction_and_zero_component():
    data = dataset(num_rotations=2)
    f = data.components(C)
    f[:, 0] *= -1  # pointing the wrong way: cosine −1, but still on the line
    f[:, 1] = 0  # nothing predicted: both metrics 0 by definition
    m = rotation_metrics(f.flatten(1), data.oriented_directions(C), data.alphas)
    first, second = m.per_velocity
    assert first.cosine_mean == pytest.approx(-1, abs=1e-14) and first.projection_max == pytest.approx(0, abs=1e-7)
    assert second == VelocityMetrics(cosine_mean=0.0, cosine_min=0.0, projection_mean=0.0, projection_max=0.0,
                                     alpha=data.alphas[1].item())


def test_the_metrics_are_frozen_and_ordered_as_documented():
    m = rotation_metrics(dataset(num_rotations=2).components(C).flatten(1), dataset(num_rotations=2).oriented_directions(C),
                         torch.tensor([0.0, 1.0]))
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.cosine_mean = 0.0
    assert [f.name for f in dataclasses.fields(m)] == ["cosine_mean", "cosine_min", "projection_mean", "projection_max", "per_velocity"]
    assert [f.name for f in dataclasses.fields(m.per_velocity[0])][-1] == "alpha"


@pytest.mark.training
def test_a_lie_run_writes_the_rotation_metrics(tmp_path):
    cfg = toyexp.load_config("lie", overrides=[
        "dataset.num_eval=40", "training.num_epochs=5", "network.hidden_dim=8", "network.num_layers=1", "dataset.num_train=10",
        "dataset.num_rotations=3", "experiment.device=cpu", f"experiment.output_dir={tmp_path}"])
    chain = notebook_chain(cfg)
    final = json.loads((chain.ctx.dir / "metrics.json").read_text())["final"]["task_metrics"]
    assert final == json.loads(json.dumps(dataclasses.asdict(chain.record.final.task_metrics)))
    assert -1 <= final["cosine_min"] <= final["cosine_mean"] <= 1 and 0 <= final["projection_mean"] <= final["projection_max"] <= 1
    assert [p["alpha"] for p in final["per_velocity"]] == pytest.approx([0.0, math.pi, 2 * math.pi])
