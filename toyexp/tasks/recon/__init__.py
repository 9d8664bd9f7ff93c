"""recon: reconstruct a scalar sum of sinusoids f(c) = sum_k w_k trig_k(ω_k c + φ_k) from a few samples.

``config.py`` holds its dataset keys, ``task.py`` the task object.
"""
