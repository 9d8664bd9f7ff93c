"""A run whose training goes non-finite stops with TrainingDiverged, keeps its log and writes no
metrics.json, so the analysis lists it as incomplete; a sweep reports the message as its failure."""

import re

import pytest
import yaml

import toyexp
from toyexp.run.steps import close_log
from toyexp.study.analysis.collect import collect

HUGE_LR = ["training.learning_rate=1000000.0", "training.num_epochs=200"]


def test_huge_learning_rate_through_the_run_steps(tmp_path):
    """Guards the issue's reproduction: the run stops with the hint, keeps train.log, writes no metrics.json,
    and the analysis lists the folder as incomplete."""
    results = tmp_path / "results"
    cfg = toyexp.load_config("recon", quick=True, mode="regression",
                             overrides=[*HUGE_LR, "training.save_interval=1", f"experiment.output_dir={results}/recon/lr"])
    ctx = toyexp.start_run(cfg)
    close_log(ctx.log)
    (ctx.dir / "metrics.json").write_text("{}")  # a stale result from an earlier run in the same folder
    ctx = toyexp.start_run(cfg)
    try:
        model = toyexp.build_network(cfg.network, ctx.data.dim).to(ctx.device)
        with pytest.raises(toyexp.TrainingDiverged) as info:
            toyexp.fit(ctx, model, progress=False)
    finally:
        close_log(ctx.log)
    message = str(info.value)
    match = re.fullmatch(r"training diverged at epoch (\d+): train_loss is (nan|inf); (.*); "
                         r"try a smaller training\.learning_rate \(now 1000000\.0\)", message)
    assert match, message
    epoch = int(match.group(1))
    assert epoch < 200
    # it stopped at once: a checkpoint every epoch, but none from the diverged epoch on
    saved = sorted(int(p.stem.split("_")[1]) for p in (ctx.dir / "checkpoints").glob("checkpoint_*.pt")) \
        if (ctx.dir / "checkpoints").exists() else []
    assert saved == list(range(1, epoch))
    assert f"ERROR {message}" in (ctx.dir / "train.log").read_text()
    assert not (ctx.dir / "metrics.json").exists()
    assert yaml.safe_load((ctx.dir / "config.yaml").read_text())["training"]["learning_rate"] == 1e6
    found = collect(results)
    assert found.runs == () and found.incomplete == (ctx.dir,)


@pytest.mark.slow
def test_sweep_outcome_of_a_diverging_notebook_names_the_problem(tmp_path):
    """Guards: a sweep's one-line failure for a diverging recon run is the TrainingDiverged message."""
    from toyexp.run.files import PROJECT_ROOT
    from toyexp.study.execution.execute import Job, execute_notebook

    parameters = yaml.safe_load((PROJECT_ROOT / "params/recon/quick.yaml").read_text())
    parameters.update(mode="regression", overrides=HUGE_LR, experiment={"output_dir": str(tmp_path / "out")})
    outcome = execute_notebook(Job(run_id="diverge", notebook=str(PROJECT_ROOT / "notebooks/recon.ipynb"),
                                   output=str(tmp_path / "run.ipynb"), parameters=parameters))
    assert outcome.status == "failed", outcome
    assert re.fullmatch(r"TrainingDiverged: training diverged at epoch \d+: train_loss is (nan|inf); .*; "
                        r"try a smaller training\.learning_rate \(now 1000000\.0\)", outcome.error), outcome.error
    run_dir = tmp_path / "out" / "regression" / "seed-42"
    assert "ERROR training diverged at epoch" in (run_dir / "train.log").read_text()
    assert not (run_dir / "metrics.json").exists()
