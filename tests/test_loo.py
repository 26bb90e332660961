"""Closed-form leave-one-out error and effective degrees of freedom.

References written independently of ``regviz.solvers``: scikit-learn's ``cross_val_score`` with
``LeaveOneOut``, refitting on every left-out set (numpy ``lstsq`` and ``RidgeRegression``), an
explicit hat matrix built with ``np.linalg.solve``, and a 100-digit mpmath refit.
"""

import warnings

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import Ridge
from sklearn.model_selection import LeaveOneOut, cross_val_score

import regviz
from regviz import ConditioningWarning, PolynomialBasis, RidgeRegression
from regviz.solvers import effective_dof, loo_errors, ridge_decomposition, ridge_path


def _sin_data(n, seed=0, duplicates=()):
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(0, 1, n - len(duplicates)))
    x = np.r_[x, x[list(duplicates)]]
    return x, np.sin(2 * np.pi * x) + 0.2 * rng.normal(size=x.size)


def _design(x, degree, kind):
    return PolynomialBasis(degree=degree, kind=kind).fit_transform(x[:, None])


def _lstsq_ridge(X, y, alpha, fit_intercept):
    """``(w, b)`` from numpy's lstsq: on ``[X_c; sqrt(alpha) I]`` (minimum norm at alpha = 0)."""
    x_mean = X.mean(axis=0) if fit_intercept else np.zeros(X.shape[1])
    y_mean = y.mean() if fit_intercept else 0.0
    A = np.vstack([X - x_mean, np.sqrt(alpha) * np.eye(X.shape[1])])
    b = np.r_[y - y_mean, np.zeros(X.shape[1])]
    w = np.linalg.lstsq(A, b, rcond=None)[0]
    return w, y_mean - x_mean @ w


def _brute_loo(X, y, alphas, fit_intercept, fit=_lstsq_ridge):
    """Refit without each sample in turn; mean squared error of the left-out predictions."""
    n = X.shape[0]
    out = []
    for alpha in alphas:
        residuals = []
        for i in range(n):
            keep = np.arange(n) != i
            w, b = fit(X[keep], y[keep], alpha, fit_intercept)
            residuals.append(y[i] - X[i] @ w - b)
        out.append(np.mean(np.square(residuals)))
    return np.array(out)


def _regviz_ridge(X, y, alpha, fit_intercept):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConditioningWarning)
        model = RidgeRegression(alpha=alpha, fit_intercept=fit_intercept).fit(X, y)
    return model.coef_, model.intercept_


def _mp_loo(X, y, alphas, fit_intercept, dps=100):
    """Refit without each sample in ``dps`` digits on the exact float64 inputs.

    ``alpha = 0`` is taken as ``1e-40``: the minimum-norm solution to ~30 digits here.
    """
    n, p = X.shape
    with mpmath.workdps(dps):
        Xm = [[mpmath.mpf(float(v)) for v in row] for row in X]
        ym = [mpmath.mpf(float(v)) for v in y]
        out = []
        for alpha in alphas:
            a = mpmath.mpf(float(alpha)) if alpha > 0 else mpmath.mpf("1e-40")
            squares = []
            for i in range(n):
                rows = [r for r in range(n) if r != i]
                if fit_intercept:
                    xm = [mpmath.fsum(Xm[r][j] for r in rows) / (n - 1) for j in range(p)]
                    ybar = mpmath.fsum(ym[r] for r in rows) / (n - 1)
                else:
                    xm, ybar = [mpmath.mpf(0)] * p, mpmath.mpf(0)
                A = mpmath.matrix([[Xm[r][j] - xm[j] for j in range(p)] for r in rows])
                b = mpmath.matrix([ym[r] - ybar for r in rows])
                w = mpmath.lu_solve(A.T * A + a * mpmath.eye(p), A.T * b)
                pred = ybar + mpmath.fsum((Xm[i][j] - xm[j]) * w[j] for j in range(p))
                squares.append((ym[i] - pred) ** 2)
            out.append(float(mpmath.fsum(squares) / n))
    return np.array(out)


def _naive_loo(X, y, alphas, fit_intercept):
    """The textbook evaluation: ``h_ii`` summed up, then ``1 - h_ii``; ``e = y - y_hat``."""
    dec = ridge_decomposition(X, y, fit_intercept)
    U, s = dec.U[:, : dec.rank], dec.s[: dec.rank]
    h = (1.0 / len(y) if fit_intercept else 0.0) + (s**2 / (s**2 + alphas[:, None])) @ (U**2).T
    coefs, intercepts = ridge_path(X, y, alphas, fit_intercept)
    e = y - (coefs @ X.T + intercepts[:, None])
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.mean((e / (1.0 - h)) ** 2, axis=1)


