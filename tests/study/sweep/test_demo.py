"""The committed demo results (notebooks/demo-results) are still the results of the demo sweep
file (params/demo.yaml) as its plan lays them out, and write_demo_results replaces them in one step.

The analysis notebook reads these files instead of training, so nothing else notices when the
package changes under them: a changed config schema, default or sweep file fails the config
check here, and a changed training, loss or integrator fails the retrained run.
"""

import json

import numpy as np
import pytest

from toyexp.run.files import PROJECT_ROOT
from toyexp.schema import ConfigError
from toyexp.study.analysis import collect
from toyexp.study.analysis.demo import DEMO_DIR, README_TITLE, demo_folder
from toyexp.study.sweep.demo import demo_runs, demo_sweep, recorded_config, write_demo_results

REGENERATE = "the committed demo results are stale: run `make demo-results notebooks`"
# Final l2 of the demo's flow runs (x_0 = 0) moved by at most 2.2e-6 (relative) when only the CPU
# kernels changed (ATEN_CPU_CAPABILITY=default or avx2, MKL_CBWR=COMPATIBLE; measured on our AMD
# EPYC), while the smallest real change we tried (490 instead of 500 epochs) moved recon's by 7 %.
FLOW_RTOL = 1e-4


def config_differences(recorded: dict, expected: dict) -> list[str]:
    """Dotted keys whose values differ between two config trees, with both values."""
    return [f"{section}.{key}: recorded {recorded.get(section, {}).get(key, '(absent)')!r}, "
            f"package {expected.get(section, {}).get(key, '(absent)')!r}"
            for section in sorted(recorded.keys() | expected.keys())
            for key in sorted(recorded.get(section, {}).keys() | expected.get(section, {}).keys())
            if recorded.get(section, {}).get(key) != expected.get(section, {}).get(key)]


def test_the_demo_sweep_writes_into_the_committed_folder():
    assert demo_sweep().results_dir == str(demo_folder()) == str(PROJECT_ROOT / DEMO_DIR)
    assert {(r.task, r.variant, r.seed) for r in demo_runs()} == {
        (t, v, s) for t in ("recon", "projection", "lie") for v in ("regression", "flow", "flow-gaussian") for s in (42, 43)}


def test_the_committed_demo_holds_every_run_and_only_what_the_analysis_reads():
    root = demo_folder()
    collection = collect.collect(DEMO_DIR)
    assert not collection.incomplete
    assert [(r.record.task, r.record.variant, r.record.seed) for r in collection.runs] == sorted(
        (r.task, r.variant, r.seed) for r in demo_runs())  # identity read from each record
    assert collection.problems == ()
    for run in demo_runs():
        assert sorted(p.name for p in run.run_dir.iterdir()) == ["metrics.json", "predictions.npz"]  # the plan's folder
        with np.load(run.run_dir / "predictions.npz") as arrays:
            assert sorted(arrays.files) == sorted(collect.PREDICTION_KEYS)
    assert (root / "README.md").read_text().startswith(README_TITLE)
    assert sum(p.stat().st_size for p in root.rglob("*") if p.is_file()) < 500_000  # 335 kB when written


@pytest.mark.parametrize("run", demo_runs(), ids=lambda r: r.id.replace("/", "-"))
def test_each_recorded_config_is_the_one_the_sweep_file_plans(run):
    """A run's metrics.json records its resolved config: it must be what the demo's plan gives today."""
    recorded = json.loads((run.run_dir / "metrics.json").read_text())["config"]
    expected = recorded_config(run)
    assert recorded == expected, f"{REGENERATE}\n" + "\n".join(config_differences(recorded, expected))


def test_a_committed_record_names_its_folder_from_the_project(tmp_path):
    """Inside the project, output_dir is the project's relative path (no machine's folder is
    committed); elsewhere the absolute folder the sweep handed the run."""
    inside = next(r for r in demo_runs() if r.id == "lie/flow/seed-43")
    assert inside.config["experiment"]["output_dir"] == str(PROJECT_ROOT / "notebooks" / "demo-results" / "lie")
    assert recorded_config(inside)["experiment"]["output_dir"] == "notebooks/demo-results/lie"
    outside = next(r for r in demo_runs(tmp_path / "demo") if r.id == "lie/flow/seed-43")
    assert recorded_config(outside)["experiment"]["output_dir"] == str(tmp_path / "demo" / "lie")
    assert recorded_config(outside)["evaluation"]["num_eval_steps"] == [1, 2, 4, 8]  # lists, as metrics.json reads back


def test_config_differences_names_each_key():
    assert config_differences({"training": {"num_epochs": 500, "lr": 1}}, {"training": {"num_epochs": 400, "lr": 1}, "x": {"y": 2}}) == [
        "training.num_epochs: recorded 500, package 400", "x.y: recorded '(absent)', package 2"]


@pytest.mark.training
def test_a_retrained_flow_run_matches_its_committed_record(tmp_path):
    """recon/flow/seed-42, run by the demo sweep into a stale demo folder: the folder is replaced
    whole, and the run's final l2 and every evaluation match the committed record."""
    root = tmp_path / "demo"
    root.mkdir()
    (root / "README.md").write_text(f"{README_TITLE}\n\nstale\n")
    (root / "stale.txt").write_text("from an older demo\n")

    write_demo_results(root, only="recon/flow/seed-42", jobs=1)

    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo"]  # no scratch folder left
    assert sorted(p.name for p in root.iterdir()) == ["README.md", "recon"]
    (planned,) = [r for r in demo_runs(root) if r.id == "recon/flow/seed-42"]
    assert sorted(p.name for p in planned.run_dir.iterdir()) == ["metrics.json", "predictions.npz"]
    fresh = json.loads((planned.run_dir / "metrics.json").read_text())
    (committed,) = [r for r in demo_runs() if r.id == planned.id]
    kept = json.loads((committed.run_dir / "metrics.json").read_text())
    assert fresh["config"] == recorded_config(planned)
    assert fresh["final"]["l2"] == pytest.approx(kept["final"]["l2"], rel=FLOW_RTOL), REGENERATE
    assert [e["l2"] for e in fresh["evaluations"]] == pytest.approx([e["l2"] for e in kept["evaluations"]], rel=FLOW_RTOL)


def test_a_failed_write_leaves_the_old_demo_folder(tmp_path):
    root = tmp_path / "demo"
    root.mkdir()
    (root / "README.md").write_text(f"{README_TITLE}\n")
    with pytest.raises(ConfigError, match=r"--only 'recon/no-such-variant/\*' matches no run; run ids look like 'recon/regression/seed-42'"):
        write_demo_results(root, only="recon/no-such-variant/*")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo"]
    assert sorted(p.name for p in root.iterdir()) == ["README.md"]


def test_write_demo_results_refuses_a_folder_of_other_results(tmp_path, write_run):
    write_run(tmp_path, "recon", "flow", "flow", 1, {"l1": 0.1, "l2": 0.2})
    with pytest.raises(ValueError, match=r"holds files that are not demo results \(no '# Demo results"):
        write_demo_results(tmp_path)
    assert (tmp_path / "recon" / "flow" / "flow" / "seed-1" / "metrics.json").is_file()
