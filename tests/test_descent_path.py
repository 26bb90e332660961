"""Gradient descent along a grid of alphas at once (``gradient_descent_path``) and the batched
quadratics it runs on (``quadratic_objectives``).

References written independently of the batched code: one-alpha fits of the estimator, the
closed-form trajectory of plain gradient descent from numpy's eigendecomposition, the affine
step matrix of the linear family (``linear_update_matrix``), ``numpy.linalg.lstsq`` on the
stacked least-squares problem and ``numpy.linalg.eigvalsh`` of the Hessian.
"""

import itertools
import tracemalloc
import warnings
from dataclasses import replace

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from regviz import GradientDescentRegressor, PolynomialBasis
from regviz.solvers import (
    OPTIMIZERS,
    DivergenceWarning,
    Optimizer,
    QuadraticPath,
    gradient_descent,
    gradient_descent_path,
    linear_update_matrix,
    quadratic_objective,
    quadratic_objectives,
    stability_limit,
)

#: alpha = 0, small, middling and large: the large ones converge in a few steps, the small ones
#: run to max_iter on these ill-conditioned monomial designs.
ALPHAS = np.array([0.0, 1e-8, 1e-3, 1.0, 1e2, 1e4])
#: (n, degree): as many coefficients as points (interpolation at alpha = 0), and p > n.
DESIGNS = [(10, 9), (8, 12)]


def _poly(n, degree, seed=0):
    rng = np.random.default_rng(seed)
    x = np.linspace(0, 1, n)
    y = np.sin(2 * np.pi * x) + 0.3 * rng.normal(size=n)
    return PolynomialBasis(degree=degree, kind="monomial").fit_transform(x[:, None]), y


def _design(X, fit_intercept):
    """``Z`` and the penalty's diagonal ``D`` for ``theta = [w, b]``."""
    Z = np.c_[X, np.ones(len(X))] if fit_intercept else X
    D = np.diag(np.r_[np.ones(X.shape[1]), np.zeros(Z.shape[1] - X.shape[1])])
    return Z, D


def _theta(coef, intercept, fit_intercept):
    """``theta = [w, b]`` on the last axis (``w`` alone without an intercept)."""
    coef = np.asarray(coef)
    if not fit_intercept:
        return coef
    return np.concatenate([coef, np.asarray(intercept)[..., None]], axis=-1)


def _relative(got, expected):
    """``||got - expected|| / max(1, ||expected||)`` over the last axis, the worst."""
    error = np.linalg.norm(np.asarray(got) - expected, axis=-1)
    return np.max(error / np.maximum(1.0, np.linalg.norm(expected, axis=-1)))


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return fn(*args, **kwargs)


# --------------------------------------------------------------------------------------------
# Each column is the one-alpha run
# --------------------------------------------------------------------------------------------


def _rates(optimizer, X, y, fit_intercept, multiples):
    """Absolute learning rates per alpha: multiples of 1/L, or Adam's absolute rates."""
    if OPTIMIZERS[optimizer].adaptive:
        return np.resize([1e-2, 3e-3], len(ALPHAS))
    lipschitz = quadratic_objectives(X, y, ALPHAS, fit_intercept).lipschitz
    return np.resize(multiples, len(ALPHAS)) / lipschitz


def _check_columns_are_single_fits(X, y, fit_intercept, optimizer, penalty, rates, **run):
    path = _quiet(
        gradient_descent_path,
        X,
        y,
        ALPHAS,
        fit_intercept=fit_intercept,
        optimizer=optimizer,
        penalty=penalty,
        learning_rate=rates,
        **run,
    )
    np.testing.assert_array_equal(path.learning_rate, rates)
    for k, alpha in enumerate(ALPHAS):
        fit = _quiet(
            GradientDescentRegressor(
                alpha=alpha,
                fit_intercept=fit_intercept,
                optimizer=optimizer,
                penalty=penalty,
                learning_rate=float(rates[k]),
                **run,
            ).fit,
            X,
            y,
        )
        flags = (fit.n_iter_, fit.converged_, fit.diverged_)
        assert (path.n_iter[k], path.converged[k], path.diverged[k]) == flags, alpha
        single = _theta(fit.coef_, fit.intercept_, fit_intercept)
        batched = _theta(path.coef[k], path.intercept[k], fit_intercept)
        assert _relative(batched, single) <= 1e-12, alpha
        assert path.lipschitz[k] == pytest.approx(fit.lipschitz_, rel=1e-12)
        assert path.condition_number[k] == pytest.approx(fit.condition_number_, rel=1e-12)
    return path


