"""The code path (toyexp.run.code_path): what torch and MKL report in a process, not what its variables say.

Each case is a child python whose variables are set before torch is imported (or, for one
case, after its first product), because both libraries read them once, at first use. The
children start together, once per module: their cost is importing torch.
"""

import json
import os
import subprocess
import sys

import pytest
import torch

from toyexp.run.code_path import PORTABLE_ENV, code_path, cpu_model

PRINT = "import dataclasses, json; from toyexp.run.code_path import code_path; print(json.dumps(dataclasses.asdict(code_path())))"
RECORD = "import torch; torch.ones(2, 2) @ torch.ones(2, 2); " + PRINT
LATE = ("import os, torch; torch.ones(2, 2) @ torch.ones(2, 2); torch.ones(64).exp();"
        f"os.environ.update({PORTABLE_ENV!r}); " + PRINT)
CASES = {  # name -> (variables the child starts with, its code)
    "unset": ({}, RECORD),
    "portable": (PORTABLE_ENV, RECORD),
    "wrong-case": ({"ATEN_CPU_CAPABILITY": "DEFAULT", "MKL_CBWR": "compatible"}, RECORD),
    "aten-only": ({"ATEN_CPU_CAPABILITY": "default"}, RECORD),
    "mkl-only": ({"MKL_CBWR": "COMPATIBLE"}, RECORD),
    "late": ({}, LATE),
}


@pytest.fixture(scope="module")
def records() -> dict[str, dict]:
    """code_path() of one child python per case, each started with only its case's code-path variables."""
    if not torch.backends.mkl.is_available():
        pytest.skip("portable mode pins MKL's branch; this torch has no MKL")
    base = {k: v for k, v in os.environ.items() if k not in PORTABLE_ENV}
    children = {name: subprocess.Popen([sys.executable, "-W", "ignore", "-c", code], env={**base, **env},
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for name, (env, code) in CASES.items()}
    out = {}
    for name, child in children.items():
        stdout, stderr = child.communicate(timeout=300)
        assert child.returncode == 0, f"{name}: {stderr}"
        out[name] = json.loads(stdout)
    return out


def test_the_code_path_of_this_process():
    """Read from torch itself, the variables as they are set."""
    record = code_path()
    assert record.capability == torch.backends.cpu.get_cpu_capability()
    assert record.env == {name: os.environ.get(name) for name in ("ATEN_CPU_CAPABILITY", "MKL_CBWR")}
    assert record.cpu and record.portable == (record.capability == "DEFAULT" and record.mkl_cbwr == "COMPATIBLE")


def test_unset_variables_leave_the_native_path(records):
    record = records["unset"]
    assert record["env"] == {"ATEN_CPU_CAPABILITY": None, "MKL_CBWR": None}  # None, not "", when unset
    assert record["mkl_cbwr"] == "OFF" and record["portable"] is False
    assert record["capability"] != "DEFAULT"  # any x86-64 CPU of this century has at least AVX2


def test_portable_variables_give_the_portable_path(records):
    assert records["portable"] | {"cpu": None} == {
        "cpu": None, "capability": "DEFAULT", "mkl_cbwr": "COMPATIBLE", "env": PORTABLE_ENV, "portable": True}


@pytest.mark.parametrize("case", ["wrong-case", "aten-only", "mkl-only"])
def test_variables_that_do_not_take_effect_are_not_portable(records, case):
    """Guards the judgement from what the libraries report: a value in the wrong case is ignored
    by its library (torch keeps its vector kernels, MKL falls back to AUTO) and the record says so,
    while the variables are recorded as they were given; half of portable mode is not portable."""
    env, record, native = CASES[case][0], records[case], records["unset"]["capability"]
    assert record["portable"] is False
    assert record["env"] == {name: env.get(name) for name in PORTABLE_ENV}
    assert record["capability"] == {"DEFAULT": native, "default": "DEFAULT", None: native}[env.get("ATEN_CPU_CAPABILITY")]
    assert record["mkl_cbwr"] == {"compatible": "AUTO", "COMPATIBLE": "COMPATIBLE", None: "OFF"}[env.get("MKL_CBWR")]


def test_variables_set_after_the_first_torch_work_are_not_portable(records):
    """Both libraries read their variable once, at first use: set later, it shows in ``env`` only."""
    record = records["late"]
    assert record["env"] == PORTABLE_ENV
    assert (record["capability"], record["mkl_cbwr"], record["portable"]) == (records["unset"]["capability"], "OFF", False)


def test_cpu_model_reads_the_first_model_name(tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nvendor_id\t: Some\nmodel name\t: Test CPU 9000 @ 1.00GHz\n\n"
                       "processor\t: 1\nmodel name\t: Other CPU\n")
    assert cpu_model(cpuinfo) == "Test CPU 9000 @ 1.00GHz"
    assert cpu_model(tmp_path / "missing")  # falls back to platform.processor() or "unknown"
