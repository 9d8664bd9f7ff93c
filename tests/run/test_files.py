"""Results are written whole and readable: the atomic writer of toyexp.run.files."""

import json
import math
import os
import stat

import pytest

from toyexp.run.files import PROJECT_ROOT, atomic_write, display_path, resolve_path, write_json, write_text


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


def test_write_json_atomic_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "sub" / "m.json"
    write_json(path, {"a": 1, "b": [1.5, float("nan")]})
    assert [p.name for p in path.parent.iterdir()] == ["m.json"]
    loaded = json.loads(path.read_text())
    assert loaded["a"] == 1 and loaded["b"][0] == 1.5 and math.isnan(loaded["b"][1])
    write_json(path, {"a": 2})  # overwrite in place
    assert json.loads(path.read_text()) == {"a": 2}
    assert [p.name for p in path.parent.iterdir()] == ["m.json"]


def test_a_value_that_is_not_json_leaves_the_original_untouched(tmp_path):
    path = tmp_path / "m.json"
    write_json(path, {"keep": True})
    before = path.read_bytes()
    with pytest.raises(TypeError):
        write_json(path, {"bad": object()})  # not serialisable
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.json"]


def test_interrupted_write_cleans_up(tmp_path):
    path = tmp_path / "x.txt"

    def interrupted(tmp):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic_write(path, interrupted)
    assert list(tmp_path.iterdir()) == []


def test_resolve_and_display_paths(tmp_path, monkeypatch):
    """Relative paths start at the current folder (or the base given), never at the package's project."""
    monkeypatch.chdir(tmp_path)
    assert resolve_path(tmp_path) == tmp_path
    assert resolve_path("outputs/x") == tmp_path / "outputs" / "x"
    assert resolve_path("../outputs", base=tmp_path / "params") == tmp_path / "outputs"  # .. folded
    assert display_path(tmp_path / "outputs" / "x") == "outputs/x"
    assert display_path(PROJECT_ROOT / "outputs") == str(PROJECT_ROOT / "outputs")  # outside the current folder: absolute


def test_a_run_by_hand_is_named_by_its_mode(tmp_path):
    """Outside a sweep a run's variant is its mode, so its folder says the mode: <output_dir>/<mode>/seed-<seed>;
    a grid point set by hand gets its folder between them."""
    from toyexp.run.config import load_config
    from toyexp.run.files import run_directory

    cfg = load_config("recon", seed=7, overrides=[f"experiment.output_dir={tmp_path}", "experiment.mode=mip"])
    assert run_directory(cfg) == tmp_path / "mip" / "seed-7"
    cfg = load_config("recon", seed=7, overrides=[f"experiment.output_dir={tmp_path}", "experiment.mode=flow",
                                                  'experiment.grid_point={"dataset.num_train": 8}'])
    assert run_directory(cfg) == tmp_path / "flow" / "num_train=8" / "seed-7"
