"""nbval on the committed notebooks, in a temporary copy of the project: on this CPU, and on
other x86-64 CPUs emulated on this one.

The run notebooks write their runs (the quick preset: ``outputs/quick/<task>``, from the project
root) and the project root a notebook sees is the folder its ``toyexp`` was imported from. So each
configuration runs ``pytest --nbval`` (pyproject's addopts: the sanitizer,
``--nbval-current-env``) in a subprocess on a copy of the package and the notebooks in a
temporary folder, imported from there (``PYTHONPATH``): nothing is written into the project, and
no results folder of the working tree or of another configuration is read. ``make test``
collects ``tests/`` only; ``pytest notebooks`` still runs nbval in place, by hand.

A foreign CPU changes the last bits of a result through the code paths each numerical library
picks at start-up. Each foreign configuration forces those paths through the environment before
anything is imported, as a machine with fewer instructions would pick them:

- torch's own kernels: ``ATEN_CPU_CAPABILITY`` (``default`` is plain code, ``avx2`` AVX2);
- MKL, behind torch's matrix products: ``MKL_CBWR`` (its conditional-numerical-reproducibility
  branch);
- OpenBLAS, behind numpy's and scipy's linear algebra (the spline and GP baselines):
  ``OPENBLAS_CORETYPE``;
- numpy's own SIMD loops (``exp``, ``sin``... of the baselines and the analysis):
  ``NPY_DISABLE_CPU_FEATURES``, every dispatch target above the configuration's level.

Before that, a probe in the same environment checks that each library took its forced path;
a configuration the CPU cannot run is skipped, naming what is missing.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
COPIED = ("toyexp", "notebooks", "pyproject.toml", "tests/nbval-sanitize.cfg")

# MKL's branch codes (mkl_service.h): what mkl_serv_cbwr_get reports.
MKL_BRANCHES = {1: "OFF", 2: "AUTO", 3: "COMPATIBLE", 10: "AVX2", 12: "AVX512"}
# numpy's SIMD dispatch targets allowed at each level (numpy 2 names, with numpy 1's below AVX2).
X86_V2 = {"SSE", "SSE2", "SSE3", "SSSE3", "SSE41", "POPCNT", "SSE42", "X86_V2"}
X86_V3 = X86_V2 | {"AVX", "F16C", "FMA3", "AVX2", "X86_V3"}


def configuration(aten: str, mkl: str, openblas: str, numpy_allowed: set[str]) -> dict[str, str]:
    """The environment of one configuration; numpy's targets above ``numpy_allowed`` are disabled
    where this CPU has them (numpy refuses to disable a target the CPU lacks)."""
    from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__

    above = [t for t in __cpu_dispatch__ if t not in numpy_allowed and __cpu_features__.get(t)]
    return {"ATEN_CPU_CAPABILITY": aten, "MKL_CBWR": mkl, "OPENBLAS_CORETYPE": openblas,
            "NPY_DISABLE_CPU_FEATURES": " ".join(above)}


CONFIGURATIONS = {
    # this CPU, every library on the path it picks itself
    "native": lambda: {},
    # a CPU with x86-64's baseline only: plain torch kernels, MKL's portable branch, OpenBLAS for
    # SSE4.2 (Nehalem) and numpy's baseline loops
    "default": lambda: configuration("default", "COMPATIBLE", "Nehalem", X86_V2),
    # an AVX2-only CPU (the AMD EPYC) on an AVX-512 one
    "avx2": lambda: configuration("avx2", "AVX2", "Haswell", X86_V3),
}

PROBE = r"""
import ctypes, json, os, sys
import numpy, scipy.linalg, torch
from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__
from threadpoolctl import threadpool_info
import toyexp
try:
    get = ctypes.CDLL(os.path.join(os.path.dirname(torch.__file__), "lib", "libtorch_cpu.so")).mkl_serv_cbwr_get
    get.argtypes, get.restype = [ctypes.c_int], ctypes.c_int
    mkl = get(1)  # MKL_CBWR_BRANCH
