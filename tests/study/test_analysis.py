"""Cross-seed analysis against known answers: hand-made run folders with planted numbers and errors."""

import math
import statistics
from types import SimpleNamespace

import numpy as np
import pytest

from toyexp.core.stats import NBSP
from toyexp.study import collect, interpolation, interpret, summary
from toyexp.tasks import get_task
from toyexp.tasks.sinusoids import target_frequencies

CONFIG = {"dataset": {"target_dim": 1, "num_components": 3, "weight_strategy": "uniform"}}  # as conftest.write_run writes
C_TRAIN = np.linspace(0, 1, 11)[:, None]  # conftest.write_run's training inputs: spacing h = 0.1


def test_summary_mean_and_sample_std(tmp_path, write_run):
    l1, l2 = [1.0, 2.0, 4.0], [0.1, 0.2, 0.6]
    for seed, a, b in zip((1, 2, 3), l1, l2):
        write_run(tmp_path, "recon", "flow", "flow", seed, {"l1": a, "l2": b})
    write_run(tmp_path, "recon", "regression", "regression", 5, {"l1": 0.5, "l2": 0.25})
    rows = summary.summary_table(collect.collect(tmp_path), "recon")
    assert [r.variant for r in rows] == ["flow", "regression"]
    flow, reg = rows
    assert flow.n == 3 and flow.seeds == (1, 2, 3)
    assert flow.stats["l2"].mean == pytest.approx(sum(l2) / 3)
    assert flow.stats["l2"].std == pytest.approx(statistics.stdev(l2))
    m = sum(l1) / 3
    assert flow.stats["l1"].std == pytest.approx(math.sqrt(sum((v - m) ** 2 for v in l1) / 2))
    assert reg.n == 1 and reg.stats["l2"].std == 0.0 and "max_angle_deg" not in reg.stats
    table = summary.markdown_table(rows).replace(NBSP, " ")
    assert f"| flow | 3 | {m:.4f} ± {statistics.stdev(l1):.4f} |" in table
    assert "| regression | 1 | 0.5000 ± — | 0.2500 ± — |" in table


def test_projection_metrics_enter_the_table(tmp_path, write_run):
    for seed, angle in ((1, 2.0), (2, 4.0)):
        final = {"l1": 0.1, "l2": 0.2, "subspace_error": {"max_angle_deg": angle, "projection_distance": 0.01},
                 "explained_variance": {"true_subspace": 0.99, "top_k": 0.995}, "off_subspace": 0.03}
        write_run(tmp_path, "projection", "flow", "flow", seed, final)
    (row,) = summary.summary_table(collect.collect(tmp_path), "projection")
    assert row.stats["max_angle_deg"].mean == pytest.approx(3.0)
    assert row.stats["max_angle_deg"].std == pytest.approx(math.sqrt(2.0))
    assert "largest principal angle (degrees)" in summary.markdown_table([row], get_task("projection").summary_metrics)


def test_interpretation_names_the_variant_closest_to_the_subspace(tmp_path, write_run):
    for variant, mode, angle, off in (("flow", "flow", 9.0, 0.2), ("regression", "regression", 1.5, 0.01)):
        final = {"l1": 0.1, "l2": 0.2, "subspace_error": {"max_angle_deg": angle, "projection_distance": 0.01},
                 "explained_variance": {"true_subspace": 0.99, "top_k": 0.995}, "off_subspace": off}
        write_run(tmp_path, "projection", variant, mode, 1, final)
    text = interpret.interpretation(collect.collect(tmp_path), "projection")
    assert "regression stays closest and flow strays furthest" in text
    assert "regression 1.000 (one seed); flow 20.000 (one seed). Smallest for regression, largest for flow." in text
    assert "Baselines left out: seed 1 has none" in text  # planted samples, not the dataset's


def test_incomplete_and_corrupt_runs_are_listed_not_raised(tmp_path, write_run):
    good = write_run(tmp_path, "recon", "flow", "flow", 1, {"l1": 0.1, "l2": 0.2})
    killed = tmp_path / "recon" / "flow" / "flow" / "seed-2"
    killed.mkdir(parents=True)
    (killed / "config.yaml").write_text("experiment: {}\n")
    corrupt = write_run(tmp_path, "recon", "flow", "flow", 3, {"l1": 0.1, "l2": 0.2})
    (corrupt / "metrics.json").write_text('{"final": {"l2": 0.')
    bad_npz = write_run(tmp_path, "recon", "flow", "flow", 4, {"l1": 0.1, "l2": 0.2})
    (bad_npz / "predictions.npz").write_bytes(b"not a zip file")
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "config.yaml").write_text("not a run folder\n")
    c = collect.collect(tmp_path)
    assert [r.run_dir for r in c.runs] == [good]
    assert c.incomplete == tuple(sorted([killed, corrupt, bad_npz]))