@pytest.mark.parametrize(("n", "degree"), DESIGNS)
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("penalty", ["l2", "decoupled"])
@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_each_column_is_the_single_alpha_fit(optimizer, penalty, fit_intercept, n, degree):
    """Some columns converge within a few hundred steps, the others run to max_iter."""
    X, y = _poly(n, degree)
    rates = _rates(optimizer, X, y, fit_intercept, [1.0, 0.5, 1.0])
    path = _check_columns_are_single_fits(
        X, y, fit_intercept, optimizer, penalty, rates, max_iter=2000, tol=1e-12
    )
    if not OPTIMIZERS[optimizer].adaptive:
        assert path.converged.any()
        assert (path.n_iter == 2000).any()
        assert path.n_iter.min() < 1000


@pytest.mark.parametrize(("n", "degree"), DESIGNS)
@pytest.mark.parametrize("penalty", ["l2", "decoupled"])
@pytest.mark.parametrize("optimizer", ["gd", "momentum", "nesterov"])
def test_columns_past_the_stability_limit_diverge_alone(optimizer, penalty, n, degree):
    X, y = _poly(n, degree)
    limit = stability_limit(optimizer)
    rates = _rates(optimizer, X, y, True, [1.5 * limit, 1.0])  # every other column unstable
    path = _check_columns_are_single_fits(
        X, y, True, optimizer, penalty, rates, max_iter=3000, tol=1e-10
    )
    np.testing.assert_array_equal(path.diverged, np.resize([True, False], len(ALPHAS)))
    assert np.all(path.n_iter[path.diverged] < 1000)
    assert np.all(np.isfinite(path.coef))
    assert np.all(np.isfinite(path.checkpoint_coef))
    assert np.all(np.isfinite(path.suboptimality))


def test_a_diverging_single_fit_still_warns():
    X, y = _poly(10, 9)
    L = quadratic_objective(X, y, 1e-3).lipschitz
    with pytest.warns(DivergenceWarning, match="stability limit"):
        fit = GradientDescentRegressor(alpha=1e-3, learning_rate=3.0 / L, max_iter=5000).fit(X, y)
    assert fit.diverged_


# --------------------------------------------------------------------------------------------
# The checkpoints
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_checkpoints_are_the_iterates_of_shorter_runs(optimizer):
    """The iterate kept at step t is the final iterate of a run of exactly t steps."""
    X, y = _poly(10, 9)
    alphas = np.array([0.0, 1e-3, 10.0])
    path = gradient_descent_path(
        X, y, alphas, optimizer=optimizer, max_iter=300, tol=0, checkpoints=21
    )
    assert path.checkpoint_coef.shape == (3, path.steps.size, 9)
    for k, alpha in enumerate(alphas):
        for c, step in enumerate(path.steps):
            short = gradient_descent(
                X,
                y,
                alpha,
                optimizer=optimizer,
                learning_rate=float(path.learning_rate[k]),
                max_iter=int(step),
                tol=0,
                keep_loss_curve=False,
            )
            expected = np.r_[short.coef, short.intercept]
            got = np.r_[path.checkpoint_coef[k, c], path.checkpoint_intercept[k, c]]
            assert _relative(got, expected) <= 1e-12, (alpha, step)


