"""Sweep files of tiny runs (a few seconds each) for the study tests, and the closing table read back."""

import json
from pathlib import Path

import yaml

TINY = [
    "training.num_epochs=20", "training.eval_interval=10", "training.save_interval=10", "network.hidden_dim=16",
    "network.num_layers=1", "dataset.num_eval=100", "evaluation.num_eval_steps=[1, 2]",
]
REGRESSION = {"regression": ["experiment.mode=regression"]}


def write_sweep(folder: Path, name: str = "sweep.yaml", **fields) -> Path:
    """``folder/name``: recon, seed 1, regression, the TINY overrides, results and book under
    ``folder``; ``fields`` replace any of these keys (or add grid, book_dir...)."""
    folder.mkdir(parents=True, exist_ok=True)
    sweep = {"tasks": ["recon"], "seeds": [1], "variants": REGRESSION, "overrides": TINY,
             "results_dir": str(folder / "results"), "book_dir": str(folder / "book")} | fields
    path = folder / name
    path.write_text(yaml.safe_dump(sweep, allow_unicode=True, sort_keys=False))
    return path


def statuses(out: str) -> dict[str, str]:
    """Run id -> status, from the closing table ``toyexp sweep`` prints."""
    rows = [line.split() for line in out.splitlines() if line.startswith(("recon/", "projection/", "lie/", "analysis "))]
    return {row[0]: " ".join(row[1:3]) if row[1] == "not" else row[1] for row in rows}


def last_line(text: str) -> str:
    return text.strip().splitlines()[-1]


def results_of(results: Path) -> dict[str, dict]:
    """Run folder -> what its metrics.json says about the model (no times, no provenance)."""
    return {str(p.parent.relative_to(results)): {k: v for k, v in json.loads(p.read_text()).items()
                                                 if k in ("final", "best", "evaluations")}
            for p in results.rglob("metrics.json")}


def assert_nothing_half_written(*folders: Path) -> None:
    """Every file reads whole by its own format; no temporary file is left. train.log, a log the
    run appends to (and rewrites when it runs again), is the one file not checked."""
    import numpy as np
    import torch

    for folder in folders:
        for path in (p for p in folder.rglob("*") if p.is_file()):
            assert ".tmp" not in path.name and ".partial" not in path.name, path
            if path.suffix in (".json", ".ipynb"):
                json.loads(path.read_text())
            elif path.suffix in (".yaml", ".yml"):
                yaml.safe_load(path.read_text())
            elif path.suffix == ".npz":
                dict(np.load(path))
            elif path.suffix == ".pt":
                torch.load(path, weights_only=True)
            elif path.suffix == ".png":
                data = path.read_bytes()
                assert data.startswith(b"\x89PNG\r\n\x1a\n") and data.endswith(b"IEND\xaeB`\x82"), path
            elif path.suffix == ".md":
                path.read_text()
