"""How the report shows the folders of the machine that ran the sweep: never as absolute paths.

A results folder outside the project (a data disk, a cluster's scratch folder) would otherwise
reach every run page and the analysis: through the run folder a notebook prints, the config
it shows, the parameters papermill records and the sweep file's text. A published report
would show the machine's folders. Instead each folder of the sweep (results, book, the sweep
file) is shown

- relative to the project when it lies inside it (``outputs/smoke``, as
  :func:`~toyexp.run.files.display_path` shows paths);
- as the sweep file (or the command line) writes it when that is relative: ``../scratch/r``
  (from the current folder) or ``~/scratch/r``;
- otherwise by its name alone: ``…/results``, and a run folder in it
  ``…/results/recon/flow/seed-42``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from ...run.files import PROJECT_ROOT, resolve_path

ELIDED = "…"  # stands for the machine's folders above a folder shown by its name
_NAME_GOES_ON = r"(?![\w.~-])"  # "/x/results" inside "/x/results2" is another folder


def shown_as(written: str | Path) -> str:
    """How the report shows the folder or file ``written`` (as the sweep file or the command line gives it)."""
    path = resolve_path(written)
    if path.is_relative_to(PROJECT_ROOT) and ".." not in path.relative_to(PROJECT_ROOT).parts:
        return str(path.relative_to(PROJECT_ROOT))
    if not Path(written).is_absolute():
        return str(written)
    return f"{ELIDED}/{path.name}"


@dataclass(frozen=True)
class ShownPaths:
    """Absolute paths of this machine, each with the text the report shows instead."""

    replacements: tuple[tuple[str, str], ...]  # (absolute path, shown), longest first

    @classmethod
    def of(cls, *written: str | Path | None) -> ShownPaths:
        """The folders (or files) ``written`` as the sweep file or the command line gives them; None is skipped.

        Each is matched in all the forms it can take in a notebook: as resolved from the current
        folder (``~`` expanded), with ``..`` folded, with links followed, and each of these as
        papermill writes a parameter (non-ASCII characters escaped: ``r\\xe9sultats``).
        """
        pairs: dict[str, str] = {}
        for item in (w for w in written if w):
            path = resolve_path(item)
            for form in {str(path), os.path.abspath(path), os.path.realpath(path)}:
                pairs.setdefault(form, shown_as(item))
                pairs.setdefault(form.encode("unicode_escape").decode("ascii"), shown_as(item))
        return cls(tuple(sorted(pairs.items(), key=lambda pair: -len(pair[0]))))

    def text(self, text: str) -> str:
        """``text`` with every absolute path replaced by how the report shows it."""
        if not self.replacements:
            return text
        shown = dict(self.replacements)
        pattern = "|".join(re.escape(absolute) for absolute, _ in self.replacements)
        return re.sub(f"(?:{pattern}){_NAME_GOES_ON}", lambda found: shown[found[0]], text)

    def notebook(self, nb) -> None:
        """Replace the paths in every text of ``nb`` (cell sources and outputs, metadata), in place.
        Images are left alone."""

        def walk(node):
            if isinstance(node, str):
                return self.text(node)
            if isinstance(node, list):
                return [walk(item) for item in node]
            if isinstance(node, dict):
                for key, value in node.items():
                    if not key.startswith("image/"):
                        node[key] = walk(value)
            return node

        walk(nb)