def _rel(a, b):
    return np.abs(np.asarray(a) / np.asarray(b) - 1.0)


# --------------------------------------------------------------------------------------------
# loo_errors against scikit-learn and refitting
# --------------------------------------------------------------------------------------------

ALPHAS = np.array([1e-6, 1e-3, 0.1, 1.0, 10.0, 1e3])


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize(
    ("kind", "n", "rtol"),
    [
        # Measured: 6e-14 (legendre, default solver), 1.4e-12 (monomial), 3e-13 (raw), both
        # fit_intercept. sklearn's default (Cholesky) solver is itself off by up to 1.3e-10 on
        # the monomial and raw cases (ours: 7e-13 from a 100-digit refit), so the less well
        # conditioned bases are compared with its SVD solver.
        ("legendre", 15, 1e-10),
        ("legendre", 30, 1e-10),
        ("monomial", 20, 1e-10),
        ("raw", 25, 1e-9),
    ],
)
def test_matches_sklearn_leave_one_out(kind, n, rtol, fit_intercept):
    x, y = _sin_data(n, seed=n)
    X = _design(x, 9, kind)
    ours = loo_errors(X, y, ALPHAS, fit_intercept)
    solver = "auto" if kind == "legendre" else "svd"
    reference = [
        -cross_val_score(
            Ridge(alpha=a, fit_intercept=fit_intercept, solver=solver),
            X,
            y,
            cv=LeaveOneOut(),
            scoring="neg_mean_squared_error",
        ).mean()
        for a in ALPHAS
    ]
    assert ours.shape == ALPHAS.shape
    np.testing.assert_allclose(ours, reference, rtol=rtol)


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize(
    ("n", "degree", "kind"),
    [
        (20, 9, "legendre"),
        (12, 11, "legendre"),  # interpolates with the intercept
        (10, 14, "monomial"),  # rank-deficient: more features than samples
        (15, 5, "raw"),
    ],
)
def test_matches_refitting(n, degree, kind, fit_intercept):
    x, y = _sin_data(n, seed=degree)
    X = _design(x, degree, kind)
    alphas = np.array([0.0, 1e-8, 1e-4, 1e-1, 1.0, 1e2])
    ours = loo_errors(X, y, alphas, fit_intercept)
    np.testing.assert_allclose(ours, _brute_loo(X, y, alphas, fit_intercept), rtol=1e-8)
    by_estimator = _brute_loo(X, y, alphas, fit_intercept, fit=_regviz_ridge)
    np.testing.assert_allclose(ours, by_estimator, rtol=1e-8)


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(2, 9),
    p=st.integers(1, 12),
    fit_intercept=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_random_shapes_match_refitting(n, p, fit_intercept, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p)) * rng.uniform(0.1, 3, size=p) + rng.normal(size=p)
    y = rng.normal(size=n)
    alphas = np.array([0.0, 1e-6, 0.3, 30.0])
    ours = loo_errors(X, y, alphas, fit_intercept)
    assert np.all(np.isfinite(ours))
    np.testing.assert_allclose(ours, _brute_loo(X, y, alphas, fit_intercept), rtol=1e-7)


# --------------------------------------------------------------------------------------------
# Near interpolation: 100-digit reference, and what the textbook formula loses
# --------------------------------------------------------------------------------------------

NEAR_ALPHAS = np.array([0.0, 1e-12, 1e-10, 1e-8, 1e-6])


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize(
    ("kind", "degree", "bound"),
    [
        # n = 8. Measured worst relative errors over NEAR_ALPHAS (with / without intercept):
        # legendre 6: 7e-14 / 5e-14, 7: 8e-15 / 8e-14; monomial 6: 3e-14 / 2.5e-12,
        # 7: 4e-13 / 1.6e-12; raw 6: 1.3e-10 / 7e-12, 7: 2.5e-11 / 8e-12.
        ("legendre", 6, 1e-12),
        ("legendre", 7, 1e-12),
        ("monomial", 6, 1e-11),
        ("monomial", 7, 1e-11),
        ("raw", 6, 1e-9),
        ("raw", 7, 1e-9),
    ],
)
def test_near_interpolation_against_high_precision(kind, degree, bound, fit_intercept):
    x, y = _sin_data(8, seed=1)
    X = _design(x, degree, kind)
    ours = loo_errors(X, y, NEAR_ALPHAS, fit_intercept)
    reference = _mp_loo(X, y, NEAR_ALPHAS, fit_intercept)
    assert np.max(_rel(ours, reference)) < bound


