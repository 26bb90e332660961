"""The intuition views' numbers (regviz.lessons) against independent computations: brute-force
least squares in the plane, scikit-learn refits per resample, explicit gradient-descent traces."""

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr
from sklearn.linear_model import Ridge

from regviz import PolynomialBasis, RidgeRegression, data
from regviz.compute.bias_variance import (
    BIAS_VARIANCE_QUANTITIES,
    bias_variance,
    fits_at,
    resample,
)
from regviz.compute.common import lambda_position
from regviz.compute.degree import error_against_degree
from regviz.compute.descent import run_descent
from regviz.compute.early_stopping import (
    GD_SERIES,
    RIDGE_SERIES,
    early_stopping,
    early_stopping_fit,
    gd_closed_form,
    gd_filter_factors,
)
from regviz.compute.geometry import geometry
from regviz.compute.model import build_model, ridge_along_path
from regviz.settings import DEFAULTS, LAMBDA_GRID
from regviz.solvers import filter_factors, ridge_path

GRID = np.array(LAMBDA_GRID)


def bishop(**changes):
    """The page's default data (Bishop's setting, seed 19)."""
    settings = {
        "fn": DEFAULTS.fn,
        "n": DEFAULTS.n,
        "noise": DEFAULTS.noise,
        "seed": DEFAULTS.seed,
        "spacing": DEFAULTS.spacing,
        "n_test": DEFAULTS.ntest,
    }
    return data.synthetic(**{**settings, **changes})


def assert_frame(frame, columns):
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == list(columns)
    numbers = frame.select_dtypes("number").to_numpy(dtype=np.float64)
    assert np.all(np.isfinite(numbers))


def all_finite(frames):
    for frame in frames.values():
        if isinstance(frame, pd.DataFrame):
            assert np.all(np.isfinite(frame.select_dtypes("number").to_numpy(dtype=np.float64)))


# ---------------------------------------------------------------------------------------------
# Geometry
# ---------------------------------------------------------------------------------------------

GEOMETRY_COLUMNS = {
    "ellipses": ["level", "t", "wi", "wj"],
    "circle": ["t", "wi", "wj"],
    "diamond": ["t", "wi", "wj"],
    "path": ["lam_index", "position", "wi", "wj"],
    "solution": ["wi", "wj", "lam"],
    "centre": ["wi", "wj"],
    "iterates": ["step", "wi", "wj"],
    "window": ["wi_min", "wi_max", "wj_min", "wj_max"],
}


def plane_problem(model, w, i, j):
    """The data term in the plane, built from scratch: centre by hand, hold the other weights."""
    phi, y = model.phi_train, model.y_train
    if model.fit_intercept:
        phi, y = phi - phi.mean(axis=0), y - y.mean()
    others = [k for k in range(phi.shape[1]) if k not in (i, j)]
    A = phi[:, [i, j]]
    r = y - phi[:, others] @ w[others]
    return A, r


def data_term(A, r, wi, wj):
    v = np.stack([np.asarray(wi), np.asarray(wj)])
    residual = r[:, None] - A @ v.reshape(2, -1)
    return np.sum(residual**2, axis=0)


