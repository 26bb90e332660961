"""Closed-form ridge against scikit-learn, numpy's lstsq and an 80-digit mpmath reference."""

import warnings

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import Ridge

from regviz import ConditioningWarning, PolynomialBasis, RidgeRegression, ridge_path
from regviz.solvers import (
    check_alphas,
    effective_condition_number,
    filter_factors,
    kept_singular_values,
    numerical_rank,
    quadratic_objective,
    ridge_decomposition,
)

SHAPES = [(30, 5), (10, 10), (8, 20), (200, 3), (3, 1), (50, 40)]


def _data(n, p, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p)) * rng.uniform(0.1, 10, size=p) + rng.normal(size=p)
    return X, X @ rng.normal(size=p) + 3.0 + rng.normal(size=n)


@pytest.mark.parametrize(("n", "p"), SHAPES)
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("alpha", [1e-8, 1e-2, 1.0, 1e3])
def test_matches_sklearn_ridge_svd(n, p, fit_intercept, alpha):
    X, y = _data(n, p)
    ours = RidgeRegression(alpha=alpha, fit_intercept=fit_intercept).fit(X, y)
    ref = Ridge(alpha=alpha, fit_intercept=fit_intercept, solver="svd").fit(X, y)
    scale = np.abs(ref.coef_).max() + 1
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-8, atol=1e-10 * scale)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-8, atol=1e-10 * scale)
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-8, atol=1e-9 * scale)


@pytest.mark.parametrize(("n", "p"), SHAPES)
def test_alpha_zero_is_minimum_norm_least_squares(n, p):
    X, y = _data(n, p, seed=1)
    # Without intercept: exactly numpy's lstsq (also when p > n, where it is the minimum norm).
    ours = RidgeRegression(alpha=0.0, fit_intercept=False).fit(X, y)
    ref = np.linalg.lstsq(X, y, rcond=None)[0]
    np.testing.assert_allclose(ours.coef_, ref, rtol=1e-7, atol=1e-9)
    # With an unpenalised intercept: the least-norm w of the centered problem.
    ours = RidgeRegression(alpha=0.0).fit(X, y)
    ref = np.linalg.lstsq(X - X.mean(0), y - y.mean(), rcond=None)[0]
    np.testing.assert_allclose(ours.coef_, ref, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(ours.intercept_, y.mean() - X.mean(0) @ ref, rtol=1e-9, atol=1e-9)


def test_more_features_than_samples_interpolates():
    X, y = _data(5, 12)
    fit = RidgeRegression(alpha=0.0).fit(X, y)
    np.testing.assert_allclose(fit.predict(X), y, atol=1e-10)
    assert fit.rank_ == 4  # centering removes one dimension


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_path_equals_individual_fits(fit_intercept):
    X, y = _data(40, 8)
    alphas = np.r_[0.0, np.geomspace(1e-12, 1e4, 50)]
    coefs, intercepts = ridge_path(X, y, alphas, fit_intercept=fit_intercept)
    assert coefs.shape == (51, 8)
    assert intercepts.shape == (51,)
    for a, w, b in zip(alphas, coefs, intercepts, strict=True):
        ref = Ridge(alpha=a, fit_intercept=fit_intercept, solver="svd").fit(X, y)
        np.testing.assert_allclose(w, ref.coef_, rtol=1e-7, atol=1e-10)
        np.testing.assert_allclose(b, ref.intercept_, rtol=1e-7, atol=1e-10)
    if not fit_intercept:
        np.testing.assert_array_equal(intercepts, 0.0)


def test_bishop_convention_is_bias_column_without_intercept():
    """Bishop: minimise 1/2 sum (t - w.phi)^2 + lambda/2 ||w||^2 with w_0 penalised."""
    x = np.linspace(0, 1, 10)
    t = np.sin(2 * np.pi * x)
    Phi = PolynomialBasis(degree=9, kind="raw", include_bias=True).fit_transform(x[:, None])
    lam = float(np.exp(-18))
    # Bishop's normal equations (lambda I + Phi^T Phi) w = Phi^T t, solved in 60 digits.
    with mpmath.workdps(60):
        A = mpmath.matrix(Phi.tolist())
        w = mpmath.lu_solve(A.T * A + lam * mpmath.eye(10), A.T * mpmath.matrix(t.tolist()))
        reference = np.array([float(v) for v in w])
    ours = RidgeRegression(alpha=lam, fit_intercept=False).fit(Phi, t).coef_
    np.testing.assert_allclose(ours, reference, rtol=1e-7)


def _mp_ridge(X, y, alpha, fit_intercept, dps=80):
    """Ridge through the normal equations in dps digits: an independent, exact-enough reference."""
    with mpmath.workdps(dps):
        A = mpmath.matrix(X.tolist())
        b = mpmath.matrix(y.tolist())
        n, p = X.shape
        if fit_intercept:
            means = [mpmath.fsum(A[i, j] for i in range(n)) / n for j in range(p)]
            ybar = mpmath.fsum(b) / n
            for i in range(n):
                b[i] -= ybar
                for j in range(p):
                    A[i, j] -= means[j]
        w = mpmath.lu_solve(A.T * A + float(alpha) * mpmath.eye(p), A.T * b)
        return np.array([float(v) for v in w])


@pytest.mark.parametrize(
    ("kind", "degree", "alpha", "bound"),
    [
        # Measured relative errors: 5e-16, 5e-16, 2e-10, 4e-14, 3e-12, 6e-8.
        ("legendre", 20, 1e-12, 1e-14),
        ("legendre", 20, 1.0, 1e-14),
        ("monomial", 20, 1e-12, 2e-9),
        ("monomial", 9, 0.0, 1e-12),
        ("raw", 9, 1e-6, 1e-10),
        ("raw", 20, 1e-12, 5e-7),
    ],
)
def test_accuracy_against_high_precision(kind, degree, alpha, bound):
    rng = np.random.default_rng(3)
    x = np.linspace(0, 1, 100)
    y = np.sin(2 * np.pi * x) + 0.3 * rng.normal(size=100)
    X = PolynomialBasis(degree=degree, kind=kind).fit_transform(x[:, None])
    reference = _mp_ridge(X, y, alpha, fit_intercept=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConditioningWarning)
        ours = RidgeRegression(alpha=alpha).fit(X, y).coef_
    error = np.max(np.abs(ours - reference)) / np.max(np.abs(reference))
    assert error <= bound


def test_ill_conditioned_fit_warns_with_advice():
    x = np.linspace(0, 1, 100)
    X = PolynomialBasis(degree=20, kind="raw").fit_transform(x[:, None])
    with pytest.warns(ConditioningWarning, match="legendre"):
        RidgeRegression(alpha=0.0).fit(X, np.sin(2 * np.pi * x))
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConditioningWarning)  # well conditioned: silent
        RidgeRegression(alpha=1e-3).fit(X, np.sin(2 * np.pi * x))


