"""The same configs give the same numbers: ``final`` of seven tiny runs, bit-identical to golden.json.

golden.json was written before the package was split into layers (make_golden.py), so it
guards that redesign and every later change that is not meant to change the numbers.
"""

import importlib.util
import json
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent / "golden"
spec = importlib.util.spec_from_file_location("make_golden", HERE / "make_golden.py")
make_golden = importlib.util.module_from_spec(spec)
spec.loader.exec_module(make_golden)
GOLDEN = json.loads((HERE / "golden.json").read_text())


@pytest.mark.training
@pytest.mark.parametrize("case", sorted(make_golden.CASES))
def test_final_metrics_are_bit_identical(case, tmp_path):
    """Guards against any change of the numbers: every metric of ``final`` equals the recorded one exactly."""
    task, overrides = make_golden.CASES[case]
    final = make_golden.final_metrics(task, overrides, tmp_path)
    assert json.loads(json.dumps(final)) == GOLDEN[case]
