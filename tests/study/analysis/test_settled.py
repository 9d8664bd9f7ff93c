"""Settled models: how far each run's l2 moves over its last evaluations, and whether the
comparisons with the reference read the same one evaluation earlier, on planted histories."""

from dataclasses import replace
from pathlib import Path

import pytest

from toyexp.run.record import TrainingSummary
from toyexp.study.analysis.collect import CollectedRun, Collection
from toyexp.study.analysis.settled import settling, settling_text
from toyexp.tasks.base import Final


def collection(run_record, histories: dict[str, list[float]]) -> Collection:
    """recon runs of each variant at seeds 1-3, l2 history ``histories[variant]`` times (1 + seed / 100)."""
    runs = []
    for variant, l2 in histories.items():
        for seed in (1, 2, 3):
            history = tuple(v * (1 + seed / 100) for v in l2)
            rec = run_record("recon", variant, "regression" if variant == "regression" else "flow", seed,
                             Final(method="euler", resolution=1, nfe=1, l1=history[-1], l2=history[-1]))
            rec = replace(rec, training=TrainingSummary(epochs=500 * len(l2), steps=500 * len(l2), seconds=1.0,
                                                        best_epoch=500, eval_epochs=tuple(500 * (i + 1) for i in range(len(l2))), eval_l2=history))
            runs.append(CollectedRun(rec, Path(f"/r/{variant}/{seed}"), None))
    return Collection(root=Path("/r"), runs=tuple(runs), incomplete=())


def test_a_model_that_still_moves_and_a_comparison_that_flips_are_reported(run_record):
    """regression settles (0.5 -> 0.4: a factor 1.25), flow jumps (0.3 -> 0.9: 3); flow is lower than
    regression one evaluation before the last and higher at the last."""
    s = settling(collection(run_record, {"regression": [0.5, 0.45, 0.4], "flow": [0.6, 0.3, 0.9]}), "recon")
    assert sorted(s.factors) == pytest.approx([1.25] * 3 + [3.0] * 3)
    assert s.epochs == (500, 1000, 1500) and (s.compared, s.agree) == (1, 0)
    text = settling_text(s)
    assert "moves by a factor (max / min) of 2.12 at the median of the 6 runs" in text
    assert "3 at most" in text and "Of the 1 comparisons with the reference" in text and "0 read the same" in text


def test_settled_models_keep_their_comparisons(run_record):
    s = settling(collection(run_record, {"regression": [0.5, 0.4, 0.4], "flow": [0.9, 0.8, 0.8]}), "recon")
    assert max(s.factors) == pytest.approx(1.25) and (s.compared, s.agree) == (1, 1)


def test_too_few_evaluations_report_nothing(run_record):
    assert settling(collection(run_record, {"regression": [0.5, 0.4]}), "recon") is None
