"""Results are written whole and readable: the atomic writer of toyexp.run.files."""

import os
import stat

import pytest

from toyexp.run.files import atomic_write, write_text


def test_an_atomic_write_has_the_mode_of_a_plain_write(tmp_path):
    """Guards against mkstemp's private 0600 leaking into results and book pages."""
    old = os.umask(0o022)
    try:
        write_text(tmp_path / "page.md", "text\n")
        (tmp_path / "plain.md").write_text("text\n")
    finally:
        os.umask(old)
    mode = lambda name: stat.S_IMODE((tmp_path / name).stat().st_mode)  # noqa: E731
    assert mode("page.md") == mode("plain.md") == 0o644
    assert (tmp_path / "page.md").read_text() == "text\n"


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    """A write that raises half-way never replaces the file it was meant to replace."""
    write_text(tmp_path / "metrics.json", "old")

    def torn(tmp: str) -> None:
        with open(tmp, "w") as fh:
            fh.write("ne")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        atomic_write(tmp_path / "metrics.json", torn)
    assert (tmp_path / "metrics.json").read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["metrics.json"]
