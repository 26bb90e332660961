"""D1: the page's gradient descent and its closed form reach the same minimiser, also where it is
not unique (λ = 0, more parameters than points, a free intercept), and the distance the page
reports is measured to the closed form it draws. References: numpy's least-norm ``lstsq`` on the
centred data (Ridge's α → 0 limit) and scikit-learn's ``Ridge``."""

import numpy as np
import pytest
from sklearn.linear_model import Ridge

from regviz import GradientDescentRegressor, data
from regviz.compute.descent import descent_along_path, run_descent
from regviz.compute.model import build_model, ridge_along_path
from regviz.settings import LAMBDA_GRID, parse

GRID = np.array(LAMBDA_GRID)

#: The audit's case: ?spacing=random&n=10&seed=3&degree=12&basis=legendre&lam=0&iters=100000
REPORTED = {"spacing": "random", "n": "10", "seed": "3", "degree": "12", "basis": "legendre"}


def least_norm_with_free_intercept(model):
    """Ridge's α → 0 limit: the least-norm w on centred data, b = ȳ − x̄·w."""
    x_mean, y_mean = model.phi_train.mean(axis=0), model.y_train.mean()
    w = np.linalg.lstsq(model.phi_train - x_mean, model.y_train - y_mean, rcond=None)[0]
    return w, y_mean - x_mean @ w


def reported_model():
    settings = parse(REPORTED)[0]
    dataset = settings.data_key(None).load()
    return build_model(dataset, settings.degree, settings.basis, settings.intercept)


def test_the_reported_case_descent_reaches_the_drawn_closed_form():
    model = reported_model()
    path = ridge_along_path(model, GRID)
    w, b = least_norm_with_free_intercept(model)
    scale = np.abs(w).max()
    assert np.abs(path.coefs[0] - w).max() <= 1e-9 * scale
    assert path.intercepts[0] == pytest.approx(b, abs=1e-9 * scale)
    # scikit-learn's Ridge at a tiny α tends to the same fit.
    ridge = Ridge(alpha=1e-12, solver="svd").fit(model.phi_train, model.y_train)
    assert np.abs(ridge.coef_ - w).max() <= 1e-6 * scale
    run = run_descent(model, 0.0, "gd", "l2", 1.0, 100_000)
    result = run.result
    assert result.converged
    # The distance the page reports is the distance to the weights it draws.
    measured = np.linalg.norm(result.coef - path.coefs[0])
    reported = float(result.trace.distance[-1])
    assert reported <= 1e-10 * np.linalg.norm(w)
    assert measured <= 1e-10 * np.linalg.norm(w)
    assert result.intercept == pytest.approx(
        model.y_train.mean() - model.phi_train.mean(0) @ result.coef
    )
    # The curves the page draws: the audit measured a gap of 3.7e3 and test RMSE 741 vs 1125.
    span = np.ptp(path.curves[0])
    assert np.abs(run.curve - path.curves[0]).max() <= 1e-8 * span
    assert run.test_rmse == pytest.approx(path.test_rmse[0], rel=1e-9)


