"""The rotation task against known answers: closed-form rotations, norms, planted rotation errors, bad configs."""

import json
import math

import pytest
import torch

import toyexp
from known_answers import is_prime
from notebook_chain import notebook_chain
from toyexp.run.config import DeprecatedConfigWarning
from toyexp.tasks.lie.data import RotationDataset
from toyexp.tasks.lie.metrics import rotation_metrics
from toyexp.tasks import get_task


def lie(*overrides, **kwargs):
    return toyexp.load_config("lie", overrides=["dataset.num_eval=40", *overrides], **kwargs)


def dataset(*overrides) -> RotationDataset:
    return toyexp.make_dataset(lie(*overrides))


PRIMES = [n for n in range(1000) if is_prime(n)]  # by trial division written here
C = torch.linspace(-0.5, 1.5, 41, dtype=torch.float64)[:, None]
CASES = [(2, "constant"), (2, "high_frequency"), (3, "constant"), (3, "high_frequency")]


def case(n, weight_type, *more):
    return dataset(f"dataset.rotation_dim={n}", f"dataset.weight_type={weight_type}", *more)


def cross(a, b):
    a, b = torch.broadcast_tensors(a, b)
    return torch.linalg.cross(a, b, dim=-1)


def rodrigues(axis, v, angle):
    """Rotate v by ``angle`` about the unit ``axis``: v cos + (axis × v) sin + axis (axis·v)(1 − cos)."""
    cos, sin = torch.cos(angle)[..., None], torch.sin(angle)[..., None]
    return v * cos + cross(axis, v) * sin + axis * (axis * v).sum(-1, keepdim=True) * (1 - cos)


# --- config -----------------------------------------------------------------------------


def test_defaults_and_derived_target_dim():
    cfg = toyexp.load_config("lie")
    d = cfg.dataset
    assert (cfg.experiment.name, cfg.experiment.output_dir, cfg.experiment.task) == ("lie", "outputs/lie", "lie")
    assert (d.rotation_dim, d.num_rotations, d.alpha_min, d.alpha_values) == (2, 8, 0.0, [])
    assert d.alpha_max == 2 * math.pi
    assert (d.rotation_seed, d.weight_seed, d.weight_type, d.num_weight_components) == (0, 0, "constant", 3)
    assert d.weight_strategy == "uniform"
    assert d.target_dim == 16
    assert lie("dataset.num_rotations=3", "dataset.rotation_dim=3").dataset.target_dim == 9
    assert lie("dataset.num_rotations=3", "dataset.target_dim=6").dataset.target_dim == 6  # consistent: accepted
    assert toyexp.load_config("lie", quick=True).dataset.target_dim == 16
    assert toyexp.load_config("recon").dataset.target_dim == 1  # other tasks keep theirs


def test_round_trip_through_yaml():
    import yaml

    cfg = lie("dataset.rotation_dim=3", "dataset.num_rotations=2", "dataset.alpha_values=[0.5, 4]")
    assert toyexp.load_config("lie", sections=yaml.safe_load(cfg.to_yaml())) == cfg
    assert cfg.dataset.alpha_values == [0.5, 4.0] and all(type(a) is float for a in cfg.dataset.alpha_values)


