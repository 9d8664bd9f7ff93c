"""The prose that names every task does: the README's task table, the list of the reference's first
section, and the set-up of the book's introduction.

Each says something about the science of each task that no registry can write (what recon
asks, how projection's target is confined), so it stays prose; these tests hold it to the
registry (``toyexp.tasks.built_in``) instead, so a new task folder cannot be forgotten there,
and a task removed from the package cannot linger in the docs.
"""

import itertools
import re
from pathlib import Path

import pytest

from toyexp.tasks import built_in

ROOT = Path(__file__).resolve().parents[1]
TICKED = re.compile(r"`([a-z_][a-z0-9_]*)`")  # a task name as the docs write it, in backticks


def section(text: str, heading: str) -> str:
    """The Markdown section under ``heading`` (a whole heading line), up to the next heading of any level."""
    lines = text.splitlines()
    start = lines.index(heading) + 1
    end = next((i for i in range(start, len(lines)) if lines[i].startswith("#")), len(lines))
    return "\n".join(lines[start:end])


def readme_table_tasks(text: str) -> set[str]:
    """The first column of the README's table headed ``| task | ...``."""
    rows = section(text, "## What it asks").splitlines()
    header = next(i for i, row in enumerate(rows) if row.startswith("| task |"))
    table = itertools.takewhile(lambda row: row.startswith("|"), rows[header + 2:])  # past the |---| line
    return {m.group(1) for row in table if (m := TICKED.fullmatch(row.split("|")[1].strip()))}


def reference_list_tasks(text: str) -> set[str]:
    """The tasks of the bullets ``- `name`...`` in the reference's first section."""
    bullets = re.findall(r"^- `([a-z_][a-z0-9_]*)`", section(text, "## The question, the tasks and the studies"), re.M)
    return set(bullets)


def intro_set_up_tasks(text: str) -> set[str]:
    """The words in backticks of the book introduction's Set-up section (prose, so other words may be
    among them: only a missing task counts)."""
    return set(TICKED.findall(section(text, "## Set-up")))


# where every task must be named -> (how to read the names it gives, whether it is a list of tasks only)
PLACES = {
    "README.md": (readme_table_tasks, True),
    "docs/reference.md": (reference_list_tasks, True),
    "book/intro.md": (intro_set_up_tasks, False),
}


@pytest.mark.parametrize("place", PLACES)
def test_the_prose_names_every_task(place):
    read, only_tasks = PLACES[place]
    named = read((ROOT / place).read_text())
    missing, extra = set(built_in()) - named, named - set(built_in())
    assert not missing, f"{place} does not name the task(s) {sorted(missing)}: add a line for each (docs/reference.md#adding-a-task)"
    assert not (only_tasks and extra), f"{place} lists {sorted(extra)}, which no task folder of toyexp/tasks/ holds"


README_TABLE = """# t

## What it asks

Intro.

| task | what is learnt |
|---|---|
| `recon` | a sum |
| `lie` | rotations |

After.

## Read on
"""


def test_the_readers_find_the_names_and_only_them():
    """Known answers on small texts: the table's first column, the bullets, the backticked words."""
    assert readme_table_tasks(README_TABLE) == {"recon", "lie"}
    assert reference_list_tasks("## The question, the tasks and the studies\n\n- `recon`, **a**: x `flow`\n- `lie`: y\n\n## Next\n- `z`") \
        == {"recon", "lie"}
    assert intro_set_up_tasks("## Set-up\n\nA (`recon`) and `lie`.\n\n## How\n`make`") == {"recon", "lie"}
