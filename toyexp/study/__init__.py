"""The study: sweeps of runs, their execution, and the analysis across seeds.

``sweep_file`` reads a sweep file, ``plan`` lists its runs, ``runner`` runs a sweep (``execute``
and ``executors`` run the notebooks locally, on Dask or on Slurm), ``collect`` gathers the runs a
sweep planned, ``baselines`` fits the classical baselines
to each seed's samples, ``summary``, ``interpolation`` and ``results`` compute the numbers
across seeds, ``interpret`` writes what we see, and ``figures`` and ``views`` draw and show
them in the analysis notebook.
"""
