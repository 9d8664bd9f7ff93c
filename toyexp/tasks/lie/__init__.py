"""lie: K weighted rotations f_i(c) = w_i(c) exp(α_i c A) e_1 in SO(2) or SO(3).

Besides the error, how well does a model keep each component on its true direction, and
does that get worse for the faster rotations? ``config.py`` holds its dataset keys, ``task.py``
the task object.
"""
