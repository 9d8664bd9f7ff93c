"""The study: sweeps of runs, their execution, the analysis across seeds, and the book.

Four subpackages, one job each; a reader finds their room by the folder's name:

    sweep/       a sweep file, the runs it plans, and running them: sweep_file, plan, runner
                 (run_sweep), steps, outcomes, lock, report_studies
    execution/   executing one notebook with papermill, locally, on Dask or on Slurm: execute,
                 executors, kernels, kernel_state (the warm kernels), outcome, disk (a full disk)
    analysis/    reading the runs a sweep planned and the numbers across seeds: collect,
                 baselines (and pool, their process pool), summary, interpolation, results, grid,
                 settled, budget, mechanism; tables, figures, grid_figures, interpret, grid_text,
                 budget_text, mechanism_report and views only render them; demo, the notebook's
                 demo runs
    book/        the book's pages: run_pages, front (TOC and abstract), report_paths, own_book
                 (a sweep's book of its own)

The sweep runs the other three (the analysis through its notebook); the analysis and the book
read a sweep's plan (``sweep.sweep_file`` and ``sweep.plan``) and nothing else of it. The
contracts between them are in pyproject.toml, the picture in docs/reference.md (Layout).

The names below are what a user's script imports; each is imported when first used, so
``import toyexp.study`` is cheap.
"""

from .._lazy import lazy_exports

EXPORTS = {
    "run_sweep": ".sweep.runner", "SweepOptions": ".sweep.outcomes", "SweepReport": ".sweep.outcomes",
    "load_sweep": ".sweep.sweep_file", "collect_sweep": ".analysis.collect",
}
__getattr__ = lazy_exports(__name__, EXPORTS)
__all__ = list(EXPORTS)