@pytest.mark.parametrize("overrides,fragments", [
    (["dataset.rotation_dim=4"], ["dataset.rotation_dim", "4", "2, 3"]),
    (["dataset.rotation_dim=two"], ["dataset.rotation_dim", "'two'", "integer"]),
    (["dataset.num_rotations=0"], ["dataset.num_rotations", "0", "at least 1"]),
    (["dataset.num_weight_components=0"], ["dataset.num_weight_components", "0", "at least 1"]),
    (["dataset.weight_type=sine"], ["dataset.weight_type", "'sine'", "'constant'", "'high_frequency'"]),
    (["dataset.weight_strategy=inverse"], ["dataset.weight_strategy", "'inverse'", "did you mean 'inverse_freq'", "'uniform'"]),
    (["dataset.alpha_max=0"], ["dataset.alpha_max", "0.0", "dataset.alpha_min = 0.0"]),
    (["dataset.alpha_min=3", "dataset.alpha_max=1"], ["dataset.alpha_max", "1.0", "dataset.alpha_min = 3.0"]),
    (["dataset.alpha_values=[1, 2]"], ["dataset.alpha_values", "[1.0, 2.0]", "num_rotations = 8", "[] or null"]),
    (["dataset.alpha_values=5"], ["dataset.alpha_values", "5", "list", "or [] (or null) for evenly spaced"]),
    (["dataset.alpha_values=[1, x]"], ["dataset.alpha_values", "'x'", "number"]),
    (["dataset.rotation_seed=1.5"], ["dataset.rotation_seed", "1.5", "integer"]),
    (["dataset.weight_seed=a"], ["dataset.weight_seed", "'a'", "integer"]),
    (["dataset.target_dim=8"], ["dataset.target_dim", "8", "8 * 2 = 16"]),
    (["dataset.rotation_dim=3", "dataset.target_dim=16"], ["dataset.target_dim", "16", "8 * 3 = 24"]),
])
def test_bad_rotation_config_is_named(overrides, fragments):
    with pytest.raises(toyexp.ConfigError) as info:
        toyexp.load_config("lie", overrides=overrides)
    for fragment in fragments:
        assert fragment in str(info.value), f"{fragment!r} not in {str(info.value)!r}"


def test_rotation_keys_belong_to_lie_only():
    """Guards against a lie key being silently accepted by another task."""
    with pytest.raises(toyexp.ConfigError, match="dataset.alpha_max is a lie key; recon takes:"):
        toyexp.load_config("recon", overrides=["dataset.alpha_max=-1"])


# --- data -------------------------------------------------------------------------------


def test_plane_rotation_is_cos_sin():
    data = dataset("dataset.alpha_values=[0, 1, 2.5, 6.283185307179586]", "dataset.num_rotations=4")
    assert data.generator.tolist() == [[0.0, -1.0], [1.0, 0.0]]
    d = data.directions(C)  # (N, K, 2)
    assert d.shape == (41, 4, 2) and d.dtype == torch.float64
    for i, a in enumerate([0.0, 1.0, 2.5, 2 * math.pi]):
        expected = torch.tensor([[math.cos(a * c), math.sin(a * c)] for c in C[:, 0].tolist()], dtype=torch.float64)
        torch.testing.assert_close(d[:, i], expected, atol=1e-12, rtol=0)


@pytest.mark.parametrize("seed", [0, 5])
def test_space_generator_and_directions(seed):
    data = dataset("dataset.rotation_dim=3", f"dataset.rotation_seed={seed}")
    A = data.generator
    assert A.shape == (3, 3)
    torch.testing.assert_close(A.T, -A, atol=0, rtol=0)
    assert torch.linalg.matrix_norm(A).item() == pytest.approx(math.sqrt(2), abs=1e-14)
    torch.testing.assert_close(A, dataset("dataset.rotation_dim=3", f"dataset.rotation_seed={seed}").generator, atol=0, rtol=0)
    assert (A - dataset("dataset.rotation_dim=3", f"dataset.rotation_seed={seed + 1}").generator).abs().max() > 1e-3
    d = data.directions(C)
    assert d.shape == (41, 8, 3)
    torch.testing.assert_close(d.norm(dim=-1), torch.ones(41, 8, dtype=torch.float64), atol=1e-12, rtol=0)
    # Rodrigues: A = [ω]_x with |ω| = 1, so exp(θA) e_1 rotates e_1 by θ about ω
    omega = torch.stack([A[2, 1], A[0, 2], A[1, 0]])
    assert omega.norm().item() == pytest.approx(1.0, abs=1e-14)
    e_1 = torch.tensor([1.0, 0.0, 0.0], dtype=torch.float64)
    theta = C * data.alphas  # (N, K)
    torch.testing.assert_close(d, rodrigues(omega, e_1.expand(41, 8, 3), theta), atol=1e-12, rtol=0)


def test_directions_in_chunks_are_the_same_bits(monkeypatch):
    """Guards the chunked matrix exponential (memory of a large num_eval): each matrix is its own,
    so chunks of 7 inputs give exactly the directions of one call."""
    from toyexp.tasks.lie import data as lie_data

    data = case(3, "high_frequency")
    whole = data.directions(C)
    monkeypatch.setattr(lie_data, "EVAL_CHUNK", 7)
    assert torch.equal(data.directions(C), whole)


