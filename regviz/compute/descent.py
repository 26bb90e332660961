"""Gradient descent on a model at one λ, with what the page says about the run.

numpy in, a small frozen record out: only what a view draws is kept (the trace's ~200 recorded
steps, never one number per step), so that a cached run at 100,000 steps is as small as one at
1,000.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from regviz.compute.common import rmse
from regviz.solvers import OPTIMIZERS, gradient_descent, quadratic_objective


@dataclass(frozen=True, eq=False)
class DescentRun:
    """A gradient-descent run on the model at one λ, with what the page says about it."""

    result: object  # solvers.GDResult, without its per-step loss curve
    lam: float
    optimizer: str
    step_multiple: float  # learning rate * L
    limit_multiple: float  # stability limit * (1/L); inf for Adam
    singular: bool  # the Hessian is singular: descent from 0 goes to the least-norm minimiser
    train_rmse: float
    test_rmse: float
    curve: np.ndarray


def run_descent(model, lam, optimizer="gd", penalty="l2", lr=1.0, iters=1000, momentum=0.9):
    """Gradient descent at ``lam`` from zero.

    ``lr`` is a multiple of ``1/L`` for the gradient family (so 2 is plain descent's stability
    limit) and the absolute learning rate for an adaptive optimizer (Adam). It stops after
    ``iters`` steps, or earlier when the objective no longer changes in float64 (relative change
    below 1e-14).
    """
    rule = OPTIMIZERS[optimizer]
    quad = quadratic_objective(model.phi_train, model.y_train, lam, model.fit_intercept)
    L = quad.lipschitz
    learning_rate = rule.absolute_learning_rate(lr, L)
    result = gradient_descent(
        model.phi_train,
        model.y_train,
        alpha=lam,
        fit_intercept=model.fit_intercept,
        optimizer=optimizer,
        penalty=penalty,
        learning_rate=learning_rate,
        max_iter=int(iters),
        tol=1e-14,
        momentum=momentum,
        quad=quad,
        keep_loss_curve=False,
    )
    predict = lambda phi: phi @ result.coef + result.intercept  # noqa: E731
    return DescentRun(
        result=result,
        lam=lam,
        optimizer=optimizer,
        step_multiple=learning_rate * L,
        limit_multiple=rule.stability_limit(momentum),
        singular=quad.singular,
        train_rmse=float(rmse(predict(model.phi_train), model.y_train)),
        test_rmse=float(rmse(predict(model.phi_test), model.y_test)),
        curve=predict(model.phi_grid),
    )


def descent_frame(run):
    """The run's record as a long DataFrame for charts: step (>= 1), quantity, value."""
    trace = run.result.trace
    keep = trace.step >= 1  # log axes
    steps = trace.step[keep]
    quantities = {
        "J − J*": trace.suboptimality[keep],
        "‖θ − θ*‖": trace.distance[keep],
    }
    frames = [
        pd.DataFrame({"step": steps, "quantity": name, "value": values})
        for name, values in quantities.items()
    ]
    frame = pd.concat(frames, ignore_index=True)
    # Exact zeros (a run that hit the optimum) cannot sit on a log axis.
    return frame[frame["value"] > 0].reset_index(drop=True)


def steps_needed(condition_number, accuracy=1e-6, optimizer="gd"):
    """The optimizer's rule of thumb for the steps that shrink the error by ``accuracy``
    (:meth:`solvers.Optimizer.steps_rule_of_thumb`); None where it has none (Adam)."""
    return OPTIMIZERS[optimizer].steps_rule_of_thumb(condition_number, accuracy)
