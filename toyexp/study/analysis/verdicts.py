"""Verdicts: a paired comparison called lower, higher or not distinguishable, and counted over a grid.

A :class:`Test` is one paired comparison at one grid point with its p-value adjusted over the
points (Benjamini-Hochberg, :func:`~toyexp.core.stats.adjusted_p`); its :attr:`Test.verdict` is
the one place a comparison becomes a word. A :class:`Tally` holds one question (a network against
the reference, the best network against the best baseline) at every point where it applies, and
counts its verdicts. ``grid``, ``budget`` and the sentences read these; none decides again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from ...core.stats import Paired, significant_after_bh

if TYPE_CHECKING:
    from .grid import Cell

Verdict = Literal["lower", "higher", "not distinguishable"]


@dataclass(frozen=True)
class Test:
    """A paired comparison at one point, and its p-value adjusted over the points (BH)."""

    paired: Paired
    q: float

    @property
    def significant_after_bh(self) -> bool:
        return significant_after_bh(self.q)

    @property
    def verdict(self) -> Verdict:
        """The compared row lower or higher than the other when significant after BH, else not distinguishable."""
        if not self.significant_after_bh:
            return "not distinguishable"
        return "lower" if self.paired.sign < 0 else "higher"


@dataclass(frozen=True)
class PointTest:
    """One question's test at one grid point: ``subject`` (a network, or "best network") against the other row."""

    subject: str
    cell: Cell
    test: Test

    @property
    def ratio(self) -> float | None:
        """The geometric mean of the per-seed ratios of l2, for a log-scale comparison; None otherwise."""
        return self.test.paired.effect.centre if self.test.paired.scale == "log" else None


def strongest(tests: Sequence[PointTest]) -> PointTest | None:
    """The test of largest effect (|mean log ratio|: 2x and 0.5x are as large), the first of a tie; None for none."""
    return max(tests, key=lambda t: t.test.paired.magnitude, default=None)


@dataclass(frozen=True)
class Tally:
    """One question asked at every grid point where it applies, its verdicts counted over the points."""

    tests: tuple[PointTest, ...]  # in grid order

    @property
    def lower(self) -> tuple[PointTest, ...]:
        return tuple(t for t in self.tests if t.test.verdict == "lower")

    @property
    def higher(self) -> tuple[PointTest, ...]:
        return tuple(t for t in self.tests if t.test.verdict == "higher")

    @property
    def apart(self) -> tuple[PointTest, ...]:
        """The tests significant after BH (lower or higher), in grid order."""
        return tuple(t for t in self.tests if t.test.verdict != "not distinguishable")

    @property
    def not_distinguishable(self) -> int:
        return len(self.tests) - len(self.apart)

    @property
    def largest(self) -> PointTest | None:
        """The distinguishable test of largest effect (:func:`strongest`)."""
        return strongest(self.apart)

    def ratios(self, tests: Sequence[PointTest] | None = None) -> list[float]:
        """The ratios of ``tests`` (default: every test) that are on the log scale."""
        return [t.ratio for t in (self.tests if tests is None else tests) if t.ratio is not None]
