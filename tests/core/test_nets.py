"""The networks (toyexp.core.nets): one call signature for both, and a build that follows the config."""

import pytest
import torch

from toyexp.core.config import NetworkConfig
from toyexp.core.nets import ACTIVATIONS, ConcatMLP, FiLMMLP, build_network


@pytest.mark.parametrize("cls", [ConcatMLP, FiLMMLP])
@pytest.mark.parametrize("dim", [1, 8])
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_networks_share_the_call_signature(cls, dim, activation):
    gen = torch.Generator().manual_seed(0)
    torch.manual_seed(0)  # tests/conftest.py restores the global RNG after each test
    model = cls(dim, 1, hidden_dim=12, num_layers=2, activation=activation)  # 12: neither an input nor an output size
    B = 5
    x, c, t = (torch.randn(B, dim, generator=gen), torch.randn(B, 1, generator=gen), torch.rand(B, 1, generator=gen))
    out = model(x, c, t)
    assert out.shape == (B, dim) and out.dtype == torch.float32 and torch.isfinite(out).all()
    # the output depends on each of x, c and t
    assert not torch.allclose(model(x + 1, c, t), out)
    assert not torch.allclose(model(x, c + 1, t), out)
    assert not torch.allclose(model(x, c, t + 1), out)
    # rows are independent: a batch gives the same as its rows one at a time
    rows = torch.cat([model(x[i : i + 1], c[i : i + 1], t[i : i + 1]) for i in range(B)])
    torch.testing.assert_close(rows, out, atol=1e-6, rtol=0)
    out.sum().backward()
    assert all(p.grad is not None for p in model.parameters())


TORCH_ACTIVATIONS = {"relu": torch.nn.ReLU, "gelu": torch.nn.GELU, "silu": torch.nn.SiLU, "tanh": torch.nn.Tanh}


def linear_shapes(architecture, d, c, h, layers):
    """(in, out) of every Linear, written out from the definitions in nets.py's docstrings."""
    hidden = [(h, h)] * (layers - 1)
    if architecture == "concat":  # [x, c, t] -> hidden layers -> output
        return [(d + c + 1, h), *hidden, (h, d)]
    # x -> first hidden layer, the other hidden layers, FiLM encoder (c, t) -> (gamma, beta) per layer, output
    return [(d, h), *hidden, (c + 1, h), (h, 2 * h * layers), (h, d)]


@pytest.mark.parametrize("architecture,cls", [("concat", ConcatMLP), ("film", FiLMMLP)])
@pytest.mark.parametrize("num_layers", [1, 3])
@pytest.mark.parametrize("activation", sorted(TORCH_ACTIVATIONS))
def test_build_network_follows_the_config(architecture, cls, num_layers, activation):
    """Guards: architecture, hidden_dim, num_layers and activation each reach the network built.

    hidden 12, x 3, c 1: no size equals another, so a swapped dimension shows.
    """
    assert set(TORCH_ACTIVATIONS) == set(ACTIVATIONS)  # a new activation needs its line here
    model = build_network(NetworkConfig(architecture, hidden_dim=12, num_layers=num_layers, activation=activation), 3)
    assert type(model) is cls
    linears = [(m.in_features, m.out_features) for m in model.modules() if isinstance(m, torch.nn.Linear)]
    assert sorted(linears) == sorted(linear_shapes(architecture, 3, 1, 12, num_layers))

    # the activation applied: only the configured kind exists, and a forward pass calls it once per
    # hidden layer (plus once inside the FiLM encoder)
    expected = TORCH_ACTIVATIONS[activation]
    kinds = {type(m) for m in model.modules() if type(m) in TORCH_ACTIVATIONS.values()}
    assert kinds == {expected}
    calls = []
    for m in model.modules():
        if type(m) is expected:
            m.register_forward_hook(lambda *_: calls.append(1))
    out = model(torch.zeros(2, 3), torch.zeros(2, 1), torch.zeros(2, 1))
    assert out.shape == (2, 3)
    assert len(calls) == num_layers + (architecture == "film")


def test_build_network_draws_from_the_global_seed():
    torch.manual_seed(3)
    a = build_network(NetworkConfig(hidden_dim=8, num_layers=1), 2)
    torch.manual_seed(3)
    b = build_network(NetworkConfig(hidden_dim=8, num_layers=1), 2)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
