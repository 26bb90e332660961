"""Real datasets and tables: the bundled files, the seeded split, and degenerate training data."""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from regviz import data
from regviz.compute import lambda_area
from regviz.compute.descent import descent_along_path, run_descent
from regviz.compute.lambda_area import closed_form_frame
from regviz.compute.model import build_model, degeneracies, ridge_along_path
from regviz.settings import LAMBDA_GRID

GRID = np.array(LAMBDA_GRID)

#: The columns data/README.md documents for each file.
DOCUMENTED = {
    "cars": (
        "cars.csv",
        392,
        [
            "horsepower",
            "mpg",
            "weight_lb",
            "displacement_cu_in",
            "acceleration_s",
            "cylinders",
            "year",
        ],
    ),
    "weather": (
        "seattle_weather.csv",
        1461,
        ["day_of_year", "temp_max_c", "temp_min_c", "precipitation_mm", "wind_m_s"],
    ),
    "motorcycle": ("motorcycle.csv", 133, ["time_ms", "accel_g"]),
}


@pytest.mark.parametrize("key", sorted(data.BUNDLED))
def test_each_bundled_dataset_loads_with_its_documented_columns(key):
    filename, rows, numeric = DOCUMENTED[key]
    info = data.BUNDLED[key]
    assert info.file == filename
    table = data.read_csv(data.DATA_DIR / filename)
    assert list(table.columns) == numeric
    assert len(table) == rows
    assert table.attrs["rows_dropped"] == 0
    assert info.x in table.columns
    assert info.y in table.columns
    assert filename in (data.DATA_DIR / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("key", sorted(data.BUNDLED))
def test_each_bundled_dataset_splits_and_fits(key):
    dataset = data.bundled(key, test_fraction=0.3, seed=4)
    table = data.read_csv(data.DATA_DIR / data.BUNDLED[key].file)
    n = len(table)
    assert dataset.n_test == round(0.3 * n)
    assert dataset.n_train + dataset.n_test == n
    # Every row is used once: the split is a partition of the (x, y) pairs.
    info = data.BUNDLED[key]
    pairs = sorted(zip(table[info.x], table[info.y], strict=True))
    split = sorted(
        [
            *zip(dataset.x_train, dataset.y_train, strict=True),
            *zip(dataset.x_test, dataset.y_test, strict=True),
        ]
    )
    assert split == pairs
    assert np.all(np.diff(dataset.x_train) >= 0)
    assert dataset.x_label == info.x_label
    model = build_model(dataset, 9, "legendre")
    path = ridge_along_path(model, GRID)
    assert np.isfinite(path.train_rmse).all()
    assert np.isfinite(path.test_rmse).all()
    assert path.best_test_index is not None


def test_the_split_is_seeded():
    a = data.bundled("motorcycle", 0.3, seed=1)
    b = data.bundled("motorcycle", 0.3, seed=1)
    c = data.bundled("motorcycle", 0.3, seed=2)
    np.testing.assert_array_equal(a.x_train, b.x_train)
    np.testing.assert_array_equal(a.y_test, b.y_test)
    assert not np.array_equal(a.y_train, c.y_train)


def test_the_basis_is_scaled_by_the_training_points_only():
    dataset = data.bundled("cars", 0.5, seed=3)
    model = build_model(dataset, 1, "monomial")
    t_train = model.phi_train[:, 0]
    assert t_train.min() == -1.0
    assert t_train.max() == 1.0
    lo, hi = dataset.x_train.min(), dataset.x_train.max()
    np.testing.assert_allclose(model.phi_test[:, 0], 2 * (dataset.x_test - lo) / (hi - lo) - 1)


@pytest.mark.parametrize(
    ("key", "fraction", "degree", "ratio"),
    [("cars", 0.9, 15, 1000.0), ("motorcycle", 0.5, 9, 1.8), ("weather", 0.9, 15, 1.04)],
)
def test_real_data_overfit_at_lambda_zero_as_documented(key, fraction, degree, ratio):
    """What data/README.md promises (monomial basis, seed 0): λ = 0 overfits, a λ > 0 is best."""
    dataset = data.bundled(key, fraction, seed=0)
    model = build_model(dataset, degree, "monomial")
    path = ridge_along_path(model, GRID)
    best = path.best_test_index
    assert 0 < best < len(GRID) - 1
    assert path.test_rmse[0] > ratio * path.test_rmse[best]
    assert path.train_rmse[0] < path.train_rmse[best]


def _table(**columns):
    return pd.DataFrame({name: np.asarray(values, dtype=float) for name, values in columns.items()})


def test_large_tables_are_subsampled_with_a_note():
    n = data.MAX_ROWS + 500
    table = _table(a=np.arange(n), b=np.arange(n) % 7)
    dataset = data.from_table(table, "a", "b", test_fraction=0.25, seed=0)
    assert dataset.n_train + dataset.n_test == data.MAX_ROWS
    assert any(f"{data.MAX_ROWS:,} of the {n:,} rows" in note for note in dataset.notes)
    xs = np.r_[dataset.x_train, dataset.x_test]
    ys = np.r_[dataset.y_train, dataset.y_test]
    assert len(set(xs)) == data.MAX_ROWS  # distinct rows, each kept with its own y
    np.testing.assert_array_equal(ys, xs % 7)


@pytest.mark.parametrize(("rows", "train", "test"), [(2, 2, 0), (3, 2, 1), (4, 2, 2), (10, 7, 3)])
def test_split_sizes_keep_two_training_points(rows, train, test):
    table = _table(x=np.arange(rows), y=np.arange(rows) ** 2)
    dataset = data.from_table(table, "x", "y", test_fraction=0.3 if rows == 10 else 0.9, seed=0)
    assert (dataset.n_train, dataset.n_test) == (train, test)


def test_unknown_columns_are_a_data_error():
    with pytest.raises(data.DataError, match="no numeric column named"):
        data.from_table(_table(x=[1, 2, 3]), "x", "z")


def _model(x, y, degree=3, intercept="free", basis="monomial"):
    dataset = data.Dataset(
        np.asarray(x, float), np.asarray(y, float), np.zeros(0), np.zeros(0), name="t"
    )
    return build_model(dataset, degree, basis, intercept)


def _kinds(model):
    return {kind for kind, _ in degeneracies(model)}


def test_two_points_no_test_set():
    model = _model([0.0, 1.0], [1.0, 3.0], degree=5)
    path = ridge_along_path(model, GRID)
    assert _kinds(model) == {"two_points", "no_test", "interpolates"}
    assert path.best_test_index is None
    assert np.isnan(path.test_rmse).all()
    assert set(path.errors_frame["set"]) == {"train"}  # charts get no NaN
    assert path.train_rmse[0] == pytest.approx(0.0, abs=1e-12)
    run = run_descent(model, 0.0, iters=5000)
    assert np.isnan(run.test_rmse)
    assert np.isfinite(run.train_rmse)


def test_constant_x_gives_the_mean():
    model = _model([2.0, 2.0, 2.0, 2.0], [1.0, 2.0, 3.0, 6.0], degree=4)
    path = ridge_along_path(model, GRID)
    assert "constant_x" in _kinds(model)
    np.testing.assert_allclose(path.curves, 3.0, atol=1e-12)  # every λ: the mean of y
    assert np.isfinite(closed_form_frame(path).to_numpy()).all()


def test_constant_y_is_fitted_exactly_with_zero_weights():
    model = _model([0.0, 1.0, 2.0, 5.0], [4.0, 4.0, 4.0, 4.0], degree=6)
    path = ridge_along_path(model, GRID)
    assert "constant_y" in _kinds(model)
    np.testing.assert_allclose(path.coefs, 0.0, atol=1e-12)
    np.testing.assert_allclose(path.train_rmse, 0.0, atol=1e-12)


def test_duplicate_x_at_lambda_zero_is_the_least_norm_least_squares_fit():
    x = np.array([0.0, 0.0, 1.0, 1.0, 2.0, 3.0])
    y = np.array([1.0, 3.0, 0.0, 2.0, 5.0, 4.0])
    model = _model(x, y, degree=5)  # 5 weights + intercept, 4 distinct x
    path = ridge_along_path(model, GRID)
    assert {"duplicate_x", "interpolates"} <= _kinds(model)
    # Independent reference: the pseudo-inverse of the centred design.
    phi = model.phi_train
    coef = np.linalg.pinv(phi - phi.mean(axis=0)) @ (y - y.mean())
    np.testing.assert_allclose(path.coefs[0], coef, atol=1e-9)
    # It passes through the mean y at each distinct x; the error cannot reach 0.
    fitted = phi @ path.coefs[0] + path.intercepts[0]
    np.testing.assert_allclose(fitted, [2.0, 2.0, 1.0, 1.0, 5.0, 4.0], atol=1e-9)
    assert path.train_rmse[0] > 0.5


def test_no_degeneracy_for_ordinary_data():
    model = _model(np.linspace(0, 1, 20), np.sin(np.linspace(0, 3, 20)), degree=3)
    assert _kinds(model) == {"no_test"}


@settings(max_examples=200, deadline=None)
@given(
    xs=hnp.arrays(np.float64, st.integers(2, 40), elements=st.floats(-1e120, 1e120)),
    seed=st.integers(0, 2**31 - 1),
    degree=st.integers(0, 30),
    basis=st.sampled_from(["monomial", "legendre", "raw"]),
    fraction=st.floats(0.1, 0.9),
)
def test_any_table_gives_finite_fits_or_a_data_error(xs, seed, degree, basis, fraction):
    """Whatever numbers a student uploads: finite curves, errors and weights, or a DataError."""
    ys = np.random.default_rng(seed).normal(size=xs.shape[0]) * 10.0 ** (seed % 9)
    table = pd.DataFrame({"x": xs, "y": ys})
    try:
        dataset = data.from_table(table, "x", "y", fraction, seed)
        model = build_model(dataset, degree, basis)
    except data.DataError:
        return
    path = ridge_along_path(model, GRID)
    assert np.isfinite(path.train_rmse).all()
    assert np.isfinite(path.errors_frame["rmse"]).all()
    assert np.isfinite(closed_form_frame(path).to_numpy()).all()
    assert np.isfinite(path.coefs_frame["value"]).all()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a diverging run warns; the page shows its flags
        run = run_descent(model, GRID[seed % len(GRID)], iters=50)
    assert np.isfinite(run.train_rmse)
    assert np.isfinite(run.curve).all()
    # What follows λ in the browser: every λ, every step of the film.
    along = descent_along_path(model, GRID, iters=30)
    frames = [
        lambda_area.film_curves_frame(model, along),
        lambda_area.film_errors_frame(along, model.has_test),
        lambda_area.film_progress_frame(along),
        lambda_area.film_weights_frame(along),
        lambda_area.readouts_frame(path, along, model.has_test),
    ]
    for frame in frames:
        assert np.isfinite(frame.select_dtypes("number").to_numpy(dtype=float)).all()
