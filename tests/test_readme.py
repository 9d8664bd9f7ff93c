"""Every papermill command and every Python block of README.md and docs/reference.md (the
reference the README links) runs as written, on tiny settings.

The commands are read from the two files themselves (lines starting with ``papermill`` in fenced code
blocks, ``\\`` continuations joined), so the README and this test cannot drift apart. Each run
gets the command's own parameters plus tiny overrides merged in front of the command's own
``overrides`` (so the command's still win), its output notebook and run folder under tmp_path.

Each fenced ``python`` block runs in a fresh interpreter whose current folder is a temporary
copy of ``params/``, after a prelude that gives every config the same tiny overrides in front of
the block's own, and its run folder under tmp_path. A block the README marks with
``<!-- not run: reason -->`` on the line before it is left out.

Every fenced block of README.md itself (shell and Python) runs as written in a temporary copy of
the project, or is marked ``<!-- readme-test: skip, reason -->``; one that is neither fails
(see :func:`readme_blocks` below).
"""

import os
import re
import shlex
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
PAPERMILL = Path(sys.executable).parent / "papermill"
DOCS = (ROOT / "README.md", ROOT / "docs" / "reference.md")  # what a user reads, commands included


def docs_text() -> str:
    return "\n".join(path.read_text() for path in DOCS)
TINY = ["training.num_epochs=20", "training.log_interval=10", "training.eval_interval=10", "training.save_interval=10",
        "network.hidden_dim=16", "network.num_layers=2", "dataset.num_eval=50"]
PACKAGE_DEFAULTS = {"mode": "regression", "seed": 42}  # what a papermill run starts from (README, Notebooks)


def readme_commands() -> list[str]:
    """The papermill command lines of README.md's code blocks, continuations joined."""
    commands = []
    for block in re.findall(r"^```[^\n]*\n(.*?)^```", docs_text(), flags=re.S | re.M):
        for line in re.sub(r"\\\n\s*", " ", block).splitlines():
            if line.strip().startswith("papermill"):
                commands.append(line.strip())
    return commands


def readme_python_blocks() -> list[str]:
    """The fenced ``python`` blocks of README.md, less those after a ``<!-- not run: ... -->`` line."""
    found = re.findall(r"^(.*)\n```python\n(.*?)^```", docs_text(), flags=re.S | re.M)
    return [block for before, block in found if not before.strip().startswith("<!-- not run:")]


# Run before a README block: every config load gets TINY in front of its own overrides, and its
# run folder under the test's folder (a relative output_dir would land in the project).
PRELUDE = """
import inspect
import toyexp.run.config as _config, toyexp.run.notebook as _notebook

_load = _config.load_config


def _tiny_load_config(*args, **kwargs):
    call = inspect.signature(_load).bind(*args, **kwargs)
    own = list(call.arguments.get("overrides") or [])
    call.arguments["overrides"] = [*{tiny!r}, *own, "experiment.output_dir={output_dir}"]
    return _load(*call.args, **call.kwargs)


_config.load_config = _notebook.load_config = _tiny_load_config
"""

COMMANDS = readme_commands()
PYTHON_BLOCKS = readme_python_blocks()
RUNS = [c for c in COMMANDS if "--help-notebook" not in c]
HELPS = [c for c in COMMANDS if "--help-notebook" in c]


def short(command: str) -> str:
    """A test id: the command without the program and the output notebook."""
    tokens = shlex.split(command, comments=True)
    return " ".join([Path(tokens[1]).stem, *tokens[3:]]) if "--help-notebook" not in command else " ".join(tokens[1:])


def parameters(tokens: list[str]) -> dict:
    """The parameters papermill injects for these options: -f, then -y, then -p and -r (its order)."""
    options = {"-f": [], "-y": [], "-p": [], "-r": []}
    i = 3
    while i < len(tokens):
        flag = tokens[i]
        assert flag in options, f"this test does not know the papermill option {flag!r}: extend parameters()"
        width = 2 if flag in ("-p", "-r") else 1
        options[flag].append(tokens[i + 1:i + 1 + width])
        i += 1 + width
    merged = {}
    for (path,) in options["-f"]:
        merged.update(yaml.safe_load((ROOT / path).read_text()))
    for (text,) in options["-y"]:
        merged.update(yaml.safe_load(text))
    for key, value in options["-p"]:
        merged[key] = yaml.safe_load(value)
    for key, value in options["-r"]:
        merged[key] = value
    return merged


