"""Package exports imported on first use.

``import toyexp`` and the ``toyexp`` command (its --help, a sweep file's checks, the lock)
must not pay for torch, matplotlib or papermill: a package's ``__init__`` names what it
exports and from which module, and each is imported when first asked for (PEP 562).
"""

from __future__ import annotations

import importlib
from typing import Any, Callable


def lazy_exports(package: str, exports: dict[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package`` that imports ``name`` from the module
    ``exports[name]`` (relative to ``package``) when it is first asked for."""

    def __getattr__(name: str) -> Any:
        if name not in exports:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(exports[name], package), name)

    return __getattr__
