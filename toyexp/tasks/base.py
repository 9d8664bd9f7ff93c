"""What a task is: the contract every task folder fulfils, and the results it shares with the run
and the study.

A task is one learning problem c -> f(c). Its folder (``tasks/<name>/``) holds everything
about it: ``config.py``, its ``dataset`` keys (a :class:`~toyexp.tasks.config.DatasetConfig`);
``task.py``, the :class:`Task` object ``TASK``; and the modules that object uses (its data,
metrics, figures and text). Generic code (the run steps, the sweep, the analysis) asks the
task object; it never checks which task it has.

A run's results are typed, here, end to end: :class:`Final` is the evaluation at the final
setting with the task's own metrics (a frozen dataclass the task defines), :class:`RunResult`
what a run's figures and sentences read, and :class:`SummaryRow` one variant over its seeds.
"""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass, field
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Generic, TypeVar

import numpy as np
from torch import Tensor

from ..core.metrics import Draws, Evaluation
from ..core.stats import LogStat, Stat
from .config import DatasetConfig
from .sampling import Samples

if TYPE_CHECKING:
    from matplotlib.figure import Figure


@dataclass(frozen=True, kw_only=True)
class Final(Evaluation):
    """The final model at the final setting (the first integrator at its finest resolution),
    with the task's own metrics of that prediction (None for a task that has none) and, when the
    prediction is the mean of K > 1 draws of x_0, their spread (None for one draw)."""

    task_metrics: Any = None  # an instance of the task's ``metrics_type``
    draws: Draws | None = None


@dataclass(frozen=True)
class Best:
    """The best model seen during training (lowest evaluation l2), at the final setting."""

    epoch: int
    l1: float
    l2: float


@dataclass(frozen=True, kw_only=True)
class RunResult:
    """What evaluating a run gives: every evaluation, ``final``, ``best``, and the dense grid."""

    evaluations: tuple[Evaluation, ...]  # the final model at every (method, resolution)
    final: Final
    best: Best
    c_grid: Tensor  # (G, 1) even grid over [c_min, c_max]
    x_grid: Tensor  # (G, D) target on the grid
    pred_grid: Tensor  # (G, D) the final model's prediction on the grid
    std_grid: Tensor | None = None  # (G, D) the std of its K draws at each grid point (ddof = 1); None when K = 1


@dataclass(frozen=True)
class Metric:
    """A number of :class:`Final` that the analysis summarises over seeds: a field of the task's
    metrics (``of_task``), or of Final itself (:data:`L1`, :data:`L2`). Frozen, so hashable: a
    :class:`SummaryRow` keys its statistics by the Metric itself, never by its name."""

    name: str  # the field's name
    label: str
    _: KW_ONLY  # the name and label say what it is; the rest are options, named where given
    fmt: str = ".4f"  # format of the printed numbers
    complement: bool = False  # plot 1 - value (for numbers close to 1)
    log: bool = False  # plot on a log scale
    of_task: bool = True

    def of(self, final: Final) -> float:
        return float(getattr(final.task_metrics if self.of_task else final, self.name))


L1 = Metric("l1", "l1 (mean absolute error)", of_task=False)
L2 = Metric("l2", "l2 (RMSE)", of_task=False)
ERRORS = (L1, L2)  # every task's errors, summarised on the log scale


@dataclass(frozen=True, kw_only=True)
class SummaryRow:
    """One variant of a task over its seeds: a trained network, or a classical baseline fitted to
    the same samples (``mode`` None). ``stats`` and ``values`` are keyed by :class:`Metric`
    (``row.stats[L2]``), so a misspelt metric is a NameError at import, not a KeyError in a report."""

    variant: str
    mode: str | None  # the training mode; None for a classical baseline
    seeds: tuple[int, ...]
    finals: tuple[Final, ...] = field(compare=False, repr=False)  # one per seed, in seed order
    stats: dict[Metric, Stat | LogStat] = field(default_factory=dict)  # over seeds (LogStat for the errors)
    values: dict[Metric, tuple[float, ...]] = field(default_factory=dict, compare=False)  # one per seed

    @property
    def n(self) -> int:
        return len(self.seeds)

    @property
    def baseline(self) -> bool:
        return self.mode is None


