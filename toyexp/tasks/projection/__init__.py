"""projection: an 8-dimensional target g(c) = P f(c) confined to a 2-dimensional subspace.

Besides the error, does a model find the subspace and stay on it? The metrics are principal
angles, projection distance, explained variance and the off-subspace share (see ``subspace``).
``config.py`` holds its dataset keys, ``task.py`` the task object.
"""
