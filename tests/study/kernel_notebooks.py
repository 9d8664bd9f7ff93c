"""Small notebooks for the kernel tests, and what their executions printed."""

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook


def notebook(path: Path, *cells: str) -> str:
    """A notebook of ``cells`` (code) at ``path``, for the python3 kernel; its path as a string."""
    nb = new_notebook(cells=[new_code_cell(c) for c in cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return str(path)


def outputs(path: str) -> list[list[str]]:
    """Each code cell's execution count, then its stdout and its stderr (however the kernel chunked them)."""
    nb = nbformat.read(path, as_version=4)
    return [[str(c.execution_count), *("".join(o.text for o in c.outputs if o.get("name") == name) for name in ("stdout", "stderr"))]
            for c in nb.cells if c.cell_type == "code"]


def pid_of(output: str) -> int:
    """The pid the first cell of an executed notebook printed."""
    return int(outputs(output)[0][1])


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0]
    except (OSError, IndexError):
        return False
    return state != "Z"