except (OSError, AttributeError):
    mkl = None  # a torch without MKL
print(json.dumps({
    "aten": torch.backends.cpu.get_cpu_capability(),
    "mkl": mkl,
    "openblas": sorted({i.get("architecture") for i in threadpool_info() if i["internal_api"] == "openblas"}),
    "numpy": [t for t in __cpu_dispatch__ if __cpu_features__.get(t)],
    "toyexp": toyexp.__file__,
}))
"""


def probe(env: dict[str, str], cwd: Path) -> dict:
    """What each library chose in ``env``: torch's capability, MKL's branch, OpenBLAS's core,
    numpy's enabled dispatch targets and where toyexp was imported from."""
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.splitlines()[-1])


def project_copy(folder: Path) -> Path:
    """The package, the notebooks (with their committed data) and the test settings under ``folder``."""
    for name in COPIED:
        source, target = ROOT / name, folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
        else:
            shutil.copy2(source, target)
    return folder


ANSI_COLOUR = re.compile(r"\x1b\[[0-9;]*m")


def mismatches(report: str, limit: int = 80) -> str:
    """The lines of a pytest/nbval report that say what differed: failed cells and their diffs."""
    lines = ANSI_COLOUR.sub("", report).splitlines()
    keep = [line for line in lines if re.match(r"\s*([-+?] |FAILED|ERROR|Cell \d+:|mismatch|\w+Error)", line)]
    return "\n".join(keep[:limit]) or report[-4000:]


@pytest.mark.slow
@pytest.mark.parametrize("name", CONFIGURATIONS)
def test_committed_notebooks_pass_nbval(name, tmp_path):
    """nbval on a copy of the committed notebooks, every library on the configuration's code path."""
    forced = CONFIGURATIONS[name]()
    root = project_copy(tmp_path / "project")
    env = {**os.environ, **forced, "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")])}
    env.pop("PYTEST_ADDOPTS", None)
    chosen = probe(env, root)
    assert Path(chosen["toyexp"]).is_relative_to(root), f"toyexp imported from {chosen['toyexp']}, not the copy"
    if forced:
        check_forced(name, forced, chosen)
    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "notebooks"], cwd=root, env=env,
                         capture_output=True, text=True, timeout=1200)
    report = out.stdout + out.stderr
    if out.returncode != 0:
        pytest.fail(f"nbval under {forced or 'this CPU'} (libraries chose {chosen}):\n{mismatches(report)}")
    assert re.search(r"\b\d+ passed\b", report) and " skipped" not in report, report[-2000:]
    assert (root / "notebooks" / "outputs" / "quick").is_dir()  # the run notebooks wrote their runs beside them, in the copy


def check_forced(name: str, forced: dict[str, str], chosen: dict) -> None:
    """Skip unless this CPU can run the configuration; fail unless each library took its path."""
    if chosen["aten"].lower() != forced["ATEN_CPU_CAPABILITY"]:
        pytest.skip(f"this CPU cannot run torch's {forced['ATEN_CPU_CAPABILITY']} kernels (it runs {chosen['aten']})")
    assert chosen["openblas"] == [forced["OPENBLAS_CORETYPE"]], f"OpenBLAS runs {chosen['openblas']}"
    assert not set(chosen["numpy"]) & set(forced["NPY_DISABLE_CPU_FEATURES"].split()), chosen["numpy"]
    mkl = MKL_BRANCHES.get(chosen["mkl"], chosen["mkl"])
    if chosen["mkl"] is not None and mkl != forced["MKL_CBWR"]:
        # measured on our AMD EPYC: MKL takes COMPATIBLE but answers every other branch with
        # MKL_CBWR_ERR_UNSUPPORTED_BRANCH and keeps its own; the other libraries still take theirs
        assert forced["MKL_CBWR"] != "COMPATIBLE", f"MKL runs branch {mkl}"
        warnings.warn(f"{name}: MKL refused MKL_CBWR={forced['MKL_CBWR']} on this CPU and runs {mkl}", stacklevel=1)
