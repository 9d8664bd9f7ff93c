"""The names a config may choose (toyexp.core.names) and the registries that must hold exactly them."""

import json
import subprocess
import sys
import textwrap

import pytest
import torch

from toyexp.core import names
from toyexp.core.integrate import integrate
from toyexp.core.modes import build_mode
from toyexp.core.names import check_registry
from toyexp.core.nets import build_network
from toyexp.core.config import NetworkConfig
from toyexp.core.paths import LOSSES, sample_x0
from toyexp.core.resolution import Tolerance


def test_a_matching_registry_passes():
    check_registry("modes.MODES", {name: None for name in names.MODES}, names.MODES)


@pytest.mark.parametrize("keys", [("euler", "midpoint", "heun"), ("euler", "midpoint", "heun", "rk4", "rk5"),
                                  ("midpoint", "euler", "heun", "rk4")])
def test_a_mismatched_registry_raises_naming_both(keys):
    """A part missing, one too many, or the order changed (the first method is the one ``final`` uses)."""
    with pytest.raises(ImportError) as info:
        check_registry("integrate.STEPS", dict.fromkeys(keys), names.FIXED_STEP_METHODS)
    message = str(info.value)
    assert message.startswith(f"integrate.STEPS has {keys} but toyexp/core/names.py lists {names.FIXED_STEP_METHODS}")
    assert "must be named in both" in message


# Each registry -> the module that fills it and checks it when imported.
REGISTRIES = {"MODES": "modes", "FIXED_STEP_METHODS": "integrate", "ADAPTIVE_METHODS": "adaptive",
              "ARCHITECTURES": "nets", "ACTIVATIONS": "nets", "LOSSES": "paths", "INITIAL_DISTS": "paths",
              "LR_SCHEDULES": "optim"}
CHILD = textwrap.dedent("""
    import importlib, json, sys
    import toyexp.core.names as names
    out = {}
    for attr, module in json.loads(sys.argv[1]).items():
        for name in [m for m in sys.modules if m.startswith("toyexp.core.") and m != "toyexp.core.names"]:
            del sys.modules[name]
        kept = getattr(names, attr)
        setattr(names, attr, kept + ("extra",))
        try:
            importlib.import_module("toyexp.core." + module)
            out[attr] = None
        except ImportError as err:
            out[attr] = str(err)
        setattr(names, attr, kept)
    print(json.dumps(out))
""")


def test_a_name_without_its_registered_part_fails_at_import():
    """Known answer of the check in place: with a name added to names.py but to no registry, importing
    the registry's module fails at once, naming both lists (in a fresh interpreter, as at start-up)."""
    child = subprocess.run([sys.executable, "-c", CHILD, json.dumps(REGISTRIES)], capture_output=True, text=True)
    assert child.returncode == 0, child.stderr
    errors = json.loads(child.stdout)
    for attr, message in errors.items():
        listed = getattr(names, attr)
        assert message is not None and f"has {listed} but toyexp/core/names.py lists {(*listed, 'extra')}" in message, (attr, message)


def test_every_name_reaches_a_working_part():
    """Each name a config may choose does what it says on a small input."""
    x_0 = torch.ones(2, 1, dtype=torch.float64)
    for method in names.FIXED_STEP_METHODS:  # dx/dt = 1 over [0, 1]: x_0 + 1 for any method
        torch.testing.assert_close(integrate(lambda x, t: torch.ones_like(x), x_0, 3, method), x_0 + 1, atol=1e-15, rtol=0)
    for method in names.ADAPTIVE_METHODS:
        torch.testing.assert_close(integrate(lambda x, t: torch.ones_like(x), x_0, Tolerance(1e-6, 1e-8), method), x_0 + 1)
    for mode in names.MODES:
        assert build_mode(mode).name == mode
    for arch in names.ARCHITECTURES:
        for activation in names.ACTIVATIONS:
            net = build_network(NetworkConfig(arch, 4, 1, activation), 2)
            assert net(torch.zeros(3, 2), torch.zeros(3, 1), torch.zeros(3, 1)).shape == (3, 2)
    assert [LOSSES[name](torch.tensor([2.0]), torch.zeros(1)).item() for name in names.LOSSES] == [4.0, 2.0]  # l2, l1
    assert [sample_x0(d, (2, 1), torch.Generator()).shape for d in names.INITIAL_DISTS] == [(2, 1)] * 2
