"""The demo study: tiny real runs of the default study, committed for the analysis notebook.

The analysis notebook, run as it is (JupyterLab, nbval), reads :data:`DEMO_DIR`: every task of
the registry × :data:`DEMO_VARIANTS` × :data:`DEMO_SEEDS`, trained with the quick preset for
:data:`DEMO_EPOCHS` epochs. Each run folder ``<task>/<variant>/seed-<seed>/`` keeps only
what the analysis reads: metrics.json, and predictions.npz reduced to
:data:`~toyexp.study.analysis.collect.PREDICTION_KEYS` and compressed. Nothing trains when the notebook
runs, so its outputs are a function of these committed files and of the baselines refitted to
their samples, and do not depend on which CPU trained them. :func:`write_demo_results`
(``make demo-results``) retrains them all.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ...run.config import Config, load_config
from ...run.files import display_path, resolve_path, shipped
from ...run.outputs import load_predictions
from ...run.record import record_to_json
from ...run.files import run_directory
from ...run.steps import run_all
from ...tasks import task_names
from .collect import PREDICTION_KEYS

DEMO_DIR = "notebooks/demo-results"
DEMO_VARIANTS = {
    "regression": ["experiment.mode=regression"],
    "flow": ["experiment.mode=flow"],
    "flow-gaussian": ["experiment.mode=flow", "training.initial_dist=gaussian", "evaluation.initial_dist=gaussian"],
}
DEMO_SEEDS = (42, 43)
DEMO_EPOCHS = 500
# on top of the quick preset: fewer epochs, and more step counts for the error-against-NFE figure
DEMO_OVERRIDES = [f"training.num_epochs={DEMO_EPOCHS}", "evaluation.num_eval_steps=[1,2,4,8]",
                  "evaluation.integration_method=[euler,rk4]", "experiment.device=cpu"]
README_TITLE = "# Demo results of the analysis notebook"


@dataclass(frozen=True)
class DemoRun:
    task: str
    variant: str  # a key of DEMO_VARIANTS
    seed: int


def demo_runs() -> list[DemoRun]:
    """Every run of the demo study, in the order they are written."""
    return [DemoRun(task, variant, seed) for task in task_names() for variant in DEMO_VARIANTS for seed in DEMO_SEEDS]


def demo_config(demo: DemoRun, results_dir: str | Path = DEMO_DIR) -> Config:
    """The config of ``demo`` whose run folder is ``<results_dir>/<task>/<variant>/seed-<seed>``, a sweep's layout."""
    if demo.variant not in DEMO_VARIANTS:
        raise ValueError(f"demo variant {demo.variant!r} is unknown; valid: {', '.join(DEMO_VARIANTS)}")
    output_dir = f"{results_dir}/{demo.task}"
    return load_config(demo.task, seed=demo.seed, quick=True, overrides=[
        *DEMO_VARIANTS[demo.variant], *DEMO_OVERRIDES, f"experiment.variant={demo.variant}", f"experiment.output_dir={output_dir}"])


def demo_folder() -> Path:
    """The committed demo runs, found from the package wherever it is used (:data:`DEMO_DIR` in the project)."""
    return shipped(DEMO_DIR)


def write_demo_results(results_dir: str | Path = DEMO_DIR, runs: list[DemoRun] | None = None) -> Path:
    """Train ``runs`` (default: all of :func:`demo_runs`) and replace ``results_dir`` with their records.

    Every run trains in a scratch folder next to ``results_dir``; its metrics.json is kept as the
    run wrote it except ``config.experiment.output_dir``, which names ``results_dir`` (the config
    is then exactly :func:`demo_config`'s), and its predictions.npz keeps PREDICTION_KEYS only.
    The finished folder replaces the old one by renaming, so a failed or interrupted run leaves
    the old one as it was. Refuses a non-empty folder that holds no demo results.
    """
    root = demo_folder() if results_dir == DEMO_DIR else resolve_path(results_dir)  # the project's own, from any folder
    if root.is_dir() and any(root.iterdir()) and not _is_demo(root):
        raise ValueError(f"{display_path(root)} holds files that are not demo results (no {README_TITLE!r} in "
                         f"README.md); give write_demo_results an empty or demo folder")
    root.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root.parent, prefix=f".{root.name}.") as scratch:
        trained, staged = Path(scratch) / "runs", Path(scratch) / "staged"
        for demo in runs or demo_runs():
            cfg = demo_config(demo, trained)
            metrics = record_to_json(run_all(cfg, figures=False))
            metrics["config"]["experiment"]["output_dir"] = f"{results_dir}/{demo.task}"
            kept = staged / run_directory(cfg).relative_to(trained)
            kept.mkdir(parents=True)
            arrays = load_predictions(run_directory(cfg))
            np.savez_compressed(kept / "predictions.npz", **{k: arrays[k] for k in PREDICTION_KEYS})
            (kept / "metrics.json").write_text(json.dumps(metrics, indent=2, allow_nan=True) + "\n")
        (staged / "README.md").write_text(_readme(results_dir))
        if root.exists():
            os.rename(root, Path(scratch) / "old")  # deleted with the scratch folder
        os.rename(staged, root)
    return root


def _is_demo(root: Path) -> bool:
    readme = root / "README.md"
    return readme.is_file() and readme.read_text().startswith(README_TITLE)


def _readme(results_dir: str | Path) -> str:
    variants = "\n".join(f"- `{v}`: `{' '.join(o)}`" for v, o in DEMO_VARIANTS.items())
    return f"""{README_TITLE}

Real runs of the default study at tiny settings, which `notebooks/analysis.ipynb` reads when it
runs as it is (JupyterLab, nbval): every task ({", ".join(task_names())}) × seeds
{" and ".join(map(str, DEMO_SEEDS))} × these variants,

{variants}

with the quick preset and `{" ".join(DEMO_OVERRIDES)}`.

Each `<task>/<variant>/seed-<seed>/` holds what the analysis reads: the run's
`metrics.json`, whose `config.experiment.output_dir` names this folder (`{results_dir}`) rather
than the scratch folder the run trained in, and its `predictions.npz` reduced to
{", ".join(f"`{k}`" for k in PREDICTION_KEYS)} and compressed. Nothing trains when the analysis
notebook runs.

`tests/study/analysis/test_demo.py` checks that every recorded config is still the one the package loads
and retrains one run. When the package changes these runs, regenerate them and re-execute the
notebooks:

```bash
make demo-results notebooks
```
"""
