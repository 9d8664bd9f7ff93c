"""Sweep files of tiny runs (a few seconds each) for the study tests, and the closing table read back."""

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