@pytest.mark.parametrize(
    ("kind", "degree", "fit_intercept"),
    [("legendre", 7, True), ("monomial", 7, True), ("legendre", 10, False)],
)
def test_naive_one_minus_h_loses_digits_where_ours_does_not(kind, degree, fit_intercept):
    """Interpolating designs (n = 8): ``1 - h_ii`` is O(alpha) and the naive one cancels.

    The naive ``1 - h_ii`` subtracts ``h_ii = 1 - O(alpha)``, known to about ``eps``, from 1:
    its relative error is about ``eps / alpha`` times the design's conditioning, and grows as
    alpha shrinks. The figures depend on the machine's BLAS rounding. Relative errors measured
    at alpha = 1e-12, 1e-10, 1e-8 (naive / ours) on two machines:

    - legendre 7: 7e-3 and 3e-2, 6e-5 and 4e-4, 1e-6 and 3e-6 / 3e-15 to 8e-15;
    - monomial 7: 3e-4, 4e-6 and 2e-6, 2e-8 and 1e-8 / 3e-13 to 4e-13;
    - legendre 10 without intercept: 8e-2 and 7e-2, 7e-4 and 6e-4, 4e-6 and 1e-5 / 2e-15 to
      3e-15.

    At alpha = 0 the naive one divides zero by zero (inf) or rounding error by rounding error
    (64% or 78% off, depending on the case and the machine); ours is the alpha -> 0+ limit, to
    the same accuracy. The bounds below leave a factor of 30 or more to every measured figure.
    """
    x, y = _sin_data(8, seed=1)
    X = _design(x, degree, kind)
    alphas = np.array([0.0, 1e-12, 1e-10, 1e-8])
    reference = _mp_loo(X, y, alphas, fit_intercept)
    ours = _rel(loo_errors(X, y, alphas, fit_intercept), reference)
    naive = _rel(_naive_loo(X, y, alphas, fit_intercept), reference)
    assert np.all(ours < 1e-11)
    assert not np.isfinite(naive[0]) or naive[0] > 1e-2  # 0 / 0, or rounding over rounding
    assert np.all(naive[1:] > 1e-10)  # at least 6 of float64's ~16 digits gone
    assert np.all(np.diff(naive[1:]) < 0)  # and more the smaller alpha: cancellation's mark
    assert np.all(naive[1:] > 1e3 * ours[1:])  # ours keeps them


def test_leverage_one_samples_among_others():
    """Repeated x values: the distinct-only samples have leverage one, the others not."""
    x, y = _sin_data(10, seed=5, duplicates=(1, 4, 4))
    for kind, degree in [("monomial", 9), ("raw", 6)]:
        X = _design(x, degree, kind)
        for fit_intercept in (True, False):
            ours = loo_errors(X, y, NEAR_ALPHAS, fit_intercept)
            reference = _mp_loo(X, y, NEAR_ALPHAS, fit_intercept)
            assert np.max(_rel(ours, reference)) < 1e-10  # measured 1e-11 (raw, intercept)


# --------------------------------------------------------------------------------------------
# Leverage just below one: exact, not the alpha -> 0 limit (audit D2)
# --------------------------------------------------------------------------------------------


def _mp_refit_loo(X, y, alphas, fit_intercept, dps=80):
    """Leave-one-out by refitting in ``dps`` digits on the exact float64 inputs, ``alpha = 0``
    included (exactly 0: each design without one sample must then have full column rank).

    ``theta = [w, b]`` minimises ``||y - Z theta||^2 + alpha ||w||^2`` with ``Z = [X, 1]``:
    ``(Z^T Z - z_i z_i^T + alpha D) theta = Z^T y - z_i y_i`` for the refit without sample
    ``i`` (``D`` selects ``w``: the intercept is not penalised).
    """
    n, p = X.shape
    with mpmath.workdps(dps):
        ones = [1] if fit_intercept else []
        Z = mpmath.matrix([[*map(mpmath.mpf, row), *ones] for row in X.tolist()])
        Y = mpmath.matrix([mpmath.mpf(v) for v in y.tolist()])
        penalty = mpmath.diag([1] * p + [0] * len(ones))
        gram, zty = Z.T * Z, Z.T * Y
        out = []
        for alpha in alphas:
            squares = []
            for i in range(n):
                z = Z[i, :]
                theta = mpmath.lu_solve(
                    gram - z.T * z + mpmath.mpf(float(alpha)) * penalty, zty - z.T * Y[i]
                )
                squares.append((Y[i] - (z * theta)[0]) ** 2)
            out.append(float(mpmath.fsum(squares) / n))
    return np.array(out)