def test_velocities_evenly_spaced_with_both_ends():
    alphas = dataset().alphas
    torch.testing.assert_close(alphas, torch.tensor([2 * math.pi * i / 7 for i in range(8)], dtype=torch.float64), atol=1e-14, rtol=0)
    alphas = dataset("dataset.num_rotations=5", "dataset.alpha_min=-1", "dataset.alpha_max=3").alphas
    assert alphas.tolist() == pytest.approx([-1.0, 0.0, 1.0, 2.0, 3.0], abs=1e-14)
    assert dataset("dataset.num_rotations=1", "dataset.alpha_min=0.5").alphas.tolist() == [0.5]


def test_null_velocities_are_evenly_spaced():
    """Guards the original configs' ``alpha_values: null``: evenly spaced, as [] is, and recorded as []."""
    cfg = toyexp.load_config("lie", {"dataset": {"alpha_values": None, "num_rotations": 5, "alpha_max": 4.0}})
    assert cfg.dataset.alpha_values == []
    assert toyexp.make_dataset(cfg).alphas.tolist() == pytest.approx([0.0, 1.0, 2.0, 3.0, 4.0], abs=1e-14)


def test_explicit_velocities_are_honoured():
    with pytest.warns(DeprecatedConfigWarning) as caught:  # the range is set, and has no effect
        data = dataset("dataset.num_rotations=3", "dataset.alpha_values=[3, 0.25, 10]", "dataset.alpha_min=5", "dataset.alpha_max=6")
    assert [str(w.message) for w in caught] == [
        f"dataset.{key} has no effect: the velocities are dataset.alpha_values, as listed" for key in ("alpha_min", "alpha_max")
    ]
    assert data.alphas.tolist() == [3.0, 0.25, 10.0]
    d = data.directions(C)
    torch.testing.assert_close(d[:, 2, 0], torch.cos(10 * C[:, 0]), atol=1e-12, rtol=0)


def test_constant_weights_are_uniform_and_seeded():
    w = dataset("dataset.weight_seed=3").weights(C)
    assert w.shape == (41, 8)
    torch.testing.assert_close(w, w[:1].expand(41, 8), atol=0, rtol=0)  # constant in c
    assert w.min() >= -1 and w.max() <= 1 and w.min() < 0 < w.max()
    expected = 2 * torch.rand(8, generator=torch.Generator().manual_seed(3), dtype=torch.float64) - 1
    torch.testing.assert_close(w[0], expected, atol=0, rtol=0)
    torch.testing.assert_close(dataset("dataset.weight_seed=3").weights(C), w, atol=0, rtol=0)
    assert (dataset("dataset.weight_seed=4").weights(C) - w).abs().max() > 1e-3
    with pytest.warns(DeprecatedConfigWarning, match="dataset.rotation_seed has no effect: .* in the plane A is fixed"):
        other = dataset("dataset.weight_seed=3", "dataset.rotation_seed=9")
    assert not torch.equal(other.x_train, dataset("dataset.weight_seed=4").x_train)


def test_high_frequency_weights_follow_the_prime_rule():
    K, L = 4, 3
    w = dataset("dataset.weight_type=high_frequency", f"dataset.num_rotations={K}", f"dataset.num_weight_components={L}").weights(C)
    expected = torch.zeros(41, K, dtype=torch.float64)
    for i in range(K):
        for l in range(L):
            j = i * L + l
            trig = torch.sin if l % 2 == 0 else torch.cos
            expected[:, i] += trig(PRIMES[2 * j] * C[:, 0] + PRIMES[2 * j + 1] / 10) / L
    torch.testing.assert_close(w, expected, atol=1e-12, rtol=0)
    assert w.abs().max() <= 1