@pytest.mark.parametrize(
    ("basis", "intercept", "lam_index", "i", "j"),
    [
        ("monomial", "free", 100, 0, 1),
        ("monomial", "free", 130, 2, 5),
        ("legendre", "free", 80, 0, 8),
        ("legendre", "penalised", 120, 0, 3),
        ("monomial", "penalised", 110, 1, 2),
        ("monomial", "free", 161, 0, 1),
    ],
)
def test_geometry_tangency_and_level_sets(basis, intercept, lam_index, i, j):
    model = build_model(bishop(), 9, basis, intercept)
    path = ridge_along_path(model, GRID)
    views = geometry(model, path, lam_index, i, j)
    for name, columns in GEOMETRY_COLUMNS.items():
        assert_frame(views[name], columns)
    lam = GRID[lam_index]
    w = path.coefs[lam_index]
    A, r = plane_problem(model, w, i, j)
    sol = views["solution"].iloc[0]
    assert (sol.wi, sol.wj, sol.lam) == (w[i], w[j], lam)

    # The solution is on the first ellipse and on the circle.
    ellipses = views["ellipses"]
    first = ellipses["level"].iloc[0]
    assert data_term(A, r, sol.wi, sol.wj)[0] == pytest.approx(first, rel=1e-9)
    circle = views["circle"]
    radius2 = sol.wi**2 + sol.wj**2
    np.testing.assert_allclose(circle.wi**2 + circle.wj**2, radius2, rtol=1e-12)
    # Tangency: the data term's gradient at the solution is -2 λ (wi, wj), the circle's normal.
    gradient = -2.0 * A.T @ (r - A @ np.array([sol.wi, sol.wj]))
    normal = np.array([sol.wi, sol.wj])
    cross = gradient[0] * normal[1] - gradient[1] * normal[0]
    assert abs(cross) <= 1e-9 * np.linalg.norm(gradient) * np.linalg.norm(normal)
    np.testing.assert_allclose(
        gradient, -2.0 * lam * normal, rtol=1e-6, atol=1e-9 * abs(gradient).max()
    )

    # Every ellipse is a level set of the data term, closed, and there are several.
    levels = ellipses["level"].unique()
    assert len(levels) >= 4
    for level, curve in ellipses.groupby("level", sort=False):
        values = data_term(A, r, curve.wi.to_numpy(), curve.wj.to_numpy())
        np.testing.assert_allclose(values, level, rtol=1e-9)
        assert np.all(np.diff(curve.t) > 0)
        assert (curve.wi.iloc[0], curve.wj.iloc[0]) == pytest.approx(
            (curve.wi.iloc[-1], curve.wj.iloc[-1]), abs=1e-12 * (1 + abs(curve.wi).max())
        )

    # The centre is the unpenalised minimiser in the plane (brute-force least squares).
    expected, *_ = np.linalg.lstsq(A, r, rcond=None)
    centre = views["centre"].iloc[0]
    np.testing.assert_allclose([centre.wi, centre.wj], expected, rtol=1e-8)
    assert data_term(A, r, centre.wi, centre.wj)[0] <= min(levels)

    # The L1 diamond through the solution.
    diamond = views["diamond"]
    np.testing.assert_allclose(
        diamond.wi.abs() + diamond.wj.abs(), abs(sol.wi) + abs(sol.wj), rtol=1e-12
    )

    # The path, and the window (square) holding origin, circle, solution and centre.
    np.testing.assert_array_equal(views["path"][["wi", "wj"]].to_numpy(), path.coefs[:, [i, j]])
    np.testing.assert_array_equal(views["path"]["position"], lambda_position(GRID))
    win = views["window"].iloc[0]
    assert win.wi_max - win.wi_min == pytest.approx(win.wj_max - win.wj_min)
    radius = np.sqrt(radius2)
    for wi, wj in [(0, 0), (sol.wi, sol.wj), (centre.wi, centre.wj)]:
        assert win.wi_min < wi < win.wi_max
        assert win.wj_min < wj < win.wj_max
    assert win.wi_min < -radius
    assert radius < win.wi_max
    assert win.wj_min < -radius
    assert radius < win.wj_max


def test_geometry_at_lambda_zero_the_solution_is_the_centre():
    """At λ = 0 the solution minimises the data term: no ellipse through it, the levels then
    come from the origin's excess (the largest passes through the origin)."""
    model = build_model(bishop(n=30), 5, "legendre", "free")
    path = ridge_along_path(model, GRID)
    views = geometry(model, path, 0, 1, 2)
    sol, centre = views["solution"].iloc[0], views["centre"].iloc[0]
    np.testing.assert_allclose([sol.wi, sol.wj], [centre.wi, centre.wj], rtol=1e-8)
    A, r = plane_problem(model, path.coefs[0], 1, 2)
    assert views["ellipses"]["level"].max() == pytest.approx(data_term(A, r, 0.0, 0.0)[0])


def test_geometry_iterates_come_from_the_trace():
    model = build_model(bishop(), 9, "monomial", "free")
    path = ridge_along_path(model, GRID)
    run = run_descent(model, GRID[110], "gd", "l2", 1.0, 300)
    views = geometry(model, path, 110, 3, 4, iterates=run.result.trace)
    frame = views["iterates"]
    assert_frame(frame, GEOMETRY_COLUMNS["iterates"])
    np.testing.assert_array_equal(frame.step, run.result.trace.step)
    np.testing.assert_array_equal(frame[["wi", "wj"]].to_numpy(), run.result.trace.coef[:, [3, 4]])


