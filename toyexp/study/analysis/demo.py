"""The demo runs the analysis notebook reads when no sweep is given: where they are.

They are the results of the demo study, the sweep file ``params/demo.yaml``, which
:func:`toyexp.study.sweep.demo.write_demo_results` (``make demo-results``) runs and reduces to
what the analysis reads (its README, written with them, says what they are). Nothing trains
when the notebook runs.
"""

from __future__ import annotations

from pathlib import Path

from ...run.files import shipped

DEMO_DIR = "notebooks/demo-results"  # the demo sweep's results_dir, from the project's folder
README_TITLE = "# Demo results of the analysis notebook"  # how a demo folder is told from other results


def demo_folder() -> Path:
    """The committed demo runs, found from the package wherever it is used (:data:`DEMO_DIR` in the project)."""
    return shipped(DEMO_DIR)
