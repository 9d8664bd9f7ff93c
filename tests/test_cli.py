"""The ``toyexp`` command's own answers (toyexp/cli.py): what it prints when no sweep runs, and the
lines it adds to a sweep's report. The sweep itself is tested under tests/study/."""

import pytest

from toyexp.cli import main


def test_sweep_without_a_file_prints_its_help_and_runs_nothing(capsys):
    """Guards issue 25: a bare `toyexp sweep` used to start the 90-run default study. It prints the
    same help as --help, then one error line, on stderr, and exits 2 (nothing ran; the
    `test_startup` probe checks that it imports no torch)."""
    with pytest.raises(SystemExit) as stop:
        main(["sweep", "--help"])
    assert stop.value.code == 0
    help_text = capsys.readouterr().out
    assert help_text.startswith("usage: toyexp sweep [-h] [--jobs JOBS]") and "--resume" in help_text
    assert main(["sweep"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (help_text + "\nerror: no sweep file given, so nothing ran; give one, "
                            "e.g. toyexp sweep params/smoke.yaml\n")
