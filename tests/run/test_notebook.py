"""The glue between a run notebook's papermill parameters and the config (toyexp.run.notebook)."""

import sys

import pytest

import toyexp
from toyexp.run import notebook
from toyexp.run.files import PROJECT_ROOT

EMPTY = dict(experiment={}, dataset={}, network={}, training={}, evaluation={}, mode=None, seed=None, overrides=[])


def test_papermill_injected_false_outside_ipython():
    assert "IPython" not in sys.modules or __import__("IPython").get_ipython() is None
    assert notebook.papermill_injected() is False


class FakeShell:
    def __init__(self, cells):
        self.user_ns = {"In": cells}


@pytest.mark.parametrize("cells,expected", [
    (["", "import toyexp", "# Parameters\nseed = 3\n"], True),
    (["", "import toyexp", "# Parameters are below\n"], True),
    (["", "import toyexp", "x = 1  # Parameters"], False),
    ([], False),
])
def test_papermill_injected_reads_the_input_history(monkeypatch, cells, expected):
    IPython = pytest.importorskip("IPython")
    monkeypatch.setattr(IPython, "get_ipython", lambda: FakeShell(cells))
    assert notebook.papermill_injected() is expected


def test_config_from_parameters_quick_follows_papermill(monkeypatch):
    quick = toyexp.config_from_parameters("recon", **EMPTY)
    assert quick.training.num_epochs == 1500 and quick.experiment.mode == notebook.QUICK_MODE  # quick outside papermill
    IPython = pytest.importorskip("IPython")
    monkeypatch.setattr(IPython, "get_ipython", lambda: FakeShell(["# Parameters\n"]))
    injected = toyexp.config_from_parameters("recon", **EMPTY)
    assert injected.training.num_epochs == 5000 and injected.experiment.mode == "regression"  # the package defaults


def test_the_quick_mode_gives_way_to_the_parameters():
    assert toyexp.config_from_parameters("recon", **{**EMPTY, "mode": "mip"}, quick=True).experiment.mode == "mip"
    assert toyexp.config_from_parameters("recon", **{**EMPTY, "experiment": {"mode": "regression"}}, quick=True).experiment.mode == "regression"
    assert toyexp.config_from_parameters("recon", **{**EMPTY, "overrides": ["experiment.mode=straight_flow"]},
                                         quick=True).experiment.mode == "straight_flow"


def test_a_shipped_parameter_file_loads_from_python(tmp_path, monkeypatch):
    """Guards issue 25: load_config refuses params/recon/flow.yaml (`unknown key 'mode'`: it is a
    papermill parameter file, not a config file); config_from_params_file reads it as papermill
    does: the file's keys on the package defaults (5000 epochs, not the quick preset), its mode;
    seed and mode given replace the file's, overrides apply after the file's own. A relative
    path is read from the current folder."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.yaml").write_text("mode: flow\nseed: 7\noverrides: [training.batch_size=16]\n"
                                     "evaluation: {num_eval_steps: [1, 4]}\n")
    cfg = toyexp.config_from_params_file("recon", "p.yaml")
    assert (cfg.experiment.mode, cfg.experiment.seed, cfg.training.batch_size) == ("flow", 7, 16)
    assert cfg.evaluation.num_eval_steps == [1, 4] and cfg.training.num_epochs == 5000
    cfg = toyexp.run.config_from_params_file("recon", "p.yaml", mode="mip", seed=43, overrides=["training.batch_size=8"])
    assert (cfg.experiment.mode, cfg.experiment.seed, cfg.training.batch_size) == ("mip", 43, 8)
    shipped = toyexp.config_from_params_file("recon", PROJECT_ROOT / "params" / "recon" / "flow.yaml")
    assert (shipped.experiment.mode, shipped.evaluation.integration_method) == ("flow", ["euler", "midpoint", "heun", "rk4"])


@pytest.mark.parametrize("text, message", [
    (None, "parameter file 'none.yaml' does not exist"),
    ("mdoe: flow\n", "parameter file 'p.yaml': unknown parameter 'mdoe' (did you mean 'mode'?); valid: 'experiment', "
                     "'dataset', 'network', 'training', 'evaluation', 'mode', 'seed', 'overrides'"),
    ("[flow]\n", "parameter file 'p.yaml' must be a mapping of parameters 'experiment', 'dataset', 'network', "
                 "'training', 'evaluation', 'mode', 'seed', 'overrides', got ['flow']"),
    ("training: {num_epoch: 3}\n", "unknown key 'training.num_epoch' (did you mean 'training.num_epochs'?); valid keys: "
                                  "'batch_size', 'num_epochs', 'num_steps', 'learning_rate', 'lr_schedule', 'log_interval', "
                                  "'eval_interval', 'save_interval', 'initial_dist', 'loss_type', 'loss_aggregation', 'mip_t_star'"),
], ids=["missing", "unknown", "not-a-mapping", "bad-key"])
def test_a_bad_parameter_file_is_named(tmp_path, monkeypatch, text, message):
    monkeypatch.chdir(tmp_path)
    if text is not None:
        (tmp_path / "p.yaml").write_text(text)
    with pytest.raises(toyexp.ConfigError) as err:
        toyexp.config_from_params_file("recon", "none.yaml" if text is None else "p.yaml")
    assert str(err.value) == message
