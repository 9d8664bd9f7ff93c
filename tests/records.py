"""Typed configs for the records tests write by hand (tests/conftest.py, tests/study/conftest.py)."""

from __future__ import annotations

from toyexp.run.config import Config, load_config


def typed_config(task: str, tree: dict | Config) -> Config:
    """The typed config a hand-written record holds: ``tree``'s sections loaded for ``task``
    (a Config as it is)."""
    return tree if isinstance(tree, Config) else load_config(task, tree)