def test_missing_results_dir_gives_an_empty_collection(tmp_path):
    c = collect.collect(tmp_path / "nothing-here")
    assert c.runs == () and c.incomplete == ()
    assert summary.summary_table(c, "recon") == []
    assert "no complete runs of recon" in interpret.interpretation(c, "recon")
    assert "No complete runs" in summary.provenance_summary(c)


def test_variant_labels_with_grid_point_folders(tmp_path, write_run):
    write_run(tmp_path, "recon", "flow/learning_rate=0.001", "flow", 42, {"l1": 0.1, "l2": 0.2})
    write_run(tmp_path, "recon", "flow/learning_rate=0.01", "flow", 42, {"l1": 0.1, "l2": 0.2})
    write_run(tmp_path, "projection", "regression", "regression", 43, {"l1": 0.1, "l2": 0.2})
    c = collect.collect(tmp_path)
    assert [(r.task, r.variant, r.mode, r.seed) for r in c.runs] == [
        ("projection", "regression", "regression", 43),
        ("recon", "flow/learning_rate=0.001", "flow", 42), ("recon", "flow/learning_rate=0.01", "flow", 42)]


def test_folders_outside_the_layout_are_ignored(tmp_path, write_run):
    write_run(tmp_path, "recon", "flow", "flow", 42, {"l1": 0.1, "l2": 0.2})
    write_run(tmp_path, "recon", "", "flow", 42, {"l1": 0.1, "l2": 0.2})  # a notebook run, no variant
    write_run(tmp_path / "quick", "recon", "flow", "flow", 42, {"l1": 0.1, "l2": 0.2})  # another folder's runs
    write_run(tmp_path, "recon", "flow", "sampling", 42, {"l1": 0.1, "l2": 0.2})  # not a mode
    c = collect.collect(tmp_path)
    assert [r.run_dir.relative_to(tmp_path).as_posix() for r in c.runs] == ["recon/flow/flow/seed-42"]
    assert c.incomplete == ()


def test_spectrum_peaks_at_the_planted_frequency():
    for c_max, f0, a in ((1.0, 12.0, 0.3), (2.0, 5.0, 0.05)):
        c = np.linspace(0, c_max, 401)[:, None]
        x = np.cos(3 * c) @ np.ones((1, 2))  # (G, 2)
        err = a * np.sin(2 * np.pi * f0 * c + 0.4) @ np.ones((1, 2))
        freqs, amp = interpolation.error_spectrum(c, x, x + err)
        k = int(np.argmax(amp))
        assert abs(freqs[k] - f0) <= (freqs[1] - freqs[0]) / 2  # cycles per unit c, whatever c_max
        assert amp[k] == pytest.approx(a, rel=0.05)
        assert interpolation.energy_fraction_above(freqs, amp, f0 / 2) > 0.99
        assert interpolation.energy_fraction_above(freqs, amp, 2 * f0) < 0.01


def test_spectrum_rejects_an_uneven_grid():
    c = np.sort(np.random.default_rng(0).uniform(0, 1, 50))[:, None]
    with pytest.raises(ValueError, match="even grid"):
        interpolation.error_spectrum(c, c, c)


def test_target_frequencies_are_omega_over_two_pi():
    assert target_frequencies(CONFIG) == pytest.approx(np.array([2, 5, 11]) / (2 * np.pi))


def test_binned_rmse_of_an_error_that_grows_with_distance():
    c_grid = (np.arange(1000)[:, None] + 0.5) / 1000  # no point sits on a bin edge
    x = np.zeros((1000, 1))
    u = np.array([min(abs(c - t) for t in C_TRAIN[:, 0]) / 0.1 for c in c_grid[:, 0]])  # brute force, h = 0.1
    rmse = interpolation.binned_rmse(c_grid, x, x + u[:, None], C_TRAIN)
    b = np.minimum(np.floor(u / 0.1), 4)
    expected = [math.sqrt(float(np.mean(u[b == j] ** 2))) for j in range(5)]
    assert rmse == pytest.approx(expected, rel=1e-9)
    assert np.all(np.diff(rmse) > 0)