def test_effective_condition_number_by_hand():
    s = np.array([10.0, 1.0, 0.01])
    assert effective_condition_number(s, 0.0) == pytest.approx(1000.0)
    # min_i (s_i + alpha / s_i) at alpha = 1: (10.1, 2, 100.01) -> 10 / 2
    assert effective_condition_number(s, 1.0) == pytest.approx(5.0)


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(2, 25),
    p=st.integers(1, 15),
    seed=st.integers(0, 10_000),
    fit_intercept=st.booleans(),
)
def test_norm_shrinks_and_training_error_grows_with_alpha(n, p, seed, fit_intercept):
    X, y = _data(n, p, seed)
    alphas = np.r_[0.0, np.geomspace(1e-8, 1e6, 60)]
    coefs, intercepts = ridge_path(X, y, alphas, fit_intercept=fit_intercept)
    norms = np.linalg.norm(coefs, axis=1)
    sse = ((X @ coefs.T + intercepts - y[:, None]) ** 2).sum(axis=0)
    slack = 1e-9
    assert np.all(np.diff(norms) <= slack * (norms[:-1] + 1e-300) + 1e-12)
    assert np.all(np.diff(sse) >= -slack * (sse[:-1] + 1.0))


def test_decomposition_rank_cut_like_lstsq():
    X = np.c_[np.ones(5), np.ones(5) * (1 + 1e-17), np.arange(5.0)]
    dec = ridge_decomposition(X, np.arange(5.0), fit_intercept=False)
    assert dec.rank == np.linalg.matrix_rank(X)


# --------------------------------------------------------------------------------------------
# The rank rule, the alpha check and the filter factors, on their own
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("n", "p"), [*SHAPES, (7, 7)])
def test_numerical_rank_is_matrix_rank(n, p):
    """numpy's matrix_rank counts ``s > max(n, p) eps s_max`` too: the same rule."""
    X, _ = _data(n, p, seed=3)
    X[:, -1] = X[:, 0] * (1 + 1e-17)  # a column equal to another: rank one less (when p > 1)
    s = np.linalg.svd(X, compute_uv=False)
    assert numerical_rank(s, X.shape) == np.linalg.matrix_rank(X)
    assert isinstance(numerical_rank(s, X.shape), int)


