"""The committed demo results (notebooks/demo-results) still belong to the package, and
write_demo_results replaces them in one step.

The analysis notebook reads these files instead of training, so nothing else notices when the
package changes under them: a changed config schema or default fails the config check here, and
a changed training, loss or integrator fails the retrained run.
"""

import json

import numpy as np
import pytest

from toyexp.run import run_directory
from toyexp.study.analysis import collect
from toyexp.study.analysis.demo import DEMO_DIR, README_TITLE, DemoRun, demo_config, demo_folder, demo_runs, write_demo_results

REGENERATE = "the committed demo results are stale: run `make demo-results notebooks`"
# Final l2 of the demo's flow runs (x_0 = 0) moved by at most 2.2e-6 (relative) when only the CPU
# kernels changed (ATEN_CPU_CAPABILITY=default or avx2, MKL_CBWR=COMPATIBLE; measured on our AMD
# EPYC), while the smallest real change we tried (490 instead of 500 epochs) moved recon's by 7 %.
FLOW_RTOL = 1e-4


def committed(spec: DemoRun):
    return run_directory(demo_config(spec))


def config_differences(recorded: dict, expected: dict) -> list[str]:
    """Dotted keys whose values differ between two config trees, with both values."""
    return [f"{section}.{key}: recorded {recorded.get(section, {}).get(key, '(absent)')!r}, "
            f"package {expected.get(section, {}).get(key, '(absent)')!r}"
            for section in sorted(recorded.keys() | expected.keys())
            for key in sorted(recorded.get(section, {}).keys() | expected.get(section, {}).keys())
            if recorded.get(section, {}).get(key) != expected.get(section, {}).get(key)]


def test_the_committed_demo_holds_every_run_and_only_what_the_analysis_reads():
    root = demo_folder()
    collection = collect.collect(DEMO_DIR)
    assert not collection.incomplete
    assert [(r.record.task, r.record.variant, r.record.seed) for r in collection.runs] == sorted(
        (s.task, s.variant, s.seed) for s in demo_runs())  # identity read from each record
    assert collection.problems == ()
    for spec in demo_runs():
        assert sorted(p.name for p in committed(spec).iterdir()) == ["metrics.json", "predictions.npz"]
        with np.load(committed(spec) / "predictions.npz") as arrays:
            assert sorted(arrays.files) == sorted(collect.PREDICTION_KEYS)
    assert (root / "README.md").read_text().startswith(README_TITLE)
    assert sum(p.stat().st_size for p in root.rglob("*") if p.is_file()) < 500_000  # 335 kB when written


@pytest.mark.parametrize("spec", demo_runs(), ids=lambda s: f"{s.task}-{s.variant}-{s.seed}")
def test_each_recorded_config_is_the_one_the_package_loads(spec):
    """A run's metrics.json records its resolved config: it must be what load_config gives today."""
    recorded = json.loads((committed(spec) / "metrics.json").read_text())["config"]
    expected = json.loads(json.dumps(demo_config(spec).to_dict()))  # tuples read back as lists
    assert recorded == expected, f"{REGENERATE}\n" + "\n".join(config_differences(recorded, expected))


def test_config_differences_names_each_key():
    assert config_differences({"training": {"num_epochs": 500, "lr": 1}}, {"training": {"num_epochs": 400, "lr": 1}, "x": {"y": 2}}) == [
        "training.num_epochs: recorded 500, package 400", "x.y: recorded '(absent)', package 2"]


@pytest.mark.training
def test_a_retrained_flow_run_matches_its_committed_record(tmp_path):
    """recon/flow/seed-42, retrained by write_demo_results into a stale demo folder: the folder is
    replaced whole, and the run's final l2 and every evaluation match the committed record."""
    spec = DemoRun("recon", "flow", 42)
    root = tmp_path / "demo"
    root.mkdir()
    (root / "README.md").write_text(f"{README_TITLE}\n\nstale\n")
    (root / "stale.txt").write_text("from an older demo\n")

    write_demo_results(root, runs=[spec])

    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo"]  # no scratch folder left
    assert sorted(p.name for p in root.iterdir()) == ["README.md", "recon"]
    fresh = json.loads((run_directory(demo_config(spec, root)) / "metrics.json").read_text())
    kept = json.loads((committed(spec) / "metrics.json").read_text())
    assert fresh["config"] == json.loads(json.dumps(demo_config(spec, root).to_dict()))
    assert fresh["final"]["l2"] == pytest.approx(kept["final"]["l2"], rel=FLOW_RTOL), REGENERATE
    assert [e["l2"] for e in fresh["evaluations"]] == pytest.approx([e["l2"] for e in kept["evaluations"]], rel=FLOW_RTOL)


def test_a_failed_write_leaves_the_old_demo_folder(tmp_path):
    root = tmp_path / "demo"
    root.mkdir()
    (root / "README.md").write_text(f"{README_TITLE}\n")
    with pytest.raises(ValueError, match="demo variant 'no-such-variant' is unknown; valid: regression, flow, flow-gaussian"):
        write_demo_results(root, runs=[DemoRun("recon", "no-such-variant", 42)])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo"]
    assert sorted(p.name for p in root.iterdir()) == ["README.md"]


def test_write_demo_results_refuses_a_folder_of_other_results(tmp_path, write_run):
    write_run(tmp_path, "recon", "flow", "flow", 1, {"l1": 0.1, "l2": 0.2})
    with pytest.raises(ValueError, match=r"holds files that are not demo results \(no '# Demo results"):
        write_demo_results(tmp_path)
    assert (tmp_path / "recon" / "flow" / "flow" / "seed-1" / "metrics.json").is_file()