def test_a_stopped_column_holds_its_final_iterate():
    X, y = _poly(10, 9)
    path = gradient_descent_path(X, y, ALPHAS, max_iter=5000, tol=1e-12)
    assert path.converged.any()
    assert (path.n_iter == 5000).any()
    for k in range(len(ALPHAS)):
        after = path.steps >= path.n_iter[k]
        assert after.any()  # max_iter is a checkpoint
        np.testing.assert_array_equal(
            path.checkpoint_coef[k, after], np.broadcast_to(path.coef[k], (after.sum(), 9))
        )
        np.testing.assert_array_equal(path.checkpoint_intercept[k, after], path.intercept[k])
        assert np.all(path.suboptimality[k, after] == path.suboptimality[k, -1])


@pytest.mark.parametrize(
    ("max_iter", "checkpoints", "expected"),
    [
        (0, 41, [0]),
        (1, 41, [0, 1]),
        (30, 41, np.arange(31)),
        (40, 41, np.arange(41)),
    ],
)
def test_checkpoint_steps_small_runs_keep_every_step(max_iter, checkpoints, expected):
    X, y = _poly(10, 9)
    path = gradient_descent_path(X, y, [1.0], max_iter=max_iter, checkpoints=checkpoints, tol=0)
    np.testing.assert_array_equal(path.steps, expected)
    assert path.steps.dtype.kind == "i"
    np.testing.assert_array_equal(path.checkpoint_coef[:, 0], 0.0)  # step 0 is theta = 0


@pytest.mark.parametrize("max_iter", [41, 1000, 100_000])
def test_checkpoint_steps_are_log_spaced(max_iter):
    X, y = _poly(10, 9)
    path = gradient_descent_path(X, y, [1e4], max_iter=max_iter, checkpoints=41)
    steps = path.steps
    assert steps[:2].tolist() == [0, 1]
    assert steps[-1] == max_iter
    assert np.all(np.diff(steps) > 0)
    assert 25 <= steps.size <= 41
    # Log-spaced: past the first steps (where rounding to whole steps dominates), no ratio of
    # neighbours exceeds the grid's own, max_iter^(1/39), by more than that rounding.
    later = steps[steps >= 10]
    assert np.max(later[1:] / later[:-1]) <= max_iter ** (1 / 39) * (1 + 1 / 10)


# --------------------------------------------------------------------------------------------
# Independent references for the trajectory
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("n", "degree"), DESIGNS)
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("step", [1.0, 1.9])
def test_plain_gd_at_the_checkpoints_is_the_closed_form_trajectory(step, fit_intercept, n, degree):
    r"""theta_t = theta* + (I - eta H)^t (0 - theta*), H = 2 (Z^T Z + alpha D), written with the
    eigendecomposition H = V diag(lam) V^T and b = 2 Z^T y (so that theta* = H^+ b) as

    theta_t = V diag((1 - (1 - eta lam)^t) / lam) V^T b,

    which needs no theta* (H may be singular: the factor is eta t at lam = 0)."""
    X, y = _poly(n, degree)
    Z, D = _design(X, fit_intercept)
    alphas = np.array([0.0, 1e-6, 1e-2, 1.0, 1e3])
    quads = quadratic_objectives(X, y, alphas, fit_intercept)
    rates = step / quads.lipschitz
    path = gradient_descent_path(
        X, y, alphas, fit_intercept, learning_rate=rates, max_iter=1000, tol=0, quads=quads
    )
    t = path.steps[:, None].astype(float)
    for k, alpha in enumerate(alphas):
        lam, V = np.linalg.eigh(2 * (Z.T @ Z + alpha * D))
        eta = rates[k]
        # 1 - (1 - eta lam)^t without cancellation where eta lam is small (the flat
        # directions): -expm1(t log1p(-eta lam)); directly where 1 - eta lam <= 0.
        base = 1.0 - eta * lam
        with np.errstate(divide="ignore", invalid="ignore"):
            done = np.where(base > 0, -np.expm1(t * np.log1p(-eta * lam)), 1.0 - base**t)
            factor = np.where(np.abs(eta * lam) < 1e-300, eta * t, done / lam)
        exact = (factor * (V.T @ (2 * Z.T @ y))) @ V.T
        got = _theta(path.checkpoint_coef[k], path.checkpoint_intercept[k], fit_intercept)
        assert _relative(got, exact) <= 1e-10, alpha


