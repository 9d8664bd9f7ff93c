"""What every result records for its reproduction (toyexp.run.provenance), read from the process itself."""

import dataclasses
import platform

import numpy as np
import torch

from toyexp.run.code_path import code_path
from toyexp.run.provenance import GitState, Provenance, flushes_denormals, git_state, provenance


def test_flushes_denormals_reads_the_mode_it_was_given():
    for on in (True, False):
        torch.set_flush_denormal(on)
        assert flushes_denormals() is on
        assert (torch.tensor(1e-39).item() == 0.0) is on  # 1e-39 is below float32's smallest normal, 1.18e-38


def test_provenance_records_this_process():
    """Guards: every metrics.json's provenance carries the versions, the code path and the denormal mode."""
    torch.set_flush_denormal(True)
    p = provenance()
    assert isinstance(p, Provenance) and dataclasses.is_dataclass(p.git) and dataclasses.is_dataclass(p.code_path)
    assert (p.torch, p.numpy, p.python) == (torch.__version__, np.__version__, platform.python_version())
    assert p.code_path == code_path() and p.flush_denormal is True
    assert p.date.endswith("+00:00")  # UTC


def test_git_state_of_the_project():
    state = git_state()
    assert isinstance(state, GitState)
    assert state.commit is None or (len(state.commit) == 40 and state.dirty in (True, False))
