"""Training and test error against the polynomial degree, at λ = 0 and at the current λ
(Bishop's PRML Figure 1.5)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from regviz.compute.common import rmse, whole_number
from regviz.compute.model import build_model
from regviz.csv_reader import DataError
from regviz.solvers import ridge_path_from_decomposition


def error_against_degree(dataset, basis, intercept, lam, degrees=range(0, 21)):
    """Training and test RMSE of the closed-form fit against the degree, at λ = 0 and at ``lam``.

    For each degree: :func:`regviz.compute.model.build_model` (one SVD) and the ridge solutions
    at 0 and ``lam`` from it (:func:`solvers.ridge_path_from_decomposition`).

    Parameters
    ----------
    dataset : data.Dataset
    basis, intercept : str
        As for :func:`regviz.compute.model.build_model`.
    lam : float >= 0
    degrees : iterable of int >= 0, default=range(0, 21)

    Returns
    -------
    DataFrame (degree, set, lam_label, rmse)
        ``set`` is "train" or "test", ``lam_label`` "λ = 0" or "current λ" (no "current λ"
        rows when ``lam == 0``). The true RMSE, however large (the chart clips). Left out: test
        rows when the dataset has no test points, and degrees whose basis overflows double
        precision (``build_model`` refuses them: a raw basis on large x).
    """
    lam = float(lam)
    if not (math.isfinite(lam) and lam >= 0):
        raise ValueError(f"lam must be a finite number >= 0, got {lam!r}.")
    lams, labels = ([0.0], ["λ = 0"]) if lam == 0 else ([0.0, lam], ["λ = 0", "current λ"])
    frames = []
    for degree in degrees:  # one model (one SVD) per degree
        degree = whole_number(degree, 0, 100, "degree")
        try:
            model = build_model(dataset, degree, basis, intercept)
        except DataError:
            continue
        coefs, intercepts = ridge_path_from_decomposition(model.decomposition, lams)
        with np.errstate(over="ignore", invalid="ignore"):
            train = rmse(coefs @ model.phi_train.T + intercepts[:, None], model.y_train)
            test = rmse(coefs @ model.phi_test.T + intercepts[:, None], model.y_test)
        frames.append(
            pd.DataFrame(
                {
                    "degree": degree,
                    "set": np.repeat(["train", "test"], len(lams)),
                    "lam_label": labels * 2,
                    "rmse": np.r_[train, test],
                }
            )
        )
    if not frames:
        return pd.DataFrame(
            {
                "degree": np.array([], dtype=np.int64),
                "set": np.array([], dtype=object),
                "lam_label": np.array([], dtype=object),
                "rmse": np.array([], dtype=np.float64),
            }
        )
    frame = pd.concat(frames, ignore_index=True)
    return frame[np.isfinite(frame["rmse"])].reset_index(drop=True)
