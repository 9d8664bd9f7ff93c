"""The test suite leaves the project as it found it (tree_guard.py): the guard itself against a
planted repository, and the check of this session, which conftest.py runs after every other test."""

import subprocess
from pathlib import Path

import pytest

from tree_guard import changes, snapshot

ROOT = Path(__file__).resolve().parents[1]


def git(folder, *args):
    subprocess.run(["git", *args], cwd=folder, check=True, capture_output=True)


def test_the_guard_sees_every_kind_of_write_and_no_cache(tmp_path):
    git(tmp_path, "init", "-q")
    (tmp_path / ".gitignore").write_text("outputs/\n.venv/\n")
    (tmp_path / "tracked.txt").write_text("a\n")
    (tmp_path / "outputs").mkdir()
    (tmp_path / "outputs" / "old.json").write_text("{}")
    git(tmp_path, "add", ".gitignore", "tracked.txt")
    git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "start")
    before = snapshot(tmp_path)
    assert set(before) == {"outputs/old.json"}

    (tmp_path / "tracked.txt").write_text("b\n")  # a tracked file changed
    (tmp_path / "new.txt").write_text("x")  # an unignored file appeared
    (tmp_path / "outputs" / "quick").mkdir()
    (tmp_path / "outputs" / "quick" / "metrics.json").write_text("{}")  # an ignored results file appeared
    (tmp_path / "outputs" / "old.json").write_text('{"rewritten": true}')  # an ignored file rewritten
    (tmp_path / "pkg" / "__pycache__").mkdir(parents=True)
    (tmp_path / "pkg" / "__pycache__" / "m.pyc").write_bytes(b"")  # a cache: allowed
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "lib.py").write_text("")  # the environment: allowed
    assert changes(before, snapshot(tmp_path)) == [
        "written: new.txt", "written: outputs/quick/metrics.json", "written: tracked.txt", "changed: outputs/old.json"]


def test_no_snapshot_outside_a_work_tree(tmp_path):
    assert snapshot(tmp_path) is None


def test_the_suite_left_the_project_as_it_found_it(tree_before):
    """Runs last (conftest.py): every test writes under a temporary folder, never into the project,
    so nothing the suite leaves can be read by a later `make book` (issue 22)."""
    if tree_before is None:
        pytest.skip("the project is not a git work tree")
    written = changes(tree_before, snapshot(ROOT))
    assert not written, "the test suite wrote into the project (write under tmp_path instead):\n" + "\n".join(written[:40])
