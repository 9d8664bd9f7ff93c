"""A sweep: the file, the runs it plans, and running them.

``sweep_file`` reads and checks a sweep file (:class:`Sweep`), ``plan`` lists its runs and
groups (:class:`PlannedRun`: identity, folders, the notebook it writes), ``runner`` runs a
sweep (:func:`run_sweep`: checks, dry run, the lock, the analysis, the sweep's own book),
``steps`` are the steps of a running sweep (skip, execute the groups, write the book's pages,
execute the analysis), ``outcomes`` holds what a sweep is asked (:class:`SweepOptions`) and
what came of it (:class:`SweepReport`), ``lock`` keeps two sweeps out of one results folder,
``report_studies`` names the two sweep files that write into the report's book, and ``demo``
runs the demo study (``params/demo.yaml``) into the runs the analysis notebook reads as it is.

``sweep_file`` and ``plan`` are the sweep as data: the analysis and the book read them, and
they import nothing else of the study. Names are imported when first used (the command's
checks must not load torch or papermill).
"""

from ..._lazy import lazy_exports

EXPORTS = {
    "Sweep": ".sweep_file", "load_sweep": ".sweep_file",
    "PlannedRun": ".plan", "PlannedGroup": ".plan", "notebook_for": ".plan",
    "run_sweep": ".runner",
    "SweepOptions": ".outcomes", "SweepReport": ".outcomes", "Started": ".outcomes",
    "ResultsLock": ".lock", "SweepLocked": ".lock",
    "study_file": ".report_studies",
    "write_demo_results": ".demo",
}
__getattr__ = lazy_exports(__name__, EXPORTS)
__all__ = list(EXPORTS)
