"""The analysis: from the runs a sweep planned to the numbers across seeds, then their display.

One pass computes, typed: ``collect`` reads the runs' records (:class:`Collection`),
``baselines`` fits the classical baselines to each seed's samples (``pool`` spreads a grid's
fits over the cores), ``summary``, ``interpolation`` and ``results`` compute a point's numbers
(:func:`task_results`), ``grid`` a grid's (:func:`grid_results`; ``verdicts`` calls and counts
its comparisons), ``settled``, ``budget`` and ``mechanism`` their checks. Then the renderers only read them: ``tables``, ``figures``,
``grid_figures``, ``interpret``, ``grid_text``, ``budget_text``, ``mechanism_report``, and
``views``, which shows them in the analysis notebook. ``demo`` finds the demo runs the
notebook reads when no sweep is given (the sweep's ``demo`` writes them).

The notebook imports the modules ``collect``, ``tables`` and ``views``; their names are not
re-exported here, since a module and its namesake function (``collect.collect``) would clash.
Names are imported when first used.
"""

from ..._lazy import lazy_exports

EXPORTS = {
    "Collection": ".collect", "collect_sweep": ".collect", "collect_budget_check": ".collect",
    "TaskResults": ".results", "task_results": ".results",
    "GridResults": ".grid", "grid_results": ".grid",
    "study_intro": ".views", "task_report": ".views", "TaskReport": ".views",
    "provenance_summary": ".tables", "markdown_table": ".tables",
    "demo_folder": ".demo",
}
__getattr__ = lazy_exports(__name__, EXPORTS)
__all__ = list(EXPORTS)
