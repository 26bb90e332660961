"""What the charts that follow λ draw, for every λ of the grid and every step of the film.

The browser redraws these charts at every move of the λ control and every frame of the descent
film without asking the server: every number that depends on λ or on the step is here, as
tables the charts filter or look up by two indices, ``lam_index`` (into the λ grid) and
``step_index`` (into the film's checkpoints). Curves travel as their coordinates in the model's
orthonormal grid basis (:meth:`regviz.compute.model.Model.grid_coordinates`): one number per
parameter instead of one per x, rebuilt without loss of digits in the browser.

numpy in, DataFrames out. The film key of (λ, step) is ``lam_index * n_steps + step_index``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from regviz.compute.common import lambda_position

#: Coordinates beyond this are off every frame; clipped so that float32 holds them.
COORDINATE_LIMIT = 1e30


def _bounded(values):
    """Errors of a diverged run can overflow: the largest float stands for "beyond it", so
    that a chart never receives inf."""
    return np.minimum(values, np.finfo(np.float64).max)


def coordinate_columns(r):
    """The names of the ``r`` curve-coordinate columns: z0, z1, ..."""
    return [f"z{j}" for j in range(r)]


def basis_columns(r):
    """The names of the ``r`` grid-basis columns: u0, u1, ..."""
    return [f"u{j}" for j in range(r)]


def weight_columns(p):
    """The names of the ``p`` weight columns: w0, w1, ..."""
    return [f"w{j}" for j in range(p)]


def film_key(lam_index, step_index, n_steps):
    """The row of (λ, step) in the film tables."""
    return lam_index * n_steps + step_index


def basis_frame(model):
    """x and the orthonormal grid basis, one row per x of the drawn curves (float64)."""
    r = model.grid_basis.shape[1]
    return pd.DataFrame(
        {"x": model.x_grid, **dict(zip(basis_columns(r), model.grid_basis.T, strict=True))}
    )


def closed_form_frame(path):
    """The closed-form curve at every λ as coordinates, one row per λ, ``key`` its index
    (float64: the curve at λ = 0 can be the small difference of huge weights, and the browser
    rebuilds it exactly)."""
    z = np.clip(path.curve_coordinates, -COORDINATE_LIMIT, COORDINATE_LIMIT)
    columns = dict(zip(coordinate_columns(z.shape[1]), z.T, strict=True))
    return pd.DataFrame({"key": np.arange(len(z), dtype=np.int32), **columns})


def film_curves_frame(model, descent):
    """Gradient descent's curve at every (λ, step) as coordinates (float32; a descent iterate
    has no huge cancelling weights, and ``‖U z‖ = ‖z‖`` keeps float32 accurate to 1e-7 of it)."""
    z = model.grid_coordinates(descent.checkpoint_coefs, descent.checkpoint_intercepts)
    n_lams, n_steps, r = z.shape
    z = np.clip(z.reshape(n_lams * n_steps, r), -COORDINATE_LIMIT, COORDINATE_LIMIT)
    return pd.DataFrame(
        {
            "key": np.arange(n_lams * n_steps, dtype=np.int32),
            **dict(zip(coordinate_columns(r), z.astype(np.float32).T, strict=True)),
        }
    )


def film_errors_frame(descent, has_test):
    """Train (and test) RMSE of gradient descent at every (λ, step), float64."""
    n_lams, n_steps = descent.checkpoint_train_rmse.shape
    frame = {
        "key": np.arange(n_lams * n_steps, dtype=np.int32),
        "train": _bounded(descent.checkpoint_train_rmse.reshape(-1)),
    }
    if has_test:
        frame["test"] = _bounded(descent.checkpoint_test_rmse.reshape(-1))
    return pd.DataFrame(frame)


def film_progress_frame(descent):
    """J − J* and ‖w − w*‖ at every (λ, step), and the step itself.

    A run that stopped (converged, diverged) before a checkpoint holds its last iterate there:
    the first such checkpoint is shown at the step where it stopped (``step``), later ones are
    flagged ``held`` so that a chart can leave them out.
    """
    n_lams, n_steps = descent.suboptimality.shape
    checkpoint = np.broadcast_to(descent.steps, (n_lams, n_steps))
    stopped = descent.n_iter[:, None]
    past = checkpoint >= stopped
    first_past = past & ~np.c_[np.zeros((n_lams, 1), dtype=bool), past[:, :-1]]
    return pd.DataFrame(
        {
            "key": np.arange(n_lams * n_steps, dtype=np.int32),
            "lam_index": np.repeat(np.arange(n_lams, dtype=np.int32), n_steps),
            "step": np.minimum(checkpoint, stopped).reshape(-1),
            "held": (past & ~first_past).reshape(-1),
            "gap": _bounded(descent.suboptimality.reshape(-1)),
            "distance": _bounded(descent.distance.reshape(-1)),
        }
    )


def film_weights_frame(descent):
    """Gradient descent's weights at every (λ, step), float32 (clipped like the coordinates)."""
    w = descent.checkpoint_coefs
    n_lams, n_steps, p = w.shape
    w = np.clip(w.reshape(n_lams * n_steps, p), -COORDINATE_LIMIT, COORDINATE_LIMIT)
    return pd.DataFrame(
        {
            "key": np.arange(n_lams * n_steps, dtype=np.int32),
            **dict(zip(weight_columns(p), w.astype(np.float32).T, strict=True)),
        }
    )


def readouts_frame(path, descent, has_test):
    """One row per λ (``key``: its index): the closed form's and descent's final train and test
    RMSE, descent's flags and steps, and the λ axis position."""
    frame = {
        "key": np.arange(len(path.lams), dtype=np.int32),
        "position": lambda_position(path.lams),
        "closed_train": path.train_rmse,
        "descent_train": _bounded(descent.train_rmse),
        "n_iter": descent.n_iter,
        "converged": descent.converged,
        "diverged": descent.diverged,
    }
    if has_test:
        frame["closed_test"] = path.test_rmse
        frame["descent_test"] = _bounded(descent.test_rmse)
    return pd.DataFrame(frame)
