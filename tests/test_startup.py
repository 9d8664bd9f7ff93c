"""The command answers at once: ``toyexp sweep --help``, a bad sweep file and a results folder held
by another sweep import none of the heavy stack (torch, papermill, matplotlib, nbformat), and
neither does loading a config. Each case runs in a fresh interpreter, which reports what it
imported."""

import json
import os
import socket
import subprocess
import sys
import textwrap

import pytest

HEAVY = ("torch", "papermill", "matplotlib", "nbformat", "jupyter_client", "scipy", "sklearn")

PROBE = textwrap.dedent("""
    import json, sys
    {setup}
    heavy = [m for m in {heavy!r} if m in sys.modules]
    print(json.dumps({{"result": result, "heavy": heavy}}))
""")


def imported(setup: str) -> dict:
    """Run ``setup`` (which sets ``result``) in a fresh python; its result and the heavy modules it imported."""
    code = PROBE.format(setup=textwrap.dedent(setup), heavy=HEAVY)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def cli(args: list[str]) -> str:
    return f"""
        from toyexp.cli import main
        try:
            result = main({args!r})
        except SystemExit as stop:  # argparse's --help
            result = stop.code
    """


def test_sweep_help_imports_no_torch():
    """Guards the CLI's start: --help must not wait for torch, papermill or matplotlib."""
    probe = imported(cli(["sweep", "--help"]))
    assert probe == {"result": 0, "heavy": []}


def test_sweep_without_a_file_starts_nothing():
    """Guards issue 25: a bare `toyexp sweep` answers with its help (exit 2) and loads no stack."""
    assert imported(cli(["sweep"])) == {"result": 2, "heavy": []}


def test_a_bad_sweep_file_is_answered_before_the_stack_loads(tmp_path):
    """Guards: every check of a sweep file (its runs' configs included) runs without torch."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("tasks: [recon]\nseeds: [1]\nvariants: {flow: [experiment.mode=flw]}\n"
                   f"results_dir: {tmp_path / 'results'}\n")
    probe = imported(cli(["sweep", str(bad)]))
    assert probe == {"result": 2, "heavy": []}


def test_a_held_results_folder_is_refused_before_the_stack_loads(tmp_path):
    """Guards: a second sweep into a folder another live sweep holds refuses at once."""
    results = tmp_path / "results"
    results.mkdir()
    holder = {"pid": os.getpid(), "host": socket.gethostname(), "started": "now", "command": "toyexp sweep other.yaml"}
    (results / ".sweep.lock").write_text(json.dumps(holder))
    sweep = tmp_path / "s.yaml"
    sweep.write_text(f"tasks: [recon]\nseeds: [1]\nvariants: {{flow: [experiment.mode=flow]}}\nresults_dir: {results}\n")
    probe = imported(cli(["sweep", str(sweep)]))
    assert probe == {"result": 2, "heavy": []}


@pytest.mark.parametrize("setup", [
    "import toyexp; result = toyexp.__version__",
    "import toyexp; result = toyexp.load_config('lie', overrides=['training.num_epochs=3']).experiment.variant",
])
def test_importing_toyexp_and_loading_a_config_need_no_torch(setup):
    """Guards the lazy exports: the package and its config come without the numerical stack."""
    assert imported(setup)["heavy"] == []