def test_rounding_rms_is_the_spacing_over_root_twelve():
    """float32 spacing is 2^-23 on [1, 2) and 2^-22 on [2, 4); a uniform error in [-u/2, u/2] has
    RMS u / sqrt(12)."""
    x = np.array([1.0, 1.5, 2.0, 3.0], dtype=np.float32)
    assert interpolation.rounding_rms(x) == pytest.approx(math.sqrt((2 * 2.0**-46 + 2 * 2.0**-44) / 4 / 12), rel=1e-12)
    assert interpolation.rounding_rms(x.astype(np.float64)) == pytest.approx(interpolation.rounding_rms(x) * 2.0**-29)


def test_an_error_at_the_rounding_of_the_targets_has_no_shape_to_report(tmp_path, write_run):
    """Float32 targets (rounding RMS 1.5e-8 here): an error of RMS 7e-8 is left out of the
    between-the-samples sentences, one of 7e-5 is in them."""
    c = np.linspace(0, 1, 101)[:, None]
    for variant, scale in (("rounding", 1e-7), ("clear", 1e-4)):
        for seed in (1, 2):
            run_dir = write_run(tmp_path, "recon", variant, "flow", seed, {"l1": scale, "l2": scale},
                                error=scale * np.sin(40 * c + seed))
            with np.load(run_dir / "predictions.npz") as z:
                arrays = dict(z)
            np.savez(run_dir / "predictions.npz", **arrays | {"x_grid": arrays["x_grid"].astype(np.float32)})
    runs = collect.collect(tmp_path)
    profile = {v: interpolation.interpolation_profile(runs.select("recon", v)) for v in ("rounding", "clear")}
    assert profile["rounding"].above_nyquist is None and profile["rounding"].between_over_near is None
    assert profile["clear"].above_nyquist.mean > 0.5  # sin(40 c) lies above Nyquist, 5 cycles per unit c
    text = interpret.between_paragraph(SimpleNamespace(profiles=profile))
    assert text[0].startswith("**Between the samples.** RMSE beyond h/4") and "clear" in text[0] and "rounding" not in text[0]
    assert text[-1] == (f"Left out of both, their error being within {interpolation.ROUNDING_MARGIN} times the rounding of "
                        "the targets' floating-point values (its split and its spectrum measure rounding, which differs "
                        "from CPU to CPU): rounding.")


def test_prediction_band_and_nfe_curves_over_seeds(tmp_path, write_run):
    evals = lambda s: [{"method": "euler", "num_steps": n, "nfe": n, "l1": 0.0, "l2": s / n} for n in (1, 4)]  # noqa: E731
    for seed in (1, 3):
        write_run(tmp_path, "recon", "flow", "flow", seed, {"l1": 0.1, "l2": 0.2}, evals(seed))
    runs = collect.collect(tmp_path).select("recon", "flow")
    band, arrays = summary.prediction_band(runs)
    assert band.n == 2 and np.allclose(band.mean - arrays["x_grid"], 0.03)  # offsets 0.02 and 0.04
    assert np.allclose(band.std, statistics.stdev([0.02, 0.04]))
    (curve,) = summary.nfe_curves(runs)
    assert curve.method == "euler" and curve.nfe == (1, 4)
    assert curve.l2.mean == pytest.approx([2.0, 0.5]) and curve.l2.std == pytest.approx([math.sqrt(2), math.sqrt(2) / 4])