@pytest.mark.parametrize("penalty", ["l2", "decoupled"])
@pytest.mark.parametrize("optimizer", ["gd", "momentum", "nesterov"])
def test_the_linear_family_is_its_affine_step_matrix(optimizer, penalty):
    """The state [theta, buf, 1] times linear_update_matrix, step after step."""
    X, y = _poly(8, 12)
    alphas = np.array([0.0, 1e-4, 1.0, 1e3])
    quads = quadratic_objectives(X, y, alphas)
    rates = 0.7 / quads.lipschitz
    path = gradient_descent_path(
        X,
        y,
        alphas,
        optimizer=optimizer,
        penalty=penalty,
        learning_rate=rates,
        max_iter=400,
        tol=0,
        quads=quads,
    )
    q = quads.theta_star.shape[1]
    for k in range(len(alphas)):
        step = linear_update_matrix(quads[k], optimizer, penalty, rates[k], 0.9)
        state, kept = np.r_[np.zeros(2 * q), 1.0], [np.zeros(q)]
        for _ in range(path.steps[-1]):
            state = step @ state
            kept.append(state[:q])
        expected = np.array(kept)[path.steps]
        got = _theta(path.checkpoint_coef[k], path.checkpoint_intercept[k], True)
        assert _relative(got, expected) <= 1e-10, alphas[k]


def test_decoupled_and_l2_gd_agree_along_the_path():
    X, y = _poly(10, 9)
    runs = [
        gradient_descent_path(X, y, ALPHAS, penalty=penalty, max_iter=500, tol=0)
        for penalty in ("l2", "decoupled")
    ]
    assert _relative(runs[0].checkpoint_coef, runs[1].checkpoint_coef) <= 1e-12


# --------------------------------------------------------------------------------------------
# The registry: stopped columns leave the run, custom entries run along a path
# --------------------------------------------------------------------------------------------


def test_stopped_columns_leave_the_computation():
    """A vectorised step runner sees fewer columns once some have converged."""
    seen = []
    adam = OPTIMIZERS["adam"]

    def counting(path, *args):
        seen.append(len(path))
        return adam.step_runner(path, *args)

    counted = replace(adam, name="counted adam", step_runner=counting)
    X, y = _poly(10, 9)
    path = gradient_descent_path(
        X, y, ALPHAS, optimizer=counted, learning_rate=1e-2, max_iter=20_000, tol=1e-12
    )
    reference = gradient_descent_path(
        X, y, ALPHAS, optimizer="adam", learning_rate=1e-2, max_iter=20_000, tol=1e-12
    )
    np.testing.assert_array_equal(path.coef, reference.coef)
    assert path.converged.any()
    assert seen[0] == len(ALPHAS)
    assert all(later <= earlier for earlier, later in itertools.pairwise(seen))
    assert seen[-1] == np.count_nonzero(path.n_iter == path.n_iter.max())


def _plain_steps(quad, state, n_steps, first_step, penalty, lr, beta_1, beta_2, epsilon):
    """Plain gradient descent written for one Quadratic, one step at a time."""
    theta = np.zeros(quad.gram.shape[0]) if state is None else state.copy()
    thetas = np.empty((n_steps, theta.shape[0]))
    for i in range(n_steps):
        g = 2.0 * (quad.gram @ theta - quad.zty) + 2.0 * quad.alpha * quad.decay_mask * theta
        theta = theta - lr * g
        thetas[i] = theta
    return thetas, theta


