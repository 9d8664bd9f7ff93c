"""Adam (Kingma & Ba, 2015) through torch's fused kernel, on a list of parameters, and the
learning-rate schedules (training.lr_schedule) it steps with.

At step n = 1, 2, ..., with gradient g of each parameter p:

    m <- b1 m + (1 - b1) g
    v <- b2 v + (1 - b2) g^2
    p <- p - lr (m / (1 - b1^n)) / (sqrt(v / (1 - b2^n)) + eps)

``torch._fused_adam_`` does all of it in one pass over each tensor; it is the kernel
behind ``torch.optim.Adam(fused=True)`` and gives the same bits. We call it directly
because constructing any torch.optim optimizer imports torch._dynamo (about 1.7 s of
every notebook run), and because the foreach form of the same update (a dozen small
ops per step) took more than half of a training step's CPU time at the seed defaults.
"""

from __future__ import annotations

import math
from typing import Callable, Iterable

import torch
from torch import Tensor

from . import names


def constant(peak: float, step: int, num_steps: int) -> float:
    """``peak`` at every step."""
    return peak


def cosine(peak: float, step: int, num_steps: int) -> float:
    """Cosine decay without restarts (Loshchilov & Hutter, 2017): peak (1 + cos(pi step / num_steps)) / 2.

    ``peak`` at step 0, falling towards 0, which it would reach at step num_steps, one past the
    last: the final iterate ends a slow descent instead of being one point of a noisy walk.
    """
    return peak * (1.0 + math.cos(math.pi * step / num_steps)) / 2.0


# training.lr_schedule: the learning rate of optimiser step 0, 1, ..., num_steps - 1
LR_SCHEDULES: dict[str, Callable[[float, int, int], float]] = {"constant": constant, "cosine": cosine}
names.check_registry("optim.LR_SCHEDULES", LR_SCHEDULES, names.LR_SCHEDULES)


class Adam:
    """The update above for ``params`` (every one on the same device, in the same dtype)."""

    def __init__(self, params: Iterable[Tensor], lr: float, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8):
        self.params = [p for p in params if p.requires_grad]
        if not self.params:
            raise ValueError("Adam got no parameter that requires grad: there is nothing to train")
        self.lr, (self.b1, self.b2), self.eps = lr, betas, eps
        self.m = [torch.zeros_like(p) for p in self.params]
        self.v = [torch.zeros_like(p) for p in self.params]
        # n as the kernel reads it: a float32 tensor per parameter (torch.optim's dtype for
        # fused steps); one tensor shared by all, since every parameter steps together
        self.n = torch.zeros((), dtype=torch.float32, device=self.params[0].device)

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self) -> None:
        self.n += 1
        torch._fused_adam_(
            self.params, [p.grad for p in self.params], self.m, self.v, [], [self.n] * len(self.params),
            lr=self.lr, beta1=self.b1, beta2=self.b2, weight_decay=0.0, eps=self.eps, amsgrad=False, maximize=False,
        )
