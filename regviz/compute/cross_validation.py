"""Choosing λ without the test set: leave-one-out (closed form, one SVD) and k-fold error
against λ, beside the test error and the effective number of parameters df(λ)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.model_selection import KFold

from regviz.compute.common import lambda_position, rmse
from regviz.solvers import effective_dof, loo_errors, ridge_path, ridge_path_from_decomposition


def cross_validation(model, lams, folds=5, seed=0):
    """Leave-one-out (closed form, one SVD) and k-fold RMSE against λ, beside the test RMSE.

    k-fold uses scikit-learn's ``KFold(folds, shuffle=True, random_state=seed)`` and, for each
    fold, the whole λ path from one SVD of its training part (``solvers.ridge_path``): the same
    numbers as ``cross_val_score(RidgeRegression(alpha=λ), ...)`` for every λ, k SVDs in all.
    Errors are root mean squared (the square root of the mean over all held-out points).

    Returns
    -------
    frame : DataFrame (lam_index, position, kind, rmse)
        kind "leave-one-out", "k-fold", "test" (no test rows without test points). At λ = 0
        leave-one-out is the limit λ → 0+, the minimum-norm refit without each point.
    picks : DataFrame (kind, lam_index, lam, position, rmse)
        Where each kind of error is smallest.
    dof : DataFrame (lam_index, position, dof)
        The effective number of parameters, the trace of the hat matrix.
    """
    lams = np.asarray(lams, dtype=np.float64)
    phi, y = model.phi_train, model.y_train
    n = y.shape[0]
    position = lambda_position(lams)
    index = np.arange(len(lams))
    curves = {"leave-one-out": np.sqrt(loo_errors(phi, y, lams, model.fit_intercept))}
    folds = int(min(folds, n))
    if folds >= 2:
        squared = np.zeros(len(lams))
        for train, held in KFold(folds, shuffle=True, random_state=seed).split(phi):
            coefs, intercepts = ridge_path(phi[train], y[train], lams, model.fit_intercept)
            predictions = coefs @ phi[held].T + intercepts[:, None]
            squared += ((predictions - y[held]) ** 2).sum(axis=1)
        curves["k-fold"] = np.sqrt(squared / n)
    if model.has_test:
        coefs, intercepts = ridge_path_from_decomposition(model.decomposition, lams)
        curves["test"] = rmse(coefs @ model.phi_test.T + intercepts[:, None], model.y_test)
    frames, picks = [], []
    for kind, values in curves.items():
        finite = np.isfinite(values)
        frames.append(
            pd.DataFrame(
                {
                    "lam_index": index[finite],
                    "position": position[finite],
                    "kind": kind,
                    "rmse": values[finite],
                }
            )
        )
        if finite.any():
            best = int(np.nanargmin(np.where(finite, values, np.nan)))
            picks.append(
                {
                    "kind": kind,
                    "lam_index": best,
                    "lam": float(lams[best]),
                    "position": float(position[best]),
                    "rmse": float(values[best]),
                }
            )
    dof = pd.DataFrame(
        {
            "lam_index": index,
            "position": position,
            "dof": effective_dof(phi, lams, model.fit_intercept),
        }
    )
    return pd.concat(frames, ignore_index=True), pd.DataFrame(picks), dof