def test_a_column_by_column_step_runner_runs_along_a_path():
    runner = Optimizer(
        name="plain",
        label="plain gradient descent, step by step",
        rule="θ ← θ − η g",
        adaptive=False,
        uses_momentum=False,
        limit=OPTIMIZERS["gd"].limit,
        step_runner=_plain_steps,
    )
    X, y = _poly(10, 9)
    ours = gradient_descent_path(X, y, ALPHAS, optimizer=runner, max_iter=700, tol=1e-12)
    theirs = gradient_descent_path(X, y, ALPHAS, optimizer="gd", max_iter=700, tol=1e-12)
    np.testing.assert_array_equal(ours.converged, theirs.converged)
    assert np.max(np.abs(ours.n_iter - theirs.n_iter)) <= 1  # the tests differ by rounding only
    assert _relative(ours.checkpoint_coef, theirs.checkpoint_coef) <= 1e-10


# --------------------------------------------------------------------------------------------
# The batched quadratics
# --------------------------------------------------------------------------------------------

QUAD_DESIGNS = [(40, 5), (10, 9), (8, 12)]  # n > q, n = q, n < q


@pytest.mark.parametrize(("n", "degree"), QUAD_DESIGNS)
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_quadratic_objectives_against_lstsq_on_the_stacked_problem(fit_intercept, n, degree):
    X, y = _poly(n, degree)
    Z, D = _design(X, fit_intercept)
    quads = quadratic_objectives(X, y, ALPHAS, fit_intercept)
    assert len(quads) == len(ALPHAS)
    for k, alpha in enumerate(ALPHAS):
        A = np.vstack([Z, np.sqrt(alpha) * D[: X.shape[1]]])
        target = np.r_[y, np.zeros(X.shape[1])]
        theta, _, rank, s = np.linalg.lstsq(A, target, rcond=None)
        residual = target - A @ theta
        optimum = residual @ residual
        kappa = s[0] / s[rank - 1]
        assert quads.rank[k] == rank
        assert quads.singular[k] == (rank < Z.shape[1])
        np.testing.assert_allclose(quads.s[k], s, rtol=1e-12, atol=1e-14 * s[0])
        # Both solutions are exact to about eps * kappa relative.
        assert _relative(quads.theta_star[k], theta) <= 1e-14 * max(kappa, 1e2)
        assert quads.optimum[k] == pytest.approx(optimum, rel=1e-8, abs=1e-24 * (y @ y))
        assert quads.optimum[k] >= 0
        assert quads.initial == pytest.approx(y @ y, rel=1e-15)


@pytest.mark.parametrize(("n", "degree"), QUAD_DESIGNS)
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_lipschitz_and_condition_number_against_eigvalsh(fit_intercept, n, degree):
    X, y = _poly(n, degree)
    Z, D = _design(X, fit_intercept)
    alphas = np.array([0.0, 1e-2, 1.0, 1e4])  # condition numbers eigvalsh resolves (< 1e10)
    quads = quadratic_objectives(X, y, alphas, fit_intercept)
    for k, alpha in enumerate(alphas):
        lam = np.linalg.eigvalsh(2 * (Z.T @ Z + alpha * D))[::-1]
        assert quads.lipschitz[k] == pytest.approx(lam[0], rel=1e-12)
        on_range = lam[: quads.rank[k]]  # the Hessian's range: its non-zero eigenvalues
        assert np.all(lam[quads.rank[k] :] <= 1e-10 * lam[0])
        if on_range[-1] > 1e-6 * lam[0]:
            assert quads.condition_number[k] == pytest.approx(lam[0] / on_range[-1], rel=1e-6)
        quad = quads[k]
        assert quad.lipschitz == quads.lipschitz[k]
        assert quad.condition_number == quads.condition_number[k]
        assert quad.singular == quads.singular[k]