@pytest.mark.parametrize(
    ("n", "degree", "basis"), [(5, 12, "legendre"), (8, 20, "monomial"), (3, 6, "legendre")]
)
@pytest.mark.parametrize("spacing", ["even", "random"])
def test_p_greater_than_n_descent_heads_to_the_least_norm_w(n, degree, basis, spacing):
    """p > n, free intercept, λ = 0: batched descent's weights are, at every step, the closed-form
    trajectory of gradient descent on the centred least squares (derived here from the SVD:
    w_t = V diag((1 − (1 − 2ηs²)^t) / s) Uᵀ y_c, η = 1/L, L = 2 s_max²), so they never leave the
    row space of the centred design and tend to the least-norm w, the closed form's. At λ > 0,
    where runs converge, they equal scikit-learn's Ridge."""
    dataset = data.synthetic(n=n, seed=4, spacing=spacing)
    model = build_model(dataset, degree, basis, "free")
    path = ridge_along_path(model, GRID)
    lams = GRID[[0, 40, 80, 120]]
    along = descent_along_path(model, lams, "gd", "l2", 1.0, 100_000)
    w, _ = least_norm_with_free_intercept(model)
    scale = max(np.abs(w).max(), 1.0)
    assert np.abs(path.coefs[0] - w).max() <= 1e-9 * scale
    x_mean, y_mean = model.phi_train.mean(axis=0), model.y_train.mean()
    U, s, Vt = np.linalg.svd(model.phi_train - x_mean, full_matrices=False)
    kept = s > s[0] * 1e-12
    U, s, Vt = U[:, kept], s[kept], Vt[kept]
    eta = 1.0 / (2.0 * s[0] ** 2)
    run = along.run_at(0)
    t = run.result.n_iter
    with np.errstate(divide="ignore"):  # 2ηs² = 1 for the largest s: log1p(−1) = −inf
        factors = -np.expm1(t * np.log1p(-2.0 * eta * s**2)) / s
    trajectory = Vt.T @ (factors * (U.T @ (model.y_train - y_mean)))
    assert np.abs(run.result.coef - trajectory).max() <= 1e-7 * scale
    assert run.result.intercept == pytest.approx(
        y_mean - x_mean @ run.result.coef, abs=1e-9 * scale
    )
    null = np.linalg.svd(model.phi_train - x_mean)[2][kept.sum() :]
    assert np.abs(null @ run.result.coef).max() <= 1e-9 * scale  # never leaves the row space
    compared = 0
    for k, lam in enumerate(lams[1:], start=1):
        result = along.run_at(k).result
        if not result.converged:
            continue
        compared += 1
        ridge = Ridge(alpha=lam, solver="svd").fit(model.phi_train, model.y_train)
        ref = max(np.abs(ridge.coef_).max(), 1.0)
        assert np.abs(result.coef - ridge.coef_).max() <= 1e-6 * ref, (lam, n, degree)
        assert result.intercept == pytest.approx(ridge.intercept_, abs=1e-6 * ref)
    assert compared >= 1  # the largest λ converges in every case


def test_the_estimator_keeps_its_documented_rule_and_its_own_least_norm_minimiser():
    """GradientDescentRegressor descends on (w, b) from zero, uncentred (its documented rule):
    at λ = 0 with p > n it goes to the least-norm (w, b), which is not Ridge's α → 0 fit."""
    model = reported_model()
    estimator = GradientDescentRegressor(alpha=0.0, max_iter=200_000, tol=0.0).fit(
        model.phi_train, model.y_train
    )
    augmented = np.hstack([model.phi_train, np.ones((model.phi_train.shape[0], 1))])
    theta = np.linalg.lstsq(augmented, model.y_train, rcond=None)[0]
    scale = np.abs(theta).max()
    assert np.abs(estimator.coef_ - theta[:-1]).max() <= 1e-5 * scale
    assert estimator.intercept_ == pytest.approx(theta[-1], abs=1e-5 * scale)
    w, _ = least_norm_with_free_intercept(model)
    assert np.abs(w - theta[:-1]).max() > 1e-3 * scale  # a different fit: D1's two minimisers


@pytest.mark.parametrize(
    ("optimizer", "penalty", "lr"),
    [("gd", "l2", 1.0), ("momentum", "l2", 0.5), ("gd", "decoupled", 1.9), ("nesterov", "l2", 1.0)],
)
def test_the_step_size_in_units_of_1_over_L_is_the_same_at_every_lambda(optimizer, penalty, lr):
    """The descent view draws its step-size chart once per full run (a λ move does not send it
    again): that holds only because η·L is the chosen multiple at every λ (L grows with λ)."""
    model = build_model(data.synthetic(n=30), 12, "raw")
    path = descent_along_path(model, LAMBDA_GRID, optimizer, penalty, lr, iters=5)
    np.testing.assert_allclose(path.step_multiple, lr, rtol=4 * np.finfo(float).eps)
