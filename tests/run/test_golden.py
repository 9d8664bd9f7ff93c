"""The same configs give the same numbers: ``final`` of seven tiny runs against golden.json.

On the code path golden.json was written on (torch's capability and MKL's branch) the numbers
must be bit-identical; on another CPU path within RELATIVE of each, a tolerance set from the
largest drift measured between this machine's path and two foreign ones (torch DEFAULT with
MKL COMPATIBLE, torch AVX2 with OpenBLAS Haswell): 3.0e-7, at lie-mip_one_step-3d's cosine_min.
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
RELATIVE = 1e-5  # about 30 times the measured drift between code paths; a real change moves more than 1e-3


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
    """The comparison itself: rounding-sized drift passes off the golden path, a 0.1 % change never does."""
    assert not mismatches({"l2": 0.5}, {"l2": 0.5 * (1 + 3e-7)}, "final", exact=False)
    assert mismatches({"l2": 0.5}, {"l2": 0.5 * (1 + 1e-3)}, "final", exact=False)
    assert mismatches({"l2": 0.5}, {"l2": 0.5 * (1 + 3e-7)}, "final", exact=True)
    assert mismatches({"per": [{"a": 1.0}]}, {"per": [{"a": 1.0}, {"a": 2.0}]}, "final", exact=False)


@pytest.mark.training
@pytest.mark.parametrize("case", sorted(make_golden.CASES))
def test_final_metrics_match_golden(case, tmp_path):
    """Guards against any change of the numbers: bit-identical on golden.json's code path."""
    task, overrides = make_golden.CASES[case]
    final = json.loads(json.dumps(make_golden.final_metrics(task, overrides, tmp_path)))
    exact = make_golden.code_path() == GOLDEN["code_path"]
    assert not mismatches(GOLDEN["cases"][case], final, case, exact)
