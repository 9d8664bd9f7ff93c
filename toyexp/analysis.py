"""Results across seeds: collect a sweep's runs, summarise them, and say what they show.

A run folder is ``<results_dir>/<experiment>/<variant>/<mode>/seed-<seed>/``, the experiment
one of config.TASKS and the mode one of config.MODES. The variant is every folder between the
experiment and the mode (a grid point adds levels, e.g. the variant ``flow/learning_rate=0.001``).
A run is complete when its metrics.json (written last, atomically) and predictions.npz both read.

Over the n seeds of a variant, a number v_1..v_n is summarised by its mean
m = (1/n) sum_i v_i and sample standard deviation s = sqrt(sum_i (v_i - m)^2 / (n - 1)).
With one seed s is undefined: it is stored as 0 (so plots draw no error bar) and printed as "—".
"""

from __future__ import annotations

import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .config import MODES, TASKS
from .experiment import load_predictions
from .outputs import resolve_path

SEED_DIR = re.compile(r"seed-(-?\d+)")


@dataclass(frozen=True)
class RunRecord:
    experiment: str
    variant: str
    mode: str
    seed: int
    run_dir: Path
    metrics: dict  # the run's metrics.json
    predictions: dict[str, np.ndarray] = field(repr=False, compare=False)  # its predictions.npz


@dataclass(frozen=True)
class Collection:
    root: Path
    runs: tuple[RunRecord, ...]  # complete runs, sorted by (experiment, variant, seed)
    incomplete: tuple[Path, ...]  # run folders without a readable metrics.json and predictions.npz

    def experiments(self) -> list[str]:
        return list(dict.fromkeys(r.experiment for r in self.runs))

    def variants(self, experiment: str) -> list[str]:
        return list(dict.fromkeys(r.variant for r in self.runs if r.experiment == experiment))

    def select(self, experiment: str, variant: str | None = None) -> list[RunRecord]:
        return [r for r in self.runs if r.experiment == experiment and variant in (None, r.variant)]


PREDICTION_KEYS = ("c_train", "x_train", "c_grid", "x_grid", "pred_grid")


def _read_metrics(path: Path) -> dict | None:
    """The metrics of a complete run, or None when the file is missing, unreadable or not a run's."""
    try:
        metrics = json.loads(path.read_text())
        return metrics if isinstance(metrics["final"]["l2"], (int, float)) else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _read_predictions(run_dir: Path) -> dict[str, np.ndarray] | None:
    try:
        arrays = load_predictions(run_dir)
        return arrays if all(k in arrays for k in PREDICTION_KEYS) else None
    except (OSError, ValueError, EOFError, zipfile.BadZipFile):
        return None


def collect(results_dir: str | Path) -> Collection:
    """Every run folder under ``results_dir`` (relative paths from the project root).

    Folders holding config.yaml or metrics.json at ``<experiment>/<variant>/<mode>/seed-<seed>``
    are runs: complete when metrics.json and predictions.npz both read, incomplete otherwise.
    Folders outside that layout (e.g. single notebook runs at ``recon/flow/seed-42``, or another
    sweep nested inside) are ignored. A missing or corrupt file never raises.
    """
    root = resolve_path(results_dir)
    found = {p.parent for name in ("config.yaml", "metrics.json") for p in root.rglob(name)} if root.is_dir() else set()
    runs, incomplete = [], []
    for run_dir in found:
        parts = run_dir.relative_to(root).parts
        seed = SEED_DIR.fullmatch(parts[-1]) if len(parts) >= 4 else None
        if seed is None or parts[0] not in TASKS or parts[-2] not in MODES:
            continue
        metrics, arrays = _read_metrics(run_dir / "metrics.json"), _read_predictions(run_dir)
        if metrics is None or arrays is None:
            incomplete.append(run_dir)
            continue
        runs.append(RunRecord(parts[0], "/".join(parts[1:-2]), parts[-2], int(seed.group(1)), run_dir, metrics, arrays))
    runs.sort(key=lambda r: (r.experiment, r.variant, r.seed, r.mode, str(r.run_dir)))
    return Collection(root, tuple(runs), tuple(sorted(incomplete)))


