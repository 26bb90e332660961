"""What the page shows, computed: against scikit-learn, regviz's estimators and hand-made cases."""

import dataclasses
import math
import warnings

import numpy as np
import pytest
from sklearn.linear_model import Ridge
from sklearn.preprocessing import PolynomialFeatures

from regviz.compute.cross_validation import cross_validation
from regviz.compute.descent import run_descent, weights_problem
from regviz.compute.lambda_area import COORDINATE_LIMIT, closed_form_frame
from regviz.compute.model import (
    GRID_POINTS,
    build_model,
    leaves_frame,
    ridge_along_path,
    y_domain,
)
from regviz.data import TRUE_FUNCTIONS, synthetic
from regviz.settings import DEFAULTS, LAMBDA_GRID, parse
from regviz.solvers import gradient_descent, quadratic_objective

GRID = np.array(LAMBDA_GRID)


def test_synthetic_is_seeded_and_bishops_by_default():
    a, b = synthetic(), synthetic()
    np.testing.assert_array_equal(a.y_train, b.y_train)
    np.testing.assert_array_equal(a.x_test, b.x_test)
    np.testing.assert_array_equal(a.x_train, np.linspace(0, 1, 10))
    assert a.y_test.shape == (100,)
    residual = a.y_train - np.sin(2 * np.pi * a.x_train)
    assert 0.05 < residual.std() < 1.0  # noise of σ = 0.3
    assert not np.array_equal(synthetic(seed=1).y_train, a.y_train)


@pytest.mark.parametrize("fn", sorted(TRUE_FUNCTIONS))
@pytest.mark.parametrize("spacing", ["even", "random"])
def test_synthetic_variants_are_finite_on_the_unit_interval(fn, spacing):
    data = synthetic(fn=fn, n=50, noise=0.0, seed=3, spacing=spacing, n_test=20)
    assert np.all((data.x_train >= 0) & (data.x_train <= 1))
    np.testing.assert_array_equal(data.y_train, TRUE_FUNCTIONS[fn](data.x_train))
    assert np.all(np.diff(data.x_train) >= 0)


def test_true_functions_by_hand():
    f = TRUE_FUNCTIONS
    assert f["runge"](0.5) == 1.0
    assert f["runge"](1.0) == pytest.approx(1 / 26)
    assert f["cubic"](1.0) == 1.0
    assert f["abs"](0.0) == 1.0
    assert f["step"](0.2) == -0.5
    assert f["step"](0.8) == 0.5


@pytest.mark.parametrize("intercept", ["free", "penalised"])
def test_path_matches_sklearn_ridge_on_the_raw_basis(intercept):
    """Raw basis x^k with x in [0, 1]: the same features PolynomialFeatures builds."""
    data = synthetic(n=15, seed=2)
    degree = 5
    model = build_model(data, degree, "raw", intercept)
    lams = np.array([1e-6, 1e-3, 1.0, 10.0])
    path = ridge_along_path(model, lams)
    features = PolynomialFeatures(degree, include_bias=intercept == "penalised")
    X = features.fit_transform(data.x_train[:, None])
    for k, lam in enumerate(lams):
        ref = Ridge(alpha=lam, fit_intercept=intercept == "free", solver="svd").fit(X, data.y_train)
        np.testing.assert_allclose(path.coefs[k], ref.coef_, rtol=1e-6, atol=1e-9)
        assert path.intercepts[k] == pytest.approx(ref.intercept_, rel=1e-9, abs=1e-12)
        test_X = features.transform(data.x_test[:, None])
        expected = np.sqrt(np.mean((ref.predict(test_X) - data.y_test) ** 2))
        assert path.test_rmse[k] == pytest.approx(expected, rel=1e-9)
        expected = np.sqrt(np.mean((ref.predict(X) - data.y_train) ** 2))
        assert path.train_rmse[k] == pytest.approx(expected, rel=1e-7, abs=1e-12)


@pytest.mark.parametrize("basis", ["monomial", "legendre", "raw"])
def test_fitted_curves_do_not_depend_on_the_basis_at_lambda_zero(basis):
    """At λ = 0 every basis spans the same polynomials: the same least-squares curve."""
    data = synthetic(n=20, seed=4)
    reference = ridge_along_path(build_model(data, 4, "legendre"), np.array([0.0]))
    path = ridge_along_path(build_model(data, 4, basis), np.array([0.0]))
    np.testing.assert_allclose(path.curves, reference.curves, atol=1e-9)


