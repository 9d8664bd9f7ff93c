"""Our Adam against torch.optim.Adam, an independent implementation of the same update."""

import torch

from toyexp.core.optim import Adam


def test_adam_matches_torch_optim_adam():
    torch.manual_seed(0)
    a = [torch.randn(5, 3, dtype=torch.float64, requires_grad=True), torch.randn(3, dtype=torch.float64, requires_grad=True)]
    b = [p.detach().clone().requires_grad_() for p in a]
    ours, ref = Adam(a, lr=0.01), torch.optim.Adam(b, lr=0.01)
    target = torch.randn(5, dtype=torch.float64)
    for _ in range(50):
        for params, opt in ((a, ours), (b, ref)):
            opt.zero_grad()
            loss = ((params[0] @ params[1] - target) ** 2).sum() + params[1].abs().sum()
            loss.backward()
            opt.step()
    for p, q in zip(a, b):
        torch.testing.assert_close(p, q, rtol=1e-12, atol=1e-12)


def test_first_step_moves_each_parameter_by_lr():
    # at n = 1 the bias-corrected update is lr * g / (|g| + eps): a step of lr against the gradient's sign
    p = torch.tensor([1.0, -2.0, 3.0], dtype=torch.float64, requires_grad=True)
    opt = Adam([p], lr=0.1)
    (p * torch.tensor([2.0, -0.5, 1e-3], dtype=torch.float64)).sum().backward()
    opt.step()
    expected = torch.tensor([0.9, -1.9, 2.9], dtype=torch.float64)
    torch.testing.assert_close(p.detach(), expected, rtol=0, atol=1e-5)
