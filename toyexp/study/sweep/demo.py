"""The demo study: ``params/demo.yaml``, run like any sweep, kept as the analysis notebook reads it.

The analysis notebook run as it is (JupyterLab, nbval) reads the committed folder
``notebooks/demo-results`` (:func:`toyexp.study.analysis.demo.demo_folder`), which is the results
folder of the sweep file :data:`DEMO_SWEEP`: its plan (:func:`~.plan.plan`) decides every run's
config and folder ``<task>/<variant>/seed-<seed>`` (:func:`~toyexp.run.files.run_directory`), and
:func:`~.runner.run_sweep` executes it, a group of seeds per notebook, as it executes any sweep.

:func:`write_demo_results` (``make demo-results``) then keeps of each run folder only what the
analysis reads: its metrics.json, and its predictions.npz reduced to
:data:`~toyexp.study.analysis.collect.PREDICTION_KEYS` and compressed. Nothing trains when the
notebook runs, so its outputs are a function of these files and of the baselines refitted to
their samples, whatever CPU re-executes it.
"""

from __future__ import annotations

import fnmatch
import json
import os
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import yaml

from ...run.files import PROJECT_ROOT, display_path, resolve_path, shipped, write_json, write_text
from ...run.outputs import load_predictions
from ..analysis.collect import PREDICTION_KEYS
from ..analysis.demo import README_TITLE, demo_folder
from .outcomes import SweepOptions
from .plan import PlannedRun, plan
from .sweep_file import Sweep, load_sweep

DEMO_SWEEP = "params/demo.yaml"


def demo_sweep(results_dir: str | Path | None = None) -> Sweep:
    """The demo's sweep file, loaded; ``results_dir`` (from the current folder) replaces its folder."""
    sweep = load_sweep(shipped(DEMO_SWEEP))
    return sweep if results_dir is None else replace(sweep, results_dir=str(resolve_path(results_dir)))


def demo_runs(results_dir: str | Path | None = None) -> list[PlannedRun]:
    """Every run of the demo study, planned (:func:`demo_sweep`), in plan order."""
    return plan(demo_sweep(results_dir))


def recorded_config(run: PlannedRun) -> dict:
    """The config a committed demo run records: the planned one, its ``experiment.output_dir``
    named from the project's folder (``notebooks/demo-results/recon``) when it lies inside it.

    A sweep hands its runs absolute folders; a committed record keeps none of the machine that
    wrote it, so that regenerating the demo elsewhere changes no path, and a checkout anywhere
    reads the same files.
    """
    config = json.loads(json.dumps(run.config))  # tuples as lists, as metrics.json reads back
    output_dir = Path(config["experiment"]["output_dir"])
    if output_dir.is_relative_to(PROJECT_ROOT):
        config["experiment"]["output_dir"] = str(output_dir.relative_to(PROJECT_ROOT))
    return config


def write_demo_results(results_dir: str | Path | None = None, only: str | None = None, jobs: int | None = None) -> Path:
    """Run the demo sweep into ``results_dir`` (default: its own, ``notebooks/demo-results``) and
    keep of each run what the analysis reads (see the module docstring).

    ``only`` (a glob over run ids, as ``toyexp sweep --only``) runs and keeps some runs alone;
    ``jobs`` groups run at a time (default: one per core). The old folder is moved aside first
    and put back if any run fails or the sweep is interrupted, so the folder holds either the old
    demo or the whole new one. Refuses a non-empty folder that holds no demo results.
    """
    root = demo_folder() if results_dir is None else resolve_path(results_dir)
    if root.is_dir() and any(root.iterdir()) and not _is_demo(root):
        raise ValueError(f"{display_path(root)} holds files that are not demo results (no {README_TITLE!r} in "
                         f"README.md); give write_demo_results an empty or demo folder")
    root.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root.parent, prefix=f".{root.name}.") as scratch:
        old = Path(scratch) / "old"
        if root.exists():
            os.rename(root, old)  # deleted with the scratch folder once the new demo is in place
        try:
            runs = _run(root, Path(scratch), only, jobs)
            staged = Path(scratch) / "staged"
            for run in runs:
                _keep_what_the_analysis_reads(run, staged / run.run_dir.relative_to(root))
            write_text(staged / "README.md", _readme(root))
            os.rename(root, Path(scratch) / "ran")
            os.rename(staged, root)
        except BaseException:
            if root.exists():
                os.rename(root, Path(scratch) / "failed")
            if old.exists():
                os.rename(old, root)
            raise
    return root


