"""The path's pieces (toyexp.core.paths) by hand: x_0's distributions, the losses, and the loss
summed over blocks of outputs (``loss_aggregation: per_component``)."""

import pytest
import torch

from toyexp.core.paths import l1_loss, l2_loss, optimal_velocity, per_block, sample_x0, training_loss

PRED = torch.tensor([[1.0, 2.0, 3.0, 4.0]])
ZERO = torch.zeros(1, 4)


def test_losses_by_hand():
    # residuals 1, 2, 3, 4: mean square 30 / 4, mean absolute 10 / 4
    assert l2_loss(PRED, ZERO).item() == pytest.approx(7.5) and l1_loss(PRED, ZERO).item() == pytest.approx(2.5)


def test_per_block_loss_is_the_sum_over_blocks():
    """Guards the definition of loss_aggregation=per_component: sum_k ell(block k), here worked by hand."""
    # two blocks (1, 2) and (3, 4): l2 means 2.5 and 12.5; l1 means 1.5 and 3.5
    assert per_block(l2_loss, 2)(PRED, ZERO).item() == pytest.approx(15.0)
    assert per_block(l1_loss, 2)(PRED, ZERO).item() == pytest.approx(5.0)
    # four blocks of one: the sum of squares 1 + 4 + 9 + 16
    assert per_block(l2_loss, 4)(PRED, ZERO).item() == pytest.approx(30.0)
    assert per_block(l2_loss, 1)(PRED, ZERO).item() == pytest.approx(l2_loss(PRED, ZERO).item())


def test_training_loss_follows_type_and_aggregation():
    assert training_loss("l2", "full", 2)(PRED, ZERO).item() == pytest.approx(7.5)  # the blocks play no part
    assert training_loss("l1", "full", 4)(PRED, ZERO).item() == pytest.approx(2.5)
    assert training_loss("l2", "per_component", 2)(PRED, ZERO).item() == pytest.approx(15.0)
    assert training_loss("l1", "per_component", 4)(PRED, ZERO).item() == pytest.approx(10.0)


def test_x_0_distributions():
    g = torch.Generator().manual_seed(5)
    assert torch.equal(sample_x0("zeros", (3, 2), g), torch.zeros(3, 2))
    expected = torch.randn((3, 2), generator=torch.Generator().manual_seed(5))
    assert torch.equal(sample_x0("gaussian", (3, 2), torch.Generator().manual_seed(5)), expected)
    big = sample_x0("gaussian", (20000, 1), torch.Generator().manual_seed(0))
    assert abs(big.mean().item()) < 0.03 and abs(big.std().item() - 1) < 0.03


def test_optimal_velocity_reaches_x_1():
    x, x_1 = torch.tensor([[0.5, -1.0]]), torch.tensor([[2.0, 1.0]])
    # from x at t = 0.75, a quarter of the way is left: (x_1 - x) / 0.25
    v = optimal_velocity(x, x_1, 0.75)
    assert v.tolist() == [[6.0, 8.0]]
    torch.testing.assert_close(x + 0.25 * v, x_1)