@pytest.mark.parametrize(("n", "degree"), QUAD_DESIGNS)
def test_the_single_quadratic_is_column_zero_of_the_batch(n, degree):
    """quadratic_objective is quadratic_objectives(..., [alpha])[0], number for number, and a
    column of a longer batch gives the same numbers."""
    X, y = _poly(n, degree)
    batch = quadratic_objectives(X, y, ALPHAS)
    for k, alpha in enumerate(ALPHAS):
        single = quadratic_objective(X, y, alpha)
        for other in (quadratic_objectives(X, y, [alpha])[0], batch[k]):
            for name in ("gram", "zty", "decay_mask", "s", "Vt", "theta_star"):
                np.testing.assert_array_equal(getattr(single, name), getattr(other, name))
            for name in ("alpha", "optimum", "initial", "rank"):
                assert getattr(single, name) == getattr(other, name), name
        restacked = QuadraticPath.stack([single, batch[k]])
        np.testing.assert_array_equal(restacked.theta_star[1], batch.theta_star[k])


def test_suboptimality_is_a_sum_of_squares_near_the_minimiser():
    """J(theta* + d) - J* = ||A d||^2 exactly: even for d of 1e-9 it keeps its digits (the
    difference of the two objectives would be rounding noise)."""
    X, y = _poly(40, 5)
    quads = quadratic_objectives(X, y, ALPHAS)
    Z, D = _design(X, True)
    d = 1e-9 * np.random.default_rng(1).normal(size=quads.theta_star.shape)
    gaps = quads.suboptimality(quads.theta_star + d)
    for k, alpha in enumerate(ALPHAS):
        A = np.vstack([Z, np.sqrt(alpha) * D[:-1]])
        assert gaps[k] == pytest.approx(np.sum((A @ d[k]) ** 2), rel=1e-9)
        assert quads[k].suboptimality(quads.theta_star[k] + d[k])[0] == pytest.approx(
            gaps[k], rel=1e-12
        )
    # Any leading axes: (steps, K, q) -> (steps, K).
    many = quads.theta_star + d * np.arange(3)[:, None, None]
    assert quads.suboptimality(many).shape == (3, len(ALPHAS))
    np.testing.assert_allclose(quads.suboptimality(many)[1], gaps, rtol=1e-14)
    np.testing.assert_array_equal(quads.suboptimality(many)[0], 0.0)


def test_take_keeps_the_columns():
    X, y = _poly(10, 9)
    quads = quadratic_objectives(X, y, ALPHAS)
    some = quads.take(np.array([True, False, True, False, False, True]))
    np.testing.assert_array_equal(some.alphas, ALPHAS[[0, 2, 5]])
    np.testing.assert_array_equal(some.theta_star, quads.theta_star[[0, 2, 5]])
    np.testing.assert_array_equal(some.Vt, quads.Vt[[0, 2, 5]])
    assert some.gram is quads.gram


# --------------------------------------------------------------------------------------------
# Arguments
# --------------------------------------------------------------------------------------------


def test_learning_rate_settings():
    X, y = _poly(10, 9)
    quads = quadratic_objectives(X, y, ALPHAS)
    auto = gradient_descent_path(X, y, ALPHAS, max_iter=1)
    np.testing.assert_array_equal(auto.learning_rate, 1.0 / quads.lipschitz)
    adam = gradient_descent_path(X, y, ALPHAS, optimizer="adam", max_iter=1)
    np.testing.assert_array_equal(adam.learning_rate, 1e-3)
    same = gradient_descent_path(X, y, ALPHAS, learning_rate=1e-4, max_iter=1)
    np.testing.assert_array_equal(same.learning_rate, 1e-4)
    for bad in ([1e-3, 1e-3], -1.0, np.full(len(ALPHAS), np.nan), "fast"):
        with pytest.raises(ValueError, match="learning_rate"):
            gradient_descent_path(X, y, ALPHAS, learning_rate=bad)


