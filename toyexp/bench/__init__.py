"""``toyexp bench``: what a training step, a notebook run, a sweep and a run's memory cost."""

from .command import add_parser

__all__ = ["add_parser"]
