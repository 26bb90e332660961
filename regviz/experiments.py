"""What the dashboard shows, computed: numpy in, DataFrames out, no Streamlit.

The expensive part depends only on the data, the degree and the basis (:func:`build_model`: the
basis matrices and one SVD) and on top of it the whole λ path (:func:`ridge_along_path`), so
that a new λ costs nothing but a look-up and, if its inputs changed, a gradient-descent run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from regviz.basis import polynomial_columns
from regviz.solvers import (
    effective_condition_number,
    gradient_descent,
    quadratic_objective,
    ridge_decomposition,
    ridge_path_from_decomposition,
    stability_limit,
)

GRID_POINTS = 150  # x positions of the drawn curves


def _frozen(array):
    array = np.ascontiguousarray(array, dtype=np.float64)
    array.setflags(write=False)  # shared between sessions through the cache: read-only
    return array


@dataclass(frozen=True, eq=False)
class Model:
    """A dataset expanded in a basis, and the SVD its ridge path needs.

    ``intercept="free"``: an unpenalised intercept (scikit-learn's convention). ``"penalised"``:
    a column of ones in the basis whose weight ``w_0`` is penalised (Bishop's).
    """

    degree: int
    basis: str
    fit_intercept: bool
    feature_names: tuple
    x_grid: np.ndarray
    phi_train: np.ndarray
    phi_test: np.ndarray
    phi_grid: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray
    truth_grid: np.ndarray | None
    decomposition: object

    @property
    def n_features(self):
        return self.phi_train.shape[1]

    def condition_number(self, lam):
        """Effective condition number of the closed-form problem at ``lam``."""
        dec = self.decomposition
        return effective_condition_number(dec.s, lam, dec.rank)


def feature_names(degree, basis, with_bias):
    names = ["1"] if with_bias else []
    for k in range(1, degree + 1):
        names.append({"raw": f"x^{k}", "monomial": f"t^{k}", "legendre": f"P{k}(t)"}[basis])
    return tuple(names)


def build_model(dataset, degree, basis, intercept="free"):
    """Expand ``dataset`` in the basis (scaled by the training x's range) and decompose it once."""
    lo, hi = float(dataset.x_train.min()), float(dataset.x_train.max())
    pad = 0.02 * (hi - lo) if hi > lo else 0.5
    x_grid = np.linspace(lo - pad, hi + pad, GRID_POINTS)
    with_bias = intercept == "penalised"

    def expand(x):
        columns = polynomial_columns(x, degree, basis, lo, hi)
        return np.hstack([np.ones((len(x), 1)), columns]) if with_bias else columns

    phi_train = expand(dataset.x_train)
    fit_intercept = not with_bias
    truth = None if dataset.truth is None else _frozen(dataset.truth(x_grid))
    return Model(
        degree=degree,
        basis=basis,
        fit_intercept=fit_intercept,
        feature_names=feature_names(degree, basis, with_bias),
        x_grid=_frozen(x_grid),
        phi_train=_frozen(phi_train),
        phi_test=_frozen(expand(dataset.x_test)),
        phi_grid=_frozen(expand(x_grid)),
        y_train=_frozen(dataset.y_train),
        y_test=_frozen(dataset.y_test),
        truth_grid=truth,
        decomposition=ridge_decomposition(phi_train, dataset.y_train, fit_intercept),
    )


def rmse(predictions, y):
    """Root-mean-square error along the last axis."""
    return np.sqrt(np.mean((predictions - y) ** 2, axis=-1))


def lambda_position(lams):
    """x position of λ on the charts' axis: log10 λ, and one decade left of the smallest for 0."""
    lams = np.asarray(lams, dtype=np.float64)
    positive = lams[lams > 0]
    zero_at = (np.log10(positive.min()) if positive.size else 0.0) - 1.0
    with np.errstate(divide="ignore"):
        return np.where(lams > 0, np.log10(np.where(lams > 0, lams, 1.0)), zero_at)


@dataclass(frozen=True, eq=False)
class Path:
    """The closed form along the λ grid: coefficients, errors and curves, as arrays and frames."""

    lams: np.ndarray
    coefs: np.ndarray  # (n_lams, n_features)
    intercepts: np.ndarray
    train_rmse: np.ndarray
    test_rmse: np.ndarray
    curves: np.ndarray  # (n_lams, GRID_POINTS)
    errors_frame: pd.DataFrame
    curves_frame: pd.DataFrame  # x and one float32 column per λ: curve_column(index)
    coefs_frame: pd.DataFrame

    @property
    def best_test_index(self):
        return int(np.argmin(self.test_rmse))


def ridge_along_path(model, lams):
    """Closed-form solutions, train and test RMSE and fitted curves for every λ, from one SVD."""
    lams = np.asarray(lams, dtype=np.float64)
    coefs, intercepts = ridge_path_from_decomposition(model.decomposition, lams)
    train = rmse(coefs @ model.phi_train.T + intercepts[:, None], model.y_train)
    test = rmse(coefs @ model.phi_test.T + intercepts[:, None], model.y_test)
    curves = coefs @ model.phi_grid.T + intercepts[:, None]
    position = lambda_position(lams)
    index = np.arange(len(lams))
    errors = pd.DataFrame(
        {
            "lam_index": np.r_[index, index],
            "position": np.r_[position, position],
            "lam": np.r_[lams, lams],
            "rmse": np.r_[train, test],
            "set": np.repeat(["train", "test"], len(lams)),
        }
    )
    curves_frame = _curves_frame(model, curves)
    names = model.feature_names
    coefs_frame = pd.DataFrame(
        {
            "lam_index": np.repeat(index, len(names) + 1),
            "position": np.repeat(position, len(names) + 1),
            "weight": np.tile([*names, "‖w‖"], len(lams)),
            "value": np.c_[coefs, np.linalg.norm(coefs, axis=1)].ravel(),
        }
    )
    return Path(lams, coefs, intercepts, train, test, curves, errors, curves_frame, coefs_frame)


#: How far beyond the fit chart's y range drawn curves are kept, in spans of that range: far
#: enough off-frame that clipping cannot show, near enough that float32 holds every value.
CURVE_BAND = 100.0


def curve_column(index):
    """The name of the column holding the closed-form curve at ``LAMBDA_GRID[index]``."""
    return f"c{index}"


def _curves_frame(model, curves):
    """Every λ's curve as one float32 column beside x: a tenth of the long form's bytes.

    Values far outside the chart's y range are clipped to ``CURVE_BAND`` spans beyond it (the
    chart clips at the frame anyway), so that float32 stays finite whatever the fit does.
    """
    lo, hi = y_domain(model)
    band = CURVE_BAND * (hi - lo)
    drawn = np.clip(curves, lo - band, hi + band).astype(np.float32)
    columns = {curve_column(k): drawn[k] for k in range(len(drawn))}
    return pd.DataFrame({"x": model.x_grid, **columns})


@dataclass(frozen=True, eq=False)
class DescentRun:
    """A gradient-descent run on the model at one λ, with what the page says about it."""

    result: object  # solvers.GDResult
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
    limit) and the absolute learning rate for Adam. It stops after ``iters`` steps, or earlier
    when the objective no longer changes in float64 (relative change below 1e-14).
    """
    quad = quadratic_objective(model.phi_train, model.y_train, lam, model.fit_intercept)
    L = quad.lipschitz
    learning_rate = lr if optimizer == "adam" else (lr / L if L > 0 else 1.0)
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
    )
    predict = lambda phi: phi @ result.coef + result.intercept  # noqa: E731
    return DescentRun(
        result=result,
        lam=lam,
        optimizer=optimizer,
        step_multiple=learning_rate * L,
        limit_multiple=stability_limit(optimizer, momentum),
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
    """Rule of thumb: plain descent with step 1/L needs about ``kappa * ln(1 / accuracy)`` steps to
    shrink the error by ``accuracy``; momentum methods about ``sqrt(kappa)`` times ``ln``."""
    if not math.isfinite(condition_number):
        return math.inf
    rate = (
        math.sqrt(condition_number) if optimizer in ("momentum", "nesterov") else condition_number
    )
    return rate * math.log(1.0 / accuracy)


def y_domain(model, pad=0.25):
    """The fit chart's y range: the data's (and the true function's), padded."""
    values = [model.y_train, model.y_test]
    if model.truth_grid is not None:
        values.append(model.truth_grid)
    values = np.concatenate(values)
    lo, hi = float(values.min()), float(values.max())
    span = hi - lo if hi > lo else 1.0
    return lo - pad * span, hi + pad * span


def leaves_frame(curve, domain):
    """How far a curve goes outside ``domain``: the extreme value outside it, or None."""
    lo, hi = domain
    if curve.min() < lo or curve.max() > hi:
        return float(curve.max() if curve.max() - hi >= lo - curve.min() else curve.min())
    return None
