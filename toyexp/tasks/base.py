"""What a task is: the contract every task folder fulfils, and the types it shares with the study.

A task is one learning problem c -> f(c). Its folder (``tasks/<name>/``) holds everything
about it, exposed through one :class:`Task` object registered in :mod:`toyexp.tasks`:

- its dataset and the config keys of the ``dataset`` section (a :class:`DatasetConfig` subclass);
- the metrics it adds to ``final`` in metrics.json, and its figures and sentences for one run;
- what it adds to the cross-seed analysis: metrics to summarise, sections, interpretation.

Generic code (the run steps, the sweep, the analysis) asks the task object; it never checks
which task it has.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Protocol

import numpy as np
from torch import Tensor

from ..core.config import DatasetConfig
from ..core.stats import SummaryRow

if TYPE_CHECKING:
    from matplotlib.figure import Figure


class Dataset(Protocol):
    """Training and evaluation samples of a target f: (N, 1) inputs c -> (N, D) outputs x."""

    cfg: DatasetConfig
    c_train: Tensor  # (N, 1)
    x_train: Tensor  # (N, D)
    c_eval: Tensor  # (M, 1)
    x_eval: Tensor  # (M, D)

    @property
    def dim(self) -> int: ...

    def grid(self, num: int) -> Tensor: ...

    def target(self, c: Tensor) -> Tensor: ...


@dataclass(frozen=True)
class Metric:
    """A number of ``final`` in metrics.json that the analysis summarises over seeds."""

    name: str
    path: tuple[str, ...]  # keys inside metrics["final"]
    label: str
    spec: str = ".4f"  # format of the printed numbers
    complement: bool = False  # plot 1 - value (for numbers close to 1)
    log: bool = False  # plot on a log scale


@dataclass(frozen=True)
class Section:
    """A part of a task's analysis: a heading, Markdown (tables, sentences) and figures."""

    title: str
    markdown: str = ""
    figures: list[Figure] = field(default_factory=list)


class RunResult(Protocol):
    """What a task's figures need of one evaluated run: the dense grid and ``final``."""

    c_grid: Tensor  # (G, 1)
    x_grid: Tensor  # (G, D) target
    pred_grid: Tensor  # (G, D) prediction
    final: dict


class Task:
    """The contract of a task. Subclasses set the class attributes and implement :meth:`dataset`."""

    name: ClassVar[str]  # the task's one name: notebook, sweep file, metrics.json, book
    title: ClassVar[str]  # a heading for the report
    description: ClassVar[str] = ""  # one or two sentences of Markdown for the report: the target, the question
    dataset_config: ClassVar[type[DatasetConfig]]  # the keys of the ``dataset`` section
    legacy_type: ClassVar[str] = ""  # ``dataset.type`` in config files of the original toyexp scripts
    renamed_keys: ClassVar[dict[str, str]] = {}  # old dataset key -> new key (older config files)
    ignored_keys: ClassVar[dict[str, str]] = {}  # dataset key accepted with a note -> why it never has an effect
    summary_metrics: ClassVar[tuple[Metric, ...]] = ()  # the task's own numbers in final, summarised over seeds
    notebook: ClassVar[str] = ""  # the run notebook a sweep executes; "" means the project's notebooks/<name>.ipynb

    def resolve(self, dataset: DatasetConfig) -> DatasetConfig:
        """Check relations between the dataset keys and fill derived ones; raises ConfigError."""
        return dataset

    def inert_keys(self, dataset: DatasetConfig) -> dict[str, str]:
        """The dataset keys that the other keys of ``dataset`` leave without effect -> why (one
        clause); the loader notes each one that a config sets to other than its default."""
        return {}

    def dataset(self, cfg: DatasetConfig, seed: int) -> Dataset:
        """The samples for the run seed ``seed``."""
        raise NotImplementedError

    def num_components(self, cfg: DatasetConfig) -> int:
        """How many equal blocks of output coordinates ``loss_aggregation: per_component`` sums over."""
        return 1

    def metrics(self, data: Dataset, c: Tensor, pred: Tensor) -> dict[str, Any]:
        """Numbers the task adds to ``final`` for predictions ``pred`` (M, D) at inputs ``c`` (M, 1)."""
        return {}

    def figures(self, data: Dataset, results: RunResult, title: str) -> dict[str, Figure]:
        """The task's own figures of one run, by file name (without .png)."""
        return {}

    def describe(self, final: dict) -> str:
        """Sentences about the task's own numbers in ``final``, at fixed precision."""
        return ""

    def target_frequencies(self, config: dict) -> np.ndarray | None:
        """The target's frequencies in cycles per unit c (marked on the error spectrum); None: no spectrum."""
        return None

    def analysis(self, rows: list[SummaryRow], finals: dict[str, list[dict]],
                 colour: Callable[[str], str | None] = lambda name: None) -> list[Section]:
        """Cross-seed sections: ``rows`` are the summary rows (trained variants, then the classical
        baselines, ``row.baseline`` set), ``finals`` each row's ``final`` per seed, ``colour(name)``
        the fixed colour of a variant or baseline in every figure (None: matplotlib's cycle)."""
        return []

    def interpretation(self, rows: list[SummaryRow], finals: dict[str, list[dict]]) -> list[str]:
        """Sentences (Markdown, one bullet each) about the task's own numbers across the variants and
        baselines of ``rows``, every number computed from them, with its 95 % interval
        (``Stat.ci``) where it is a mean over seeds."""
        return []
