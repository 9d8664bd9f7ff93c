"""metrics.json (toyexp.run.record): one typed RunRecord, written and read back whole for a real
tiny run of every task, and files of another format refused with a message that says what to do."""

import dataclasses
import json
import math

import pytest

import toyexp
from toyexp.core.metrics import Evaluation
from toyexp.core.resolution import Tolerance
from toyexp.run.record import FORMAT, RecordError, read_record, record_from_json, record_to_json
from toyexp.tasks import get_task
from toyexp.tasks.base import Final

TINY = ["training.num_epochs=3", "training.eval_interval=2", "training.save_interval=10", "network.hidden_dim=8",
        "network.num_layers=1", "dataset.num_train=10", "dataset.num_eval=200"]
OWN = {"recon": [], "projection": ["dataset.num_intervals=2"], "lie": ["dataset.num_rotations=3"]}


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    """A real tiny run of each task (flow, with a dopri5 tolerance too), its record and its folder."""
    out = {}
    for task, own in OWN.items():
        root = tmp_path_factory.mktemp(task)
        cfg = toyexp.load_config(task, mode="flow", seed=4, overrides=[
            *TINY, *own, f"experiment.output_dir={root}", "experiment.variant=tiny", "experiment.grid_point={training.learning_rate: 0.001}",
            "evaluation.integration_method=[euler, dopri5]", "evaluation.num_eval_steps=[1, 2]", "evaluation.rtol=1e-2"])
        out[task] = (toyexp.run_all(cfg, figures=False), root / "tiny" / "learning_rate=0.001" / "seed-4")  # variant, grid point, seed
    return out


@pytest.mark.training
@pytest.mark.parametrize("task", sorted(OWN))
def test_a_record_reads_back_as_it_was_written(records, task):
    record, folder = records[task]
    assert record_from_json(record_to_json(record)) == record
    assert read_record(folder / "metrics.json") == record  # through the file, JSON's text and all
    assert (record.task, record.variant, record.grid_point, record.mode, record.seed) == (
        task, "tiny", {"training.learning_rate": 0.001}, "flow", 4)
    assert isinstance(record.final, Final) and all(isinstance(e, Evaluation) for e in record.evaluations)
    own = get_task(task).metrics_type
    assert record.final.task_metrics is None if own is None else type(record.final.task_metrics) is own  # recon has none
    assert record.evaluations[-1].resolution == Tolerance(1e-2, 1e-5)


@pytest.mark.training
def test_the_file_spells_identity_settings_and_task_metrics_as_data(records):
    record, folder = records["lie"]
    data = json.loads((folder / "metrics.json").read_text())
    assert data["format"] == FORMAT == 2
    assert {k: data[k] for k in ("task", "variant", "grid_point", "mode", "seed")} == {
        "task": "lie", "variant": "tiny", "grid_point": {"training.learning_rate": 0.001}, "mode": "flow", "seed": 4}
    assert [(e["method"], e["num_steps"], e["rtol"], e["atol"]) for e in data["evaluations"]] == [
        ("euler", 1, None, None), ("euler", 2, None, None), ("dopri5", None, 0.01, 1e-05)]
    own = data["final"]["task_metrics"]
    assert set(own) == {"cosine_mean", "cosine_min", "projection_mean", "projection_max", "per_velocity"}
    assert [v["alpha"] for v in own["per_velocity"]] == pytest.approx([0.0, math.pi, 2 * math.pi])
    assert data["training"]["eval_epochs"] == [2, 3] and data["best"]["epoch"] in (2, 3)
    assert data["provenance"]["code_path"]["capability"]


@pytest.mark.training
def test_projection_records_each_interval_and_boundary(records):
    own = records["projection"][0].final.task_metrics
    assert len(own.per_interval) == 2 and [b.c for b in own.boundaries] == [0.5]
    assert own.off_subspace == pytest.approx((own.per_interval[0].off_subspace + own.per_interval[1].off_subspace) / 2)


def older(data: dict) -> dict:
    """``data`` as toyexp 0.1 wrote it: no format key."""
    return {k: v for k, v in data.items() if k != "format"}


@pytest.mark.training
def test_another_format_is_refused_saying_what_to_do(records, tmp_path):
    data = record_to_json(records["recon"][0])
    for changed, found in ((older(data), 1), (data | {"format": 3}, 3)):
        with pytest.raises(RecordError, match=rf"^metrics.json format {found} is not 2 \(written by an older toyexp: run it again\)$"):
            record_from_json(changed)
    path = tmp_path / "metrics.json"
    path.write_text(json.dumps(older(data)))
    with pytest.raises(RecordError, match="format 1 is not 2"):
        read_record(path)


@pytest.mark.training
def test_an_incomplete_record_names_what_is_missing(records, tmp_path):
    data = record_to_json(records["recon"][0])
    with pytest.raises(RecordError, match=r"^metrics.json is not a complete run record: KeyError: 'best'$"):
        record_from_json({k: v for k, v in data.items() if k != "best"})
    broken = data | {"final": {k: v for k, v in data["final"].items() if k != "l2"}}
    with pytest.raises(RecordError, match="KeyError: 'l2'"):
        record_from_json(broken)


def test_files_that_are_no_record(tmp_path):
    (tmp_path / "a.json").write_text('{"final": ')
    with pytest.raises(RecordError, match=r"a\.json is not JSON"):
        read_record(tmp_path / "a.json")
    with pytest.raises(RecordError, match="format None is not 2"):
        record_from_json([1, 2])
    with pytest.raises(OSError):
        read_record(tmp_path / "missing.json")


def test_a_hand_made_record_round_trips(write_run, tmp_path):
    """The test suite's own run folders (tests/conftest.py) hold records the package reads."""
    per_velocity = [{"alpha": a, "cosine_mean": 1.0, "cosine_min": 0.9, "projection_mean": 0.0, "projection_max": 0.1} for a in (0.0, 1.0)]
    final = {"l1": 0.1, "l2": 0.2, "cosine_mean": 1.0, "cosine_min": 0.9, "projection_mean": 0.0, "projection_max": 0.1,
             "per_velocity": per_velocity}
    folder = write_run(tmp_path, "lie", "flow", "flow", 1, final, grid_point={"dataset.num_train": 20})
    record = read_record(folder / "metrics.json")
    assert (record.final.l2, record.final.task_metrics.per_velocity[1].alpha, record.grid_point) == (0.2, 1.0, {"dataset.num_train": 20})
    assert record_from_json(record_to_json(record)) == record
    assert list(dataclasses.asdict(record.final.task_metrics)["per_velocity"]) == per_velocity
