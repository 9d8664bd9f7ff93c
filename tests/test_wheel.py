"""An installed (non-editable) package works as a checkout does: its wheel, built from the
project's tracked files and installed into a fresh virtual environment, runs a user's sweep,
analysis included, from a folder of its own, finding its notebooks in the wheel (setup.py's
SHIPPED, toyexp.run.files.shipped)."""

import subprocess
import sys
import sysconfig
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SWEEP = """\
tasks: [recon]
seeds: [1, 2]
variants:
  regression: [experiment.mode=regression]
  flow: [experiment.mode=flow]
overrides: [training.num_epochs=20, network.hidden_dim=16, dataset.num_eval=100, evaluation.num_eval_steps=2]
"""


def run(argv, cwd) -> str:
    done = subprocess.run([str(a) for a in argv], cwd=cwd, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, (argv, done.stdout[-3000:], done.stderr[-3000:])
    return done.stdout


def copy_of_tracked_files(to: Path) -> Path:
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout.decode().split("\0")
    archive = to / "tracked.tar"
    with tarfile.open(archive, "w") as tar:
        for name in filter(None, files):
            tar.add(ROOT / name, arcname=name, recursive=False)
    project = to / "project"
    with tarfile.open(archive) as tar:
        tar.extractall(project, filter="data")
    return project


@pytest.mark.slow
def test_a_wheel_in_a_fresh_venv_runs_a_sweep_from_another_folder(tmp_path):
    project = copy_of_tracked_files(tmp_path)
    run([sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "--no-build-isolation", "-q", "-w", tmp_path / "dist"], project)
    (wheel,) = (tmp_path / "dist").glob("toyexp-*.whl")
    venv = tmp_path / "fresh"
    run([sys.executable, "-m", "venv", venv], tmp_path)
    # the dependencies (torch and the rest) from this environment, read after the venv's own packages
    purelib = Path(run([venv / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], tmp_path).strip())
    (purelib / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    run([venv / "bin" / "python", "-m", "pip", "install", "--no-deps", "-q", wheel], tmp_path)
    where = run([venv / "bin" / "python", "-c", "import toyexp.run.files as f; print(f.__file__); print(f.shipped('notebooks/recon.ipynb'))"], tmp_path)
    assert where.splitlines() == [str(purelib / "toyexp" / "run" / "files.py"), str(purelib / "toyexp" / "_shipped" / "notebooks" / "recon.ipynb")]

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "my.yaml").write_text(SWEEP)
    out = run([venv / "bin" / "toyexp", "sweep", "my.yaml", "--jobs", "2"], elsewhere)
    assert "4 done, 0 skipped, 0 failed" in out and "analysis: done (outputs/my/book/analysis.ipynb)" in out, out
    assert len(list((elsewhere / "outputs" / "my").rglob("metrics.json"))) == 4
    assert (elsewhere / "outputs" / "my" / "book" / "analysis.ipynb").is_file()
