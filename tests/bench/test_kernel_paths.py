"""``python -m toyexp.bench.kernel_paths``: its children's environment and its report, on planted runs."""

import pytest

from toyexp.bench import kernel_paths as kp
from toyexp.bench.kernel_paths import PathRun


def planted(path: str, repeat: int, l2: float, cpu: float, evaluations=(1.0,)) -> PathRun:
    code_path = {"capability": "DEFAULT" if path == "portable" else "AVX512", "mkl_cbwr": "COMPATIBLE" if path == "portable" else "OFF"}
    return PathRun(task="recon", mode="flow", seed=42, path=path, repeat=repeat, final={"l2": l2},
                   evaluations=list(evaluations), code_path=code_path, cpu_seconds=cpu, train_seconds=cpu - 1)


def test_a_child_gets_only_its_paths_variables(monkeypatch):
    """Guards the measurement: a variable exported in the shell (here MKL_CBWR=AVX2, MKL's
    instruction limit) must not leak into a path that does not name it."""
    monkeypatch.setenv("MKL_CBWR", "AVX2")
    monkeypatch.setenv("MKL_ENABLE_INSTRUCTIONS", "SSE4_2")
    native, portable = kp.path_env("native"), kp.path_env("portable-mkl-avx2")
    assert not set(kp.PATH_VARIABLES) & set(native)
    assert {k: portable[k] for k in kp.PATH_VARIABLES if k in portable} == {
        "ATEN_CPU_CAPABILITY": "default", "MKL_CBWR": "COMPATIBLE", "MKL_ENABLE_INSTRUCTIONS": "AVX2"}
    assert native["OMP_NUM_THREADS"] == portable["OMP_NUM_THREADS"] == "1"


def test_the_report_compares_every_path_with_the_first():
    """Known answers: l2 0.5 against 0.4 is 25 % off; CPU ratios are per repeat (2.0 and 3.0),
    their median 2.5; a path whose evaluations differ is flagged although its final is equal."""
    runs = [planted("native", 0, 0.4, 10.0), planted("portable", 0, 0.5, 20.0),
            planted("native", 1, 0.4, 8.0), planted("portable", 1, 0.5, 24.0),
            planted("avx2", 0, 0.4, 11.0, evaluations=(2.0,))]
    lines = kp.report(runs, ["native", "portable", "avx2"]).splitlines()
    native, portable, avx2 = (next(x for x in lines if x.strip().startswith(name + " ")) for name in ("native", "portable", "avx2"))
    assert native.split()[-4:] == ["True", "True", "9.0", "1.00"]
    assert portable.split()[1:3] == ["DEFAULT", "COMPATIBLE"]
    assert portable.split()[-6:] == ["0.5", "2.5e-01", "False", "True", "22.0", "2.50"]  # same evaluations planted
    assert avx2.split()[-4:] == ["True", "False", "11.0", "1.10"]


def test_repeats_that_disagree_are_flagged():
    runs = [planted("native", 0, 0.4, 10.0), planted("native", 1, 0.41, 10.0)]
    assert "(repeats differ!)" in kp.report(runs, ["native"])


def test_bad_repeats_is_named(capsys):
    with pytest.raises(SystemExit):
        kp.main(["--repeats", "0"])
    assert "--repeats 0 is invalid; it must be at least 1" in capsys.readouterr().err


@pytest.mark.training
def test_a_child_run_reports_its_record(tmp_path):
    """Guards the child script against the package's API: one tiny run on the native path comes
    back with its final, evaluations, times and the code path its provenance recorded."""
    tiny = ["training.num_epochs=5", "training.eval_interval=5", "training.save_interval=5", "network.hidden_dim=8",
            "network.num_layers=1", "dataset.num_eval=50"]
    run = kp.run_on_path("recon", "flow", 1, "native", repeat=0, overrides=tiny, folder=tmp_path)
    assert (run.task, run.mode, run.path) == ("recon", "flow", "native")
    assert run.final["l2"] > 0 and run.final["method"] == "euler" and len(run.evaluations) >= 1
    assert set(run.code_path) == {"cpu", "capability", "mkl_cbwr", "env", "portable"} and run.code_path["portable"] is False
    assert run.cpu_seconds > 0 and run.train_seconds > 0