def test_interpretation_names_the_variant_with_the_lowest_error(tmp_path, write_run):
    l2 = {"regression": (0.30, 0.32), "flow": (0.10, 0.12), "flow-gaussian": (0.50, 0.54)}
    rng = np.random.default_rng(1)
    for variant, values in l2.items():
        mode = "regression" if variant == "regression" else "flow"
        for seed, v in zip((1, 2), values):
            evals = [{"method": "euler", "num_steps": n, "nfe": n, "l1": v, "l2": 2 * v / n} for n in (1, 2)]
            evals = evals if mode == "flow" else evals[-1:]
            noise = 0.01 * rng.standard_normal((101, 1)) if variant == "flow-gaussian" else None  # all above Nyquist
            write_run(tmp_path, "recon", variant, mode, seed, {"l1": v, "l2": v}, evals, noise)
    text = interpret.interpretation(collect.collect(tmp_path), "recon").replace(NBSP, " ")
    half = 12.706 * statistics.stdev([0.10, 0.12]) / math.sqrt(2)  # t_{0.975, 1} from a table
    assert text.startswith(f"**Final error.** Mean final l2 over the seeds, lowest first: flow 0.1100 (95 % CI "
                           f"[{0.11 - half:.4f}, {0.11 + half:.4f}]); regression 0.3100")
    assert "largest first: flow-gaussian" in text  # its noise lies above Nyquist
    h1, h2 = (12.706 * statistics.stdev([2 * a / n, 2 * b / n]) / math.sqrt(2) for a, b, n in ((0.10, 0.12, 1), (0.10, 0.12, 2)))
    assert (f"- flow, euler: mean l2 falls from 0.2200 (95 % CI [{0.22 - h1:.4f}, {0.22 + h1:.4f}]) at 1 step (NFE 1) "
            f"to 0.1100 (95 % CI [{0.11 - h2:.4f}, {0.11 + h2:.4f}]) at 2 steps (NFE 2).") in text


def test_rotation_sentences_follow_the_planted_numbers(tmp_path, write_run):
    """Two variants, planted per-velocity projection errors: the sentences rank and quote them."""
    planted = {"flow": (0.9, [0.001, 0.004]), "regression": (0.99, [0.002, 0.003])}
    for variant, (cosine, projection) in planted.items():
        for seed in (1, 2):
            per_velocity = [{"alpha": a, "cosine_mean": cosine, "cosine_min": cosine, "projection_mean": p,
                             "projection_max": p} for a, p in zip((0.0, 6.0), projection)]
            final = {"l1": 0.1, "l2": 0.2, "cosine_mean": cosine, "cosine_min": cosine, "projection_mean": 0.01,
                     "projection_max": 0.02, "per_velocity": per_velocity}
            write_run(tmp_path, "lie", variant, "flow" if variant == "flow" else "regression", seed, final)
    text = interpret.interpretation(collect.collect(tmp_path), "lie")
    assert "highest first: regression 0.9900 (95 % CI [0.9900, 0.9900]); flow 0.9000 (95 % CI [0.9000, 0.9000])" in text
    assert "(α = 0.00) to the fastest (α = 6.00)" in text
    assert "rises by 50.0% for regression (0.0020 to 0.0030); rises by 300.0% for flow (0.0010 to 0.0040)" in text


def test_a_tiny_p_value_reads_p_below_not_p_equals():
    """Guards against "p = < 0.001" in the findings: a planted large paired shift gives p < 0.001."""
    from toyexp.core.stats import paired

    text = interpret.difference_text(paired([0.0, 0.1, 0.2, 0.3, 0.4], [1.0, 1.1, 1.21, 1.3, 1.4])).replace(NBSP, " ")
    assert "p < 0.001" in text and "p = <" not in text
    assert "p = 0.0" in interpret.difference_text(paired([0.0, 0.1, 0.2], [0.1, 0.3, 0.35])).replace(NBSP, " ")


def test_the_cost_paragraph_sets_the_tightest_dopri5_solve_beside_the_final_setting(tmp_path, write_run):
    """Guards against dopri5 vanishing from the findings: its tightest tolerance's mean l2 and mean
    counted NFE over the seeds stand next to the final l2, all planted here."""
    for seed, (final, tight, nfe) in {1: (0.10, 0.20, 50), 2: (0.30, 0.40, 70)}.items():
        evals = [{"method": "euler", "num_steps": n, "nfe": n, "l1": final, "l2": final * (1 + 1 / n), "rtol": None, "atol": None}
                 for n in (1, 4)]
        evals += [{"method": "dopri5", "num_steps": None, "nfe": nfe - 20, "l1": 0.0, "l2": 9.0, "rtol": 1e-2, "atol": 1e-5},
                  {"method": "dopri5", "num_steps": None, "nfe": nfe, "l1": 0.0, "l2": tight, "rtol": 1e-4, "atol": 1e-5}]
        write_run(tmp_path, "recon", "flow", "flow", seed, {"l1": final, "l2": final}, evals)
    text = interpret.interpretation(collect.collect(tmp_path), "recon").replace(NBSP, " ")
    (line,) = [line for line in text.splitlines() if "dopri5" in line]
    assert "rtol 1e-04, 60 network evaluations on average" in line
    assert "mean l2 0.3000 (95 % CI" in line and "against 0.2000 (95 % CI" in line
    assert "an adaptive solve at its tightest tolerance" in text