def _mp_one_minus_leverage(X, i, fit_intercept, dps=60):
    """``1 - h_ii`` at alpha = 0, ``h_ii = z_i^T (Z^T Z)^{-1} z_i``, in ``dps`` digits."""
    with mpmath.workdps(dps):
        ones = [1] if fit_intercept else []
        Z = mpmath.matrix([[*map(mpmath.mpf, row), *ones] for row in X.tolist()])
        z = Z[i, :]
        return float(1 - (z * mpmath.lu_solve(Z.T * Z, z.T))[0])


#: alpha = 0, two alphas where the near-one leverage still dominates, and a moderate one.
OUTLIER_ALPHAS = np.array([0.0, 1e-12, 1e-8, 1e-2])


def test_audit_case_leverage_a_hair_below_one():
    """The audit's reproduction: 30 points in [0, 0.3] and x = 1; its 1 - h is 1.2e-13.

    Before the fix the last sample took the alpha -> 0 limit formula (1 - h_ii under
    64 max(n, p) eps) and loo_errors gave 2.13e5 at alpha = 0 (every alpha up to 1e-8 was off
    by up to 600-fold; 1.5e-4 off at alpha = 1e-3). Measured relative errors against the
    80-digit refit now: 1.8e-10, 2.6e-10, 4e-12, 5e-15.
    """
    rng = np.random.default_rng(0)
    x = np.r_[np.linspace(0, 0.3, 30), 1.0]
    y = np.sin(2 * np.pi * x) + 0.1 * rng.normal(size=x.size)
    X = _design(x, 7, "legendre")
    assert _mp_one_minus_leverage(X, 30, True) == pytest.approx(1.18e-13, rel=0.02)
    reference = _mp_refit_loo(X, y, OUTLIER_ALPHAS, True)
    assert reference[0] > 1e8  # the left-out outlier is extrapolated from [0, 0.3]
    ours = loo_errors(X, y, OUTLIER_ALPHAS)
    assert np.max(_rel(ours, reference)) < 1e-8


@pytest.mark.parametrize(
    ("kind", "degree", "fit_intercept", "x_out", "one_minus_h"),
    [
        # Same span with an intercept whatever the basis, so the same x_out gives the same
        # leverage in the three bases; their conditioning differs.
        *[
            (kind, 7, True, x_out, one_minus_h)
            for kind in ("legendre", "monomial", "raw")
            for x_out, one_minus_h in ((0.346, 1e-3), (0.5391, 1e-8), (1.0108, 1e-13))
        ],
        ("legendre", 6, False, 0.4813, 1e-3),
        ("legendre", 6, False, 1.1718, 1e-8),
        ("legendre", 6, False, 3.3727, 1e-13),
    ],
)
def test_leverage_near_one_against_an_80_digit_refit(
    kind, degree, fit_intercept, x_out, one_minus_h
):
    """One outlying x moved until its ``1 - h_ii`` is 1e-3, 1e-8 or 1e-13 (checked in 60
    digits); the leave-one-out error against refits in 80 digits, alpha = 0 exactly.

    Measured worst relative errors over OUTLIER_ALPHAS (1e-3 / 1e-8 / 1e-13): legendre 7:
    1e-15 / 1.7e-12 / 1.1e-10; monomial 7: 1.5e-14 / 3.1e-13 / 1.5e-10; raw 7: 4e-12 /
    6.9e-13 / 5.7e-13; legendre 6 without intercept: 1.6e-15 / 1.2e-12 / 8.1e-10. For scale:
    perturbing every entry of X and y by one rounding (relative eps) moves the 80-digit answer
    by about 1e-9 at 1 - h = 1e-8 and 1e-13 (legendre 7): the bound 1e-8 is ten times that.
    """
    x = np.r_[np.linspace(0, 0.3, 30), x_out]
    y = np.sin(2 * np.pi * x) + 0.1 * np.random.default_rng(7).normal(size=x.size)
    X = _design(x, degree, kind)
    assert _mp_one_minus_leverage(X, 30, fit_intercept) == pytest.approx(one_minus_h, rel=0.01)
    reference = _mp_refit_loo(X, y, OUTLIER_ALPHAS, fit_intercept)
    ours = loo_errors(X, y, OUTLIER_ALPHAS, fit_intercept)
    assert np.max(_rel(ours, reference)) < 1e-8


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("seed", [3, 4, 5])
def test_ill_conditioned_near_the_rank_cutoff(seed, fit_intercept):
    """Raw powers of degree 18 on 20 uniform points: kappa 1e13 to 2e14, singular values just
    above the rank cutoff, end samples with 1 - h_ii down to 2e-15. Against 80-digit refits for
    alpha > 0 (at alpha = 0 the float64 design's answer hangs on the rank cutoff).

    Measured worst relative errors 2.5e-12 to 1.2e-11 for the three seeds; before the fix
    seed 3 was off by 1.3e-3 (intercept) and 8e-4 (none): the formula's ratio at a sample
    whose computed ``1 - h_ii`` (8e-15) is mostly rounding.
    """
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(0, 1, 20))
    y = np.sin(2 * np.pi * x) + 0.2 * rng.normal(size=20)
    X = _design(x, 18, "raw")
    alphas = np.array([1e-10, 1e-6, 1e-3, 1.0])
    reference = _mp_refit_loo(X, y, alphas, fit_intercept)
    assert np.max(_rel(loo_errors(X, y, alphas, fit_intercept), reference)) < 1e-10


