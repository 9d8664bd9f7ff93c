"""The study: sweeps of runs, their execution, and the analysis across seeds.

``sweep`` plans the runs of a sweep file, ``execute`` runs their notebooks (locally, on Dask
or on Slurm), ``collect`` gathers the run folders, ``baselines`` fits the classical baselines
to each seed's samples, ``summary``, ``interpolation`` and ``results`` compute the numbers
across seeds, ``interpret`` writes what we see, and ``figures`` and ``views`` draw and show
them in the analysis notebook.
"""
