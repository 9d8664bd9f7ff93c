"""Demo results: tiny, deterministic runs of the default study, for the committed analysis notebook."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import numpy as np

from ..run import load_config, resolve_path, run
from ..tasks import TASKS
from .collect import collect

DEMO_VARIANTS = {
    "regression": ["experiment.mode=regression"],
    "flow": ["experiment.mode=flow"],
    "flow-gaussian": ["experiment.mode=flow", "training.initial_dist=gaussian", "evaluation.initial_dist=gaussian"],
}
DEMO_MARKER = "DEMO.txt"


def _demo_key(root: Path, seeds: tuple[int, ...], num_epochs: int) -> str:
    """A hash of everything the demo files depend on: the package's source, versions, settings."""
    import torch

    h = hashlib.sha256(repr((str(root), seeds, num_epochs, torch.__version__, np.__version__)).encode())
    for path in sorted(Path(__file__).parents[1].rglob("*.py")):
        h.update(path.read_bytes())
    return h.hexdigest()


def ensure_demo_results(results_dir: str | Path, seeds: tuple[int, ...] = (42, 43), num_epochs: int = 500) -> Path:
    """Tiny runs of the default study (quick preset, CPU, one thread) in ``results_dir``.

    The runs are deterministic, so the files are bit-identical on one machine; they are kept
    while the key in DEMO.txt (a hash of toyexp's source, versions and these settings) matches,
    and rewritten otherwise. Refuses a non-empty folder without DEMO.txt: real results stay safe.
    """
    root = resolve_path(results_dir)
    marker, key = root / DEMO_MARKER, _demo_key(root, tuple(seeds), num_epochs)
    if root.is_dir() and any(root.iterdir()) and not marker.exists():
        raise ValueError(f"{root} holds results that are not demo results; run with demo=False to analyse them")
    if marker.exists() and key in marker.read_text() and len(collect(root).runs) == len(TASKS) * len(DEMO_VARIANTS) * len(seeds):
        return root
    root.mkdir(parents=True, exist_ok=True)
    marker.write_text("Demo results of toyexp.study.demo.ensure_demo_results (being written); safe to delete.\n")
    for experiment in TASKS:
        shutil.rmtree(root / experiment, ignore_errors=True)
        for variant, overrides in DEMO_VARIANTS.items():
            for seed in seeds:
                cfg = load_config(experiment, seed=seed, quick=True, overrides=overrides + [
                    f"experiment.output_dir={root / experiment / variant}", "experiment.device=cpu",
                    f"training.num_epochs={num_epochs}", "evaluation.num_eval_steps=[1,2,4,8]",
                    "evaluation.integration_method=[euler,rk4]"])
                run(cfg, figures=False)
    marker.write_text(f"Demo results of toyexp.study.demo.ensure_demo_results; safe to delete.\nkey {key}\n")
    return root
