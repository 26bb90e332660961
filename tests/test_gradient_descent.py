"""Gradient descent against the exact trajectory on a quadratic, hand-derived first steps of each
optimizer (from the update rules documented for torch.optim.SGD, Adam and AdamW), and the
closed form."""

import tracemalloc
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from regviz import (
    DivergenceWarning,
    GradientDescentRegressor,
    PolynomialBasis,
    RidgeRegression,
)
from regviz.solvers import OPTIMIZERS, gradient_descent, gradient_descent_path, stability_limit


def _sine(n=40, degree=9, kind="legendre", seed=0):
    rng = np.random.default_rng(seed)
    x = np.linspace(0, 1, n)
    y = np.sin(2 * np.pi * x) + 0.3 * rng.normal(size=n)
    return PolynomialBasis(degree=degree, kind=kind).fit_transform(x[:, None]), y


def _fit(X, y, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return GradientDescentRegressor(**params).fit(X, y)


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("step", [0.5, 1.0, 1.9])
def test_plain_gd_follows_the_exact_trajectory(fit_intercept, step):
    """theta_t = theta* + (I - eta H)^t (theta_0 - theta*), H = 2 (Z^T Z + alpha D)."""
    X, y = _sine(n=15, degree=4, kind="monomial")
    alpha = 0.1
    Z = np.c_[X, np.ones(len(y))] if fit_intercept else X
    D = np.diag(np.r_[np.ones(X.shape[1]), np.zeros(Z.shape[1] - X.shape[1])])
    H = 2 * (Z.T @ Z + alpha * D)
    theta_star = np.linalg.solve(H, 2 * Z.T @ y)
    eta = step / np.linalg.eigvalsh(H)[-1]
    fit = _fit(
        X, y, alpha=alpha, fit_intercept=fit_intercept, learning_rate=eta, max_iter=60, tol=0
    )
    assert fit.n_iter_ == 60
    np.testing.assert_array_equal(fit.trace_.step, np.arange(61))  # every step is recorded
    A = np.eye(len(theta_star)) - eta * H
    theta = np.zeros_like(theta_star)
    for t in range(61):
        exact = theta_star + np.linalg.matrix_power(A, t) @ (theta - theta_star)
        got = (
            np.r_[fit.trace_.coef[t], fit.trace_.intercept[t]]
            if fit_intercept
            else fit.trace_.coef[t]
        )
        np.testing.assert_allclose(got, exact, rtol=1e-9, atol=1e-9)
        residual = Z @ exact - y
        J = residual @ residual + alpha * exact[: X.shape[1]] @ exact[: X.shape[1]]
        np.testing.assert_allclose(fit.loss_curve_[t], J, rtol=1e-10)


def test_loss_curve_has_every_step_and_starts_at_sum_of_squares():
    X, y = _sine()
    fit = _fit(X, y, alpha=1e-3, max_iter=300, tol=0)
    assert fit.loss_curve_.shape == (301,)
    assert fit.loss_curve_[0] == pytest.approx(y @ y, rel=1e-14)
    assert np.all(np.diff(fit.loss_curve_) <= 1e-12)  # gd with lr 1/L never increases J


@pytest.mark.parametrize("optimizer", ["gd", "momentum", "nesterov"])
@pytest.mark.parametrize("alpha", [1e-6, 1e-2, 10.0])
def test_converges_to_the_closed_form_on_legendre(optimizer, alpha):
    X, y = _sine(degree=12)
    closed = RidgeRegression(alpha=alpha).fit(X, y)
    fit = _fit(X, y, alpha=alpha, optimizer=optimizer, max_iter=20000, tol=1e-15)
    assert fit.converged_
    np.testing.assert_allclose(fit.coef_, closed.coef_, atol=1e-7)
    assert fit.intercept_ == pytest.approx(closed.intercept_, abs=1e-7)
    assert fit.trace_.distance[-1] < 1e-7


def test_l2_and_decoupled_are_the_same_trajectory_for_gd():
    X, y = _sine(degree=9, kind="monomial")
    a = _fit(X, y, alpha=0.3, penalty="l2", max_iter=500, tol=0)
    b = _fit(X, y, alpha=0.3, penalty="decoupled", max_iter=500, tol=0)
    np.testing.assert_allclose(a.trace_.coef, b.trace_.coef, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(a.loss_curve_, b.loss_curve_, rtol=1e-12)


def test_decoupled_momentum_is_ridge_with_alpha_times_one_minus_momentum():
    """Fixed point of buf = mu buf + g, theta = (1 - 2 eta alpha) theta - eta buf:
    g = -2 alpha (1 - mu) w, the ridge condition for alpha (1 - mu)."""
    X, y = _sine()
    fit = _fit(
        X,
        y,
        alpha=1.0,
        optimizer="momentum",
        penalty="decoupled",
        momentum=0.9,
        max_iter=20000,
        tol=1e-15,
    )
    np.testing.assert_allclose(fit.coef_, RidgeRegression(alpha=0.1).fit(X, y).coef_, atol=1e-7)


def test_adam_with_l2_converges_to_ridge_and_adamw_does_not():
    X, y = _sine(degree=5)
    ridge = RidgeRegression(alpha=1.0).fit(X, y)
    adam = _fit(
        X, y, alpha=1.0, optimizer="adam", penalty="l2", learning_rate=0.01, max_iter=20000, tol=0
    )
    adamw = _fit(
        X,
        y,
        alpha=1.0,
        optimizer="adam",
        penalty="decoupled",
        learning_rate=0.01,
        max_iter=20000,
        tol=0,
    )
    assert np.linalg.norm(adam.coef_ - ridge.coef_) < 1e-4
    assert np.linalg.norm(adamw.coef_ - ridge.coef_) > 1e-2
    # AdamW's fixed point: 2 alpha w_i = -g_i / (|g_i| + eps): every weight near +-1/(2 alpha)
    # unless its data gradient vanishes. Its penalty does not act like ridge's.
    assert adamw.loss_curve_[-1] > ridge_objective(X, y, ridge.coef_, ridge.intercept_, 1.0)


def ridge_objective(X, y, w, b, alpha):
    r = X @ w + b - y
    return r @ r + alpha * w @ w


# First steps by hand. One weight, no intercept, x = 1, y = 1, alpha = 0.5:
# J(w) = (1 - w)^2 + 0.5 w^2, data gradient 2 (w - 1), penalty gradient 2 * 0.5 * w = w.
ONE = (np.array([[1.0]]), np.array([1.0]))


def _steps(n, **params):
    fit = _fit(*ONE, alpha=0.5, fit_intercept=False, max_iter=n, tol=0, **params)
    return fit.trace_.coef[:, 0]


def test_first_steps_gd():
    # w1 = 0 - 0.1 * (-2) = 0.2; g(0.2) = -1.6 + 0.2 = -1.4; w2 = 0.2 + 0.14 = 0.34
    np.testing.assert_allclose(_steps(2, learning_rate=0.1), [0.0, 0.2, 0.34], rtol=1e-15)


def test_first_steps_heavy_ball():
    # buf1 = g0 = -2, w1 = 0.2; g1 = -1.4, buf2 = 0.9 * -2 - 1.4 = -3.2, w2 = 0.2 + 0.32 = 0.52
    np.testing.assert_allclose(
        _steps(2, optimizer="momentum", learning_rate=0.1, momentum=0.9), [0, 0.2, 0.52], rtol=1e-15
    )


def test_first_steps_nesterov():
    # buf1 = -2, step g0 + 0.9 buf1 = -3.8, w1 = 0.38; g1 = 2 (0.38 - 1) + 0.38 = -0.86,
    # buf2 = -1.8 - 0.86 = -2.66, step -0.86 + 0.9 * -2.66 = -3.254, w2 = 0.7054
    np.testing.assert_allclose(
        _steps(2, optimizer="nesterov", learning_rate=0.1, momentum=0.9),
        [0, 0.38, 0.7054],
        rtol=1e-14,
    )


def test_first_steps_adam_and_adamw():
    lr, b1, b2, eps = 0.1, 0.9, 0.999, 1e-8
    # Step 1 (both): g0 = -2, m = -0.2, v = 0.004, m_hat = -2, v_hat = 4, w1 = 0.1 * 2 / (2 + eps)
    w1 = lr * 2 / (2 + eps)
    # Adam, step 2: g1 = 2 (w1 - 1) + w1
    g1 = 2 * (w1 - 1) + w1
    m2, v2 = b1 * -0.2 + (1 - b1) * g1, b2 * 0.004 + (1 - b2) * g1**2
    adam_w2 = w1 - lr * (m2 / (1 - b1**2)) / (np.sqrt(v2 / (1 - b2**2)) + eps)
    np.testing.assert_allclose(
        _steps(2, optimizer="adam", learning_rate=lr), [0, w1, adam_w2], rtol=1e-14
    )
    # AdamW (weight_decay = 2 alpha = 1), step 2: gradient at w1 without penalty, then
    # w <- w1 (1 - lr * 1), then the Adam step.
    g1 = 2 * (w1 - 1)
    m2, v2 = b1 * -0.2 + (1 - b1) * g1, b2 * 0.004 + (1 - b2) * g1**2
    adamw_w2 = w1 * (1 - lr) - lr * (m2 / (1 - b1**2)) / (np.sqrt(v2 / (1 - b2**2)) + eps)
    np.testing.assert_allclose(
        _steps(2, optimizer="adam", penalty="decoupled", learning_rate=lr),
        [0, w1, adamw_w2],
        rtol=1e-14,
    )


def test_intercept_is_never_decayed():
    # x = 0 for both samples: w gets no data gradient, only decay; b gets no decay.
    X, y = np.zeros((2, 1)), np.array([1.0, 1.0])
    for optimizer in ["gd", "momentum", "adam"]:
        fit = _fit(
            X,
            y,
            alpha=1.0,
            optimizer=optimizer,
            penalty="decoupled",
            learning_rate=0.1,
            max_iter=3,
            tol=0,
        )
        assert fit.coef_[0] == 0.0
        assert fit.intercept_ > 0


def test_auto_learning_rate_is_one_over_L():
    X, y = _sine()
    fit = _fit(X, y, alpha=0.7, max_iter=1)
    Z = np.c_[X, np.ones(len(y))]
    H = 2 * (Z.T @ Z + 0.7 * np.diag(np.r_[np.ones(X.shape[1]), 0.0]))
    L = np.linalg.eigvalsh(H)[-1]
    assert fit.lipschitz_ == pytest.approx(L, rel=1e-12)
    assert fit.learning_rate_ == pytest.approx(1 / L, rel=1e-12)
    assert fit.condition_number_ == pytest.approx(np.linalg.cond(H), rel=1e-6)
    assert _fit(X, y, optimizer="adam", max_iter=1).learning_rate_ == 1e-3


@pytest.mark.parametrize("optimizer", ["gd", "momentum", "nesterov"])
def test_stability_limits(optimizer):
    """The spectral radius of one step on J = h w^2 / 2 crosses 1 exactly at the limit."""
    mu = 0.9

    def radius(eta_h):
        # State (w, buf); g = h w with h = 1.
        if optimizer == "gd":
            M = np.array([[1 - eta_h]])
        elif optimizer == "momentum":
            M = np.array([[1 - eta_h, -eta_h * mu], [1.0, mu]])
        else:
            M = np.array([[1 - eta_h * (1 + mu), -eta_h * mu * mu], [1.0, mu]])
        return np.max(np.abs(np.linalg.eigvals(M)))

    limit = stability_limit(optimizer, mu)
    assert radius(limit * (1 - 1e-6)) < 1 < radius(limit * (1 + 1e-6))


@pytest.mark.parametrize("optimizer", ["gd", "momentum", "nesterov"])
def test_divergence_is_flagged_warned_and_finite(optimizer):
    X, y = _sine()
    probe = _fit(X, y, alpha=1e-3, max_iter=1)
    lr = 1.5 * stability_limit(optimizer) / probe.lipschitz_
    with pytest.warns(DivergenceWarning, match="stability limit"):
        fit = GradientDescentRegressor(
            alpha=1e-3, optimizer=optimizer, learning_rate=lr, max_iter=100_000
        ).fit(X, y)
    assert fit.diverged_
    assert not fit.converged_
    assert fit.n_iter_ < 1000
    assert np.all(np.isfinite(fit.coef_))
    assert np.isfinite(fit.intercept_)
    assert np.all(np.isfinite(fit.loss_curve_))
    assert np.all(np.isfinite(fit.predict(X)))
    assert fit.loss_curve_.shape == (fit.n_iter_ + 1,)
    assert fit.trace_.step[-1] == fit.n_iter_


def test_enormous_step_overflows_without_nan():
    X, y = _sine()
    with pytest.warns(DivergenceWarning):
        fit = GradientDescentRegressor(learning_rate=1e200, max_iter=50).fit(X, y)
    assert fit.diverged_
    assert np.all(np.isfinite(fit.coef_))
    assert np.all(np.isfinite(fit.loss_curve_))


def test_tol_zero_runs_exactly_max_iter_and_tol_stops_early():
    X, y = _sine()
    assert _fit(X, y, alpha=1.0, max_iter=777, tol=0).n_iter_ == 777
    early = _fit(X, y, alpha=1.0, max_iter=100_000, tol=1e-8)
    assert early.converged_
    assert early.n_iter_ < 1000
    # The stop rule: the last n_iter_no_change relative changes are all below tol.
    J = early.loss_curve_
    changes = np.abs(np.diff(J)) / J[:-1]
    assert np.all(changes[-5:] <= 1e-8)
    assert not np.all(changes[-6:-1] <= 1e-8)


def test_not_converged_warns_and_says_so():
    X, y = _sine(degree=9, kind="raw")
    with pytest.warns(ConvergenceWarning, match="max_iter"):
        fit = GradientDescentRegressor(alpha=1e-6, max_iter=100).fit(X, y)
    assert not fit.converged_
    assert not fit.diverged_
    assert fit.trace_.distance[-1] > 1e-3


def test_trace_memory_is_bounded():
    X, y = _sine()
    fit = _fit(X, y, alpha=1e-3, max_iter=100_000, tol=0)
    assert len(fit.trace_.step) <= 202
    assert fit.trace_.step[0] == 0
    assert fit.trace_.step[-1] == 100_000
    assert np.all(np.diff(fit.trace_.step) > 0)


def test_zero_target_stays_at_zero():
    X, _ = _sine()
    fit = _fit(X, np.zeros(len(X)), alpha=1.0, max_iter=50, tol=0)
    assert not fit.diverged_
    np.testing.assert_array_equal(fit.coef_, 0.0)


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
@pytest.mark.parametrize("penalty", ["l2", "decoupled"])
def test_keep_loss_curve_false_changes_nothing_else(optimizer, penalty):
    """With the curve: J at every step, matching the trace where it records. Without: an empty
    curve and the very same run."""
    X, y = _sine(n=20, degree=5)
    runs = {
        keep: gradient_descent(
            X,
            y,
            alpha=1e-2,
            optimizer=optimizer,
            penalty=penalty,
            max_iter=700,
            keep_loss_curve=keep,
        )
        for keep in (True, False)
    }
    kept, dropped = runs[True], runs[False]
    assert kept.loss_curve.shape == (kept.n_iter + 1,)
    np.testing.assert_allclose(kept.loss_curve[kept.trace.step], kept.trace.objective, rtol=1e-14)
    assert dropped.loss_curve.shape == (0,)
    assert dropped.loss_curve.dtype == np.float64
    for name in ("n_iter", "converged", "diverged", "learning_rate", "intercept"):
        assert getattr(dropped, name) == getattr(kept, name), name
    np.testing.assert_array_equal(dropped.coef, kept.coef)
    for name in ("step", "coef", "intercept", "objective", "suboptimality", "distance"):
        np.testing.assert_array_equal(getattr(dropped.trace, name), getattr(kept.trace, name))


def test_the_estimator_keeps_its_loss_curve():
    X, y = _sine()
    fit = _fit(X, y, alpha=1e-3, optimizer="adam", max_iter=50, tol=0)
    assert fit.loss_curve_.shape == (51,)


def test_without_the_loss_curve_memory_does_not_grow_with_the_steps():
    """Peak memory of 20,000 and 100,000 steps: the curve costs 8 bytes a step (640 kB more);
    without it the peak is one chunk's work (4,096 steps) and the trace's ~200 rows, however
    long the run."""
    X, y = _sine(n=20, degree=2)

    def peak(max_iter, keep):
        tracemalloc.start()
        try:
            gradient_descent(X, y, alpha=1e-3, max_iter=max_iter, tol=0, keep_loss_curve=keep)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    assert peak(100_000, True) - peak(20_000, True) > 500_000
    assert abs(peak(100_000, False) - peak(20_000, False)) < 50_000


# --------------------------------------------------------------------------------------------
# Divergence just past the stability limit (audit D4): growth, not only overflow
# --------------------------------------------------------------------------------------------


def _page_design():
    """The page's default problem: synthetic(seed=19), monomial degree 9, λ = 1e-3."""
    from regviz.data import synthetic

    data = synthetic(seed=19)
    X = PolynomialBasis(degree=9, kind="monomial").fit_transform(data.x_train[:, None])
    return X, data.y_train


def _lipschitz(X, y, alpha, fit_intercept=True):
    Z = np.c_[X, np.ones(len(y))] if fit_intercept else X
    D = np.diag(np.r_[np.ones(X.shape[1]), np.zeros(Z.shape[1] - X.shape[1])])
    return np.linalg.eigvalsh(2 * (Z.T @ Z + alpha * D))[-1]


@pytest.mark.parametrize("factor", [1.001, 1.004, 1.01])
@pytest.mark.parametrize("optimizer", ["gd", "momentum", "nesterov"])
def test_just_past_the_limit_is_flagged_with_the_advice(optimizer, factor):
    """Up to 5000 steps at 1.001, 1.004 and 1.01 times the limit on the page's problem: every
    run is flagged, with the advice to lower the rate below limit / L. Most pass 1e8 times
    their start and stop early (gd 1541 and 620 steps at 1.004 and 1.01; heavy ball 329, 121,
    69; Nesterov 4151, 1043, 421); gd at 1.001 is flagged by its growth (1e6-fold at 5000
    steps, still 0.12 of its start at 1000)."""
    X, y = _page_design()
    L = _lipschitz(X, y, 1e-3)
    limit = stability_limit(optimizer)
    with pytest.warns(DivergenceWarning) as record:
        fit = GradientDescentRegressor(
            alpha=1e-3, optimizer=optimizer, learning_rate=factor * limit / L, max_iter=5000
        ).fit(X, y)
    assert fit.diverged_
    assert not fit.converged_
    assert np.all(np.isfinite(fit.coef_))
    message = str(record[0].message)
    growth = fit.trace_.suboptimality[-1] / fit.trace_.suboptimality[0]
    assert growth > 1
    assert f"grew {growth:.3g}-fold in {fit.n_iter_} steps" in message
    assert f"past the stability limit {limit:.3g}/L" in message
    assert f"Lower the learning rate below {limit / L:.3g}." in message
    assert "raise" not in message.lower()


@pytest.mark.parametrize(
    ("optimizer", "factor", "max_iter", "growth"),
    [
        ("gd", 1.001, 5000, 1.02e6),
        ("gd", 1.004, 1000, 1.79e4),
        ("gd", 1.01, 400, 1.63e4),
        ("momentum", 1.001, 200, 4.63e4),
        ("momentum", 1.004, 80, 9.04e4),
        ("momentum", 1.01, 40, 1.31e4),
        ("nesterov", 1.001, 1000, 1.38),
        ("nesterov", 1.004, 500, 405),
        ("nesterov", 1.01, 200, 359),
    ],
)
def test_slow_growth_is_divergence_and_keeps_the_last_iterate(optimizer, factor, max_iter, growth):
    """Runs that end above their start, short of the 1e8 early stop (growth measured, in the
    parameters): flagged at the end, every step taken, the last iterate kept. Before the fix
    all nine ended diverged False, not converged, with the advice to raise the rate."""
    X, y = _page_design()
    L = _lipschitz(X, y, 1e-3)
    rate = factor * stability_limit(optimizer) / L
    run = gradient_descent(X, y, 1e-3, optimizer=optimizer, learning_rate=rate, max_iter=max_iter)
    assert run.diverged
    assert not run.converged
    assert run.n_iter == max_iter
    assert run.trace.step[-1] == max_iter
    ended = run.trace.suboptimality[-1] / run.trace.suboptimality[0]
    assert ended == pytest.approx(growth, rel=0.05)
    path = gradient_descent_path(
        X, y, [1e-3], optimizer=optimizer, learning_rate=rate, max_iter=max_iter
    )
    assert path.diverged[0]
    assert path.n_iter[0] == max_iter
    np.testing.assert_allclose(path.coef[0], run.coef, rtol=1e-12)


def test_the_audit_case_2_004_over_L_for_1000_steps():
    """gd at 2.004/L for 1000 steps on the page's problem: J - J* ends 6.3 times its start
    (the 1e8 rule did not fire, and diverged_ stayed False)."""
    X, y = _page_design()
    L = _lipschitz(X, y, 1e-3)
    with pytest.warns(
        DivergenceWarning, match=r"grew 6.31-fold in 1000 steps, because the step size 2.004/L"
    ):
        fit = GradientDescentRegressor(alpha=1e-3, learning_rate=2.004 / L, max_iter=1000).fit(X, y)
    assert fit.diverged_
    assert fit.n_iter_ == 1000  # a slow divergence keeps its last iterate: no early stop


def _designs():
    X, y = _page_design()
    yield "page monomial 9", X, y
    yield "legendre 9, 40 points", *_sine()
    yield "raw 3", PolynomialBasis(degree=3, kind="raw").fit_transform(X[:, :1]), y


@pytest.mark.parametrize("penalty", ["l2", "decoupled"])
@pytest.mark.parametrize("optimizer", ["gd", "momentum", "nesterov"])
def test_no_false_alarm_below_the_limit(optimizer, penalty):
    """0.99 times the limit and 1/L, 5000 steps, three designs, alpha 0, 1e-3 and 1, with and
    without intercept: never flagged (for penalty "l2", and "decoupled" where it is the same
    iteration: gd, or alpha = 0; decoupled momentum has its own limit, below)."""
    limit = stability_limit(optimizer)
    for _, X, y in _designs():
        for alpha in (0.0, 1e-3, 1.0):
            if penalty == "decoupled" and optimizer != "gd" and alpha > 0:
                continue
            for fit_intercept in (True, False):
                L = _lipschitz(X, y, alpha, fit_intercept)
                for rate in (0.99 * limit / L, 1.0 / L):
                    run = gradient_descent(
                        X, y, alpha, fit_intercept, optimizer, penalty, rate, 5000, tol=0
                    )
                    assert not run.diverged, (alpha, fit_intercept, rate * L)
                    assert run.trace.suboptimality[-1] < run.trace.suboptimality[0]


@pytest.mark.parametrize("optimizer", ["momentum", "nesterov"])
def test_decoupled_momentum_ending_above_its_start_is_not_divergence(optimizer):
    """Decoupled momentum converges to the ridge solution at alpha (1 - mu), not theta*: at
    alpha = 100 J - J* ends 8 times above its start, a stable run (spectral radius < 1)."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 3))
    y = X @ np.array([1.0, 2.0, 3.0]) + 0.1 * rng.normal(size=20)
    run = gradient_descent(
        X, y, 100.0, optimizer=optimizer, penalty="decoupled", max_iter=3000, tol=0
    )
    assert run.trace.suboptimality[-1] > 5 * run.trace.suboptimality[0]
    assert not run.diverged


def test_convergence_warning_advice_depends_on_the_limit():
    """Stopped by max_iter: below the limit, raise max_iter or the rate (up to limit/L); past
    it but not yet grown, lower the rate (raising it, the old advice, makes it worse)."""
    X, y = _page_design()
    L = _lipschitz(X, y, 1e-3)
    with pytest.warns(ConvergenceWarning) as record:
        GradientDescentRegressor(alpha=1e-3, max_iter=200).fit(X, y)
    (message,) = [str(w.message) for w in record]
    assert f"raise max_iter, or the learning rate (stable below {2 / L:.3g}" in message
    with pytest.warns(ConvergenceWarning) as record:
        fit = GradientDescentRegressor(alpha=1e-3, learning_rate=2.002 / L, max_iter=200).fit(X, y)
    assert not fit.diverged_  # J - J* is still below its start after 200 steps
    (message,) = [str(w.message) for w in record if not isinstance(w.message, DivergenceWarning)]
    assert "past the stability limit 2/L" in message
    assert f"Lower the learning rate below {2 / L:.3g}." in message
    assert "raise" not in message
    with pytest.warns(ConvergenceWarning, match="raise max_iter or learning_rate"):
        GradientDescentRegressor(alpha=1e-3, optimizer="adam", max_iter=10).fit(X, y)