def test_uniform_weights_are_the_mean_of_the_terms_bit_for_bit():
    """Guards today's numbers: weight_strategy uniform (the default) gives exactly the weights it
    gave before the key existed, (1/L) Σ_l trig_l, in the same float64 operations."""
    K, L = 4, 3
    high = ("dataset.weight_type=high_frequency", f"dataset.num_rotations={K}", f"dataset.num_weight_components={L}")
    freqs = torch.tensor(PRIMES[0:2 * K * L:2], dtype=torch.float64).reshape(K, L)
    phases = torch.tensor(PRIMES[1:2 * K * L:2], dtype=torch.float64).reshape(K, L) / 10
    arg = freqs * C[:, :, None] + phases
    even = torch.arange(L) % 2 == 0
    expected = torch.where(even, torch.sin(arg), torch.cos(arg)).mean(-1)
    for data in (dataset(*high), dataset(*high, "dataset.weight_strategy=uniform")):
        assert torch.equal(data.weights(C), expected)


def test_inverse_freq_weights_divide_each_term_by_its_frequency():
    """Guards the original meaning of weight_strategy for the rotation weights: a_il = 1/ω_il,
    keeping our 1/L: w_i(c) = (1/L) Σ_l trig_l(ω_il c + φ_il) / ω_il."""
    K, L = 4, 3
    data = dataset("dataset.weight_type=high_frequency", f"dataset.num_rotations={K}", f"dataset.num_weight_components={L}",
                   "dataset.weight_strategy=inverse_freq")
    expected = torch.zeros(41, K, dtype=torch.float64)
    for i in range(K):
        for l in range(L):
            j = i * L + l
            trig = torch.sin if l % 2 == 0 else torch.cos
            expected[:, i] += trig(PRIMES[2 * j] * C[:, 0] + PRIMES[2 * j + 1] / 10) / PRIMES[2 * j] / L
    torch.testing.assert_close(data.weights(C), expected, atol=1e-14, rtol=0)
    assert data.weights(C).abs().max() <= 1 / 2  # every ω_il >= 2
    norms = data.x_train.double().reshape(len(data.c_train), K, 2).norm(dim=-1)
    torch.testing.assert_close(norms, data.weights(data.c_train).abs(), atol=1e-6, rtol=0)  # the target uses them


@pytest.mark.parametrize("n,weight_type", CASES)
def test_component_norms_are_the_weights(n, weight_type):
    data = case(n, weight_type)
    K = data.cfg.num_rotations
    assert data.dim == K * n == data.cfg.target_dim and data.x_train.shape == (50, K * n) and data.x_eval.shape == (40, K * n)
    f = data.components(C)  # (N, K, n)
    torch.testing.assert_close(f.norm(dim=-1), data.weights(C).abs(), atol=1e-12, rtol=0)
    # the target concatenates the components: coordinates [i n, (i + 1) n) hold f_i
    for i in range(K):
        torch.testing.assert_close(data.target(C)[:, i * n:(i + 1) * n].double(), data.weights(C)[:, i:i + 1] * data.directions(C)[:, i], atol=1e-6, rtol=0)
    for c, x in ((data.c_train, data.x_train), (data.c_eval, data.x_eval)):
        norms = x.double().reshape(len(c), K, n).norm(dim=-1)
        torch.testing.assert_close(norms, data.weights(c).abs(), atol=1e-6, rtol=0)


# --- metrics ----------------------------------------------------------------------------


@pytest.mark.parametrize("n,weight_type", CASES)
def test_metrics_are_exact_on_the_true_function(n, weight_type):
    data = case(n, weight_type)
    u = data.oriented_directions(C)
    m = rotation_metrics(data.components(C).flatten(1), u, data.alphas)
    assert m["cosine_mean"] == pytest.approx(1, abs=1e-14) and m["cosine_min"] == pytest.approx(1, abs=1e-14)
    assert m["projection_mean"] == pytest.approx(0, abs=1e-7) and m["projection_max"] == pytest.approx(0, abs=1e-7)
    assert [p["alpha"] for p in m["per_velocity"]] == data.alphas.tolist()
    # the stored float32 samples, through the hook that fills metrics.json
    final = get_task("lie").metrics(data, data.c_eval, data.x_eval)
    assert final["cosine_min"] == pytest.approx(1, abs=1e-12) and final["projection_max"] < 1e-6
    assert json.loads(json.dumps(final)) == final