def test_the_readme_has_papermill_commands():
    """Guards the extraction: every run notebook appears, and the --help-notebook line is found."""
    assert {shlex.split(c, comments=True)[1] for c in RUNS} >= {f"notebooks/{t}.ipynb" for t in ("recon", "projection", "lie")}
    assert any("-f" in c for c in RUNS) and any("-p" in c for c in RUNS) and any("overrides" in c for c in RUNS)
    assert HELPS, "README.md lost its `papermill --help-notebook` line"


@pytest.mark.slow
@pytest.mark.parametrize("command", RUNS, ids=short)
def test_readme_papermill_command_runs(command, tmp_path):
    """The command runs; its run lands where its mode and seed say, with every key of its
    parameter file and every override it gives in the resolved config."""
    tokens = shlex.split(command, comments=True)
    notebook = tokens[1]
    task = Path(notebook).stem
    params = parameters(tokens)
    own_overrides = list(params.get("overrides") or [])
    out_dir = tmp_path / "runs"
    merged = [*TINY, f"experiment.output_dir={out_dir}", *own_overrides]
    argv = [str(PAPERMILL), notebook, str(tmp_path / "out.ipynb"), *tokens[3:], "-y", yaml.safe_dump({"overrides": merged})]

    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{command}\n{done.stderr[-3000:]}"

    mode = params.get("mode") or PACKAGE_DEFAULTS["mode"]
    seeds = params.get("seeds") or [params.get("seed") or PACKAGE_DEFAULTS["seed"]]  # a group: a run per seed
    found = sorted(map(str, out_dir.rglob("metrics.json")))
    assert len(found) == len(seeds), f"{command}: {found}"
    for seed in seeds:
        metrics_path = out_dir / mode / f"seed-{seed}" / "metrics.json"
        assert metrics_path.exists(), f"{command}: no {metrics_path.relative_to(tmp_path)}; found {found}"
        check_run(command, params, yaml.safe_load(metrics_path.read_text()), task, mode, seed, own_overrides)  # JSON is YAML


def check_run(command: str, params: dict, metrics: dict, task: str, mode: str, seed: int, own_overrides: list[str]) -> None:
    """A run's metrics.json records who it is, every key of its parameter file and every override."""
    assert (metrics["task"], metrics["mode"], metrics["seed"]) == (task, mode, seed)
    variant = (params.get("experiment") or {}).get("variant") or mode  # a run outside a sweep is named by its mode
    assert (metrics["variant"], metrics["grid_point"]) == (variant, {})
    config = metrics["config"]
    tiny_keys = {item.split("=")[0] for item in TINY}
    for section in ("experiment", "dataset", "network", "training", "evaluation"):
        for key, value in (params.get(section) or {}).items():
            if f"{section}.{key}" not in tiny_keys and key != "output_dir":
                assert config[section][key] == value, f"{command}: {section}.{key}"
    for item in own_overrides:
        key, value = item.split("=", 1)
        section, field = key.split(".")
        assert config[section][field] == yaml.safe_load(value), f"{command}: {item}"