# --------------------------------------------------------------------------------------------
# alpha = 0 and edge cases
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_alpha_zero_is_the_limit_and_the_minimum_norm_refit(fit_intercept):
    """Documented convention: finite, the alpha -> 0+ limit, equal to refitting with lstsq."""
    x, y = _sin_data(9, seed=2)
    X = _design(x, 12, "legendre")  # interpolates: every h_ii = 1 at alpha = 0
    at_zero, near_zero = loo_errors(X, y, [0.0, 1e-13], fit_intercept)
    assert np.isfinite(at_zero)
    np.testing.assert_allclose(at_zero, near_zero, rtol=1e-9)
    np.testing.assert_allclose(at_zero, _brute_loo(X, y, [0.0], fit_intercept)[0], rtol=1e-9)


def test_two_samples():
    X = np.array([[0.3, 1.0], [1.7, -2.0]])
    y = np.array([1.0, 4.0])
    alphas = np.array([0.0, 0.5, 1e6])
    # With an intercept one sample's centred features are zero: it predicts its own y.
    np.testing.assert_allclose(loo_errors(X, y, alphas), 9.0, rtol=1e-14)
    ours = loo_errors(X, y, alphas, fit_intercept=False)
    np.testing.assert_allclose(ours, _brute_loo(X, y, alphas, False), rtol=1e-12)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_constant_and_duplicate_columns(fit_intercept):
    x, y = _sin_data(12, seed=4)
    X = _design(x, 4, "monomial")
    X = np.hstack([X, np.ones((12, 1)), X[:, :1]])  # a constant column and a repeated one
    alphas = np.array([0.0, 1e-3, 1.0])
    ours = loo_errors(X, y, alphas, fit_intercept)
    np.testing.assert_allclose(ours, _brute_loo(X, y, alphas, fit_intercept), rtol=1e-9)
    reference = [
        -cross_val_score(
            Ridge(alpha=a, fit_intercept=fit_intercept, solver="svd"),
            X,
            y,
            cv=LeaveOneOut(),
            scoring="neg_mean_squared_error",
        ).mean()
        for a in alphas[1:]
    ]
    np.testing.assert_allclose(ours[1:], reference, rtol=1e-9)


def test_constant_design_predicts_the_mean_of_the_others():
    y = np.array([1.0, 2.0, 4.0, 8.0, 3.0])
    X = np.full((5, 3), 2.5)
    n = len(y)
    expected = np.mean((y - y.mean()) ** 2) * (n / (n - 1)) ** 2
    np.testing.assert_allclose(loo_errors(X, y, [0.0, 1.0, 1e9]), expected, rtol=1e-14)
    np.testing.assert_allclose(effective_dof(X, [0.0, 1.0]), 1.0)
    s2 = 5 * 3 * 2.5**2  # the one nonzero singular value, squared
    dof = effective_dof(X, [0.0, 1.0], fit_intercept=False)
    np.testing.assert_allclose(dof, [1.0, s2 / (s2 + 1.0)], rtol=1e-14)