def _run(root: Path, scratch: Path, only: str | None, jobs: int | None) -> list[PlannedRun]:
    """Execute the demo sweep with its results in ``root`` and its book (notebooks, TOC) in
    ``scratch``, through a copy of its sweep file that names those folders; the runs it ran.
    Raises RuntimeError naming each run that did not finish."""
    from .runner import run_sweep  # papermill and the kernels: only when the demo is written

    source = yaml.safe_load(shipped(DEMO_SWEEP).read_text())
    sweep_file = scratch / "demo.yaml"
    write_text(sweep_file, yaml.safe_dump({**source, "results_dir": str(root), "book_dir": str(scratch / "book")}, sort_keys=False))
    options = SweepOptions(only=only, analysis=False, command=("write_demo_results",), **({"jobs": jobs} if jobs else {}))
    report = run_sweep(sweep_file, options, on_done=lambda o: print(f"{o.id}: {o.status} ({o.seconds:.1f} s)", file=sys.stderr))
    unfinished = [f"{o.id} {o.status}" + (f" ({o.error})" if o.error else "") for o in report.outcomes if o.status != "done"]
    if report.stopped or unfinished:
        raise RuntimeError(f"the demo sweep did not finish ({report.stopped or 'failed'}): {'; '.join(unfinished)}")
    return [r for r in plan(load_sweep(sweep_file)) if not only or fnmatch.fnmatch(r.id, only)]


def _keep_what_the_analysis_reads(run: PlannedRun, kept: Path) -> None:
    """Into ``kept``: ``run``'s metrics.json, its config as :func:`recorded_config` names it, and
    its predictions.npz reduced to the arrays the analysis reads, compressed."""
    metrics = json.loads((run.run_dir / "metrics.json").read_text())
    metrics["config"] = recorded_config(run)
    arrays = load_predictions(run.run_dir)
    kept.mkdir(parents=True)
    np.savez_compressed(kept / "predictions.npz", **{k: arrays[k] for k in PREDICTION_KEYS})
    write_json(kept / "metrics.json", metrics)


def _is_demo(root: Path) -> bool:
    readme = root / "README.md"
    return readme.is_file() and readme.read_text().startswith(README_TITLE)


def _readme(root: Path) -> str:
    sweep = demo_sweep(root)
    variants = "\n".join(f"- `{v}`: `{' '.join(o)}`" for v, o in sweep.variants.items())
    shown = str(root.relative_to(PROJECT_ROOT)) if root.is_relative_to(PROJECT_ROOT) else display_path(root)
    return f"""{README_TITLE}

Real runs of the default study at tiny settings, which `notebooks/analysis.ipynb` reads when it
runs as it is (JupyterLab, nbval): the results of the sweep file `{DEMO_SWEEP}`, every task
({", ".join(sweep.tasks)}) × seeds {" and ".join(map(str, sweep.seeds))} × these variants,

{variants}

with `{" ".join(sweep.overrides)}`.

Each `<task>/<variant>/seed-<seed>/` holds what the analysis reads: the run's `metrics.json`,
whose `config.experiment.output_dir` names this folder as `{shown}` (from the project's folder,
not the absolute path of the machine that ran it), and its `predictions.npz` reduced to
{", ".join(f"`{k}`" for k in PREDICTION_KEYS)} and compressed.
Nothing trains when the analysis notebook runs.

`tests/study/sweep/test_demo.py` checks that every recorded config is still the one the sweep
file plans and retrains one run. When the package changes these runs, regenerate them and
re-execute the notebooks:

```bash
make demo-results notebooks
```
"""
