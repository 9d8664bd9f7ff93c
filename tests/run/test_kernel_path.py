"""The code path in provenance: what torch and MKL report in a process, not what its variables say.

Each case is a child python whose variables are set before torch is imported (or, for one
case, after its first product), because both libraries read them once, at first use.
"""

import json
import os
import subprocess
import sys

import pytest
import torch

from toyexp.run.files import provenance
from toyexp.run.kernel_path import PORTABLE_ENV, cpu_model, kernel_path

NEEDS_MKL = pytest.mark.skipif(not torch.backends.mkl.is_available(), reason="portable mode pins MKL; this torch has none")
RECORD = "import json, torch; torch.ones(2, 2) @ torch.ones(2, 2); from toyexp.run.kernel_path import kernel_path; print(json.dumps(kernel_path()))"
LATE = ("import json, os, torch; torch.ones(2, 2) @ torch.ones(2, 2); torch.ones(64).exp();"
        f"os.environ.update({PORTABLE_ENV!r}); from toyexp.run.kernel_path import kernel_path; print(json.dumps(kernel_path()))")


def record_in_child(env: dict[str, str], code: str = RECORD) -> dict:
    """kernel_path() of a child python started with ``env`` as its only code-path variables."""
    base = {k: v for k, v in os.environ.items() if k not in PORTABLE_ENV}
    child = subprocess.run([sys.executable, "-W", "ignore", "-c", code], env={**base, **env}, capture_output=True, text=True, check=True)
    return json.loads(child.stdout)


@pytest.fixture(scope="module")
def native() -> dict:
    """The record of a child with neither variable set."""
    return record_in_child({})


@pytest.fixture(scope="module")
def native_capability(native) -> str:
    """What torch picks on this CPU by itself."""
    return native["capability"]


def test_provenance_records_the_kernel_path_of_this_process():
    """Guards: every metrics.json's provenance carries the code path, read from torch itself."""
    record = provenance()["kernels"]
    assert record == kernel_path()
    assert record["capability"] == torch.backends.cpu.get_cpu_capability()
    assert record["env"] == {name: os.environ.get(name) for name in ("ATEN_CPU_CAPABILITY", "MKL_CBWR")}
    assert record["cpu"]


@NEEDS_MKL
def test_unset_variables_leave_the_native_path(native, native_capability):
    record = native
    assert record["env"] == {"ATEN_CPU_CAPABILITY": None, "MKL_CBWR": None}  # None, not "", when unset
    assert record["mkl_cbwr"] == "OFF" and record["portable"] is False
    assert native_capability != "DEFAULT"  # any x86-64 CPU of this century has at least AVX2


@NEEDS_MKL
def test_portable_variables_give_the_portable_path():
    assert record_in_child(PORTABLE_ENV) | {"cpu": None} == {
        "cpu": None, "capability": "DEFAULT", "mkl_cbwr": "COMPATIBLE", "env": PORTABLE_ENV, "portable": True}


@NEEDS_MKL
@pytest.mark.parametrize("env", [{"ATEN_CPU_CAPABILITY": "DEFAULT", "MKL_CBWR": "compatible"},  # the wrong case
                                 {"ATEN_CPU_CAPABILITY": "default"}, {"MKL_CBWR": "COMPATIBLE"}],  # half of it
                         ids=["wrong-case", "aten-only", "mkl-only"])
def test_variables_that_do_not_take_effect_are_not_portable(env, native_capability):
    """Guards the judgement from what the libraries report: a misspelt value is ignored by the
    library (torch keeps its native kernels, MKL falls back to AUTO) and the record says so,
    while the variables are recorded as they were given."""
    record = record_in_child(env)
    assert record["portable"] is False
    assert record["env"] == {name: env.get(name) for name in PORTABLE_ENV}
    expected = {"DEFAULT": native_capability, "default": "DEFAULT", None: native_capability}[env.get("ATEN_CPU_CAPABILITY")]
    assert record["capability"] == expected
    assert record["mkl_cbwr"] == {"compatible": "AUTO", "COMPATIBLE": "COMPATIBLE", None: "OFF"}[env.get("MKL_CBWR")]


@NEEDS_MKL
def test_variables_set_after_the_first_torch_work_are_not_portable(native_capability):
    """Both libraries read their variable once, at first use: set later, it shows in ``env`` only."""
    record = record_in_child({}, LATE)
    assert record["env"] == PORTABLE_ENV
    assert (record["capability"], record["mkl_cbwr"], record["portable"]) == (native_capability, "OFF", False)


def test_cpu_model_reads_the_first_model_name(tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nvendor_id\t: Some\nmodel name\t: Test CPU 9000 @ 1.00GHz\n\n"
                       "processor\t: 1\nmodel name\t: Other CPU\n")
    assert cpu_model(cpuinfo) == "Test CPU 9000 @ 1.00GHz"
    assert cpu_model(tmp_path / "missing")  # falls back to platform.processor() or "unknown"
