"""A dataset expanded in a polynomial basis, and the closed-form ridge fit along the whole λ grid.

The expensive part depends only on the data, the degree and the basis (:func:`build_model`: the
basis matrices and one SVD); on top of it :func:`ridge_along_path` gives the closed form at every
λ of the grid, so that a new λ costs a look-up. numpy in, arrays and DataFrames out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from regviz.basis import polynomial_columns
from regviz.compute.common import frozen, lambda_position, rmse
from regviz.csv_reader import DataError
from regviz.solvers import (
    ridge_condition_number,
    ridge_decomposition,
    ridge_path_from_decomposition,
)

GRID_POINTS = 150  # x positions of the drawn curves


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
    grid_basis: np.ndarray  # (GRID_POINTS, r): orthonormal columns spanning the drawn curves
    grid_map: np.ndarray  # (r, n_parameters): a curve's coordinates in grid_basis from θ = [w, b]
    x_train: np.ndarray | None = None
    x_label: str = "x"
    y_label: str = "y"

    @property
    def has_test(self):
        """Whether there are test points (an upload of two rows has none)."""
        return self.y_test.shape[0] > 0

    @property
    def n_features(self):
        return self.phi_train.shape[1]

    def condition_number(self, lam):
        """The closed-form weights' condition number at ``lam``: their relative error is at most
        about ``eps`` times it (:func:`solvers.ridge_condition_number`)."""
        return ridge_condition_number(self.decomposition, lam)

    def grid_coordinates(self, coefs, intercepts):
        """The curves ``Φ_grid w + b`` as coordinates ``z`` in :attr:`grid_basis`, shape (..., r).

        With ``[Φ_grid, 1] = U diag(s) Vᵀ`` (no column of ones with a penalised intercept, whose
        ones are in ``Φ``), ``Φ_grid w + b = U z`` with ``z = diag(s) Vᵀ [w; b]``. ``U`` has
        orthonormal columns, so ``‖U z‖ = ‖z‖``: a curve rebuilt from ``z`` in the browser
        loses no digits to cancellation, however large and alternating the weights are, and
        ``z`` has as many numbers as the model has parameters instead of one per x.
        """
        coefs = np.asarray(coefs, dtype=np.float64)
        theta = (
            np.concatenate([coefs, np.asarray(intercepts, dtype=np.float64)[..., None]], axis=-1)
            if self.fit_intercept
            else coefs
        )
        return theta @ self.grid_map.T


def feature_names(degree, basis, with_bias):
    names = ["1"] if with_bias else []
    for k in range(1, degree + 1):
        names.append({"raw": f"x^{k}", "monomial": f"t^{k}", "legendre": f"P{k}(t)"}[basis])
    return tuple(names)


def build_model(dataset, degree, basis, intercept="free"):
    """Expand ``dataset`` in the basis (scaled by the training x's range) and decompose it once.

    The curves are drawn over the range of all points, test points included: where a test point
    lies beyond the training points the fit extrapolates, and the chart should show it.
    """
    lo, hi = float(dataset.x_train.min()), float(dataset.x_train.max())
    every_x = np.concatenate([dataset.x_train, dataset.x_test])
    draw_lo, draw_hi = float(every_x.min()), float(every_x.max())
    pad = 0.02 * (draw_hi - draw_lo) if draw_hi > draw_lo else 0.5
    x_grid = np.linspace(draw_lo - pad, draw_hi + pad, GRID_POINTS)
    with_bias = intercept == "penalised"

    def expand(x):
        with np.errstate(over="ignore", invalid="ignore"):  # caught below, with an explanation
            columns = polynomial_columns(x, degree, basis, lo, hi)
        return np.hstack([np.ones((len(x), 1)), columns]) if with_bias else columns

    phi_train = expand(dataset.x_train)
    phi_test, phi_grid = expand(dataset.x_test), expand(x_grid)
    # np.max, not Python's max: a NaN (inf - inf in a recurrence) must not be skipped.
    largest = np.max([np.abs(phi).max(initial=0.0) for phi in (phi_train, phi_test, phi_grid)])
    # Gradient descent needs ‖Φ‖², and the fit Φw: both must stay inside float64.
    if not np.isfinite(largest) or largest * math.sqrt(len(phi_train)) > 1e150:
        x_max = float(np.abs(every_x).max())
        raise DataError(
            f"The {basis} basis overflows at degree {degree} for x up to {x_max:.3g}: its "
            "columns are too large for double precision. Choose the monomial or legendre "
            "basis (they scale x to [-1, 1]) or a lower degree."
        )
    fit_intercept = not with_bias
    decomposition = ridge_decomposition(phi_train, dataset.y_train, fit_intercept)
    smallest = decomposition.s[decomposition.rank - 1] if decomposition.rank else np.inf
    if np.abs(dataset.y_train).max(initial=0.0) > 1e150 * smallest:
        raise DataError(
            f"The {basis} basis at degree {degree} has columns too small for double precision "
            "with these x values (the weights would overflow). Choose the monomial or legendre "
            "basis (they scale x to [-1, 1]) or rescale x."
        )
    truth = None if dataset.truth is None else frozen(dataset.truth(x_grid))
    augmented = np.hstack([phi_grid, np.ones((len(x_grid), 1))]) if fit_intercept else phi_grid
    grid_u, grid_s, grid_vt = np.linalg.svd(augmented, full_matrices=False)
    return Model(
        degree=degree,
        basis=basis,
        fit_intercept=fit_intercept,
        feature_names=feature_names(degree, basis, with_bias),
        x_grid=frozen(x_grid),
        phi_train=frozen(phi_train),
        phi_test=frozen(phi_test),
        phi_grid=frozen(phi_grid),
        y_train=frozen(dataset.y_train),
        y_test=frozen(dataset.y_test),
        truth_grid=truth,
        decomposition=decomposition,
        grid_basis=frozen(grid_u),
        grid_map=frozen(grid_s[:, None] * grid_vt),
        x_train=frozen(dataset.x_train),
        x_label=dataset.x_label,
        y_label=dataset.y_label,
    )


@dataclass(frozen=True, eq=False)
class RidgePath:
    """The closed form along the λ grid: coefficients, errors and curves, as arrays and frames."""

    lams: np.ndarray
    coefs: np.ndarray  # (n_lams, n_features)
    intercepts: np.ndarray
    train_rmse: np.ndarray
    test_rmse: np.ndarray
    curves: np.ndarray  # (n_lams, GRID_POINTS)
    curve_coordinates: np.ndarray  # (n_lams, r): the curves in Model.grid_basis
    errors_frame: pd.DataFrame
    coefs_frame: pd.DataFrame

    @property
    def best_test_index(self):
        """Index of the λ with the least test RMSE; None without test points."""
        if not np.isfinite(self.test_rmse).any():
            return None
        return int(np.nanargmin(self.test_rmse))


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
    errors = errors[np.isfinite(errors["rmse"])].reset_index(drop=True)  # no test set: train only
    names = model.feature_names
    coefs_frame = pd.DataFrame(
        {
            "lam_index": np.repeat(index, len(names) + 1),
            "position": np.repeat(position, len(names) + 1),
            "weight": np.tile([*names, "‖w‖"], len(lams)),
            "value": np.c_[coefs, np.linalg.norm(coefs, axis=1)].ravel(),
        }
    )
    return RidgePath(
        lams=lams,
        coefs=coefs,
        intercepts=intercepts,
        train_rmse=train,
        test_rmse=test,
        curves=curves,
        curve_coordinates=model.grid_coordinates(coefs, intercepts),
        errors_frame=errors,
        coefs_frame=coefs_frame,
    )


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


def degeneracies(model):
    """What is unusual about the training data for this model, in sentences a student can read.

    Each entry is ``(kind, sentence)`` with kind one of ``"constant_x"``, ``"constant_y"``,
    ``"duplicate_x"``, ``"interpolates"`` (as many parameters as distinct x, or more: at λ = 0
    the fit passes through every point, the least-norm one when it is not unique),
    ``"no_weights"`` (degree 0 with a free intercept), ``"two_points"`` and ``"no_test"``.
    """
    found = []
    x = model.x_train
    y = model.y_train
    n = y.shape[0]
    distinct = np.unique(x).shape[0]
    parameters = model.n_features + model.fit_intercept
    if distinct == 1:
        found.append(
            (
                "constant_x",
                f"Every training point has the same x ({x[0]:.4g}): a curve in x can only predict "
                "one value, so every fit is flat, at the mean of y or, with a penalised "
                "intercept, shrunk toward 0.",
            )
        )
    if np.ptp(y) == 0:
        found.append(
            (
                "constant_y",
                f"Every training y is {y[0]:.4g}: there is nothing to overfit. With a free "
                "intercept every fit is that constant with all weights 0, at every λ.",
            )
        )
    if 1 < distinct < n:
        found.append(
            (
                "duplicate_x",
                f"{n - distinct} training point{'s share' if n - distinct > 1 else ' shares'} "
                "an x with another point: no curve passes through two different y at the same "
                "x, so the training error stays above 0 even at λ = 0.",
            )
        )
    if distinct > 1 and parameters >= distinct:
        how = (
            "it passes through the mean y at each distinct x"
            if distinct < n
            else "it passes through every training point"
        )
        more = (
            " With more parameters than distinct x values the fit is not unique: the page "
            "shows the one with the smallest ‖w‖ (the intercept, when free, is not penalised), "
            "which the SVD finds and gradient descent from zero on the weights approaches."
            if parameters > distinct
            else ""
        )
        found.append(
            (
                "interpolates",
                f"{parameters} parameters for {distinct} distinct x values: at λ = 0 {how}." + more,
            )
        )
    if model.n_features == 0:
        found.append(
            (
                "no_weights",
                "Degree 0 with a free intercept has no weights: every fit is the mean of the "
                "training y, and λ, which penalises weights, changes nothing.",
            )
        )
    if n == 2:
        found.append(("two_points", "Two training points: a straight line already fits them."))
    if not model.has_test:
        found.append(
            ("no_test", "There are no test points, so the page shows training error only.")
        )
    return found
