"""Data sets as plain arrays: the synthetic generator (Bishop's example and variants).

Every generator is seeded: the same arguments always give the same data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def _t(x):
    """Inputs on [0, 1] mapped to [-1, 1]."""
    return 2.0 * np.asarray(x, dtype=np.float64) - 1.0


#: The true functions on x in [0, 1] (t = 2x - 1 for the ones defined on [-1, 1]).
TRUE_FUNCTIONS = {
    "sin": lambda x: np.sin(2.0 * np.pi * np.asarray(x, dtype=np.float64)),
    "runge": lambda x: 1.0 / (1.0 + 25.0 * _t(x) ** 2),
    "cubic": lambda x: 2.0 * _t(x) ** 3 - _t(x),
    "abs": lambda x: np.abs(_t(x)),
    "step": lambda x: np.where(_t(x) < 0.0, -0.5, 0.5),
}


@dataclass(frozen=True, eq=False)
class Dataset:
    """Training and test points of a one-input regression problem.

    ``truth`` is the noiseless function when it is known (synthetic data), else None.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    name: str
    truth: object = None
    x_label: str = "x"
    y_label: str = "y"

    @property
    def n_train(self):
        return int(self.x_train.shape[0])


def synthetic(fn="sin", n=10, noise=0.3, seed=0, spacing="even", n_test=100):
    """``y = f(x) + N(0, noise^2)``; defaults are Bishop's (PRML section 1.1).

    Parameters
    ----------
    fn : {"sin", "runge", "cubic", "abs", "step"}
        ``sin 2 pi x``, ``1 / (1 + 25 t^2)``, ``2 t^3 - t``, ``|t|``, ``+-0.5`` with ``t = 2x - 1``.
    n : int
        Training points on [0, 1]: evenly spaced (``spacing="even"``, Bishop's) or drawn uniformly.
    noise : float
        Standard deviation of the Gaussian noise.
    seed : int
        Seed of the numpy Generator; draws happen in a fixed order (training x when random,
        training noise, test x, test noise).
    n_test : int
        Test points drawn uniformly on [0, 1] from the same distribution.
    """
    f = TRUE_FUNCTIONS[fn]
    rng = np.random.default_rng(seed)
    even = spacing == "even"
    x_train = np.linspace(0.0, 1.0, n) if even else np.sort(rng.uniform(0.0, 1.0, n))
    y_train = f(x_train) + noise * rng.normal(size=n)
    x_test = np.sort(rng.uniform(0.0, 1.0, n_test))
    y_test = f(x_test) + noise * rng.normal(size=n_test)
    return Dataset(x_train, y_train, x_test, y_test, name=fn, truth=f)