def planted(data, c, beta):
    """Each component w_i d_i rotated by beta_i (K,) within its plane (n = 3: about an axis ⊥ d_i)."""
    d, w = data.directions(c), data.weights(c)
    if data.cfg.rotation_dim == 2:
        R = torch.linalg.matrix_exp(beta[:, None, None] * data.generator)  # (K, 2, 2)
        rotated = torch.einsum("kij,nkj->nki", R, d)
    else:
        g = torch.tensor([0.3, -0.5, 0.8], dtype=torch.float64)  # not parallel to any d here
        axis = cross(d, g.expand_as(d))
        axis = axis / axis.norm(dim=-1, keepdim=True)
        assert (axis * d).sum(-1).abs().max() < 1e-12
        rotated = rodrigues(axis, d, beta.expand(len(c), -1))
    return (w[..., None] * rotated).flatten(1)


@pytest.mark.parametrize("n,weight_type", CASES)
def test_planted_rotation_gives_cos_and_sin(n, weight_type):
    data = case(n, weight_type)
    K = data.cfg.num_rotations
    beta = 0.1 + 0.35 * torch.arange(K, dtype=torch.float64)  # 0.1 to 2.55: past π/2, the cosine is negative
    m = rotation_metrics(planted(data, C, beta), data.oriented_directions(C), data.alphas)
    for i, p in enumerate(m["per_velocity"]):
        b = beta[i].item()
        assert p["alpha"] == data.alphas[i].item()
        assert p["cosine_mean"] == pytest.approx(math.cos(b), abs=1e-12) and p["cosine_min"] == pytest.approx(math.cos(b), abs=1e-12)
        assert p["projection_mean"] == pytest.approx(math.sin(b), abs=1e-12)
        assert p["projection_max"] == pytest.approx(math.sin(b), abs=1e-12)
    assert m["cosine_mean"] == pytest.approx(sum(math.cos(b) for b in beta.tolist()) / K, abs=1e-12)
    assert m["cosine_min"] == pytest.approx(math.cos(beta[-1].item()), abs=1e-12)
    assert m["projection_max"] == pytest.approx(max(math.sin(b) for b in beta.tolist()), abs=1e-12)


def test_opposite_direction_and_zero_component():
    data = dataset("dataset.num_rotations=2")
    f = data.components(C)
    f[:, 0] *= -1  # pointing the wrong way: cosine −1, but still on the line
    f[:, 1] = 0  # nothing predicted: both metrics 0 by definition
    m = rotation_metrics(f.flatten(1), data.oriented_directions(C), data.alphas)
    first, second = m["per_velocity"]
    assert first["cosine_mean"] == pytest.approx(-1, abs=1e-14) and first["projection_max"] == pytest.approx(0, abs=1e-7)
    assert second == {"alpha": data.alphas[1].item(), "cosine_mean": 0.0, "cosine_min": 0.0, "projection_mean": 0.0, "projection_max": 0.0}


def test_orientation_follows_the_sign_of_the_weight():
    data = dataset("dataset.weight_type=high_frequency", "dataset.num_rotations=2")
    w, d, u = data.weights(C), data.directions(C), data.oriented_directions(C)
    assert (w < 0).any() and (w > 0).any()
    torch.testing.assert_close(u, torch.sign(w)[..., None] * d, atol=0, rtol=0)
    torch.testing.assert_close(w[..., None] * d, w.abs()[..., None] * u, atol=1e-15, rtol=0)


@pytest.mark.training
def test_a_lie_run_writes_the_rotation_metrics(tmp_path):
    cfg = lie("training.num_epochs=5", "network.hidden_dim=8", "network.num_layers=1", "dataset.num_train=10",
              "dataset.num_rotations=3", "experiment.device=cpu", f"experiment.output_dir={tmp_path}")
    chain = notebook_chain(cfg)
    final = json.loads((chain.run.dir / "metrics.json").read_text())["final"]
    assert final == json.loads(json.dumps(chain.metrics["final"]))
    assert -1 <= final["cosine_min"] <= final["cosine_mean"] <= 1 and 0 <= final["projection_mean"] <= final["projection_max"] <= 1
    assert [p["alpha"] for p in final["per_velocity"]] == pytest.approx([0.0, math.pi, 2 * math.pi])


# --- report and analysis ---------------------------------------------------------------------


def per_velocity(alphas, cosines, projections):
    return [{"alpha": a, "cosine_mean": c, "cosine_min": c - 0.1, "projection_mean": p, "projection_max": 2 * p}
            for a, c, p in zip(alphas, cosines, projections)]


