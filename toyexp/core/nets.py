"""Networks v(x, c, t): both share the call ``model(x, c, t)`` with x (B, D), c (B, C), t (B, 1).

Leading dimensions before B are batch dimensions too, so that :func:`toyexp.core.stack.stack` can
hold several networks as one (inputs (E, B, ·)).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from . import names
from .config import NetworkConfig

ACTIVATIONS = {"relu": nn.ReLU, "gelu": nn.GELU, "silu": nn.SiLU, "tanh": nn.Tanh}


class ConcatMLP(nn.Module):
    """[x, c, t] -> (Linear -> activation) x num_layers -> Linear -> output (B, D)."""

    def __init__(self, dim_x: int, dim_c: int, hidden_dim: int, num_layers: int, *, activation: str):
        super().__init__()
        act = ACTIVATIONS[activation]
        layers: list[nn.Module] = [nn.Linear(dim_x + dim_c + 1, hidden_dim), act()]
        for _ in range(num_layers - 1):
            layers += [nn.Linear(hidden_dim, hidden_dim), act()]
        layers.append(nn.Linear(hidden_dim, dim_x))
        self.net = nn.Sequential(*layers)

    def forward(self, x: Tensor, c: Tensor, t: Tensor) -> Tensor:
        return self.net(torch.cat([x, c, t], dim=-1))


class FiLMMLP(nn.Module):
    """x -> Linear, then each hidden layer h <- act((1 + gamma_l) * h + beta_l), (gamma, beta) = E(c, t).

    The scale is parametrised as 1 + gamma so that a freshly initialised network starts
    close to an unmodulated MLP.
    """

    def __init__(self, dim_x: int, dim_c: int, hidden_dim: int, num_layers: int, *, activation: str):
        super().__init__()
        self.act = ACTIVATIONS[activation]()
        self.num_layers, self.hidden_dim = num_layers, hidden_dim
        self.inp = nn.Linear(dim_x, hidden_dim)
        self.hidden = nn.ModuleList(nn.Linear(hidden_dim, hidden_dim) for _ in range(num_layers - 1))
        self.film = nn.Sequential(
            nn.Linear(dim_c + 1, hidden_dim), self.act, nn.Linear(hidden_dim, 2 * hidden_dim * num_layers)
        )
        self.out = nn.Linear(hidden_dim, dim_x)

    def forward(self, x: Tensor, c: Tensor, t: Tensor) -> Tensor:
        modulation = self.film(torch.cat([c, t], dim=-1)).unflatten(-1, (2, self.num_layers, self.hidden_dim))
        gamma, beta = modulation.unbind(-3)  # (..., B, L, H) each
        h = self.inp(x)  # (..., B, H)
        for layer in range(self.num_layers):
            if layer > 0:
                h = self.hidden[layer - 1](h)
            h = self.act((1 + gamma[..., layer, :]) * h + beta[..., layer, :])
        return self.out(h)


ARCHITECTURES = {"concat": ConcatMLP, "film": FiLMMLP}
names.check_registry("nets.ACTIVATIONS", ACTIVATIONS, names.ACTIVATIONS)
names.check_registry("nets.ARCHITECTURES", ARCHITECTURES, names.ARCHITECTURES)


def build_network(cfg: NetworkConfig, dim_x: int, dim_c: int = 1) -> nn.Module:
    """The network named by ``cfg.architecture``, initialised from torch's global RNG."""
    return ARCHITECTURES[cfg.architecture](dim_x, dim_c, cfg.hidden_dim, cfg.num_layers, activation=cfg.activation)