def test_geometry_of_a_rank_one_plane_is_pairs_of_lines():
    """Two points, free intercept: after centring every column is a multiple of one vector, so
    the data term in any plane depends on one direction only: its level sets are line pairs."""
    model = build_model(bishop(n=2), 3, "monomial", "free")
    path = ridge_along_path(model, GRID)
    views = geometry(model, path, 120, 0, 1)
    for name, columns in GEOMETRY_COLUMNS.items():
        assert_frame(views[name], columns)
    A, r = plane_problem(model, path.coefs[120], 0, 1)
    assert np.linalg.matrix_rank(A) == 1
    ellipses = views["ellipses"]
    assert ellipses["level"].nunique() >= 4
    for level, curve in ellipses.groupby("level", sort=False):
        values = data_term(A, r, curve.wi.to_numpy(), curve.wj.to_numpy())
        np.testing.assert_allclose(values, level, rtol=1e-8)
    sol = views["solution"].iloc[0]
    assert data_term(A, r, sol.wi, sol.wj)[0] == pytest.approx(ellipses.level.iloc[0], rel=1e-9)
    # The lines cross the window (they are drawn, not only closed far outside it).
    win = views["window"].iloc[0]
    inside = ellipses.wi.between(win.wi_min, win.wi_max) & ellipses.wj.between(
        win.wj_min, win.wj_max
    )
    assert inside.sum() > 10


def test_geometry_of_a_flat_plane_has_no_ellipses():
    """Every training x equal: the centred columns are 0 and the data term ignores the plane."""
    x = np.full(5, 0.3)
    dataset = data.Dataset(x, np.arange(5.0), np.array([0.1, 0.9]), np.array([0.0, 1.0]), "flat")
    model = build_model(dataset, 4, "monomial", "free")
    path = ridge_along_path(model, GRID)
    views = geometry(model, path, 50, 0, 1)
    for name, columns in GEOMETRY_COLUMNS.items():
        assert_frame(views[name], columns)
    assert views["ellipses"].empty
    assert views["window"].iloc[0].tolist() == pytest.approx([-1.0, 1.0, -1.0, 1.0])


@pytest.mark.parametrize("intercept", ["free", "penalised"])
@pytest.mark.parametrize("lam_index", [0, 40, 161])
def test_geometry_of_degenerate_models_is_finite(intercept, lam_index):
    for dataset, degree in [(bishop(n=2), 30), (bishop(), 30)]:
        model = build_model(dataset, degree, "raw", intercept)
        path = ridge_along_path(model, GRID)
        views = geometry(model, path, lam_index, 0, model.n_features - 1)
        for name, columns in GEOMETRY_COLUMNS.items():
            assert_frame(views[name], columns)


def test_geometry_refuses_bad_planes():
    model = build_model(bishop(), 3, "monomial", "free")
    path = ridge_along_path(model, GRID)
    with pytest.raises(ValueError, match="different"):
        geometry(model, path, 10, 1, 1)
    with pytest.raises(ValueError, match="between"):
        geometry(model, path, 10, 0, 3)
    with pytest.raises(ValueError, match="lam_index"):
        geometry(model, path, 162, 0, 1)
    line = build_model(bishop(), 1, "monomial", "free")
    with pytest.raises(ValueError, match="two weights"):
        geometry(line, ridge_along_path(line, GRID), 10, 0, 1)


# ---------------------------------------------------------------------------------------------
# Bias and variance
# ---------------------------------------------------------------------------------------------

BV_LAMS = np.array([0.0, 1e-6, 1e-3, 1.0, 100.0])


def bias_variance_at(*settings, lam_index, **kwargs):
    """Both parts of the view: the λ-free fits along the grid, and the curves at one λ."""
    result = bias_variance(*settings, **kwargs)
    return {
        **fits_at(result, lam_index),
        "decomposition": result.decomposition,
        "at": result.values_at(lam_index),
    }