def test_bishops_example_overfits_at_lambda_zero_and_the_errors_cross():
    model = build_model(synthetic(seed=DEFAULTS.seed), 9, "monomial")
    path = ridge_along_path(model, GRID)
    assert path.train_rmse[0] < 1e-6  # 10 parameters, 10 points: interpolation
    assert path.test_rmse[0] > 2 * path.test_rmse[path.best_test_index]
    assert np.all(np.diff(path.train_rmse) >= -1e-12)  # training error never falls with λ
    norms = np.linalg.norm(path.coefs, axis=1)
    assert np.all(np.diff(norms) <= 1e-9 * norms[:-1])  # ‖w‖ never grows with λ
    assert 0 < path.best_test_index < len(GRID) - 1


def test_frames_are_long_finite_and_indexed_by_the_grid():
    model = build_model(synthetic(), 9, "monomial")
    path = ridge_along_path(model, GRID)
    assert len(path.errors_frame) == 2 * len(GRID)
    assert path.curves.shape == (len(GRID), GRID_POINTS)
    assert path.curve_coordinates.shape == (len(GRID), model.n_features + 1)
    assert len(path.coefs_frame) == len(GRID) * (model.n_features + 1)
    for frame in (path.errors_frame, path.coefs_frame, closed_form_frame(path)):
        numbers = frame.select_dtypes("number").to_numpy()
        assert np.isfinite(numbers).all()


def test_drawn_curves_stay_finite_far_off_the_frame():
    """A wild fit's coordinates (degree 30, raw basis, scaled up to 1e45) are clipped far off
    every frame, so float64 and float32 hold them; what is in the frame is unchanged."""
    model = build_model(synthetic(n=12), 30, "raw")
    path = ridge_along_path(model, GRID)
    wild = path.curve_coordinates * 1e45
    frame = closed_form_frame(dataclasses.replace(path, curve_coordinates=wild))
    z = frame.drop(columns="key").to_numpy()
    assert np.isfinite(z).all()
    assert np.abs(z).max() <= COORDINATE_LIMIT
    tame = closed_form_frame(path).drop(columns="key").to_numpy()
    np.testing.assert_array_equal(tame, path.curve_coordinates)  # nothing near a frame clipped


def test_descent_past_the_limit_diverges_and_stays_finite():
    model = build_model(synthetic(), 9, "monomial")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run = run_descent(model, 0.0, "gd", "l2", lr=2.2, iters=100_000)
    assert run.result.diverged
    assert np.isfinite(run.curve).all()
    assert np.isfinite([run.train_rmse, run.test_rmse]).all()
    assert np.isfinite(run.result.trace.suboptimality).all()


def test_singular_hessian_reports_the_condition_number_on_its_range():
    """Degree 30 on 2 points at λ = 0: the Hessian is singular; descent goes to least norm."""
    data = synthetic(n=2)
    model = build_model(data, 30, "raw")
    run = run_descent(model, 0.0, "gd", "l2", lr=1.0, iters=100_000)
    assert run.singular
    assert math.isfinite(run.result.condition_number)
    path = ridge_along_path(model, np.array([0.0]))
    np.testing.assert_allclose(run.result.coef, path.coefs[0], atol=1e-8)


@pytest.mark.parametrize(
    ("optimizer", "lam"), [("gd", 1e-2), ("momentum", 1e-3), ("nesterov", 1e-3)]
)
def test_steps_needed_on_the_page_against_iteration(optimizer, lam):
    """The page's "steps for 10⁻⁶", ln 10⁶ / −ln ρ with ρ the spectral radius of the iteration at
    the step and momentum used, against iterating the page's own problem without a stopping
    rule: the first recorded step where ‖w − w*‖ has shrunk a millionfold. It is the slowest
    direction's rate; on these data little of the start lies along it, so the run arrives
    sooner (measured: 1.29 times the steps taken for all three; the old √κ rule said 1,722 for
    momentum at λ = 1e-3, a tenth of the 12,656 taken)."""
    model = build_model(synthetic(), 9, "monomial")
    run = run_descent(model, lam, optimizer, "l2", 1.0, 10)
    problem = weights_problem(model)
    quad = quadratic_objective(problem.X, problem.y, lam, fit_intercept=False)
    full = gradient_descent(
        problem.X, problem.y, alpha=lam, fit_intercept=False, optimizer=optimizer,
        learning_rate=1.0 / quad.lipschitz, max_iter=60_000, tol=0.0, quad=quad,
    )  # fmt: skip
    trace = full.trace
    reached = trace.step[trace.distance <= 1e-6 * trace.distance[0]]
    assert reached.size, "the run must get there to be compared"
    counted = int(reached[0])
    before = int(trace.step[np.searchsorted(trace.step, counted) - 1])  # log-spaced records
    assert 0.9 * before <= run.steps_needed <= 1.4 * counted
    assert run.steps_needed > 5 * 1722  # not the √κ rule


