"""Data sets as plain arrays: the synthetic generator (Bishop's example and variants), the
real datasets bundled in ``data/``, and tables a class uploads.

Every dataset is seeded: the same arguments always give the same data. Real data are split into
training and test points at random (seeded); the basis scales x by the training points only.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from regviz.csv_reader import MAX_BYTES, MAX_UPLOAD_TEXT, DataError, read_csv

__all__ = [
    "BUNDLED",
    "DATA_DIR",
    "MAX_BYTES",
    "MAX_ROWS",
    "MAX_UPLOAD_TEXT",
    "TRUE_FUNCTIONS",
    "TRUE_FUNCTION_LABELS",
    "Bundled",
    "DataError",
    "Dataset",
    "bundled",
    "content_digest",
    "from_table",
    "read_csv",
    "synthetic",
]

#: The bundled CSV files (written by data/make_datasets.py).
DATA_DIR = Path(__file__).resolve().parent.parent / "data"
#: Larger numbers are refused: a fit squares them, and 1e308 is as far as float64 goes.
MAX_MAGNITUDE = 1e100
#: Rows beyond this are subsampled (seeded) before fitting: charts stay light, fits stay fast.
MAX_ROWS = 2000


def _t(x):
    """Inputs on [0, 1] mapped to [-1, 1]."""
    return 2.0 * np.asarray(x, dtype=np.float64) - 1.0


# The true functions on x in [0, 1] (t = 2x - 1 for the ones defined on [-1, 1]), each with
# the words the page shows for it: name -> (label, f), in the page's order. One table, so that
# the functions and their labels cannot disagree.
_TRUE_FUNCTION_TABLE = {
    "sin": ("sin 2πx", lambda x: np.sin(2.0 * np.pi * np.asarray(x, dtype=np.float64))),
    "runge": ("Runge 1/(1+25t²)", lambda x: 1.0 / (1.0 + 25.0 * _t(x) ** 2)),
    "cubic": ("cubic 2t³ − t", lambda x: 2.0 * _t(x) ** 3 - _t(x)),
    "abs": ("|t|", lambda x: np.abs(_t(x))),
    "step": ("step", lambda x: np.where(_t(x) < 0.0, -0.5, 0.5)),
}
#: name -> f, vectorised, float64: ``TRUE_FUNCTIONS["sin"](x)``.
TRUE_FUNCTIONS = {name: f for name, (_, f) in _TRUE_FUNCTION_TABLE.items()}
#: name -> the words the page shows, in the same order.
TRUE_FUNCTION_LABELS = {name: label for name, (label, _) in _TRUE_FUNCTION_TABLE.items()}


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
    #: Sentences about how the data were prepared (rows dropped or subsampled, the split).
    notes: tuple = ()

    @property
    def n_train(self):
        return int(self.x_train.shape[0])

    @property
    def n_test(self):
        return int(self.x_test.shape[0])


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


@dataclass(frozen=True)
class Bundled:
    """A real dataset in ``data/``: which columns are x and y, and what to say about them.

    ``label`` is the dataset selector's words for it; ``title`` heads the page once chosen.
    ``degree``, ``basis``, ``test_fraction`` and ``seed`` are the model and split it opens with:
    chosen so that its test error against λ is a U (overfitting at λ = 0, a least error at a λ
    inside the grid, underfitting at λ = 1e4) at most split seeds, not only at this one. The
    measured figures are in data/README.md (tests/test_dataset_defaults.py checks them).
    """

    file: str
    x: str
    y: str
    title: str
    x_label: str
    y_label: str
    about: str
    label: str
    degree: int
    test_fraction: float
    seed: int
    basis: str = "monomial"


BUNDLED = {
    "cars": Bundled(
        label="cars: fuel economy vs horsepower",
        file="cars.csv",
        x="horsepower",
        y="mpg",
        title="Cars: fuel economy against horsepower",
        x_label="horsepower (hp)",
        y_label="fuel economy (miles per US gallon)",
        about="392 cars from 1970-1982 (Auto MPG, StatLib): fuel economy falls with "
        "horsepower along a curve, with much scatter between cars.",
        degree=20,
        test_fraction=0.75,
        seed=1,
    ),
    "weather": Bundled(
        label="Seattle: daily high through the year",
        file="seattle_weather.csv",
        x="day_of_year",
        y="temp_max_c",
        title="Seattle: daily high temperature through the year",
        x_label="day of the year",
        y_label="daily high temperature (°C)",
        about="1,461 days at Seattle-Tacoma airport, 2012-2015 (NOAA). A seasonal curve with "
        "day-to-day weather as noise.",
        degree=28,
        test_fraction=0.95,
        seed=0,
    ),
    "motorcycle": Bundled(
        label="motorcycle crash: acceleration vs time",
        file="motorcycle.csv",
        x="time_ms",
        y="accel_g",
        title="Motorcycle crash test: head acceleration after impact",
        x_label="time after impact (ms)",
        y_label="head acceleration (g)",
        about="133 measurements from a simulated crash (Silverman 1985): flat, then sharp "
        "swings, then flat again, with noise that grows during the swings.",
        degree=28,
        test_fraction=0.4,
        seed=8,
    ),
}


def content_digest(data):
    """A short hash of uploaded bytes: a cache key that identifies the content, not the name."""
    return hashlib.sha256(data).hexdigest()[:16]


def _split_counts(n_rows, test_fraction):
    """Training and test sizes: at least two training points, a test set when there is room."""
    if n_rows < 3:
        return n_rows, 0
    n_test = int(np.clip(round(test_fraction * n_rows), 1, n_rows - 2))
    return n_rows - n_test, n_test


def from_table(table, x, y, test_fraction=0.3, seed=0, name="data", x_label=None, y_label=None):
    """Training and test points from two numeric columns of a table: a seeded random split.

    Parameters
    ----------
    table : DataFrame
        Finite numeric columns, as :func:`read_csv` returns them.
    x, y : str
        Column names.
    test_fraction : float
        Share of the rows held out as test points (rounded; at least one test point and two
        training points when there are three rows or more; with two rows, no test set).
    seed : int
        Seed of the numpy Generator that subsamples (beyond :data:`MAX_ROWS` rows) and splits.

    Returns
    -------
    Dataset
        Points sorted by x; ``truth`` is None; ``notes`` says what was done to the rows.
    """
    for column in (x, y):
        if column not in table.columns:
            raise DataError(f"The table has no numeric column named {column!r}.")
    xs = table[x].to_numpy(dtype=np.float64)
    ys = table[y].to_numpy(dtype=np.float64)
    keep = np.isfinite(xs) & np.isfinite(ys)
    xs, ys = xs[keep], ys[keep]
    if xs.shape[0] < 2:
        raise DataError("At least two rows with numbers in both columns are needed.")
    for column, values in ((x, xs), (y, ys)):
        if np.abs(values).max() > MAX_MAGNITUDE:
            raise DataError(
                f"Column {column!r} holds numbers beyond {MAX_MAGNITUDE:.0e}: their squares "
                "overflow double precision. Rescale it (change its units) and upload it again."
            )
    rng = np.random.default_rng(seed)
    notes = []
    if xs.shape[0] > MAX_ROWS:
        chosen = np.sort(rng.choice(xs.shape[0], MAX_ROWS, replace=False))
        notes.append(
            f"{MAX_ROWS:,} of the {xs.shape[0]:,} rows are used, chosen at random (seed "
            f"{seed}): more would slow the page without changing the lesson."
        )
        xs, ys = xs[chosen], ys[chosen]
    n_train, n_test = _split_counts(xs.shape[0], test_fraction)
    order = rng.permutation(xs.shape[0])
    train, test = np.sort(order[:n_train]), np.sort(order[n_train:])
    if n_test == 0:
        notes.append("With two rows both are training points: there is no test set.")
    else:
        notes.append(
            f"{n_train:,} training points and {n_test:,} test points, split at random "
            f"(seed {seed})."
        )

    def by_x(index):
        index = index[np.argsort(xs[index], kind="stable")]
        return xs[index], ys[index]

    x_train, y_train = by_x(train)
    x_test, y_test = by_x(test)
    return Dataset(
        x_train,
        y_train,
        x_test,
        y_test,
        name=name,
        x_label=x_label or x,
        y_label=y_label or y,
        notes=tuple(notes),
    )


def bundled(key, test_fraction=0.3, seed=0):
    """One of the :data:`BUNDLED` datasets, split at random into training and test points."""
    info = BUNDLED[key]
    table = read_csv(DATA_DIR / info.file)
    return from_table(
        table,
        info.x,
        info.y,
        test_fraction=test_fraction,
        seed=seed,
        name=key,
        x_label=info.x_label,
        y_label=info.y_label,
    )