def brute_force_fits(fn, n, noise, seed, spacing, degree, basis, intercept, lams, k, n_grid):
    """For each resample and λ: the fit on the grid and the test MSE, by scikit-learn refits."""
    x_grid = (np.arange(n_grid) + 0.5) / n_grid
    fits = np.empty((k, len(lams), n_grid))
    test = np.empty((k, len(lams)))
    for r in range(k):
        ds = data.synthetic(fn=fn, n=n, noise=noise, seed=(seed, r), spacing=spacing, n_test=200)
        basis_map = PolynomialBasis(degree, kind=basis, include_bias=intercept == "penalised")
        X = basis_map.fit_transform(ds.x_train[:, None])
        for m, lam in enumerate(lams):
            free = intercept == "free"
            if lam > 0:
                est = Ridge(alpha=lam, fit_intercept=free, solver="svd").fit(X, ds.y_train)
            else:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    est = RidgeRegression(alpha=0.0, fit_intercept=free).fit(X, ds.y_train)
            fits[r, m] = est.predict(basis_map.transform(x_grid[:, None]))
            test[r, m] = np.mean(
                (est.predict(basis_map.transform(ds.x_test[:, None])) - ds.y_test) ** 2
            )
    return x_grid, fits, test


@pytest.mark.parametrize(
    ("spacing", "basis", "intercept"),
    [
        ("even", "monomial", "free"),
        ("random", "legendre", "free"),
        ("even", "raw", "penalised"),
        ("random", "monomial", "penalised"),
    ],
)
def test_bias_variance_against_refits(spacing, basis, intercept):
    settings = ("sin", 12, 0.3, 7, spacing, 5, basis, intercept)
    k, n_grid = 5, 50
    out = bias_variance_at(*settings, BV_LAMS, lam_index=2, k=k, n_grid=n_grid, n_test=200)
    x_grid, fits, test = brute_force_fits(*settings, BV_LAMS, k, n_grid)
    truth = np.sin(2 * np.pi * x_grid)

    assert_frame(out["fits"], ["resample", "x", "y"])
    assert_frame(out["mean"], ["x", "y"])
    assert_frame(out["truth"], ["x", "y"])
    assert_frame(out["decomposition"], ["lam_index", "position", "quantity", "value"])
    assert list(out["at"]) == list(BIAS_VARIANCE_QUANTITIES)
    curves = out["fits"].pivot(index="resample", columns="x", values="y").to_numpy()
    np.testing.assert_allclose(curves, fits[:, 2], rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(out["mean"].y, fits[:, 2].mean(axis=0), rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(out["truth"].y, truth)

    expected = {
        "bias²": np.mean((fits.mean(axis=0) - truth) ** 2, axis=1),
        "variance": np.mean(fits.var(axis=0), axis=1),
        "noise": np.full(len(BV_LAMS), 0.09),
        "test error": test.mean(axis=0),
    }
    expected["bias² + variance + noise"] = (
        expected["bias²"] + expected["variance"] + expected["noise"]
    )
    table = out["decomposition"].pivot(index="lam_index", columns="quantity", values="value")
    for name, values in expected.items():
        np.testing.assert_allclose(table[name].to_numpy(), values, rtol=1e-6, err_msg=name)
        assert out["at"][name] == pytest.approx(values[2], rel=1e-6)
    np.testing.assert_array_equal(out["decomposition"].position.unique(), lambda_position(BV_LAMS))


def test_bias_variance_add_up_to_the_test_error():
    """E[(ŷ − y)²] = bias² + variance + σ²: the two estimates agree within 4 standard errors at
    every λ of the grid (measured: at most 1.3).

    Per resample r, D_r = mean_g (ŷ_r − f)² + σ² and E_r = its test MSE have the same
    expectation; bias² + variance + noise = mean D_r and test error = mean E_r exactly. The
    standard error of mean(D − E) is std(D − E) / sqrt(K), computed here from refits.
    """
    k, n_grid = 200, 200
    lam_indices = np.arange(len(GRID))  # the whole grid
    out = bias_variance("sin", 10, 0.3, 19, "even", 9, "monomial", "free", GRID, k=k)
    table = out.decomposition.pivot(index="lam_index", columns="quantity", values="value")
    lams = GRID[lam_indices]
    x_grid = (np.arange(n_grid) + 0.5) / n_grid
    truth = np.sin(2 * np.pi * x_grid)
    D, E = np.empty((k, len(lams))), np.empty((k, len(lams)))
    for r in range(k):
        ds = data.synthetic(n=10, noise=0.3, seed=(19, r), spacing="even", n_test=200)
        basis_map = PolynomialBasis(9, kind="monomial").fit(ds.x_train[:, None])
        coefs, intercepts = ridge_path(basis_map.transform(ds.x_train[:, None]), ds.y_train, lams)
        grid_fit = coefs @ basis_map.transform(x_grid[:, None]).T + intercepts[:, None]
        test_fit = coefs @ basis_map.transform(ds.x_test[:, None]).T + intercepts[:, None]
        D[r] = np.mean((grid_fit - truth) ** 2, axis=1) + 0.09
        E[r] = np.mean((test_fit - ds.y_test) ** 2, axis=1)
    summed = table["bias² + variance + noise"].to_numpy()[lam_indices]
    measured = table["test error"].to_numpy()[lam_indices]
    np.testing.assert_allclose(summed, D.mean(axis=0), rtol=1e-8)
    np.testing.assert_allclose(measured, E.mean(axis=0), rtol=1e-8)
    se = (D - E).std(axis=0, ddof=1) / np.sqrt(k)
    assert np.all(np.abs(summed - measured) <= 4 * se), (summed - measured) / se


def test_bias_variance_is_seeded():
    args = ("runge", 15, 0.2, 3, "random", 6, "legendre", "free", BV_LAMS)
    a = bias_variance_at(*args, lam_index=3, k=10, n_grid=30, n_test=20)
    b = bias_variance_at(*args, lam_index=3, k=10, n_grid=30, n_test=20)
    for name in ("fits", "mean", "truth", "decomposition"):
        pd.testing.assert_frame_equal(a[name], b[name])
    assert a["at"] == b["at"]
    other = bias_variance_at(
        "runge",
        15,
        0.2,
        4,
        "random",
        6,
        "legendre",
        "free",
        BV_LAMS,
        lam_index=3,
        k=10,
        n_grid=30,
        n_test=20,
    )
    assert not np.allclose(a["fits"].y, other["fits"].y)
    # Resample r is data.synthetic seeded by (seed, r): the first curve is that training set's.
    ds = resample("runge", 15, 0.2, 3, "random", 20, 0)
    np.testing.assert_array_equal(
        ds.x_train, data.synthetic("runge", 15, 0.2, (3, 0), "random", 20).x_train
    )


@pytest.mark.parametrize("spacing", ["even", "random"])
@pytest.mark.parametrize(
    ("n", "degree", "basis", "intercept"),
    [
        (2, 30, "raw", "free"),
        (2, 30, "raw", "penalised"),
        (3, 0, "monomial", "free"),
        (2, 9, "legendre", "penalised"),
        (40, 30, "monomial", "free"),
    ],
)
def test_bias_variance_of_degenerate_settings_is_finite(spacing, n, degree, basis, intercept):
    out = bias_variance_at(
        "step",
        n,
        0.5,
        0,
        spacing,
        degree,
        basis,
        intercept,
        GRID,
        lam_index=0,
        k=10,
        n_grid=40,
        n_test=20,
    )
    all_finite({name: frame for name, frame in out.items() if name != "at"})
    assert len(out["fits"]) == 10 * 40
    assert len(out["decomposition"]) == 5 * len(GRID)


def test_bias_variance_bounds_the_work():
    args = ("sin", 10, 0.3, 0, "even", 3, "monomial", "free", BV_LAMS)
    with pytest.raises(ValueError, match="k must be"):
        bias_variance(*args, k=501)
    with pytest.raises(ValueError, match="n must be"):
        bias_variance("sin", 1001, *args[2:])
    with pytest.raises(ValueError, match="lam_index"):
        fits_at(bias_variance(*args, k=2), 5)


# ---------------------------------------------------------------------------------------------
# Error against degree
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("intercept", ["free", "penalised"])
def test_error_against_degree_matches_sklearn(intercept):
    dataset = bishop()
    lam = 1e-3
    frame = error_against_degree(dataset, "monomial", intercept, lam)
    assert_frame(frame, ["degree", "set", "lam_label", "rmse"])
    assert sorted(frame.degree.unique()) == list(range(21))
    assert set(frame.lam_label) == {"λ = 0", "current λ"}
    for degree in (3, 7):
        basis_map = PolynomialBasis(degree, kind="monomial", include_bias=intercept == "penalised")
        X = basis_map.fit_transform(dataset.x_train[:, None])
        est = Ridge(alpha=lam, fit_intercept=intercept == "free", solver="svd").fit(
            X, dataset.y_train
        )
        for name, x, y in [
            ("train", dataset.x_train, dataset.y_train),
            ("test", dataset.x_test, dataset.y_test),
        ]:
            expected = np.sqrt(np.mean((est.predict(basis_map.transform(x[:, None])) - y) ** 2))
            row = frame[
                (frame.degree == degree) & (frame.set == name) & (frame.lam_label == "current λ")
            ]
            assert row.rmse.item() == pytest.approx(expected, rel=1e-7)
    # At λ = 0 and degree 9 the ten points are interpolated: training error 0, test error large.
    at_zero = frame[(frame.degree == 9) & (frame.lam_label == "λ = 0")].set_index("set").rmse
    assert at_zero["train"] < 1e-6 < 0.5 < at_zero["test"]


def test_error_against_degree_at_lambda_zero_and_degenerate_data():
    frame = error_against_degree(bishop(n=2), "raw", "free", 0.0, range(0, 31))
    assert_frame(frame, ["degree", "set", "lam_label", "rmse"])
    assert set(frame.lam_label) == {"λ = 0"}
    assert len(frame) == 31 * 2
    # No test points: training rows only.
    ds = bishop()
    no_test = data.Dataset(ds.x_train, ds.y_train, np.array([]), np.array([]), "no test")
    frame = error_against_degree(no_test, "legendre", "penalised", 0.1, range(4))
    assert set(frame.set) == {"train"}
    # Degrees whose basis overflows are left out (build_model refuses them).
    big = data.Dataset(ds.x_train * 1e30, ds.y_train, ds.x_test * 1e30, ds.y_test, "big")
    frame = error_against_degree(big, "raw", "free", 1.0, range(0, 21))
    assert_frame(frame, ["degree", "set", "lam_label", "rmse"])
    assert 0 in set(frame.degree)
    assert 20 not in set(frame.degree)


# ---------------------------------------------------------------------------------------------
# Early stopping
# ---------------------------------------------------------------------------------------------


def test_gd_filter_factors_follow_the_recurrence():
    """f_{t+1} = (1 − 2ηs²) f_t + 2ηs from f_0 = 0, step by step, including s = 0, tiny s and
    steps past 1/L (2ηs² > 1)."""
    s = np.array([3.0, 1.0, 0.3, 1e-3, 1e-200, 0.0])
    for eta in (1 / (2 * 9.0), 1.5 / (2 * 9.0)):
        f = gd_filter_factors(s, eta, np.arange(60))
        expected = np.zeros_like(s)
        for t in range(60):
            np.testing.assert_allclose(f[t], expected, rtol=1e-12, atol=1e-300)
            expected = (1 - 2 * eta * s**2) * expected + 2 * eta * s
    big = gd_filter_factors(s, 1 / 18, [10**9])[0]
    np.testing.assert_allclose(big[:4], 1 / s[:4], rtol=1e-12)  # converged: 1/s


@pytest.mark.parametrize("intercept", ["free", "penalised"])
def test_gd_closed_form_matches_the_recorded_trace(intercept):
    dataset = data.synthetic(n=30, seed=4)
    model = build_model(dataset, 3, "legendre", intercept)
    run = run_descent(model, 0.0, "gd", "l2", 1.0, 500)
    trace = run.result.trace
    coefs, intercepts = gd_closed_form(
        model.phi_train, model.y_train, model.fit_intercept, run.result.learning_rate, trace.step
    )
    scale = np.linalg.norm(np.c_[trace.coef, trace.intercept], axis=1).max()
    assert np.abs(coefs - trace.coef).max() <= 1e-10 * scale
    assert np.abs(intercepts - trace.intercept).max() <= 1e-10 * scale


def test_early_stopping_acts_like_ridge_with_lambda_one_over_two_eta_t():
    model = build_model(bishop(), DEFAULTS.degree, DEFAULTS.basis, DEFAULTS.intercept)
    out = early_stopping(model, GRID)
    matches, rule = out["matches"], out["rule_of_thumb"]
    assert_frame(matches, ["step", "lam_index", "lam", "position", "distance", "relative_distance"])
    assert_frame(rule, ["step", "lam", "position"])
    # The steps: the ~200 a run of the page records; the iterates: the iteration itself.
    run = run_descent(model, 0.0, "gd", "l2", 1.0, 10_000)
    np.testing.assert_array_equal(matches.step, run.result.trace.step[1:])
    scale = np.abs(run.result.trace.coef).max()
    assert np.abs(out["coefs"] - run.result.trace.coef[1:]).max() <= 1e-9 * scale
    np.testing.assert_allclose(rule.lam, 1 / (2 * out["learning_rate"] * matches.step))
    # Independent nearest-λ search.
    ridge = np.c_[
        ridge_along_path(model, GRID).coefs,
        ridge_along_path(model, GRID).intercepts,
    ]
    thetas = np.c_[out["coefs"], out["intercepts"]]
    for row, theta in zip(matches.itertuples(), thetas, strict=True):
        d = np.linalg.norm(ridge - theta, axis=1)
        assert row.lam_index == np.argmin(d)
        assert row.distance == pytest.approx(d.min())
        assert row.relative_distance == pytest.approx(d.min() / np.linalg.norm(theta))
    # Later steps match smaller λ (measured Spearman ≈ −1), near 1 / (2 η t).
    assert spearmanr(matches.step, matches.lam_index).statistic < -0.95
    assert matches.lam.iloc[-1] < matches.lam.iloc[0] / 1000
    mid = matches.step.between(10, 1000).to_numpy()
    ratio = (matches.lam / rule.lam).to_numpy()[mid]
    assert np.all((ratio > 1 / 3) & (ratio < 3)), ratio  # measured 0.40 .. 0.87
    assert matches.relative_distance[mid].max() < 0.2  # measured 0.16
    assert matches.relative_distance.median() < 0.1  # measured 0.08


def test_ridge_and_gd_filter_factors_cross_at_the_rule_of_thumb():
    """Small singular values: 2ηt s against s / λ, the same at λ = 1 / (2ηt)."""
    s = np.array([1e-3, 1e-4])
    eta, t = 0.05, 200
    gd = gd_filter_factors(s, eta, t)[0]
    ridge = filter_factors(s, [1 / (2 * eta * t)], 2)[0]
    np.testing.assert_allclose(gd, ridge, rtol=1e-4)


def test_early_stopping_fit():
    model = build_model(bishop(), 9, "monomial", "free")
    path = ridge_along_path(model, GRID)
    out = early_stopping(model, GRID)
    frame, info = early_stopping_fit(model, path, out["learning_rate"], 100)
    assert_frame(frame, ["x", "y", "series"])
    assert set(frame.series) == {GD_SERIES, RIDGE_SERIES}
    assert info["step"] == 100  # exactly the step asked for, not a recorded step near it
    # Reference: the iteration itself, 100 steps, and an independent nearest-λ search.
    run = run_descent(model, 0.0, "gd", "l2", 1.0, 100)
    theta = np.r_[run.result.coef, run.result.intercept]
    distances = np.linalg.norm(np.c_[path.coefs, path.intercepts] - theta, axis=1)
    assert info["lam_index"] == np.argmin(distances)
    assert info["lam"] == GRID[np.argmin(distances)]
    gd = frame[frame.series == GD_SERIES]
    ridge = frame[frame.series == RIDGE_SERIES]
    np.testing.assert_allclose(gd.x, model.x_grid)
    np.testing.assert_allclose(
        gd.y, model.phi_grid @ run.result.coef + run.result.intercept, rtol=1e-9, atol=1e-12
    )
    np.testing.assert_allclose(ridge.y, path.curves[info["lam_index"]], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("intercept", ["free", "penalised"])
@pytest.mark.parametrize(
    ("n", "degree", "basis"), [(2, 30, "raw"), (2, 1, "monomial"), (10, 30, "legendre")]
)
def test_early_stopping_of_degenerate_models_is_finite(intercept, n, degree, basis):
    model = build_model(bishop(n=n), degree, basis, intercept)
    path = ridge_along_path(model, GRID)
    out = early_stopping(model, GRID, iters=2000)
    all_finite(out)
    frame, info = early_stopping_fit(model, path, out["learning_rate"], 10**6)
    assert_frame(frame, ["x", "y", "series"])
    assert info["step"] == 10**6
