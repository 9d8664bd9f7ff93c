"""Adam, written out: the update of Kingma & Ba (2015) on lists of tensors.

torch.optim.Adam gives the same numbers, but constructing any torch.optim optimizer
imports torch._dynamo, which costs about 1.7 s of every notebook run here; the few lines
below cost nothing at import and are tested against torch.optim.Adam.
"""

from __future__ import annotations

import math
from typing import Iterable

import torch
from torch import Tensor


class Adam:
    """m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2;
    p <- p - lr (m / (1 - b1^n)) / (sqrt(v / (1 - b2^n)) + eps), at step n = 1, 2, ..."""

    def __init__(self, params: Iterable[Tensor], lr: float, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8):
        self.params = [p for p in params if p.requires_grad]
        self.lr, (self.b1, self.b2), self.eps = lr, betas, eps
        self.m = [torch.zeros_like(p) for p in self.params]
        self.v = [torch.zeros_like(p) for p in self.params]
        self.n = 0

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self) -> None:
        self.n += 1
        g = [p.grad for p in self.params]
        torch._foreach_lerp_(self.m, g, 1 - self.b1)  # m + (1 - b1)(g - m) = b1 m + (1 - b1) g
        torch._foreach_mul_(self.v, self.b2)
        torch._foreach_addcmul_(self.v, g, g, value=1 - self.b2)
        denom = torch._foreach_sqrt(self.v)
        torch._foreach_div_(denom, math.sqrt(1 - self.b2**self.n))
        torch._foreach_add_(denom, self.eps)
        torch._foreach_addcdiv_(self.params, self.m, denom, value=-self.lr / (1 - self.b1**self.n))