def test_steps_needed_has_no_rule_where_none_holds():
    model = build_model(synthetic(), 9, "monomial")
    assert math.isnan(run_descent(model, 1e-3, "adam", "l2", 1e-2, 10).steps_needed)
    assert math.isnan(run_descent(model, 1e-3, "momentum", "decoupled", 1.0, 10).steps_needed)
    assert run_descent(model, 1e-3, "gd", "l2", 2.5, 10).steps_needed == math.inf  # past 2/L


def test_y_domain_and_leaving_the_frame():
    model = build_model(synthetic(), 9, "monomial")
    lo, hi = y_domain(model)
    values = np.r_[model.y_train, model.y_test, model.truth_grid]
    assert lo < values.min()
    assert hi > values.max()
    assert leaves_frame(np.array([0.0, 0.1]), (lo, hi)) is None
    assert leaves_frame(np.array([0.0, hi + 5]), (lo, hi)) == hi + 5
    assert leaves_frame(np.array([lo - 7, hi + 5]), (lo, hi)) == lo - 7


@pytest.mark.parametrize("intercept", ["free", "penalised"])
def test_degree_zero(intercept):
    """Degree 0: no weights with a free intercept (the fit is the mean), one weight otherwise."""
    data = synthetic()
    model = build_model(data, 0, "monomial", intercept)
    path = ridge_along_path(model, GRID)
    run = run_descent(model, 1.0, "gd", "l2", 1.0, 1000)
    assert np.isfinite(path.curves).all()
    assert np.isfinite(run.curve).all()
    if intercept == "free":
        assert model.n_features == 0
        np.testing.assert_allclose(path.curves, data.y_train.mean())
    else:
        # One weight w0 on a column of ones, penalised: w0 = Σy / (N + λ).
        n = data.y_train.size
        np.testing.assert_allclose(path.coefs[:, 0], data.y_train.sum() / (n + GRID), rtol=1e-12)


def test_cross_validation_agrees_with_scikit_learn():
    """k-fold from one SVD per fold equals cross_val_score of regviz's estimator, per λ."""
    from sklearn.model_selection import KFold, LeaveOneOut, cross_val_score

    from regviz import RidgeRegression

    model = build_model(synthetic(n=20, seed=3), 7, "legendre")
    frame, picks, dof = cross_validation(model, GRID, folds=4, seed=11)
    for i in (0, 60, 100, 140, 161):
        estimator = RidgeRegression(alpha=GRID[i])
        for kind, cv in (
            ("k-fold", KFold(4, shuffle=True, random_state=11)),
            ("leave-one-out", LeaveOneOut()),
        ):
            scores = cross_val_score(
                estimator, model.phi_train, model.y_train, cv=cv, scoring="neg_mean_squared_error"
            )
            # Equal fold sizes (20 / 4, 20 / 1): the mean of fold MSEs is the pooled MSE.
            shown = frame[(frame.kind == kind) & (frame.lam_index == i)].rmse.item()
            assert shown == pytest.approx(np.sqrt(-scores.mean()), rel=1e-8)
    for kind, rows in frame.groupby("kind"):
        best = picks.set_index("kind").loc[kind]
        assert best.rmse == rows.rmse.min()
        assert best.lam == GRID[int(best.lam_index)]
    assert dof.dof.iloc[0] == pytest.approx(8.0)  # 7 weights + intercept at λ = 0
    assert np.all(np.diff(dof.dof) <= 1e-12)


def test_leave_one_out_on_the_audits_page_case_against_refits():
    """D2 on the page: ?spacing=random&n=20&seed=2&degree=16&basis=legendre had 49 of 162 λ of
    the leave-one-out curve off by more than 0.1 % (up to 99.8 %). Against scikit-learn's Ridge
    refitted without each point, at every λ > 0 (measured: 1e-15)."""
    from sklearn.model_selection import LeaveOneOut

    settings = parse(
        {"spacing": "random", "n": "20", "seed": "2", "degree": "16", "basis": "legendre"}
    )[0]
    model = build_model(settings.data_key(None).load(), 16, "legendre")
    frame, _, _ = cross_validation(model, GRID)
    loo = frame[frame.kind == "leave-one-out"].set_index("lam_index")["rmse"]
    X, y = model.phi_train, model.y_train
    for k in range(1, len(GRID)):
        squared = 0.0
        for train, held in LeaveOneOut().split(X):
            ridge = Ridge(alpha=GRID[k], solver="svd").fit(X[train], y[train])
            squared += float((ridge.predict(X[held])[0] - y[held][0]) ** 2)
        assert loo[k] == pytest.approx(np.sqrt(squared / len(y)), rel=1e-9), k
