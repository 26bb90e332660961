r"""Gradient descent from zero, stopped early, is close to ridge with ``λ ≈ 1 / (2 η t)``.

:func:`gd_filter_factors` and :func:`gd_closed_form` give plain descent's iterates in closed form;
:func:`early_stopping` matches each recorded step of a real run to the nearest ridge solution on
the λ grid, and :func:`early_stopping_fit` draws one step beside its match.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from regviz.compute.common import all_finite, lambda_position, stacked_theta
from regviz.compute.descent import weights_problem
from regviz.solvers import (
    check_alphas,
    quadratic_objective,
    record_steps,
    ridge_path_from_decomposition,
)

GD_SERIES = "gradient descent at step t"
RIDGE_SERIES = "ridge at matching λ"


def gd_filter_factors(s, eta, steps):
    r"""Filter factors of plain gradient descent from zero: ``(1 − (1 − 2 η s²)^t) / s``.

    On ``J(θ) = ‖y − Zθ‖²`` with ``Z = U diag(s) Vᵀ``, the step ``θ ← θ − η 2 Zᵀ(Zθ − y)``
    multiplies the component of ``θ − θ*`` along each ``v_i`` by ``1 − 2 η s_i²``, so from
    ``θ_0 = 0``

    .. math::

        θ_t = V \operatorname{diag}\!\left(\frac{1 − (1 − 2 η s_i^2)^t}{s_i}\right) Uᵀ y,

    against ridge's ``s_i / (s_i² + λ)`` (:func:`solvers.filter_factors`). Both are ``≈ 1/s_i``
    for large ``s_i`` and, for small ones, ``≈ 2 η t s_i`` against ``s_i / λ``: early stopping
    after ``t`` steps acts like ridge with ``λ ≈ 1 / (2 η t)``. Computed as
    ``2 η s Σ_{k<t} (1 − 2 η s²)^k`` (``expm1``/``log1p`` for ``2 η s² <= 1/2``, exact powers
    above, ``2 η s t`` where ``2 η s² t`` is below rounding): accurate for tiny ``s`` even where
    ``s²`` underflows; 0 for ``s = 0`` and for ``t = 0``; valid past ``1/L`` too, where the
    factor oscillates (and, past ``2/L``, diverges).

    Parameters
    ----------
    s : array of shape (q,), >= 0
    eta : float > 0
    steps : int or array of shape (n_steps,), >= 0

    Returns
    -------
    ndarray of shape (n_steps, q)
    """
    s = np.asarray(s, dtype=np.float64).reshape(1, -1)
    t = np.asarray(steps, dtype=np.float64).reshape(-1, 1)
    eta = float(eta)
    a = 2.0 * eta * s**2
    # f = 2 η s q with q = (1 − (1 − a)^t) / a = Σ_{k<t} (1 − a)^k: no division by a tiny s,
    # and q = t where a t is below rounding (a = 0 when s² underflows).
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        small = -np.expm1(t * np.log1p(-np.minimum(a, 0.5)))  # 1 − (1 − a)^t for a <= 1/2
        large = 1.0 - (1.0 - a) ** t
        q = np.where(a <= 0.5, small, large) / a
    q = np.where(a * t < 1e-17, t, q)
    return 2.0 * eta * s * q


def gd_closed_form(phi, y, fit_intercept, eta, steps):
    """Plain gradient descent from zero at λ = 0 in closed form, at any steps: the page's
    descent (:func:`regviz.compute.descent.run_descent`), on the weights.

    With a free intercept the data are centred, ``Z = Φ − x̄``, ``y_c = y − ȳ``, and
    ``b_t = ȳ − x̄·w_t``; with a penalised one ``Z = Φ`` (its ones are a weight) and there is no
    ``b``. Then ``w_t = V diag(gd_filter_factors(s, η, t)) Uᵀ y_c`` with ``Z = U diag(s) Vᵀ``.

    Returns
    -------
    coefs : ndarray of shape (n_steps, p)
    intercepts : ndarray of shape (n_steps,)
        Zeros without a free intercept.
    """
    phi = np.asarray(phi, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    x_mean = phi.mean(axis=0) if fit_intercept else np.zeros(phi.shape[1])
    y_mean = float(y.mean()) if fit_intercept else 0.0
    U, s, Vt = np.linalg.svd(phi - x_mean, full_matrices=False)
    coefs = (gd_filter_factors(s, eta, steps) * (U.T @ (y - y_mean))) @ Vt
    return coefs, y_mean - coefs @ x_mean


def _nearest_ridge(thetas, ridge_thetas):
    """For each row of ``thetas``, the nearest row of ``ridge_thetas`` and the distance."""
    distances = np.linalg.norm(thetas[:, None, :] - ridge_thetas[None, :, :], axis=2)
    nearest = np.argmin(distances, axis=1)
    distance = distances[np.arange(len(thetas)), nearest]
    norms = np.linalg.norm(thetas, axis=1)
    relative = np.divide(distance, norms, out=np.zeros_like(distance), where=norms > 0)
    return nearest, distance, relative


def early_stopping(model, lams, iters=10_000):
    r"""Which ridge solution each step of plain gradient descent from zero is nearest to.

    Plain gradient descent at λ = 0 with step ``η = 1/L`` (what
    :func:`regviz.compute.descent.run_descent` ``(model, 0.0, "gd", "l2", 1.0, iters)`` runs),
    at about 200 log-spaced steps up to ``iters`` (:func:`solvers.record_steps`), taken in
    closed form (:func:`gd_closed_form`: exact at any step, no iterating); for each step
    ``t >= 1`` the λ of ``lams`` whose ridge solution ``θ(λ) = [w(λ), b(λ)]`` (``b`` only when
    free) is nearest to the iterate ``θ_t`` in Euclidean distance. By :func:`gd_filter_factors`
    the match should be near ``λ ≈ 1 / (2 η t)``.

    Returns
    -------
    dict
        ``"matches"``: DataFrame (step, lam_index, lam, position, distance, relative_distance),
        ``relative_distance = distance / ‖θ_t‖`` (0 when ``θ_t = 0``, where every ridge
        solution is 0 too). ``"rule_of_thumb"``: DataFrame (step, lam, position) with
        ``λ = 1 / (2 η t)`` and ``position = log10 λ``. ``"learning_rate"``: ``η``.
        ``"coefs"``, ``"intercepts"``: the iterates at the matches' steps.
    """
    lams = check_alphas(lams)
    problem = weights_problem(model)
    lipschitz = quadratic_objective(problem.X, problem.y, 0.0, fit_intercept=False).lipschitz
    eta = 1.0 / lipschitz if lipschitz > 0 else 1.0
    coefs, intercepts = ridge_path_from_decomposition(model.decomposition, lams)
    ridge = stacked_theta(coefs, intercepts, model.fit_intercept)
    recorded = record_steps(int(iters))[1:]
    iterate_coefs, iterate_intercepts = gd_closed_form(
        model.phi_train, model.y_train, model.fit_intercept, eta, recorded
    )
    keep = np.all(np.isfinite(iterate_coefs), axis=1)
    steps = recorded[keep]
    iterate_coefs, iterate_intercepts = iterate_coefs[keep], iterate_intercepts[keep]
    thetas = stacked_theta(iterate_coefs, iterate_intercepts, model.fit_intercept)
    nearest, distance, relative = _nearest_ridge(thetas, ridge)
    position = lambda_position(lams)
    matches = pd.DataFrame(
        {
            "step": steps.astype(np.int64),
            "lam_index": nearest.astype(np.int64),
            "lam": lams[nearest],
            "position": position[nearest],
            "distance": distance,
            "relative_distance": relative,
        }
    )
    rule = 1.0 / (2.0 * eta * steps.astype(np.float64))
    rule_frame = pd.DataFrame(
        {"step": steps.astype(np.int64), "lam": rule, "position": np.log10(rule)}
    )
    frames = all_finite(
        {"matches": matches, "rule_of_thumb": rule_frame}, "The early-stopping view"
    )
    return {
        **frames,
        "learning_rate": eta,
        "coefs": iterate_coefs,
        "intercepts": iterate_intercepts,
    }


def early_stopping_fit(model, path, eta, step):
    """The gradient-descent curve at exactly ``step`` beside the nearest ridge solution's curve.

    The iterate is plain descent's from zero at λ = 0 with step ``eta`` (:func:`early_stopping`'s
    run), in closed form (:func:`gd_closed_form`), so any step is exact, not only a recorded
    one; the ridge solution is the one of ``path.lams`` whose ``θ(λ)`` is nearest to it.

    Returns
    -------
    frame : DataFrame (x, y, series)
        On ``model.x_grid``; ``series`` is :data:`GD_SERIES` ("gradient descent at step t") or
        :data:`RIDGE_SERIES` ("ridge at matching λ").
    info : dict
        ``step``, ``lam_index``, ``lam``, ``distance``, ``relative_distance``.

    Raises
    ------
    CannotDraw
        When a curve overflows double precision.
    """
    step = int(step)
    coefs, intercepts = gd_closed_form(
        model.phi_train, model.y_train, model.fit_intercept, eta, [step]
    )
    coef, intercept = coefs[0], float(intercepts[0])
    lams = np.asarray(path.lams, dtype=np.float64)
    ridge = stacked_theta(path.coefs, path.intercepts, model.fit_intercept)
    theta = stacked_theta(coef, [intercept], model.fit_intercept)
    nearest, distance, relative = _nearest_ridge(theta, ridge)
    index = int(nearest[0])
    x = model.x_grid
    with np.errstate(over="ignore", invalid="ignore"):
        gd_curve = model.phi_grid @ coef + intercept
        ridge_curve = model.phi_grid @ path.coefs[index] + path.intercepts[index]
    frame = pd.DataFrame(
        {
            "x": np.r_[x, x],
            "y": np.r_[gd_curve, ridge_curve],
            "series": np.repeat([GD_SERIES, RIDGE_SERIES], len(x)),
        }
    )
    all_finite({"fit": frame}, "The early-stopping view")
    info = {
        "step": step,
        "lam_index": index,
        "lam": float(lams[index]),
        "distance": float(distance[0]),
        "relative_distance": float(relative[0]),
    }
    return frame, info
