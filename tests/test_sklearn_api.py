"""The estimators are scikit-learn estimators: the full check suite, and the usual tools."""

import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.utils.estimator_checks import parametrize_with_checks

from regviz import GradientDescentRegressor, PolynomialBasis, RidgeRegression


@parametrize_with_checks([PolynomialBasis(), RidgeRegression(), GradientDescentRegressor()])
def test_check_estimator(estimator, check):
    with warnings.catch_warnings():
        # The checks' toy data need more than 1000 steps to reach tol=1e-10; that is not a failure.
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)


def _sine(n=30, seed=0):
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(0, 1, n))
    return x[:, None], np.sin(2 * np.pi * x) + 0.3 * rng.normal(size=n)


@pytest.mark.parametrize(
    "regressor",
    [RidgeRegression(alpha=1e-3), GradientDescentRegressor(alpha=1e-3, max_iter=5000)],
)
def test_pipeline_cross_val_and_grid_search(regressor):
    X, y = _sine()
    pipe = make_pipeline(PolynomialBasis(degree=5, kind="legendre"), regressor)
    grid = {
        "polynomialbasis__degree": [1, 3, 5, 9],
        regressor.__class__.__name__.lower() + "__alpha": [1e-6, 1e-2, 1.0],
    }
    cv = KFold(3, shuffle=True, random_state=0)  # x is sorted: unshuffled folds extrapolate
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        scores = cross_val_score(pipe, X, y, cv=cv)
        search = GridSearchCV(pipe, grid, cv=cv).fit(X, y)
    assert scores.shape == (3,)
    assert np.all(np.isfinite(scores))
    # A line cannot follow a sine period: the search must prefer a higher degree.
    assert search.best_params_["polynomialbasis__degree"] >= 3


def test_get_set_params_and_clone():
    est = GradientDescentRegressor(alpha=0.5, optimizer="adam", penalty="decoupled")
    assert est.get_params()["penalty"] == "decoupled"
    est.set_params(alpha=2.0)
    assert clone(est).get_params()["alpha"] == 2.0


@pytest.mark.parametrize(
    ("estimator", "message"),
    [
        (RidgeRegression(alpha=-1), "alpha must be a finite number >= 0"),
        (RidgeRegression(alpha=np.nan), "alpha must be a finite number"),
        (GradientDescentRegressor(optimizer="sgd"), "optimizer must be one of"),
        (GradientDescentRegressor(penalty="l1"), "penalty must be one of"),
        (GradientDescentRegressor(learning_rate=0.0), "learning_rate must be a finite number > 0"),
        (GradientDescentRegressor(learning_rate="fast"), "learning_rate must be a finite number"),
        (GradientDescentRegressor(max_iter=-1), "max_iter must be a whole number >= 0"),
        (GradientDescentRegressor(momentum=1.0), "momentum must be below 1"),
        (PolynomialBasis(degree=-1), "degree must be a whole number >= 0"),
        (PolynomialBasis(kind="chebyshev"), "kind must be one of"),
        (PolynomialBasis(degree=0), "degree=0 without include_bias gives no features"),
    ],
)
def test_bad_parameters_say_what_to_do(estimator, message):
    X, y = _sine()
    with pytest.raises(ValueError, match=message):
        estimator.fit(X, y)
