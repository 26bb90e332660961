"""Synthetic data: Bishop's curve-fitting example (PRML, section 1.1) and its variants."""

from __future__ import annotations

import numpy as np


def sine_data(n=10, noise=0.3, seed=0, n_test=100):
    """Bishop's example: ``t = sin(2 pi x) + N(0, noise^2)``, ``n`` x evenly spaced on [0, 1].

    Test x are drawn uniformly on [0, 1] from the same seeded generator, so the same arguments
    always give the same data.

    Returns
    -------
    x_train, y_train, x_test, y_test : ndarray
    """
    rng = np.random.default_rng(seed)
    x_train = np.linspace(0.0, 1.0, n)
    y_train = np.sin(2 * np.pi * x_train) + noise * rng.normal(size=n)
    x_test = rng.uniform(0.0, 1.0, n_test)
    y_test = np.sin(2 * np.pi * x_test) + noise * rng.normal(size=n_test)
    return x_train, y_train, x_test, y_test
