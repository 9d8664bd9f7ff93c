"""Our Adam against torch.optim.Adam (an independent implementation of the same update), bit for
bit against torch.optim.Adam(fused=True) (the same kernel, driven by torch's own bookkeeping),
against its first two steps worked out by hand, and the import it must never make."""

import subprocess
import sys
import textwrap

import pytest
import torch

from toyexp.core.optim import Adam


@pytest.fixture(autouse=True)
def _one_thread():
    """One torch thread, as in a run: the float64 kernel on two threads of a loaded machine waits on
    its workers. (tests/conftest.py gives the thread count back after every test.)"""
    torch.set_num_threads(1)


def trajectories(dtype: torch.dtype, reference: dict, steps: int, lr: float = 0.01) -> tuple[list, list, list]:
    """The parameters of one small least-squares problem after ``steps`` steps of our Adam and of
    torch.optim.Adam(**reference), from the same start and on the same loss; then that start."""
    torch.manual_seed(0)
    a = [torch.randn(5, 3, dtype=dtype, requires_grad=True), torch.randn(3, dtype=dtype, requires_grad=True)]
    start = [p.detach().clone() for p in a]
    b = [p.detach().clone().requires_grad_() for p in a]
    ours, ref = Adam(a, lr=lr), torch.optim.Adam(b, lr=lr, **reference)
    target = torch.randn(5, dtype=dtype)
    for _ in range(steps):
        for params, opt in ((a, ours), (b, ref)):
            opt.zero_grad()
            loss = ((params[0] @ params[1] - target) ** 2).sum() + params[1].abs().sum()
            loss.backward()
            opt.step()
    return a, b, start


def test_adam_matches_torch_optim_adam():
    """torch's foreach Adam orders the arithmetic differently: equal to float64 rounding over 500 steps."""
    ours, ref, start = trajectories(torch.float64, {"foreach": True}, steps=500)
    for p, q, p_0 in zip(ours, ref, start):
        torch.testing.assert_close(p, q, rtol=1e-12, atol=1e-12)
        assert (p - p_0).abs().min() > 0.01  # every entry moved: the comparison is not vacuous


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_adam_is_bit_identical_to_fused_torch_optim_adam(dtype):
    """The same kernel through torch.optim's state (one step tensor per parameter): the same bits."""
    ours, ref, start = trajectories(dtype, {"fused": True}, steps=300)
    assert all(torch.equal(p, q) for p, q in zip(ours, ref))
    assert all((p - p_0).abs().min() > 0.01 for p, p_0 in zip(ours, start))


def test_first_step_moves_each_parameter_by_lr():
    # at n = 1 the bias-corrected update is lr * g / (|g| + eps): a step of lr against the gradient's sign
    p = torch.tensor([1.0, -2.0, 3.0], dtype=torch.float64, requires_grad=True)
    opt = Adam([p], lr=0.1)
    (p * torch.tensor([2.0, -0.5, 1e-3], dtype=torch.float64)).sum().backward()
    opt.step()
    expected = torch.tensor([0.9, -1.9, 2.9], dtype=torch.float64)
    torch.testing.assert_close(p.detach(), expected, rtol=0, atol=1e-5)


def test_second_step_follows_the_equations():
    """Gradients g_1 = 1 then g_2 = -2 (a linear loss), lr 0.1, worked out by hand:
    n = 1: m = 0.1, v = 0.001, p = -0.1 (to eps);
    n = 2: m = -0.11, v = 0.004999, p = -0.1 + 0.1 (0.11 / 0.19) / sqrt(0.004999 / 0.001999) = -0.0633901..."""
    p = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = Adam([p], lr=0.1)
    for g in (1.0, -2.0):
        opt.zero_grad()
        (g * p).sum().backward()
        opt.step()
    assert p.item() == pytest.approx(-0.1 + 0.1 * (0.11 / 0.19) / (0.004999 / 0.001999) ** 0.5, rel=1e-7)
    assert p.item() == pytest.approx(-0.06339, abs=1e-5)


def test_no_trainable_parameter_is_refused():
    frozen = torch.zeros(3, requires_grad=False)
    with pytest.raises(ValueError, match="Adam got no parameter that requires grad"):
        Adam([frozen], lr=0.1)


def test_training_never_imports_torch_dynamo():
    """Any torch.optim optimizer imports torch._dynamo (seconds of every notebook run); ours must not.

    In a fresh interpreter, since this test process has torch.optim's import already."""
    script = textwrap.dedent("""
        import logging, sys
        import torch
        from toyexp.core.config import TrainingConfig
        from toyexp.core.modes import build_mode
        from toyexp.core.nets import ConcatMLP
        from toyexp.core.paths import l2_loss
        from toyexp.core.train import train

        torch.manual_seed(0)
        c, x_1 = torch.rand(20, 1), torch.rand(20, 1)
        model = ConcatMLP(1, 1, 8, 2, activation="relu")
        before = [p.detach().clone() for p in model.parameters()]
        cfg = TrainingConfig(batch_size=8, num_epochs=3, eval_interval=3, save_interval=3, log_interval=3)
        result = train(model, build_mode("flow"), c, x_1, cfg=cfg, ell=l2_loss, generator=torch.Generator().manual_seed(0),
                       eval_l2=lambda: 1.0, log=logging.getLogger("t"), progress=False)
        moved = all(not torch.equal(p, q) for p, q in zip(before, model.parameters()))
        print(result.steps, moved, "torch._dynamo" in sys.modules)
    """)
    child = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert child.returncode == 0, child.stderr
    assert child.stdout.split() == ["9", "True", "False"]  # 3 epochs of 3 minibatches, every parameter moved, no torch._dynamo
