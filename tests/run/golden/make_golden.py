"""Write golden.json: the ``final`` metrics of tiny runs, one per (task, mode, option) case, and
the CPU code path they were computed on.

Every later change that is not meant to change the numbers must keep them: test_golden.py
compares bit for bit on the same code path, and within a stated tolerance on another.
Rerun this script only when a change is meant to change the numbers, and say why in the
commit (with the largest relative change of any metric, to show what kind of change it is).

    .venv/bin/python tests/run/golden/make_golden.py

History: written before the package was split into layers; rewritten when Adam moved to
torch's fused kernel (every metric moved by at most 1.7e-7 relative: float32 rounding), and
when metrics.json went to format 2 (toyexp 0.2: typed task metrics; every number identical).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
TINY = [
    "training.num_epochs=40", "training.eval_interval=20", "training.save_interval=20",
    "network.hidden_dim=16", "network.num_layers=2", "dataset.num_train=12", "dataset.num_eval=64",
    "evaluation.num_eval_steps=[1, 3]", "evaluation.integration_method=[euler, rk4]",
]
CASES = {  # name -> (task, overrides)
    "recon-regression": ("recon", ["experiment.mode=regression"]),
    "recon-flow-gaussian": ("recon", ["experiment.mode=flow", "training.initial_dist=gaussian", "evaluation.initial_dist=gaussian"]),
    "recon-film-l1": ("recon", ["experiment.mode=flow", "network.architecture=film", "training.loss_type=l1"]),
    "projection-flow-intervals": ("projection", ["experiment.mode=flow", "dataset.num_intervals=2"]),
    "projection-mip": ("projection", ["experiment.mode=mip"]),
    "lie-straight_flow": ("lie", ["experiment.mode=straight_flow"]),
    "lie-mip_one_step-3d": ("lie", ["experiment.mode=mip_one_step", "dataset.rotation_dim=3", "dataset.num_rotations=3"]),
}


def final_metrics(task: str, overrides: list[str], output_dir: Path) -> dict:
    """The case's ``final`` as metrics.json records it."""
    import toyexp
    from toyexp.run.record import record_to_json

    cfg = toyexp.load_config(task, seed=7, overrides=[*TINY, *overrides, f"experiment.output_dir={output_dir}"])
    return record_to_json(toyexp.run_all(cfg, figures=False))["final"]


def code_path() -> dict:
    """The code path of this process, as golden.json records it."""
    from toyexp.run.code_path import code_path

    path = code_path()
    return {"capability": path.capability, "mkl_cbwr": path.mkl_cbwr}


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        cases = {name: final_metrics(task, ov, Path(tmp) / name) for name, (task, ov) in CASES.items()}
    golden = {"code_path": code_path(), "cases": cases}
    (HERE / "golden.json").write_text(json.dumps(golden, indent=1, sort_keys=True) + "\n")
    print(f"wrote {HERE / 'golden.json'} ({len(cases)} cases)", file=sys.stderr)
