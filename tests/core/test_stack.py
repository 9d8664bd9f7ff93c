"""Stacked networks (toyexp.core.stack) and the training of their members (core.train.train_members):
each member computes, trains and diverges exactly as its lone network would."""

import logging

import pytest
import torch
from torch import nn

from toyexp.core.config import TrainingConfig
from toyexp.core.modes import build_mode
from toyexp.core.nets import ConcatMLP, FiLMMLP
from toyexp.core.paths import l2_loss
from toyexp.core.stack import StackedLinear, member_state, stack
from toyexp.core.train import TrainingDiverged, train, train_members

LOG = logging.getLogger("toyexp.test.stack")
SEEDS = (3, 4, 5)


def networks(cls, dim_x, seeds=SEEDS):
    out = []
    for seed in seeds:
        torch.manual_seed(seed)
        out.append(cls(dim_x, 1, 128, 2, activation="relu"))
    return out


@pytest.mark.parametrize("cls", [ConcatMLP, FiLMMLP])
@pytest.mark.parametrize("dim_x", [1, 8])
def test_a_stack_computes_each_member_as_its_lone_network(cls, dim_x):
    """Forward and backward, bit for bit at the studies' width (128): also the single-input and
    single-output layers of dim_x = 1, and a single row."""
    lone = networks(cls, dim_x)
    stacked = stack(lone)
    g = torch.Generator().manual_seed(0)
    rows = 7 if dim_x == 8 else 1
    x, c, t = torch.randn(3, rows, dim_x, generator=g), torch.rand(3, rows, 1, generator=g), torch.rand(3, rows, 1, generator=g)
    out = stacked(x, c, t)
    out.pow(2).sum().backward()
    for e, net in enumerate(lone):
        y = net(x[e], c[e], t[e])
        y.pow(2).sum().backward()
        assert torch.equal(y, out[e])
        for (name, p), (_, q) in zip(net.named_parameters(), stacked.named_parameters()):
            assert torch.equal(p.grad, q.grad[e]), name


def test_member_state_is_a_lone_state_dict_and_a_copy():
    lone = networks(ConcatMLP, 2)
    stacked = stack(lone)
    state = member_state(stacked, 1)
    assert {k: v.shape for k, v in state.items()} == {k: v.shape for k, v in lone[1].state_dict().items()}
    assert all(torch.equal(state[k], v) for k, v in lone[1].state_dict().items())
    assert state["net.0.weight"].untyped_storage().nbytes() == state["net.0.weight"].numel() * 4  # not the stack's storage
    with torch.no_grad():
        next(stacked.parameters()).add_(1.0)
    assert torch.equal(lone[1].net[0].weight, state["net.0.weight"])  # stacking copied: the lone network is untouched


def test_a_network_with_other_parameters_does_not_stack():
    class Scaled(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin, self.scale = nn.Linear(2, 2), nn.Parameter(torch.ones(1))

    with pytest.raises(TypeError, match="scale"):
        stack([Scaled(), Scaled()])
    assert isinstance(stack([nn.Sequential(nn.Linear(2, 3))] * 2)[0], StackedLinear)


CFG = TrainingConfig(batch_size=3, num_epochs=6, log_interval=1, eval_interval=2, save_interval=3, learning_rate=0.01)
C = torch.linspace(0, 1, 8)[:, None]


def pairs(seed):
    return C, torch.sin((seed + 1) * 3 * C)


def lone_run(seed, mode):
    torch.manual_seed(seed)
    net = ConcatMLP(1, 1, 128, 2, activation="relu")
    c, x_1 = pairs(seed)
    saved = []
    result = train(net, mode, c, x_1, cfg=CFG, ell=l2_loss, generator=torch.Generator().manual_seed(seed),
                   eval_l2=lambda: float(net.net[0].weight.detach().sum()), log=LOG, progress=False,
                   on_checkpoint=lambda epoch, state: saved.append((epoch, {k: v.clone() for k, v in state.items()})))
    return net, result, saved


@pytest.mark.parametrize("mode", ["flow", "regression", "mip"])
def test_members_train_exactly_as_their_lone_runs(mode):
    """Three members trained together against three lone runs: weights, losses, evaluations, best
    models and checkpoints, bit for bit (each draws its shuffles, x_0 and t from its own seed)."""
    mode = build_mode(mode)
    lone = [lone_run(seed, mode) for seed in SEEDS]
    stacked = stack(networks(ConcatMLP, 1))
    data = [pairs(seed) for seed in SEEDS]
    saved = []
    results = train_members(
        stacked, mode, torch.stack([d[0] for d in data]), torch.stack([d[1] for d in data]), cfg=CFG, ell=l2_loss,
        generators=[torch.Generator().manual_seed(s) for s in SEEDS],
        eval_l2=lambda e: float(member_state(stacked, e)["net.0.weight"].sum()), logs=[LOG] * 3, progress=False,
        on_checkpoint=lambda e, epoch, state: saved.append((e, epoch, state)))
    for e, (net, result, checkpoints) in enumerate(lone):
        assert all(torch.equal(v, member_state(stacked, e)[k]) for k, v in net.state_dict().items())
        assert results[e].history == result.history and results[e].best_epoch == result.best_epoch
        assert all(torch.equal(v, results[e].best_state[k]) for k, v in result.best_state.items())
        mine = [(epoch, state) for m, epoch, state in saved if m == e]
        assert [epoch for epoch, _ in mine] == [epoch for epoch, _ in checkpoints] == [3, 6]
        assert all(torch.equal(a[k], b[k]) for (_, a), (_, b) in zip(mine, checkpoints) for k in a)


def test_a_diverging_member_stops_alone():
    """Member 1's loss is made infinite: it stops at epoch 1 with TrainingDiverged, the others
    finish exactly as their lone runs."""
    mode = build_mode("regression")
    lone = [lone_run(seed, mode) for seed in SEEDS]
    stacked = stack(networks(ConcatMLP, 1))
    data = [pairs(seed) for seed in SEEDS]
    poison = torch.tensor([1.0, float("inf"), 1.0])
    results = train_members(
        stacked, mode, torch.stack([d[0] for d in data]), torch.stack([d[1] for d in data]), cfg=CFG,
        ell=lambda pred, target: l2_loss(pred, target) * poison,
        generators=[torch.Generator().manual_seed(s) for s in SEEDS],
        eval_l2=lambda e: float(member_state(stacked, e)["net.0.weight"].sum()), logs=[LOG] * 3, progress=False)
    assert isinstance(results[1], TrainingDiverged) and results[1].epoch == 1 and results[1].quantity == "train_loss"
    for e in (0, 2):
        assert results[e].history == lone[e][1].history
        assert all(torch.equal(v, member_state(stacked, e)[k]) for k, v in lone[e][0].state_dict().items())
