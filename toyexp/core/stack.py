"""E networks of one architecture trained as one: the members of a group, each with its own weights.

Training a 128-wide MLP on batches of 32 is per-operation overhead, not arithmetic: the products
are small. Stacking E networks turns every ``nn.Linear`` into a :class:`StackedLinear` whose
weight (E, out, in) and bias (E, out) hold the members' own, and one batched product replaces E
small ones. The stacked network maps inputs with a leading member dimension, x (E, B, D),
c (E, B, C), t (E, B, 1), to (E, B, D); member e's rows meet only member e's weights, so its
outputs, its gradients (of a loss summed over the members) and its Adam update are its own.

Rounding: on this machine (torch 2.13 CPU, MKL), a batched product gave member e the bits of the
lone product, forward and backward, for hidden widths of 128 and 256 and 2 to 16 000 rows; not
for a single input, output or row, where a lone ``nn.Linear`` takes another BLAS path (a
matrix-vector or outer product) with other rounding, so such a product is computed member by
member, as a lone run computes it; nor for small matrices (width 64 with 2 rows, width 32 or
less with 4), where a group's member may differ from its lone run in the last bit and then, as
training amplifies it, by more.
"""

from __future__ import annotations

import copy
from typing import Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn


class StackedLinear(nn.Module):
    """y_e = x_e W_eᵀ + b_e for each member e: x (E, B, in) -> (E, B, out)."""

    def __init__(self, layers: Sequence[nn.Linear]):
        super().__init__()
        self.weight = nn.Parameter(torch.stack([layer.weight.detach() for layer in layers]))  # (E, out, in)
        self.bias = nn.Parameter(torch.stack([layer.bias.detach() for layer in layers]))  # (E, out)

    def forward(self, x: Tensor) -> Tensor:
        if 1 in (x.shape[-2], *self.weight.shape[1:]):  # a lone run's matrix-vector (or outer) product, for its bits
            return torch.stack([F.linear(x[e], self.weight[e], self.bias[e]) for e in range(len(x))])
        return torch.baddbmm(self.bias.unsqueeze(1), x, self.weight.transpose(1, 2))


def stack(models: Sequence[nn.Module]) -> nn.Module:
    """One network holding ``models`` (E of one architecture, on one device) as its members, in order.

    A copy of the first with each ``nn.Linear`` replaced by the :class:`StackedLinear` of the
    members' layers; the architecture's forward must treat leading dimensions as batch ones.
    The members' parameters are copied: training the stack leaves ``models`` as they were.
    """
    stacked = copy.deepcopy(models[0])
    for name, module in models[0].named_modules():
        if isinstance(module, nn.Linear):
            parent, _, attribute = name.rpartition(".")
            setattr(stacked.get_submodule(parent), attribute, StackedLinear([m.get_submodule(name) for m in models]))
    leftover = [name for name, p in stacked.named_parameters() if not name.endswith((".weight", ".bias"))
                or not isinstance(stacked.get_submodule(name.rpartition(".")[0]), StackedLinear)]
    if leftover:
        raise TypeError(f"only networks of nn.Linear layers and parameter-free modules stack; {leftover} is neither")
    return stacked


def member_state(stacked: nn.Module, e: int) -> dict[str, Tensor]:
    """A copy of member e's weights as a lone network's ``state_dict``: the same keys and shapes
    (a copy, not a view: saved, a view would carry every member's storage)."""
    return {key: value[e].clone() for key, value in stacked.state_dict().items()}
