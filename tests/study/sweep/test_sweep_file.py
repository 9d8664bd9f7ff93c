"""Sweep-file mistakes give one line on stderr (file, line, what is valid), exit 2, and run nothing;
--only selects exactly the matching runs."""

import pytest

from toyexp.cli import main
from toyexp.study.sweep.plan import plan
from toyexp.study.sweep.sweep_file import load_sweep

GOOD = """\
tasks: [recon]
seeds: [1]
variants:
  regression: [experiment.mode=regression]
"""


@pytest.mark.parametrize(
    "text, expected",
    [
        # YAML syntax: PyYAML's traceback becomes the line and column it points at
        ("tasks: [recon\nseeds: [1]\n", ["not valid YAML", "line 2, column 6", "expected ',' or ']'", "a mapping with keys tasks, seeds, variants"]),
        ("tasks: [recon]\nseeds: \"abc\"\nvariants: {a: []}\n", ["line 2", "seeds: 'abc'", "list of integers"]),
        ("tasks: recon\nseeds: [1]\nvariants: {a: []}\n", ["line 1", "tasks: 'recon'", "non-empty list of strings", "names from lie, projection, recon"]),
        ("tasks: [recon]\nseeds: [1]\nvariants: [regression, flow]\n", ["line 3", "variants", "a mapping of strings to non-empty lists", "each name maps to a list of dotted overrides"]),
        ("tasks: [recon]\nseeds: [1]\nvariants:\n  flow: experiment.mode=flow\n", ["line 4", "variants.flow", "list of dotted overrides"]),
        ("tasks: [recon]\nseeds: [1, 2, 1]\nvariants: {a: []}\n", ["line 2", "seeds: [1]", "listed twice"]),
        ("tasks: [recon]\nseeds: []\nvariants: {a: []}\n", ["line 2", "'seeds' is missing or empty"]),
        ("tasks: []\nseeds: [1]\nvariants: {a: []}\n", ["line 1", "'tasks' is missing or empty"]),
        ("tasks: [recon]\nseeds: [1]\nvariants: {}\n", ["line 3", "'variants' is missing or empty"]),
        (GOOD + "grid:\n  training.learning_rate: []\n", ["line 6", "grid.training.learning_rate", "non-empty list"]),
        # PyYAML would keep only the second 'flow'; one variant would silently vanish
        (GOOD + "  flow: [experiment.mode=flow]\n  flow: [experiment.mode=mip]\n",
         ["line 6", "duplicate key 'flow'", "first given on line 5"]),
        (GOOD.replace("[recon]", "[recon, projektion]"), ["line 1", "'projektion' is invalid", "did you mean 'projection'", "valid: 'lie', 'projection', 'recon'"]),
        (GOOD + "grid:\n  training.learning_rat: [0.1, 0.01]\n",
         ["line 6", "grid key 'training.learning_rat' does not exist", "did you mean 'training.learning_rate'",
          "valid keys in 'training'", "'batch_size'"]),
        (GOOD + "grid:\n  trainig.learning_rate: [0.1]\n", ["line 6", "unknown section 'trainig'", "did you mean 'training'", "'evaluation'"]),
        (GOOD + "grid:\n  learning_rate: [0.1]\n", ["line 6", "not a dotted 'section.key'"]),
        (GOOD + "result_dir: x\n", ["line 5", "unknown key(s) ['result_dir']", "did you mean 'results_dir'", "valid keys"]),
        (GOOD + "results_dir: [a]\n", ["line 5", "results_dir", "folder path"]),
    ],
    ids=["syntax", "seeds-str", "experiments-str", "variants-list", "variant-str", "seeds-twice", "seeds-empty",
         "experiments-empty", "variants-empty", "grid-empty", "duplicate-variant", "unknown-experiment",
         "grid-key", "grid-section", "grid-undotted", "unknown-key", "results-dir-type"],
)
def test_sweep_file_mistake_is_one_line_with_file_and_line(tmp_path, capsys, text, expected):
    """Guards: each mistake is reported on one stderr line naming the file, the line and what is
    valid, with exit 2 and no run folder made (not a traceback, not a silently changed sweep)."""
    path = tmp_path / "s.yaml"
    path.write_text(text + f"results_dir: {tmp_path / 'results'}\n" if "results_dir" not in text else text)
    assert main(["sweep", str(path), "--no-analysis"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith(f"error: sweep file {str(path)!r}")
    for part in expected:
        assert part in lines[0], lines[0]
    assert not (tmp_path / "results").exists()


def test_a_good_file_loads_and_keeps_every_variant(tmp_path):
    """Guards: the stricter loader still accepts a plain file, and keeps variants in file order."""
    path = tmp_path / "s.yaml"
    path.write_text(GOOD + "  flow: [experiment.mode=flow]\ngrid:\n  training.learning_rate: [0.1, 0.01]\n")
    sweep = load_sweep(path)
    assert list(sweep.variants) == ["regression", "flow"] and sweep.grid == {"training.learning_rate": [0.1, 0.01]}


def write_plan(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(
        "tasks: [recon, projection]\nseeds: [42, 43]\nvariants:\n  regression: [experiment.mode=regression]\n"
        f"  flow: [experiment.mode=flow]\nresults_dir: {tmp_path / 'results'}\nbook_dir: {tmp_path / 'book'}\n"
    )
    return path


def test_only_selects_exactly_the_matching_runs(tmp_path, executors, capsys):
    """Guards: --only passes exactly the run ids that match the glob to the executor (not a prefix
    match, not every run), and only those runs get a params.yaml."""
    path = write_plan(tmp_path)
    assert main(["sweep", str(path), "--only", "*/flow/seed-4[3]", "--no-analysis"]) == 0
    assert [job.run_id for job in executors.jobs] == ["recon/flow/seeds-43", "projection/flow/seeds-43"]  # a group each, of the selected seed
    assert "2 runs: 2 to execute" in capsys.readouterr().out
    assert sorted(str(p.relative_to(tmp_path / "results")) for p in (tmp_path / "results").rglob("params.yaml")) == [
        "projection/flow/seed-43/params.yaml", "recon/flow/seed-43/params.yaml"]
    all_ids = {s.id for s in plan(load_sweep(path))}
    assert len(all_ids) == 8  # the selection above is a real subset


def test_only_without_a_match_names_the_pattern(tmp_path, capsys):
    """Guards: a pattern that matches nothing is an error (exit 2) naming the pattern and the id form."""
    assert main(["sweep", str(write_plan(tmp_path)), "--only", "recon/flw/*", "--no-analysis"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "'recon/flw/*' matches no run" in err and "recon/regression/seed-42" in err  # an id of the plan
    assert not (tmp_path / "results").exists()


def test_the_older_key_experiments_reads_as_tasks_with_a_note(tmp_path):
    """Guards existing sweep files: ``experiments:`` (the older name) still plans the same runs, with a
    one-line note; giving both names is an error."""
    new, old = tmp_path / "new.yaml", tmp_path / "old.yaml"
    new.write_text(GOOD)
    old.write_text(GOOD.replace("tasks:", "experiments:"))
    with pytest.warns(FutureWarning, match="'experiments' is the older name of 'tasks'"):
        older = load_sweep(old)
    assert [s.id for s in plan(older)] == [s.id for s in plan(load_sweep(new))]
    both = tmp_path / "both.yaml"
    both.write_text("experiments: [lie]\n" + GOOD)
    assert main(["sweep", str(both)]) == 2


RECON_KEYS = ("'c_max', 'c_min', 'condition_dim', 'max_frequency', 'noise_std', 'num_components', 'num_eval', "
              "'num_train', 'sample_seed', 'sampling_strategy', 'target_dim', 'weight_strategy'")
ANOTHER_TASKS_KEY = f"dataset.low_dim is a projection key; recon takes: {RECON_KEYS}"


def test_another_tasks_key_reads_the_same_in_a_grid_and_in_a_notebook(tmp_path, capsys):
    """Guards issue 25: a grid over another task's dataset key said "does not exist" where the
    notebook's parameters (papermill) said "is a projection key"; both now give the config's message."""
    from toyexp import ConfigError, config_from_parameters

    with pytest.raises(ConfigError) as papermill:
        config_from_parameters("recon", dataset={"low_dim": 2}, quick=False)
    assert str(papermill.value) == ANOTHER_TASKS_KEY
    path = tmp_path / "s.yaml"
    path.write_text(GOOD + f"grid:\n  dataset.low_dim: [2, 3]\nresults_dir: {tmp_path / 'results'}\n")
    assert main(["sweep", str(path), "--no-analysis"]) == 2
    assert capsys.readouterr().err == f"error: sweep file {str(path)!r}, line 6: {ANOTHER_TASKS_KEY}\n"
    assert not (tmp_path / "results").exists()
