"""Gradient descent on a model, at one λ or at every λ of the grid, with what the page says.

The page's descent minimises the same objective as the closed form, on the weights: with a free
intercept the data are centred (``Φ_c = Φ − x̄``, ``y_c = y − ȳ``) and ``b = ȳ − x̄·w`` is solved
exactly at every step, as scikit-learn's ``Ridge`` treats the intercept. Both then reach the
same minimiser, also where it is not unique (λ = 0 with more parameters than distinct points:
descent from zero stays in the range of ``Φ_cᵀ`` and finds the least-norm ``w``, which is the
closed form's). :class:`regviz.solvers.GradientDescentRegressor` keeps its documented rules
(``b`` a parameter of the descent); uncentred, its least-norm ``(w, b)`` can differ.

numpy in, small frozen records out: only what a view draws is kept (recorded steps, never one
number per step), so that a cached run at 100,000 steps is as small as one at 1,000.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from regviz.compute.common import rmse
from regviz.solvers import (
    OPTIMIZERS,
    GDResult,
    GDTrace,
    gradient_descent,
    gradient_descent_path,
    quadratic_objective,
    quadratic_objectives,
)
from regviz.solvers import steps_needed as solver_steps_needed


@dataclass(frozen=True, eq=False)
class DescentRun:
    """A gradient-descent run on the model at one λ, with what the page says about it."""

    result: object  # solvers.GDResult, without its per-step loss curve
    lam: float
    optimizer: str
    step_multiple: float  # learning rate * L
    limit_multiple: float  # stability limit * (1/L); inf for Adam
    singular: bool  # the Hessian is singular: descent from 0 goes to the least-norm minimiser
    steps_needed: float  # to shrink ‖w − w*‖ a millionfold at this step; inf: never; NaN: no rule
    train_rmse: float
    test_rmse: float
    curve: np.ndarray


#: The page's momentum μ (PyTorch's usual 0.9) for the heavy ball and Nesterov.
MOMENTUM = 0.9


def decoupled_target(lam, optimizer, penalty, momentum=MOMENTUM):
    """The λ whose ridge solution a run converges to: ``lam``, except with momentum and
    decoupled decay, which skips the momentum buffer, so the decay acts as a penalty
    ``λ (1 − μ)`` (:func:`solvers.steps_needed`)."""
    if penalty == "decoupled" and OPTIMIZERS[optimizer].uses_momentum:
        return lam * (1.0 - momentum)
    return lam


@dataclass(frozen=True, eq=False)
class Weights:
    """The problem the page's descent solves: a model's weights, the intercept following them."""

    X: np.ndarray  # Φ_c (free intercept) or Φ
    y: np.ndarray  # y_c or y
    x_mean: np.ndarray  # zeros without a free intercept
    y_mean: float

    def intercepts(self, coefs):
        """``b = ȳ − x̄·w`` for weights of any leading shape (0 without a free intercept)."""
        return self.y_mean - np.asarray(coefs) @ self.x_mean


def weights_problem(model):
    """The model's data as the page's descent sees them: centred with a free intercept (whose
    ``b`` follows from the weights), as they are with a penalised one (its ones are a weight)."""
    dec = model.decomposition  # holds the training means the closed form centres with
    if model.fit_intercept:
        x_mean, y_mean = dec.x_mean, float(dec.y_mean)
        return Weights(model.phi_train - x_mean, model.y_train - y_mean, x_mean, y_mean)
    return Weights(model.phi_train, model.y_train, np.zeros(model.n_features), 0.0)


def run_descent(model, lam, optimizer="gd", penalty="l2", lr=1.0, iters=1000, momentum=MOMENTUM):
    """Gradient descent at ``lam`` from ``w = 0`` on the model's weights (:func:`weights_problem`).

    ``lr`` is a multiple of ``1/L`` for the gradient family (so 2 is plain descent's stability
    limit) and the absolute learning rate for an adaptive optimizer (Adam); ``L`` is the largest
    curvature of the objective in ``w``. It stops after ``iters`` steps, or earlier when the
    objective no longer changes in float64 (relative change below 1e-14). ``J − J*`` and the
    distance in its trace are those of the weights (``b`` is at its optimum for each ``w``).
    """
    rule = OPTIMIZERS[optimizer]
    problem = weights_problem(model)
    quad = quadratic_objective(problem.X, problem.y, lam, fit_intercept=False)
    L = quad.lipschitz
    learning_rate = rule.absolute_learning_rate(lr, L)
    result = gradient_descent(
        problem.X,
        problem.y,
        alpha=lam,
        fit_intercept=False,
        optimizer=optimizer,
        penalty=penalty,
        learning_rate=learning_rate,
        max_iter=int(iters),
        tol=1e-14,
        momentum=momentum,
        quad=quad,
        keep_loss_curve=False,
    )
    trace = dataclasses.replace(result.trace, intercept=problem.intercepts(result.trace.coef))
    result = dataclasses.replace(
        result, intercept=float(problem.intercepts(result.coef)), trace=trace
    )
    predict = lambda phi: phi @ result.coef + result.intercept  # noqa: E731
    return DescentRun(
        result=result,
        lam=lam,
        optimizer=optimizer,
        step_multiple=learning_rate * L,
        limit_multiple=rule.stability_limit(momentum),
        singular=quad.singular,
        steps_needed=_steps_needed(quad, optimizer, penalty, learning_rate, momentum),
        train_rmse=float(rmse(predict(model.phi_train), model.y_train)),
        test_rmse=float(rmse(predict(model.phi_test), model.y_test)),
        curve=predict(model.phi_grid),
    )


#: The accuracy the page's "steps needed" counts to: ‖w − w*‖ shrunk a millionfold.
STEPS_ACCURACY = 1e-6


def _steps_needed(quad, optimizer, penalty, learning_rate, momentum):
    """:func:`solvers.steps_needed` to :data:`STEPS_ACCURACY` for the step and momentum used:
    a float (``inf`` past the stability limit), NaN where there is no such count (Adam, and
    momentum with decoupled decay at λ > 0, which converges elsewhere)."""
    needed = solver_steps_needed(quad, optimizer, learning_rate, momentum, STEPS_ACCURACY, penalty)
    return math.nan if needed is None else float(needed)


#: Checkpoints of the descent film: step 0, then about 40 log-spaced steps up to the last.
FILM_STEPS = 41


@dataclass(frozen=True, eq=False)
class DescentPath:
    """Gradient descent from zero at every λ of a grid, run as one batched computation.

    Arrays are per λ (first axis, ``K``) and, for the film, per checkpoint step (second axis,
    ``C``: :attr:`steps`). A λ's run stops by itself (converged, diverged) or after ``iters``
    steps; at checkpoints past its stop the film holds its last iterate.
    """

    optimizer: str
    penalty: str
    lr: float  # the setting: a multiple of 1/L, or an adaptive optimizer's absolute rate
    iters: int
    lams: np.ndarray  # (K,)
    steps: np.ndarray  # (C,) checkpoint steps: 0, 1, ..., iters
    step_multiple: np.ndarray  # (K,) learning rate * L
    limit_multiple: float  # the stability limit in units of 1/L; inf for Adam
    n_iter: np.ndarray  # (K,)
    converged: np.ndarray  # (K,)
    diverged: np.ndarray  # (K,)
    singular: np.ndarray  # (K,) the Hessian is singular (descent goes to the least-norm minimiser)
    condition_number: np.ndarray  # (K,) on the Hessian's range
    steps_needed: np.ndarray  # (K,) as DescentRun.steps_needed
    learning_rate: np.ndarray  # (K,) absolute
    lipschitz: np.ndarray  # (K,)
    coefs: np.ndarray  # (K, p) final
    intercepts: np.ndarray  # (K,)
    train_rmse: np.ndarray  # (K,) final
    test_rmse: np.ndarray  # (K,) NaN without test points
    curves: np.ndarray  # (K, GRID_POINTS) final
    checkpoint_coefs: np.ndarray  # (K, C, p)
    checkpoint_intercepts: np.ndarray  # (K, C)
    checkpoint_train_rmse: np.ndarray  # (K, C)
    checkpoint_test_rmse: np.ndarray  # (K, C)
    suboptimality: np.ndarray  # (K, C) J − J*
    distance: np.ndarray  # (K, C) ‖w − w*‖ (b follows w)

    def run_at(self, k):
        """The run at ``lams[k]`` as a :class:`DescentRun` (its trace: the film's checkpoints
        up to the step where it stopped)."""
        n_iter = int(self.n_iter[k])
        before = self.steps < n_iter
        steps = np.r_[self.steps[before], n_iter]
        last = int(np.count_nonzero(before))  # the first checkpoint at or past the stop holds it
        keep = np.r_[np.flatnonzero(before), min(last, len(self.steps) - 1)]
        suboptimality = self.suboptimality[k, keep]
        trace = GDTrace(
            step=steps,
            coef=self.checkpoint_coefs[k, keep],
            intercept=self.checkpoint_intercepts[k, keep],
            objective=np.full(len(keep), np.nan),  # not kept along the path; J − J* is
            suboptimality=suboptimality,
            distance=self.distance[k, keep],
        )
        result = GDResult(
            coef=self.coefs[k],
            intercept=float(self.intercepts[k]),
            n_iter=n_iter,
            loss_curve=np.empty(0),
            converged=bool(self.converged[k]),
            diverged=bool(self.diverged[k]),
            learning_rate=float(self.learning_rate[k]),
            lipschitz=float(self.lipschitz[k]),
            condition_number=float(self.condition_number[k]),
            trace=trace,
        )
        return DescentRun(
            result=result,
            lam=float(self.lams[k]),
            optimizer=self.optimizer,
            step_multiple=float(self.step_multiple[k]),
            limit_multiple=self.limit_multiple,
            singular=bool(self.singular[k]),
            steps_needed=float(self.steps_needed[k]),
            train_rmse=float(self.train_rmse[k]),
            test_rmse=float(self.test_rmse[k]),
            curve=self.curves[k],
        )


def descent_along_path(
    model, lams, optimizer="gd", penalty="l2", lr=1.0, iters=1000, momentum=MOMENTUM
):
    """Gradient descent at every λ of ``lams`` at once (:func:`solvers.gradient_descent_path`)
    on the model's weights (:func:`weights_problem`).

    ``lr`` as for :func:`run_descent`: a multiple of each λ's ``1/L`` for the gradient family
    (``L`` grows with λ), Adam's absolute rate. Each λ's run is the one :func:`run_descent`
    makes at that λ (the same rules, the same stopping).
    """
    rule = OPTIMIZERS[optimizer]
    lams = np.asarray(lams, dtype=np.float64)
    problem = weights_problem(model)
    quads = quadratic_objectives(problem.X, problem.y, lams, fit_intercept=False)
    lipschitz = np.asarray(quads.lipschitz, dtype=np.float64)
    rates = np.array([rule.absolute_learning_rate(lr, L) for L in lipschitz])
    result = gradient_descent_path(
        problem.X,
        problem.y,
        lams,
        fit_intercept=False,
        optimizer=optimizer,
        penalty=penalty,
        learning_rate=rates,
        max_iter=int(iters),
        tol=1e-14,
        momentum=momentum,
        checkpoints=FILM_STEPS,
        quads=quads,
    )
    coefs, intercepts = result.coef, problem.intercepts(result.coef)
    ck_coefs = result.checkpoint_coef
    ck_intercepts = problem.intercepts(ck_coefs)
    with np.errstate(over="ignore", invalid="ignore"):  # a diverged run's last iterate is huge
        return DescentPath(
            optimizer=optimizer,
            penalty=penalty,
            lr=float(lr),
            iters=int(iters),
            lams=lams,
            steps=np.asarray(result.steps),
            step_multiple=rates * lipschitz,
            limit_multiple=rule.stability_limit(momentum),
            n_iter=np.asarray(result.n_iter),
            converged=np.asarray(result.converged),
            diverged=np.asarray(result.diverged),
            singular=np.asarray(result.singular),
            condition_number=np.asarray(result.condition_number, dtype=np.float64),
            steps_needed=np.array(
                [
                    _steps_needed(quads[k], optimizer, penalty, rates[k], momentum)
                    for k in range(len(lams))
                ]
            ),
            learning_rate=rates,
            lipschitz=lipschitz,
            coefs=coefs,
            intercepts=intercepts,
            train_rmse=_rmse_of(model.phi_train, model.y_train, coefs, intercepts),
            test_rmse=_rmse_of(model.phi_test, model.y_test, coefs, intercepts),
            curves=coefs @ model.phi_grid.T + intercepts[:, None],
            checkpoint_coefs=ck_coefs,
            checkpoint_intercepts=ck_intercepts,
            checkpoint_train_rmse=_rmse_of(model.phi_train, model.y_train, ck_coefs, ck_intercepts),
            checkpoint_test_rmse=_rmse_of(model.phi_test, model.y_test, ck_coefs, ck_intercepts),
            suboptimality=np.asarray(result.suboptimality),
            distance=np.asarray(result.distance),
        )


def _rmse_of(phi, y, coefs, intercepts, block=2**21):
    """RMSE of the fits ``coefs @ phiᵀ + intercepts`` (any leading shape) on ``(phi, y)``,
    computed from the residuals themselves in blocks of about ``block`` numbers (no Gram
    shortcut: it would cancel to ``sqrt(eps)·‖y‖`` where a fit interpolates)."""
    lead = coefs.shape[:-1]
    count = int(np.prod(lead))
    flat_w = coefs.reshape(count, coefs.shape[-1])
    flat_b = np.asarray(intercepts).reshape(count)
    out = np.empty(count)
    rows = max(1, block // max(1, len(y)))
    for start in range(0, count, rows):
        part = slice(start, start + rows)
        out[part] = rmse(flat_w[part] @ phi.T + flat_b[part, None], y)
    return out.reshape(lead)