def test_the_rank_rule_is_used_by_every_decomposition():
    X = np.c_[np.ones(6), np.arange(6.0), np.arange(6.0) * 2]  # rank 2
    y = np.arange(6.0) ** 2
    assert ridge_decomposition(X, y, fit_intercept=False).rank == 2
    assert quadratic_objective(X, y, 0.0, fit_intercept=False).rank == 2
    assert quadratic_objective(X, y, 1.0, fit_intercept=False).rank == 3  # the penalty's rows


def test_kept_singular_values_batched_and_edge_cases():
    s = np.array([[3.0, 1.0, 1e-17, 0.0], [0.0, 0.0, 0.0, 0.0], [1e-300, 1e-320, 0.0, 0.0]])
    kept = kept_singular_values(s, (5, 4))
    expected = [[True, True, False, False], [False] * 4, [True, False, False, False]]
    np.testing.assert_array_equal(kept, expected)
    np.testing.assert_array_equal(numerical_rank(s, (5, 4)), [2, 0, 1])
    for row, mask in zip(s, kept, strict=True):  # row by row, the same
        np.testing.assert_array_equal(kept_singular_values(row, (5, 4)), mask)
        assert numerical_rank(row, (5, 4)) == mask.sum()
    assert numerical_rank(np.zeros(0), (3, 0)) == 0
    assert kept_singular_values(np.zeros((2, 0)), (3, 0)).shape == (2, 0)
    assert numerical_rank([1.0, 1e-3], (2, 2), rcond=1e-2) == 1  # a looser cutoff


def test_check_alphas():
    np.testing.assert_array_equal(check_alphas(0.5), [0.5])
    checked = check_alphas([0, 1, 2])
    assert checked.dtype == np.float64
    assert checked.ndim == 1
    for bad in ([-1.0], [np.inf], [np.nan], [[1.0, 2.0]]):
        with pytest.raises(ValueError, match="alphas must be a 1-D array of finite numbers >= 0"):
            check_alphas(bad)
    with pytest.raises(ValueError, match="alphas must be a 1-D array of finite numbers >= 0"):
        ridge_path(np.eye(3), np.ones(3), [-1.0])


def test_filter_factors_by_hand():
    f = filter_factors([2.0, 1.0, 0.5], [0.0, 1.0], 2)
    np.testing.assert_allclose(f, [[0.5, 1.0, 0.0], [0.4, 0.5, 0.0]], rtol=1e-15)
    assert filter_factors([2.0], [1.0], 1).shape == (1, 1)
    assert filter_factors(np.zeros(0), [1.0, 2.0], 0).shape == (2, 0)


def test_filter_factors_batched_equal_row_by_row():
    """s of shape (B, q) with a kept mask, or one rank per batch: each row is the 1-D result,
    number for number, with no warning where alpha / s overflows or s^2 would underflow."""
    rng = np.random.default_rng(0)
    s = -np.sort(-rng.uniform(0.1, 10.0, size=(6, 5)), axis=1)
    s[1, 3:] = 0.0  # rank 3
    s[2] = 0.0  # rank 0
    s[3] = [1e-170, 1e-171, 1e-180, 1e-200, 0.0]  # s^2 underflows; alpha / s overflows
    s[4] = [1e-290, 1e-295, 1e-300, 1e-320, 0.0]  # tiny throughout, the last below the rule
    alphas = np.array([0.0, 1e-300, 1e-8, 1.0, 1e300])
    kept = kept_singular_values(s, (5, 5))
    ranks = kept.sum(axis=1)
    np.testing.assert_array_equal(ranks, [5, 3, 0, 3, 3, 5])
    with np.errstate(all="raise"):  # no overflow, divide or invalid warning escapes
        by_mask = filter_factors(s, alphas, kept)
        by_rank = filter_factors(s, alphas, ranks)
        rows = np.stack([filter_factors(s_b, alphas, r) for s_b, r in zip(s, ranks, strict=True)])
    assert by_mask.shape == (6, 5, 5)
    np.testing.assert_array_equal(by_mask, rows)
    np.testing.assert_array_equal(by_rank, rows)
    assert np.all(np.isfinite(rows))
    assert np.all(rows[~np.broadcast_to(kept[:, None, :], rows.shape)] == 0.0)
    # The formula where it is computable directly: s / (s^2 + alpha) on the well-scaled rows.
    np.testing.assert_allclose(rows[0], s[0] / (s[0] ** 2 + alphas[:, None]), rtol=1e-15)
    np.testing.assert_array_equal(rows[3:5, -1], 0.0)  # alpha / s = inf: f = 0, its limit
    np.testing.assert_allclose(rows[3, 0, :3], 1.0 / s[3, :3], rtol=1e-15)  # alpha = 0: 1 / s
