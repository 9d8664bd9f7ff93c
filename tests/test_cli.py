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


@pytest.mark.parametrize("argv, command", [
    (["sweep", "params/my.yaml"], "toyexp sweep params/my.yaml --resume"),
    (["sweep", "params/my.yaml", "--jobs", "2", "--book-dir", "my book", "--resume"],
     "toyexp sweep params/my.yaml --jobs 2 --book-dir 'my book' --resume"),
    (["sweep", "--only", "recon/*", "../my.yaml", "--portable"], "toyexp sweep --only 'recon/*' ../my.yaml --portable --resume"),
], ids=["plain", "options", "quoted"])
def test_an_interrupted_sweep_ends_with_the_command_that_finishes_it(monkeypatch, capsys, argv, command):
    """Guards issue 25: Ctrl-C exited cleanly but never said how to go on. The last line gives the
    command as typed (sweep file and options), with --resume once, quoted for a shell; exit 130."""
    from toyexp.study.sweep import runner
    from toyexp.study.execution.outcome import Outcome
    from toyexp.study.sweep.outcomes import SweepReport

    report = SweepReport(runs=(), outcomes=(Outcome(id="recon/flow/seed-1", status="interrupted",
                                                    notebook="nb.ipynb"),), stopped="interrupted")
    monkeypatch.setattr(runner, "run_sweep", lambda *args, **kwargs: report)
    assert main(argv) == 130
    err = capsys.readouterr().err
    assert err.splitlines()[-1] == f"interrupted by Ctrl-C; to finish the sweep: {command}"