def test_shapes_scale_and_exports():
    x, y = _sin_data(1000, seed=6)
    X = _design(x, 12, "legendre")
    alphas = np.r_[0.0, np.geomspace(1e-10, 1e4, 199)]
    errors = loo_errors(X, y, alphas)
    assert errors.shape == (200,)
    assert np.all(np.isfinite(errors))
    assert np.all(errors > 0)
    assert effective_dof(X, alphas).shape == (200,)
    assert loo_errors(X, y, 1.0).shape == (1,)
    assert loo_errors(X, y, []).shape == (0,)
    assert regviz.loo_errors is loo_errors
    assert regviz.effective_dof is effective_dof
    assert {"loo_errors", "effective_dof"} <= set(regviz.__all__)


@pytest.mark.parametrize(
    "alphas", [[-1.0], [np.nan], [np.inf], [[1.0, 2.0]], [0.1, -1e-300]], ids=str
)
def test_rejects_bad_alphas(alphas):
    X, y = np.eye(3), np.arange(3.0)
    with pytest.raises(ValueError, match="alphas"):
        loo_errors(X, y, alphas)
    with pytest.raises(ValueError, match="alphas"):
        effective_dof(X, alphas)


@pytest.mark.parametrize(
    ("X", "y", "match"),
    [
        (np.arange(3.0), np.arange(3.0), "2-D"),
        (np.ones((3, 2)), np.arange(4.0), "y must be"),
        (np.ones((3, 2)), np.ones((3, 1)), "y must be"),
        (np.ones((1, 2)), np.ones(1), "two|2 samples"),
        (np.array([[1.0], [np.nan]]), np.ones(2), "finite"),
        (np.ones((2, 1)), np.array([1.0, np.inf]), "finite"),
    ],
)
def test_rejects_bad_data(X, y, match):
    with pytest.raises(ValueError, match=match):
        loo_errors(X, y, [1.0])


# --------------------------------------------------------------------------------------------
# effective_dof
# --------------------------------------------------------------------------------------------


def _explicit_hat_trace(X, alpha, fit_intercept):
    n, p = X.shape
    Xc = X - X.mean(axis=0) if fit_intercept else X
    H = Xc @ np.linalg.solve(Xc.T @ Xc + alpha * np.eye(p), Xc.T)
    if fit_intercept:
        H += np.full((n, n), 1.0 / n)
    return np.trace(H)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_dof_is_the_trace_of_the_explicit_hat_matrix(fit_intercept):
    x, _ = _sin_data(25, seed=7)
    X = _design(x, 6, "legendre")
    alphas = np.array([1e-3, 0.1, 1.0, 10.0, 1e3])
    expected = [_explicit_hat_trace(X, a, fit_intercept) for a in alphas]
    np.testing.assert_allclose(effective_dof(X, alphas, fit_intercept), expected, rtol=1e-12)


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize(("n", "degree"), [(25, 6), (8, 12), (10, 9)])
def test_dof_at_zero_is_rank_and_traces_the_fitted_values(n, degree, fit_intercept):
    x, _ = _sin_data(n, seed=8)
    X = _design(x, degree, "monomial")
    centred = X - X.mean(axis=0) if fit_intercept else X
    rank = np.linalg.matrix_rank(centred)
    alphas = np.array([0.0, 1e-2, 1.0])
    dof = effective_dof(X, alphas, fit_intercept)
    assert dof[0] == pytest.approx(rank + fit_intercept, rel=1e-12)
    # trace H = sum_j (H e_j)_j, with H e_j the fitted values of ridge on y = e_j.
    traces = np.zeros(len(alphas))
    for j in range(n):
        coefs, intercepts = ridge_path(X, np.eye(n)[j], alphas, fit_intercept)
        traces += coefs @ X[j] + intercepts
    np.testing.assert_allclose(dof, traces, rtol=1e-9)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_dof_decreases_to_the_intercept(fit_intercept):
    x, _ = _sin_data(30, seed=9)
    X = _design(x, 9, "raw")
    alphas = np.r_[0.0, np.geomspace(1e-14, 1e12, 300)]
    dof = effective_dof(X, alphas, fit_intercept)
    assert np.all(np.diff(dof) < 0)
    assert dof[0] == pytest.approx(9 + fit_intercept)
    assert dof[-1] == pytest.approx(float(fit_intercept), abs=1e-10)
    assert effective_dof(X, [1e300], fit_intercept)[0] == pytest.approx(
        float(fit_intercept), abs=1e-290
    )