@dataclass(frozen=True)
class Section:
    """A part of a task's analysis: a heading, Markdown (tables, sentences) and figures."""

    title: str
    markdown: str = ""
    figures: list[Figure] = field(default_factory=list)


Colour = Callable[[str], "str | None"]  # the fixed colour of a variant or baseline in every figure


@dataclass(frozen=True)
class TaskAnalysis:
    """The base of a task's own numbers across seeds (what :meth:`Task.analyse` computes once): a
    task subclasses it with named fields, and its sections and sentences only read them."""


AnalysisT = TypeVar("AnalysisT", bound=TaskAnalysis)


class Task(Generic[AnalysisT]):
    """The contract of a task. Subclasses set the class attributes and implement :meth:`dataset`;
    the rest is what a task adds where it has something to add. A task with numbers of its own
    across seeds is a ``Task[ItsAnalysis]`` (``ItsAnalysis`` a :class:`TaskAnalysis`)."""

    name: ClassVar[str]  # the task's one name: folder, notebook, sweep file, metrics.json, book
    title: ClassVar[str]  # a heading for the report
    description: ClassVar[str] = ""  # one or two sentences of Markdown for the report: the target, the question
    methods: ClassVar[str] = ""  # Markdown: the target and the task's own metrics (its page in the book's Tasks chapter)
    dataset_config: ClassVar[type[DatasetConfig]]  # the keys of the ``dataset`` section
    metrics_type: ClassVar[type | None] = None  # the frozen dataclass of Final.task_metrics
    summary_metrics: ClassVar[tuple[Metric, ...]] = ()  # fields of metrics_type summarised over seeds
    notebook: ClassVar[str] = ""  # the run notebook a sweep executes; "" means the project's notebooks/<name>.ipynb
    # Whether the output coordinates are views of one function of c, sharing its frequencies (the GP
    # baseline then fits one kernel to them all); False: each gets its own (toyexp.core.gp)
    outputs_share_frequencies: ClassVar[bool] = True

    def dataset(self, cfg: DatasetConfig, seed: int) -> Samples:
        """The samples for the run seed ``seed``."""
        raise NotImplementedError

    def loss_blocks(self, cfg: DatasetConfig) -> int:
        """How many equal blocks of output coordinates ``loss_aggregation: per_component`` sums over."""
        return 1

    def metrics(self, data: Samples, c: Tensor, pred: Tensor) -> Any:
        """The task's own metrics (a ``metrics_type``) of predictions ``pred`` (M, D) at inputs ``c`` (M, 1)."""
        return None

    def figures(self, data: Samples, result: RunResult, title: str) -> dict[str, Figure]:
        """The task's own figures of one run, by file name (without .png)."""
        return {}

    def describe(self, task_metrics: Any) -> str:
        """Sentences about one run's own metrics, at fixed precision."""
        return ""

    def target_frequencies(self, cfg: DatasetConfig) -> np.ndarray | None:
        """The target's frequencies in cycles per unit c (marked on the error spectrum); None: no spectrum."""
        return None

    def highest_frequency(self, cfg: DatasetConfig) -> float | None:
        """The target's highest frequency f_max in cycles per unit c (samples h apart take
        1 / (h f_max) samples per cycle of it; 2 is the Nyquist rate); None when it has none."""
        freqs = self.target_frequencies(cfg)
        return None if freqs is None else float(np.max(freqs))

    def analyse(self, rows: list[SummaryRow]) -> AnalysisT | None:
        """The task's own numbers across seeds, computed once from ``rows`` (the trained variants,
        then the baselines) for :meth:`sections` and :meth:`interpretation` to read; None if none."""
        return None

    def sections(self, rows: list[SummaryRow], analysis: AnalysisT | None, colour: Colour) -> list[Section]:
        """Cross-seed sections (tables, figures) drawn from ``analysis``; ``colour(name)`` is the
        fixed colour of a variant or baseline in every figure."""
        return []

    def interpretation(self, rows: list[SummaryRow], analysis: AnalysisT | None) -> list[str]:
        """Sentences (Markdown, one bullet each) about the task's own numbers, every number read from
        ``rows`` and ``analysis``, with its 95 % interval where it is a mean over seeds."""
        return []
