"""The same configs give the same numbers: ``final`` of seven tiny runs against golden.json.

golden.json was written on one machine. Another machine computes other last bits, even on the
code path golden.json records (torch's capability and MKL's branch): an Intel Xeon with AVX-512
reports AVX512 and MKL branch OFF, as the AMD EPYC that wrote the file does, and its numbers
differed by up to 1.1e-7 relative (recon-flow-gaussian l2 1.4335681200027466 against
1.433568000793457), because MKL picks its kernels by CPU vendor and model too. So a committed
number is compared within RELATIVE on every machine, the same rule everywhere, a tolerance set
from the largest drift measured between code paths: 3.0e-7 (lie-mip_one_step-3d's cosine_min,
torch DEFAULT with MKL COMPATIBLE against native). Bit-identity is a property of one machine:
:func:`test_a_rerun_on_this_machine_is_bit_identical` runs each case twice here and compares bits.
"""

import importlib.util
import json
import math
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent / "golden"
spec = importlib.util.spec_from_file_location("make_golden", HERE / "make_golden.py")
make_golden = importlib.util.module_from_spec(spec)
spec.loader.exec_module(make_golden)
GOLDEN = json.loads((HERE / "golden.json").read_text())
RELATIVE = 1e-5  # about 30 times the largest drift measured between machines and code paths (3.0e-7); a real change moves more than 1e-3


def mismatches(expected, found, path: str, exact: bool) -> list[str]:
    """Where ``found`` differs from ``expected`` (nested dicts and lists of numbers)."""
    if isinstance(expected, dict):
        if set(expected) != set(found):
            return [f"{path}: keys {sorted(expected)} != {sorted(found)}"]
        return [m for k in expected for m in mismatches(expected[k], found[k], f"{path}.{k}", exact)]
    if isinstance(expected, list):
        if len(expected) != len(found):
            return [f"{path}: {len(expected)} entries != {len(found)}"]
        return [m for i, (a, b) in enumerate(zip(expected, found)) for m in mismatches(a, b, f"{path}[{i}]", exact)]
    if isinstance(expected, float) and not exact:
        return [] if math.isclose(expected, found, rel_tol=RELATIVE, abs_tol=1e-12) else [f"{path}: {expected!r} != {found!r}"]
    return [] if expected == found else [f"{path}: {expected!r} != {found!r}"]


def test_tolerance_tells_a_real_change_from_rounding():
    """The comparison itself: cross-machine drift passes, a 0.1 % change never does, and the exact
    comparison of two runs on one machine sees the last bit."""
    assert not mismatches({"l2": 0.5}, {"l2": 0.5 * (1 + 3e-7)}, "final", exact=False)
    assert not mismatches({"l2": 1.4335681200027466}, {"l2": 1.433568000793457}, "final", exact=False)  # Intel vs AMD
    assert mismatches({"l2": 0.5}, {"l2": 0.5 * (1 + 1e-3)}, "final", exact=False)
    assert mismatches({"l2": 0.5}, {"l2": 0.5 * (1 + 3e-7)}, "final", exact=True)
    assert mismatches({"per": [{"a": 1.0}]}, {"per": [{"a": 1.0}, {"a": 2.0}]}, "final", exact=False)


def final_of(case: str, folder) -> dict:
    task, overrides = make_golden.CASES[case]
    return json.loads(json.dumps(make_golden.final_metrics(task, overrides, folder)))


@pytest.mark.training
@pytest.mark.parametrize("case", sorted(make_golden.CASES))
def test_final_metrics_match_golden(case, tmp_path):
    """Guards against any change of the numbers, within RELATIVE on any machine (see the docstring)."""
    assert not mismatches(GOLDEN["cases"][case], final_of(case, tmp_path), case, exact=False)


@pytest.mark.training
@pytest.mark.parametrize("case", ["recon-flow-gaussian", "projection-mip", "lie-mip_one_step-3d"])
def test_a_rerun_on_this_machine_is_bit_identical(case, tmp_path):
    """The same config and seed, run twice in one process on this machine: the same bits, every
    metric (a fresh kernel against a reused one: tests/study/sweep/test_determinism.py)."""
    first, second = final_of(case, tmp_path / "first"), final_of(case, tmp_path / "second")
    assert not mismatches(first, second, case, exact=True)
