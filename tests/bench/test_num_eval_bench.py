"""``python -m toyexp.bench.num_eval``: that it measures every setting and reports the ratios."""

import pytest

from toyexp.bench import num_eval


@pytest.mark.slow
def test_the_num_eval_bench_reports_each_setting_with_its_ratio(capsys):
    num_eval.main(["--tasks", "recon", "--num-eval", "100", "300", "--repeats", "1"])
    lines = capsys.readouterr().out.splitlines()
    header, rows = lines[1].split(), [line.split() for line in lines[2:]]
    assert header == ["task", "num_eval", *num_eval.COLUMNS]
    assert [row[:2] for row in rows] == [["recon", "100"], ["recon", "300"]]
    assert rows[0][-2:] == ["100", "(1.00x)"] and rows[1][-2:] == ["300", "(3.00x)"]  # grid_points = num_eval here