# ---------------------------------------------------------------- summary statistics


@dataclass(frozen=True)
class Stat:
    mean: float
    std: float  # sample std over seeds (ddof = 1); 0 when n = 1
    n: int


@dataclass(frozen=True)
class Metric:
    name: str
    path: tuple[str, ...]  # keys inside metrics["final"]
    label: str
    spec: str  # format of the printed numbers


METRICS = (
    Metric("l1", ("l1",), "l1 (mean absolute error)", ".4f"),
    Metric("l2", ("l2",), "l2 (RMSE)", ".4f"),
    Metric("max_angle_deg", ("subspace_error", "max_angle_deg"), "largest principal angle (degrees)", ".3f"),
    Metric("projection_distance", ("subspace_error", "projection_distance"), "projection distance", ".4f"),
    Metric("explained_true", ("explained_variance", "true_subspace"), "explained variance, true subspace", ".5f"),
    Metric("explained_top_k", ("explained_variance", "top_k"), "explained variance, top k", ".5f"),
    Metric("off_subspace", ("off_subspace",), "off-subspace fraction", ".4f"),
    Metric("cosine_mean", ("cosine_mean",), "cosine to the true direction, mean", ".4f"),
    Metric("cosine_min", ("cosine_min",), "cosine to the true direction, minimum", ".4f"),
    Metric("projection_mean", ("projection_mean",), "projection error, mean", ".4f"),
    Metric("projection_max", ("projection_max",), "projection error, maximum", ".4f"),
)
VELOCITY_METRICS = ("cosine_mean", "cosine_min", "projection_mean", "projection_max")  # per α in final["per_velocity"]
METRIC = {m.name: m for m in METRICS}


@dataclass(frozen=True)
class SummaryRow:
    variant: str
    mode: str
    seeds: tuple[int, ...]
    stats: dict[str, Stat]  # metric name -> mean and std over seeds

    @property
    def n(self) -> int:
        return len(self.seeds)