def test_bad_arguments_are_refused():
    X, y = _poly(10, 9)
    with pytest.raises(ValueError, match="alphas"):
        gradient_descent_path(X, y, [-1.0])
    with pytest.raises(ValueError, match="penalty"):
        gradient_descent_path(X, y, ALPHAS, penalty="l1")
    with pytest.raises(ValueError, match="optimizer"):
        gradient_descent_path(X, y, ALPHAS, optimizer="sgd")
    with pytest.raises(ValueError, match="checkpoints"):
        gradient_descent_path(X, y, ALPHAS, checkpoints=2)
    with pytest.raises(ValueError, match="max_iter"):
        gradient_descent_path(X, y, ALPHAS, max_iter=-1)
    with pytest.raises(ValueError, match="quads"):
        gradient_descent_path(X, y, ALPHAS[:2], quads=quadratic_objectives(X, y, ALPHAS))


def test_result_shapes_without_intercept_and_the_final_iterate():
    X, y = _poly(8, 12)
    path = gradient_descent_path(X, y, ALPHAS, fit_intercept=False, max_iter=50, tol=0)
    K, C = len(ALPHAS), path.steps.size
    assert path.coef.shape == (K, 12)
    np.testing.assert_array_equal(path.intercept, 0.0)
    assert path.checkpoint_coef.shape == (K, C, 12)
    assert path.checkpoint_intercept.shape == path.suboptimality.shape == (K, C)
    assert path.distance.shape == (K, C)
    for name in ("n_iter", "converged", "diverged", "learning_rate", "lipschitz", "optimum"):
        assert getattr(path, name).shape == (K,), name
    np.testing.assert_array_equal(path.checkpoint_coef[:, -1], path.coef)
    np.testing.assert_array_equal(path.n_iter, 50)
    # The suboptimality starts at J(0) - J* = ||y||^2 - J*.
    # (the reference is a difference of two nearly equal numbers where alpha is large).
    np.testing.assert_allclose(
        path.suboptimality[:, 0], y @ y - path.optimum, rtol=1e-12, atol=1e-14 * (y @ y)
    )


def test_no_alphas_give_an_empty_path():
    X, y = _poly(10, 9)
    path = gradient_descent_path(X, y, [], max_iter=100)
    assert path.coef.shape == (0, 9)
    assert path.checkpoint_coef.shape == (0, path.steps.size, 9)
    assert path.suboptimality.shape == (0, path.steps.size)


def test_memory_does_not_grow_with_the_steps():
    """Only the checkpoints are kept: the peak of 100,000 steps is that of 20,000."""
    X, y = _poly(10, 3)
    alphas = np.geomspace(1e-6, 1.0, 20)

    def peak(max_iter):
        tracemalloc.start()
        try:
            gradient_descent_path(X, y, alphas, max_iter=max_iter, tol=0)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    assert abs(peak(100_000) - peak(20_000)) < 50_000


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("optimizer", ["gd", "momentum", "nesterov"])
def test_slow_divergence_is_flagged_per_column(optimizer, fit_intercept):
    """Rates from 0.5/L to 1.01 times the limit across the alphas, 5000 steps: each column is
    its single-alpha run (flags, steps and iterates) and the columns past the limit, and only
    they, are flagged, whether by the 1e8 early stop or by ending above their start."""
    X, y = _poly(10, 9)
    limit = stability_limit(optimizer)
    multiples = np.array([1.001 * limit, 0.99 * limit, 1.004 * limit, 1.0, 1.01 * limit, 0.5])
    rates = _rates(optimizer, X, y, fit_intercept, multiples)
    path = _check_columns_are_single_fits(
        X, y, fit_intercept, optimizer, "l2", rates, max_iter=5000, tol=1e-10
    )
    np.testing.assert_array_equal(path.diverged, multiples > limit)
    assert np.all(np.isfinite(path.coef))
    if optimizer == "gd" and fit_intercept:  # 1.001 x the limit: flagged by growth at the end
        assert path.n_iter[0] == 5000
