"""The study: sweeps of runs, their execution, and the analysis across seeds.

``sweep`` plans the runs of a sweep file, ``execute`` runs their notebooks (locally, on Dask
or on Slurm), ``collect`` gathers the run folders, ``summary``, ``interpolation`` and
``interpret`` compute the numbers and sentences across seeds, and ``figures`` and ``views``
draw and show them in the analysis notebook.
"""