def test_describe_rotation_names_slowest_fastest_and_worst():
    from toyexp.tasks.lie.text import describe_rotation

    final = {"cosine_mean": 0.95, "cosine_min": 0.5, "projection_mean": 0.05, "projection_max": 0.4,
             "per_velocity": per_velocity([0.0, 3.0, 6.0], [0.99, 0.9, 0.96], [0.01, 0.2, 0.1])}
    text = describe_rotation(final)
    assert "mean 0.9500, minimum 0.5000 over all points and 3 components" in text
    assert "mean 0.0500, maximum 0.4000" in text
    assert "slowest rotation (α = 0.000) has mean cosine 0.9900 and projection error 0.0100" in text
    assert "the fastest (α = 6.000) 0.9600 and 0.1000" in text
    assert "lowest mean cosine, 0.9000, is at α = 3.000" in text


def test_velocity_curves_and_table_over_seeds(tmp_path, write_run):
    from toyexp.study import collect as analysis
    from toyexp.study import summary
    from toyexp.tasks.lie.analysis import velocity_curves, velocity_table

    alphas = [0.0, math.pi, 2 * math.pi]
    cosines = {1: [1.0, 0.9, 0.8], 2: [1.0, 0.7, 0.6]}
    for seed, cos in cosines.items():
        final = {"l1": 0.1, "l2": 0.2, "cosine_mean": sum(cos) / 3, "cosine_min": min(cos) - 0.1,
                 "projection_mean": 0.1 * seed, "projection_max": 0.3, "per_velocity": per_velocity(alphas, cos, [0.01 * seed] * 3)}
        write_run(tmp_path, "lie", "flow", "flow", seed, final)
    collection = analysis.collect(tmp_path)
    (row,) = summary.summary_table(collection, "lie")
    assert row.stats["projection_mean"].mean == pytest.approx(0.15) and row.stats["cosine_min"].mean == pytest.approx(0.6)
    assert "cosine to the true direction, mean" in summary.markdown_table([row], get_task("lie").summary_metrics)
    curves = velocity_curves([r.metrics["final"] for r in collection.select("lie", "flow")])
    band = curves["cosine_mean"]
    assert band.n == 2 and band.x.tolist() == pytest.approx(alphas)
    assert band.mean.tolist() == pytest.approx([1.0, 0.8, 0.7])
    assert band.std.tolist() == pytest.approx([0.0, math.sqrt(0.02), math.sqrt(0.02)])
    assert curves["projection_max"].mean.tolist() == pytest.approx([0.03] * 3)
    table = velocity_table({"flow": curves}, "cosine_mean").replace("\u00a0", " ")
    assert table.splitlines()[0] == "| variant | α = 0.000 | α = 3.142 | α = 6.283 |"
    assert f"| flow | 1.0000 ± 0.0000 | 0.8000 ± {math.sqrt(0.02):.4f} | 0.7000 ± {math.sqrt(0.02):.4f} |" in table
    # at most ``columns`` velocities to a table, so a table never outgrows the page
    split = velocity_table({"flow": curves}, "cosine_mean", columns=2).split("\n\n")
    assert [t.splitlines()[0] for t in split] == ["| variant | α = 0.000 | α = 3.142 |", "| variant | α = 6.283 |"]
    marked = velocity_table({"flow": curves, "spline": curves}, "cosine_mean", baselines=["spline"])
    assert "| *spline* | 1.0000" in marked and "| flow | 1.0000" in marked


def test_velocity_curves_refuse_different_velocities(tmp_path, write_run):
    from toyexp.study import collect as analysis
    from toyexp.tasks.lie.analysis import velocity_curves

    for seed, top in ((1, 6.0), (2, 5.0)):
        final = {"l1": 0.1, "l2": 0.2, "per_velocity": per_velocity([0.0, top], [1.0, 1.0], [0.0, 0.0])}
        write_run(tmp_path, "lie", "flow", "flow", seed, final)
    with pytest.raises(ValueError, match="different velocities"):
        velocity_curves([r.metrics["final"] for r in analysis.collect(tmp_path).select("lie", "flow")])
