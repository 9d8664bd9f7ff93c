"""The restarts measurement fits the report's GP, and more restarts never lower the optimum it reports."""

import numpy as np
import pytest

from toyexp.bench.gp_restarts import fit_lml
from toyexp.core.gp import GP_RESTARTS, gp_shared


@pytest.fixture
def noisy_samples():
    """A planted 2-output sinusoid at 27 even inputs with noise 0.2, and 50 query inputs."""
    rng = np.random.default_rng(0)
    c_train = np.linspace(0, 1, 27)[:, None]
    x_train = np.hstack([np.sin(2 * np.pi * c_train), np.cos(2 * np.pi * c_train)]) + 0.2 * rng.standard_normal((27, 2))
    return c_train, x_train, np.linspace(0, 1, 50)[:, None]


def test_the_measured_gp_is_the_reports(noisy_samples):
    c_train, x_train, c = noisy_samples
    _, mean = fit_lml(c_train, x_train, c, 42, restarts=GP_RESTARTS)
    np.testing.assert_allclose(mean, gp_shared(c_train, x_train, c, 42).prediction, rtol=0, atol=1e-9)


def test_more_restarts_never_lower_the_marginal_likelihood(noisy_samples):
    """Known identity: the first start is shared and the random starts of fewer restarts are the
    first of more (one generator per seed), so the best log marginal likelihood cannot fall."""
    c_train, x_train, c = noisy_samples
    lml = [fit_lml(c_train, x_train, c, 43, restarts=r)[0] for r in (0, 1, 2, 5)]
    assert lml == sorted(lml)