@pytest.mark.slow
@pytest.mark.parametrize("command", HELPS, ids=short)
def test_readme_help_notebook_lists_the_parameters(command):
    """`papermill --help-notebook` shows the parameters a user sets, with their comments."""
    done = subprocess.run(shlex.split(command, comments=True), cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PATH": f"{PAPERMILL.parent}{os.pathsep}{os.environ['PATH']}"})
    assert done.returncode == 0, done.stderr
    for parameter in ("mode", "seed", "overrides"):
        assert re.search(rf"^\s*{parameter}: ", done.stdout, flags=re.M), f"{parameter} missing from:\n{done.stdout}"
    assert "regression, flow, straight_flow, mip or mip_one_step" in done.stdout


def test_the_readme_has_python_blocks():
    """Guards the extraction: the README's Python example is found (a changed fence would hide it)."""
    assert any("run_all(" in block for block in PYTHON_BLOCKS), PYTHON_BLOCKS


@pytest.mark.training
@pytest.mark.parametrize("block", PYTHON_BLOCKS, ids=lambda b: b.splitlines()[-1][:40])
def test_readme_python_block_runs(block, tmp_path):
    """Guards issue 25 (`toyexp.run.run` did not exist, the shipped parameter files did not load):
    the block runs without error from a folder of the user's (a copy of params/), on tiny
    settings, and a run it trains writes its metrics.json under the test's folder."""
    shutil.copytree(ROOT / "params", tmp_path / "params")
    out_dir = tmp_path / "runs"
    code = textwrap.dedent(PRELUDE).format(tiny=TINY, output_dir=out_dir) + block
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MPLBACKEND": "Agg"}
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{block}\n{done.stderr[-3000:]}"
    if "run_all(" in block:
        assert list(out_dir.rglob("metrics.json")), f"{block}: no metrics.json under {out_dir}"


# Every fenced block of README.md is run as written in a temporary copy of the project, or marked
# on the line before its fence with `<!-- readme-test: skip, <reason> -->`; a block that is
# neither fails the suite. The README's runnable blocks are its first minute, tiny as written (one
# quick run, the 18-run smoke sweep and its book), so nothing is substituted: what a newcomer
# types is what runs. The copy gets the project's tracked files and a link to its .venv, so
# `source .venv/bin/activate` works there; every `outputs/...` path the README names in the
# paragraph after a block must exist in the copy once the block ran.
README = ROOT / "README.md"
SKIP = re.compile(r"<!--\s*readme-test:\s*skip,\s*(\S[^>]*?)\s*-->")
SHELLS = ("bash", "sh", "shell")
RUNNABLE = (*SHELLS, "python")


def readme_blocks(text: str) -> list[dict]:
    """Each fenced block of ``text``: its first line number, language, code, skip reason ("" when
    not skipped) and the prose after it up to the next block or heading (where it says what it made)."""
    blocks = []
    for found in re.finditer(r"^```([^\n`]*)\n(.*?)^```[ \t]*$", text, flags=re.S | re.M):
        before = text[:found.start()].rstrip("\n").rsplit("\n", 1)[-1]
        skip = SKIP.fullmatch(before.strip())
        after = re.split(r"^(?:```|#)", text[found.end():], maxsplit=1, flags=re.M)[0]
        blocks.append({"line": text[:found.start()].count("\n") + 1, "language": found[1].strip(), "code": found[2],
                       "skip": skip[1] if skip else "", "after": after})
    return blocks


def unaccounted(blocks: list[dict]) -> list[str]:
    """The blocks that are neither runnable nor skipped with a reason, as 'line N (language)'."""
    return [f"line {b['line']} ({b['language'] or 'no language'})" for b in blocks
            if not b["skip"] and b["language"] not in RUNNABLE]


BLOCKS = readme_blocks(README.read_text())
RUN = [b for b in BLOCKS if not b["skip"] and b["language"] in RUNNABLE]


def test_the_block_finder_knows_a_skipped_a_runnable_and_an_unaccounted_block():
    """Known answers on a made-up README: the rule below can fail."""
    text = ("# t\n\n<!-- readme-test: skip, takes an hour -->\n```bash\nmake book\n```\n\nThen:\n\n```bash\nls\n```\n\n"
            "It writes `outputs/x`.\n\n```yaml\na: 1\n```\n\n<!-- readme-test: skip, -->\n```text\nout\n```\n")
    blocks = readme_blocks(text)
    assert [(b["line"], b["language"], b["code"], b["skip"]) for b in blocks] == [
        (4, "bash", "make book\n", "takes an hour"), (10, "bash", "ls\n", ""), (16, "yaml", "a: 1\n", ""), (21, "text", "out\n", "")]
    assert "`outputs/x`" in blocks[1]["after"]
    assert unaccounted(blocks) == ["line 16 (yaml)", "line 21 (text)"]  # a skip needs a reason


def test_every_readme_block_is_run_or_skipped_with_a_reason():
    assert BLOCKS, "README.md has no fenced blocks: the extraction broke"
    assert not unaccounted(BLOCKS), f"README.md blocks neither run nor marked <!-- readme-test: skip, reason -->: {unaccounted(BLOCKS)}"
    assert RUN, "README.md runs no block: its first minute must be run here"


def project_copy(folder: Path) -> Path:
    """The project's tracked files under ``folder``, with a link to its .venv (what a clone has after `make install`)."""
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    for name in filter(None, files.split("\0")):
        if (ROOT / name).is_file():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, folder / name)
    (folder / ".venv").symlink_to(Path(sys.executable).parent.parent)
    return folder


@pytest.mark.slow
@pytest.mark.parametrize("block", RUN, ids=lambda b: f"line-{b['line']}")
def test_readme_block_runs_as_written(block, tmp_path):
    """The block runs without error in a copy of the project, as written; the folders the README
    says it made (backquoted `outputs/...` paths after it) are there."""
    project = project_copy(tmp_path / "project")
    env = {**os.environ, "MPLBACKEND": "Agg"}
    env.pop("VIRTUAL_ENV", None)
    argv = ["bash", "-e", "-c", block["code"]] if block["language"] in SHELLS else [sys.executable, "-c", block["code"]]
    done = subprocess.run(argv, cwd=project, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, f"README.md line {block['line']}:\n{block['code']}\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    for path in re.findall(r"`(outputs/[^`<>*]*)`", block["after"]):
        assert (project / path).exists(), f"README.md line {block['line']} says it writes {path}; the copy has no such path"
