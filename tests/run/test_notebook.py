"""The glue between a run notebook's papermill parameters and the config (toyexp.run.notebook)."""

import sys

import pytest

import toyexp
from toyexp.run import notebook

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