def mean_std(values, axis: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Mean and sample std (ddof = 1) over ``axis``; the std is 0 for a single value."""
    v = np.asarray(values, dtype=float)
    mean = v.mean(axis=axis)
    return mean, (v.std(axis=axis, ddof=1) if v.shape[axis] > 1 else np.zeros_like(mean))


def stat(values) -> Stat:
    mean, std = mean_std(values)
    return Stat(float(mean), float(std), len(values))


def format_stat(s: Stat, spec: str = ".4f") -> str:
    """``mean ± std`` at fixed precision; the std reads "—" for a single seed."""
    return f"{s.mean:{spec}} ± " + (f"{s.std:{spec}}" if s.n > 1 else "—")


def _final_value(metrics: dict, metric: Metric) -> float | None:
    value = metrics["final"]
    for key in metric.path:
        value = value.get(key) if isinstance(value, dict) else None
    return float(value) if isinstance(value, (int, float)) else None


def summary_table(collection: Collection, experiment: str) -> list[SummaryRow]:
    """One row per variant: each final metric that every seed reports, as mean and std over seeds."""
    rows = []
    for variant in collection.variants(experiment):
        runs = collection.select(experiment, variant)
        stats = {}
        for metric in METRICS:
            values = [_final_value(r.metrics, metric) for r in runs]
            if None not in values:
                stats[metric.name] = stat(values)
        rows.append(SummaryRow(variant, runs[0].mode, tuple(r.seed for r in runs), stats))
    return rows


def markdown_table(rows: list[SummaryRow]) -> str:
    """The summary as a Markdown table (the metrics every row has), numbers at fixed precision."""
    names = [m.name for m in METRICS if rows and all(m.name in r.stats for r in rows)]
    lines = ["| variant | n | " + " | ".join(METRIC[n].label for n in names) + " |", "|---|---:|" + "---:|" * len(names)]
    for r in rows:
        cells = [format_stat(r.stats[n], METRIC[n].spec) for n in names]
        lines.append(f"| {r.variant} | {r.n} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


@dataclass(frozen=True)
class Band:
    """A curve over seeds: ``x`` and the mean and std over seeds of ``y`` at each x."""

    x: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    n: int


def prediction_band(runs: list[RunRecord]) -> tuple[Band, dict[str, np.ndarray]]:
    """Mean and std over seeds of pred_grid (x = c_grid), and the first run's arrays (truth, training set)."""
    preds = [r.predictions for r in runs]
    first = preds[0]
    if any(p["pred_grid"].shape != first["pred_grid"].shape or not np.allclose(p["c_grid"], first["c_grid"]) for p in preds):
        raise ValueError(f"the seeds of {runs[0].experiment}/{runs[0].variant} were predicted on different grids")
    return Band(first["c_grid"][:, 0], *mean_std([p["pred_grid"] for p in preds]), len(runs)), first


@dataclass(frozen=True)
class NfeCurve:
    method: str
    num_steps: tuple[int, ...]
    nfe: tuple[int, ...]
    l2: Band  # x: NFE; y: final model's l2 over the seeds


def nfe_curves(runs: list[RunRecord]) -> list[NfeCurve]:
    """Per integrator, l2 against NFE over the seeds, at the (method, num_steps) every seed evaluated."""
    table = [{(e["method"], e["num_steps"]): e for e in r.metrics["evaluations"]} for r in runs]
    keys = [k for k in table[0] if all(k in t for t in table)]
    curves = []
    for method in dict.fromkeys(m for m, _ in keys):
        steps = sorted(n for m, n in keys if m == method)
        nfe = tuple(table[0][(method, n)]["nfe"] for n in steps)
        l2 = [[t[(method, n)]["l2"] for n in steps] for t in table]
        curves.append(NfeCurve(method, tuple(steps), nfe, Band(np.array(nfe), *mean_std(l2), len(runs))))
    return curves


def velocity_curves(runs: list[RunRecord]) -> dict[str, Band]:
    """The rotation metrics per velocity over the seeds of ``runs``: metric name -> Band with x = α_i,
    from each run's final["per_velocity"] (one entry per component, in order)."""
    per = [r.metrics["final"]["per_velocity"] for r in runs]
    alphas = np.array([p["alpha"] for p in per[0]])
    if any(len(p) != len(alphas) or not np.allclose([q["alpha"] for q in p], alphas) for p in per):
        raise ValueError(f"the seeds of {runs[0].experiment}/{runs[0].variant} have different velocities α")
    return {name: Band(alphas, *mean_std([[q[name] for q in p] for p in per]), len(runs)) for name in VELOCITY_METRICS}


def velocity_table(curves: dict[str, dict[str, Band]], name: str = "cosine_mean") -> str:
    """A Markdown table of one per-velocity metric: a row per α, a column per variant, mean ± std over seeds."""
    variants = list(curves)
    alphas = next(iter(curves.values()))[name].x
    spec = METRIC[name].spec
    lines = ["| α | " + " | ".join(variants) + " |", "|---:|" + "---:|" * len(variants)]
    for i, a in enumerate(alphas):
        cells = [format_stat(Stat(float(b.mean[i]), float(b.std[i]), b.n), spec) for b in (curves[v][name] for v in variants)]
        lines.append(f"| {a:.3f} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def provenance_summary(collection: Collection) -> str:
    """Git commits, package versions, platforms and the date range recorded by the runs."""
    prov = [r.metrics.get("provenance", {}) for r in collection.runs]
    if not prov:
        return "No complete runs, so no provenance."
    commits = {}
    for p in prov:
        git = p.get("git") or {}
        commits.setdefault(str(git.get("commit")), []).append(bool(git.get("dirty")))
    lines = [f"{len(prov)} complete runs."]
    lines += [f"git commit {c} ({len(d)} runs, {sum(d)} with uncommitted changes)" for c, d in sorted(commits.items())]
    for key in ("toyexp", "python", "torch", "numpy", "platform"):
        lines.append(f"{key}: " + ", ".join(sorted({str(p.get(key)) for p in prov})))
    dates = sorted(str(p["date"]) for p in prov if p.get("date"))
    lines.append(f"dates: {dates[0]} to {dates[-1]}" if dates else "dates: not recorded")
    return "\n".join(lines)
