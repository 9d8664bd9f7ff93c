"""Which CPU code path a run's numbers came from, and portable mode.

The same run gives different last bits on different CPUs because two libraries pick their
code path from the CPU they find: torch's own vectorised kernels (ATen: AVX-512, AVX2 or
the plain ``DEFAULT`` build) and MKL's matrix products. Two environment variables pin both,
and each library reads its variable on first use, so they have to be set before the process
does any torch work (safest: before ``import torch``):

    ATEN_CPU_CAPABILITY=default   torch's kernels compiled without vector extensions
    MKL_CBWR=COMPATIBLE           MKL's conditional numerical reproducibility, SSE2 code path

Together they are **portable mode** (:data:`PORTABLE_ENV`). :func:`code_path` records
what the process actually runs, read back from torch and MKL rather than trusted from the
variables: a variable set too late, or spelt in the wrong case (``DEFAULT``,
``compatible``), is ignored by the library, and the record shows it.
"""

from __future__ import annotations

import ctypes
import os
import platform
from dataclasses import dataclass
from pathlib import Path

PORTABLE_ENV = {"ATEN_CPU_CAPABILITY": "default", "MKL_CBWR": "COMPATIBLE"}

# MKL's CNR branch codes (mkl_service.h, MKL_CBWR_*); 2 (AUTO) is also what MKL falls back
# to for a branch the CPU cannot run or a misspelt value.
MKL_CBWR_BRANCHES = {0: "OFF", 1: "OFF", 2: "AUTO", 3: "COMPATIBLE", 4: "SSE2", 6: "SSSE3", 7: "SSE4_1",
                     8: "SSE4_2", 9: "AVX", 10: "AVX2", 11: "AVX512_MIC", 12: "AVX512", 13: "AVX512_MIC_E1",
                     14: "AVX512_E1"}
MKL_CBWR_BRANCH = 1  # the argument that asks mkl_cbwr_get for the branch alone


def cpu_model(cpuinfo: str | Path = "/proc/cpuinfo") -> str:
    """The CPU's model name: ``cpuinfo``'s first ``model name`` on Linux, else platform.processor()."""
    try:
        with open(cpuinfo) as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def mkl_cbwr() -> str | None:
    """MKL's CNR branch as MKL itself reports it (``OFF``, ``AUTO``, ``COMPATIBLE``...).

    torch's x86 Linux wheels link MKL statically into libtorch_cpu and export its service
    function ``mkl_serv_cbwr_get`` (what ``mkl_cbwr_get`` calls). None where that library or
    symbol is absent: a torch without MKL (macOS, ARM), whose products portable mode does not pin.
    """
    import torch

    if not torch.backends.mkl.is_available():
        return None
    library = Path(torch.__file__).parent / "lib" / "libtorch_cpu.so"
    try:
        get = ctypes.CDLL(str(library)).mkl_serv_cbwr_get
    except (OSError, AttributeError):
        return None
    get.restype, get.argtypes = ctypes.c_int, [ctypes.c_int]
    code = get(MKL_CBWR_BRANCH)
    return MKL_CBWR_BRANCHES.get(code, str(code))


@dataclass(frozen=True, kw_only=True)
class CodePath:
    """What picks a process's floating-point code path, for the provenance of a result."""

    cpu: str  # the CPU's model name
    capability: str  # the vector extension torch's kernels use (torch.backends.cpu.get_cpu_capability)
    mkl_cbwr: str | None  # MKL's branch (:func:`mkl_cbwr`)
    env: dict[str, str | None]  # the two variables of PORTABLE_ENV as set (None when unset)
    portable: bool  # both libraries on portable mode's path, judged from what they report, not the variables


def code_path() -> CodePath:
    """This process's code path (see :class:`CodePath`)."""
    import torch

    capability = torch.backends.cpu.get_cpu_capability()
    branch = mkl_cbwr()
    return CodePath(cpu=cpu_model(), capability=capability, mkl_cbwr=branch,
                    env={name: os.environ.get(name) for name in PORTABLE_ENV},
                    portable=capability == "DEFAULT" and branch == "COMPATIBLE")
