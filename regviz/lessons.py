r"""The numbers behind the intuition views: numpy in, long pandas DataFrames out, no Streamlit.

Every function here works on the package's one objective::

    J(w, b) = Σ_i (y_i − φ(x_i)·w − b)² + λ ‖w‖²

with the intercept ``b`` free (unpenalised; the data are centred, ``Φ_c = Φ − mean``,
``y_c = y − mean``) or "penalised" (a column of ones inside ``Φ``, no ``b``, nothing centred).
With ``b`` at its optimum for given ``w``, the data term is ``J_data(w) = ‖y_c − Φ_c w‖²``.

- :func:`geometry`: the data term's elliptical level sets and the penalty's circle in the plane
  of two weights, tangent at the ridge solution.
- :func:`bias_variance`: bias², variance and noise against λ over many training sets drawn from
  the synthetic generator, beside the measured test error they add up to.
- :func:`error_against_degree`: training and test RMSE against the polynomial degree.
- :func:`early_stopping`, :func:`early_stopping_fit`, :func:`gd_filter_factors`,
  :func:`gd_closed_form`: gradient descent from zero, stopped early, is close to ridge with
  ``λ ≈ 1 / (2 η t)``.

Every returned DataFrame holds finite numbers only (never NaN or inf); where an input makes
that impossible a :class:`ValueError` says why.
"""

from __future__ import annotations

import math
import operator

import numpy as np
import pandas as pd

from regviz import data as datasets
from regviz.basis import polynomial_columns
from regviz.csv_reader import DataError
from regviz.experiments import build_model, lambda_position, rmse, run_descent
from regviz.solvers import ridge_path_from_decomposition

__all__ = [
    "BIAS_VARIANCE_QUANTITIES",
    "ELLIPSE_MULTIPLES",
    "GD_SERIES",
    "MAX_RESAMPLES",
    "MAX_TRAINING_POINTS",
    "RIDGE_SERIES",
    "WINDOW_PAD",
    "bias_variance",
    "early_stopping",
    "early_stopping_fit",
    "error_against_degree",
    "gd_closed_form",
    "gd_filter_factors",
    "geometry",
    "resample",
]

_EPS = np.finfo(np.float64).eps

# ---------------------------------------------------------------------------------------------
# Shared helpers
# ---------------------------------------------------------------------------------------------


def _index(value, size, name):
    """``value`` as an int in ``range(size)``, or a ValueError that says what was expected."""
    try:
        value = operator.index(value)
    except TypeError:
        raise ValueError(f"{name} must be a whole number, got {value!r}.") from None
    if not 0 <= value < size:
        raise ValueError(f"{name} must be between 0 and {size - 1}, got {value}.")
    return value


def _whole(value, low, high, name):
    """``value`` as an int in ``[low, high]``, or a ValueError."""
    try:
        value = operator.index(value)
    except TypeError:
        raise ValueError(f"{name} must be a whole number, got {value!r}.") from None
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}, got {value}.")
    return value


def _lambdas(lams):
    lams = np.atleast_1d(np.asarray(lams, dtype=np.float64))
    if lams.ndim != 1 or lams.size == 0 or not np.all(np.isfinite(lams)) or np.any(lams < 0):
        raise ValueError("lams must be a non-empty 1-D array of finite numbers >= 0.")
    return lams


def _finite(frames, what):
    """Raise unless every number in every frame is finite (the module's promise)."""
    for name, frame in frames.items():
        numbers = frame.select_dtypes("number").to_numpy(dtype=np.float64)
        if not np.all(np.isfinite(numbers)):
            raise ValueError(
                f"{what}: the {name!r} numbers overflow double precision. Choose a lower "
                "degree, the legendre or monomial basis, or evenly spaced training points."
            )
    return frames


def _theta(coefs, intercepts, fit_intercept):
    """``θ = [w, b]`` (rows), or ``w`` alone without a free intercept."""
    coefs = np.atleast_2d(coefs)
    return np.c_[coefs, intercepts] if fit_intercept else coefs


# ---------------------------------------------------------------------------------------------
# 1. Geometry: ellipses of the data term, the penalty's circle, tangent at the solution
# ---------------------------------------------------------------------------------------------

#: Extra level sets drawn, as multiples of the reference excess ``J_data − min J_data``.
ELLIPSE_MULTIPLES = (0.25, 0.5, 2.0, 4.0)
#: Padding of the geometry window on each side, as a share of its span.
WINDOW_PAD = 0.15


def _closed_angles(n_points, extra=()):
    """``n_points + 1`` angles from 0 to 2π (the last repeats the first point), plus ``extra``."""
    t = np.linspace(0.0, 2.0 * np.pi, n_points + 1)
    return np.union1d(t, np.asarray(extra, dtype=np.float64)) if len(extra) else t


def _plane(A, r):
    """The data term ``‖r − A v‖²`` of the two weights ``v``, through the SVD of ``A`` (n × 2).

    Returns the minimiser of least norm (``numpy.linalg.lstsq``'s, singular values at or below
    ``max(n, 2) ε s_max`` treated as 0), the minimum, and the SVD's kept part, so that
    ``‖r − A v‖² = J_min + ‖diag(s) Vᵀ (v − centre)‖²``.
    """
    U, s, Vt = np.linalg.svd(A, full_matrices=False)
    cutoff = max(A.shape) * _EPS * (s[0] if s.size else 0.0)
    rank = int(np.count_nonzero(s > cutoff)) if s.size and s[0] > 0 else 0
    centre = Vt[:rank].T @ ((U[:, :rank].T @ r) / s[:rank])
    residual = r - A @ centre
    return centre, float(residual @ residual), s[:rank], Vt


def _window(solution, centre):
    """A square window holding the origin, the circle through ``solution`` and ``centre``.

    The bounding box of those (the circle's box is ``[−ρ, ρ]²`` with ``ρ = ‖solution‖``, so the
    solution is in it), made square around its middle (so that a circle looks round) and padded
    by :data:`WINDOW_PAD` of its side on each side. The ellipses' extents are left out on
    purpose: the outer level sets of an ill-conditioned plane reach far beyond the interesting
    part, and the chart clips them. ``[−1, 1]²`` when everything is at the origin.
    """
    radius = float(np.hypot(*solution))
    lo = np.minimum(np.minimum(centre, 0.0), -radius)
    hi = np.maximum(np.maximum(centre, 0.0), radius)
    span = float(np.max(hi - lo))
    middle = (lo + hi) / 2.0
    if not span > 0:
        span, middle = 2.0 / (1.0 + 2.0 * WINDOW_PAD), np.zeros(2)
    half = span * (0.5 + WINDOW_PAD)
    return {
        "wi_min": middle[0] - half,
        "wi_max": middle[0] + half,
        "wj_min": middle[1] - half,
        "wj_max": middle[1] + half,
    }


def _ellipse(centre, s, Vt, excess, angles):
    """Points of ``‖diag(s) Vᵀ (v − centre)‖² = excess``: ``v = centre + V diag(√excess / s) [cos
    t, sin t]``."""
    unit = np.stack([np.cos(angles), np.sin(angles)])
    return centre[:, None] + Vt.T @ ((math.sqrt(excess) / s)[:, None] * unit)


def _line_pair(centre, s1, v1, excess, window, n_points):
    """The level set ``(s1 v1ᵀ (v − centre))² = excess`` of a rank-one plane: two parallel lines.

    Returned as one closed path: ``n_points // 2 + 1`` points along the line ``+δ v1`` (``δ =
    √excess / s1``) from far past one side of the window to far past the other, the same along
    ``−δ v1`` back, and the first point again. Every point is on the level set; only the two
    closing segments (from one line's end to the other's) are not, and they lie far outside
    the window, so a chart clipped to the window shows the two lines and nothing else, like an
    infinitely long ellipse.
    """
    v2 = np.array([-v1[1], v1[0]])
    middle = np.array(
        [(window["wi_min"] + window["wi_max"]) / 2, (window["wj_min"] + window["wj_max"]) / 2]
    )
    reach = 4.0 * (window["wi_max"] - window["wi_min"])  # beyond every corner of the window
    tau = float(v2 @ (middle - centre)) + np.linspace(-reach, reach, n_points // 2 + 1)
    offset = math.sqrt(excess) / s1 * v1
    there = centre + offset + np.outer(tau, v2)
    back = (centre - offset + np.outer(tau, v2))[::-1]
    points = np.vstack([there, back, there[:1]]).T
    return points, np.linspace(0.0, 2.0 * np.pi, points.shape[1])


def geometry(model, path, lam_index, i, j, iterates=None, n_points=200):
    r"""The plane of weights ``i`` and ``j``: the data term's level sets, the penalty's, the path.

    Every other weight is held at its ridge value ``w_k(λ)``, ``λ = path.lams[lam_index]``, and
    a free intercept at its optimum given the weights, so that in the plane the data term is the
    quadratic

    .. math::

        J_{data}(v) = ‖r − A v‖² = J_{min} + (v − c)ᵀ AᵀA (v − c),
        \quad A = Φ_c[:, [i, j]],\ r = y_c − Σ_{k ∉ \{i, j\}} Φ_{c,k} w_k(λ)

    with Hessian ``2 AᵀA`` and centre ``c`` (the unpenalised minimiser in the plane). With
    ``A = U diag(s) Vᵀ`` its level set ``J_data = J_min + e`` is the ellipse
    ``v(t) = c + V diag(√e / s) (cos t, sin t)``: computed, not contoured. At the ridge
    solution ``v_λ = (w_i(λ), w_j(λ))`` the data term's gradient is ``−2 λ v_λ`` (the ridge
    optimality condition), normal to the circle ``‖v‖ = ‖v_λ‖``: the first ellipse and the
    circle are tangent there.

    Parameters
    ----------
    model : experiments.Model
    path : experiments.Path
        ``ridge_along_path(model, lams)``.
    lam_index : int
        Index into ``path.lams``.
    i, j : int
        Two different indices into the model's weights (``model.feature_names``).
    iterates : solvers.GDTrace, optional
        A gradient-descent record to draw in the plane (its other weights are not held).
    n_points : int, default=200
        Points per closed curve (one more: the first is repeated at the end).

    Returns
    -------
    dict of DataFrame
        ``"ellipses"`` (level, t, wi, wj)
            ``level`` is the value of ``J_data`` on the curve, ``t`` in [0, 2π] orders the
            points along it. The first level (in row order) passes through the ridge solution,
            ``J_data(v_λ) = J_min + e_λ``; then the levels ``J_min + m e_ref`` for ``m`` in
            :data:`ELLIPSE_MULTIPLES`, with ``e_ref = e_λ``, or, when the solution sits at the
            centre (``e_λ < 10⁻⁴ e_0``, as at λ = 0; ``e_0`` the origin's excess), ``e_0 / 4``
            (so that the last level passes through the origin). Levels of zero excess (a point)
            are left out. When ``A`` has rank one (the two columns are parallel after centring,
            or one is zero; singular values at or below ``max(n, 2) ε s_max`` count as 0), each
            level set is a pair of parallel lines ``|s₁ v₁ᵀ (v − c)| = √e``, returned as one
            closed path: points along both lines, from far beyond the window on one side to far
            beyond it on the other, joined by two segments far outside the window (so a chart
            clipped to the window shows just the lines). Every returned point is on its level.
            When ``A`` is zero (``J_data`` does not depend on the two weights) the frame is
            empty.
        ``"circle"`` (t, wi, wj)
            ``wi² + wj² = ‖v_λ‖²``, the penalty's level set through the solution.
        ``"diamond"`` (t, wi, wj)
            ``|wi| + |wj| = |w_i(λ)| + |w_j(λ)|`` (L1's, for comparison), corners included.
        ``"path"`` (lam_index, position, wi, wj)
            ``(w_i(λ), w_j(λ))`` for every λ of ``path.lams``; ``position`` is
            :func:`experiments.lambda_position`.
        ``"solution"`` (wi, wj, lam)
            One row: ``v_λ`` and λ.
        ``"centre"`` (wi, wj)
            One row: ``c``, the minimiser of least norm when it is not unique.
        ``"iterates"`` (step, wi, wj)
            From ``iterates``; empty without it.
        ``"window"`` (wi_min, wi_max, wj_min, wj_max)
            One row: a square holding the origin, the circle (so the solution) and the centre,
            padded by :data:`WINDOW_PAD` of its side on each side (``[−1, 1]²`` when all of them
            are at the origin). It ignores the ellipses' extent: their outer parts are clipped.

    Raises
    ------
    ValueError
        When ``i`` or ``j`` is not a weight's index, ``i == j`` (the model needs two weights:
        degree ≥ 2 with a free intercept, ≥ 1 with a penalised one) or ``lam_index`` is out of
        range.
    """
    p = model.n_features
    if p < 2:
        raise ValueError(
            f"The plane of two weights needs a model with two weights or more; this one has {p}."
        )
    i, j = _index(i, p, "i"), _index(j, p, "j")
    if i == j:
        raise ValueError(f"i and j must be two different weights, got {i} twice.")
    lams = np.asarray(path.lams, dtype=np.float64)
    lam_index = _index(lam_index, len(lams), "lam_index")
    n_points = _whole(n_points, 8, 100_000, "n_points")
    lam = float(lams[lam_index])
    w = np.asarray(path.coefs[lam_index], dtype=np.float64)
    solution = w[[i, j]]

    dec = model.decomposition
    phi_c = model.phi_train - dec.x_mean
    y_c = model.y_train - dec.y_mean
    others = np.setdiff1d(np.arange(p), [i, j])
    A = phi_c[:, [i, j]]
    r = y_c - phi_c[:, others] @ w[others]
    centre, j_min, s, Vt = _plane(A, r)
    window = _window(solution, centre)

    def excess(v):
        return float(np.sum((s * (Vt[: s.size] @ (v - centre))) ** 2))

    angles = _closed_angles(n_points)
    curves = []
    if s.size:
        e_solution, e_origin = excess(solution), excess(np.zeros(2))
        reference = e_solution if e_solution >= 1e-4 * e_origin else e_origin / 4.0
        levels = [e_solution, *(m * reference for m in ELLIPSE_MULTIPLES)]
        for e in levels:
            if not e > 0:
                continue
            if s.size == 2:
                points, t = _ellipse(centre, s, Vt, e, angles), angles
            else:
                points, t = _line_pair(centre, s[0], Vt[0], e, window, n_points)
            curves.append(
                pd.DataFrame({"level": j_min + e, "t": t, "wi": points[0], "wj": points[1]})
            )
    ellipses = (
        pd.concat(curves, ignore_index=True)
        if curves
        else pd.DataFrame({c: np.array([], dtype=np.float64) for c in ("level", "t", "wi", "wj")})
    )

    radius = float(np.hypot(*solution))
    circle = pd.DataFrame(
        {"t": angles, "wi": radius * np.cos(angles), "wj": radius * np.sin(angles)}
    )
    rho = float(np.abs(solution).sum())
    corners = np.pi / 2.0 * np.arange(5)
    diamond_t = _closed_angles(n_points, corners)
    cos, sin = np.cos(diamond_t), np.sin(diamond_t)
    scale = rho / (np.abs(cos) + np.abs(sin))
    diamond = pd.DataFrame({"t": diamond_t, "wi": scale * cos, "wj": scale * sin})

    coefs = np.asarray(path.coefs, dtype=np.float64)
    path_frame = pd.DataFrame(
        {
            "lam_index": np.arange(len(lams)),
            "position": lambda_position(lams),
            "wi": coefs[:, i],
            "wj": coefs[:, j],
        }
    )
    if iterates is None:
        iterates_frame = pd.DataFrame(
            {
                "step": np.array([], dtype=np.int64),
                "wi": np.array([], dtype=np.float64),
                "wj": np.array([], dtype=np.float64),
            }
        )
    else:
        iterates_frame = pd.DataFrame(
            {
                "step": np.asarray(iterates.step, dtype=np.int64),
                "wi": iterates.coef[:, i],
                "wj": iterates.coef[:, j],
            }
        )
        iterates_frame = iterates_frame[
            np.isfinite(iterates_frame[["wi", "wj"]]).all(axis=1)
        ].reset_index(drop=True)
    frames = {
        "ellipses": ellipses,
        "circle": circle,
        "diamond": diamond,
        "path": path_frame,
        "solution": pd.DataFrame({"wi": [solution[0]], "wj": [solution[1]], "lam": [lam]}),
        "centre": pd.DataFrame({"wi": [centre[0]], "wj": [centre[1]]}),
        "iterates": iterates_frame,
        "window": pd.DataFrame({k: [v] for k, v in window.items()}),
    }
    return _finite(frames, "The geometry view")


# ---------------------------------------------------------------------------------------------
# 2. Bias and variance over resampled training sets
# ---------------------------------------------------------------------------------------------

#: Bounds on the work :func:`bias_variance` does.
MAX_RESAMPLES = 500
MAX_TRAINING_POINTS = 1000
#: The quantities of :func:`bias_variance`'s "decomposition" frame, in order.
BIAS_VARIANCE_QUANTITIES = (
    "bias²",
    "variance",
    "noise",
    "bias² + variance + noise",
    "test error",
)
_CHUNK = 2**22  # array elements per block of λ's fitted curves (32 MB of float64)


def resample(fn, n, noise, seed, spacing, n_test, r):
    """Training set number ``r`` of :func:`bias_variance`: ``data.synthetic`` seeded by
    ``(seed, r)``.

    ``numpy.random.default_rng((seed, r))`` (a ``SeedSequence`` with entropy ``[seed, r]``)
    draws it in the generator's order: training x (random spacing only), training noise, test
    x, test noise. Deterministic, and independent across ``r``.
    """
    return datasets.synthetic(
        fn=fn, n=n, noise=noise, seed=(int(seed), int(r)), spacing=spacing, n_test=n_test
    )


def _expand(x, degree, basis, lo, hi, with_bias):
    """``x`` of shape (K, m) in the basis, scaled per row by that row's training range.

    ``lo``, ``hi`` of shape (K,) are passed elementwise to :func:`basis.polynomial_columns`
    (whose scaling is elementwise), so each row is what ``build_model`` makes of it.
    """
    K, m = x.shape
    with np.errstate(over="ignore", invalid="ignore"):  # checked by the caller
        columns = polynomial_columns(
            x.reshape(-1), degree, basis, np.repeat(lo, m), np.repeat(hi, m)
        ).reshape(K, m, degree)
    if with_bias:
        columns = np.concatenate([np.ones((K, m, 1)), columns], axis=2)
    return columns


def bias_variance(
    fn,
    n,
    noise,
    seed,
    spacing,
    degree,
    basis,
    intercept,
    lams,
    lam_index,
    k=50,
    n_grid=200,
    n_test=200,
):
    r"""Bias², variance and noise of ridge against λ, over ``k`` training sets, and the test error.

    Training set ``r = 0 .. k−1`` is :func:`resample` (``data.synthetic`` with the same ``fn``,
    ``n``, ``noise``, ``spacing`` and the seed ``(seed, r)``), with its own ``n_test`` fresh
    test points (x uniform on [0, 1], ``y = f(x) + N(0, σ²)``). Each is expanded in the basis
    scaled by its training x's range, as :func:`experiments.build_model` does, and fitted in
    closed form for every λ at once: ``w_r(λ) = V diag(s / (s² + λ)) Uᵀ y_{c,r}``,
    ``b_r(λ) = ȳ_r − x̄_r·w_r(λ)``. With even spacing every training set has the same x: one
    SVD serves all, the ``k`` targets as the columns of one matrix; with random spacing the
    ``k`` SVDs run as one batched call. The fits ``ŷ_r(x; λ)`` are evaluated on the grid
    ``x_g = (g + ½) / n_grid`` (the midpoints of ``n_grid`` equal cells of [0, 1], so a mean
    over the grid is the midpoint rule for an average over x uniform on [0, 1]):

    .. math::

        \text{bias}^2(λ) &= \operatorname{mean}_g (\bar y(x_g; λ) − f(x_g))^2,
            \quad \bar y = \operatorname{mean}_r ŷ_r \\
        \text{variance}(λ) &= \operatorname{mean}_g \operatorname{var}_r ŷ_r(x_g; λ)
            \quad (\text{ddof} = 0) \\
        \text{noise} &= σ^2 \\
        \text{test error}(λ) &= \operatorname{mean}_r \operatorname{mean}_t
            (ŷ_r(x_{r,t}; λ) − y_{r,t})^2

    Since ``bias² + variance = mean_r mean_g (ŷ_r − f)²`` exactly (ddof = 0), the sum
    ``bias² + variance + noise`` and the test error estimate the same expectation: they agree
    within Monte-Carlo error (a few standard errors of ``mean_r``).

    Parameters
    ----------
    fn, n, noise, seed, spacing
        The generator's settings (:func:`data.synthetic`); ``1 <= n <= 1000``.
    degree, basis, intercept
        The model (:func:`experiments.build_model`).
    lams : array of shape (n_lams,), each >= 0
    lam_index : int
        The λ whose curves the "fits" and "mean" frames hold.
    k : int, default=50
        Training sets drawn, ``1 <= k <= 500``.
    n_grid : int, default=200
    n_test : int, default=200
        Test points per training set.

    Returns
    -------
    dict of DataFrame
        ``"fits"`` (resample, x, y): the ``k`` fitted curves at ``lams[lam_index]`` on the grid.
        ``"mean"`` (x, y): their mean. ``"truth"`` (x, y): ``f`` on the grid.
        ``"decomposition"`` (lam_index, position, quantity, value): for each quantity of
        :data:`BIAS_VARIANCE_QUANTITIES` and each λ. ``"at_lambda"`` (lam_index, lam, and one
        column per quantity of :data:`BIAS_VARIANCE_QUANTITIES`): one row at ``lam_index``.

    Raises
    ------
    ValueError
        Settings out of range, or fits that overflow double precision (a high degree
        extrapolating far beyond a narrow random training range).
    """
    if fn not in datasets.TRUE_FUNCTIONS:
        raise ValueError(f"fn must be one of {tuple(datasets.TRUE_FUNCTIONS)}, got {fn!r}.")
    if spacing not in ("even", "random"):
        raise ValueError(f"spacing must be 'even' or 'random', got {spacing!r}.")
    if intercept not in ("free", "penalised"):
        raise ValueError(f"intercept must be 'free' or 'penalised', got {intercept!r}.")
    if not (math.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}.")
    n = _whole(n, 1, MAX_TRAINING_POINTS, "n")
    k = _whole(k, 1, MAX_RESAMPLES, "k")
    n_grid = _whole(n_grid, 1, 10_000, "n_grid")
    n_test = _whole(n_test, 1, 10_000, "n_test")
    degree = _whole(degree, 0, 100, "degree")
    lams = _lambdas(lams)
    lam_index = _index(lam_index, len(lams), "lam_index")
    with_bias = intercept == "penalised"
    fit_intercept = not with_bias
    f = datasets.TRUE_FUNCTIONS[fn]

    # The only loop over resamples: each draws from its own seeded Generator.
    draws = [resample(fn, n, noise, seed, spacing, n_test, r) for r in range(k)]
    x_train = np.stack([d.x_train for d in draws])  # (k, n)
    y_train = np.stack([d.y_train for d in draws])
    x_test = np.stack([d.x_test for d in draws])  # (k, n_test)
    y_test = np.stack([d.y_test for d in draws])
    x_grid = (np.arange(n_grid) + 0.5) / n_grid
    truth = f(x_grid)

    even = spacing == "even"
    train_x = x_train[:1] if even else x_train  # (B, n), B = 1 (shared) or k
    lo, hi = train_x.min(axis=1), train_x.max(axis=1)
    phi = _expand(train_x, degree, basis, lo, hi, with_bias)  # (B, n, p)
    phi_grid = _expand(np.broadcast_to(x_grid, (len(lo), n_grid)), degree, basis, lo, hi, with_bias)
    test_lo, test_hi = (np.repeat(lo, k), np.repeat(hi, k)) if even else (lo, hi)
    phi_test = _expand(x_test, degree, basis, test_lo, test_hi, with_bias)  # (k, n_test, p)
    if not all(np.all(np.isfinite(a)) for a in (phi, phi_grid, phi_test)):
        raise ValueError(
            f"The {basis} basis overflows at degree {degree} on these points. Choose a lower "
            "degree or evenly spaced training points."
        )

    # Closed form for every resample and λ (solvers.ridge_decomposition, batched).
    p = phi.shape[2]
    if fit_intercept:
        x_mean, y_mean = phi.mean(axis=1), y_train.mean(axis=1)  # (B, p), (k,)
    else:
        x_mean, y_mean = np.zeros((len(phi), p)), np.zeros(k)
    U, s, Vt = np.linalg.svd(phi - x_mean[:, None, :], full_matrices=False)
    y_c = y_train - y_mean[:, None]
    uty = y_c @ U[0] if even else np.einsum("knq,kn->kq", U, y_c)  # (k, q): Uᵀ y_c per resample
    s_max = s[:, :1] if s.shape[1] else np.zeros((len(s), 1))
    kept = (s > max(n, p) * _EPS * s_max) & (s_max > 0)  # ridge_decomposition's rank
    safe = np.where(kept, s, 1.0)
    with np.errstate(over="ignore", divide="ignore"):
        factors = np.where(
            kept[:, None, :], 1.0 / (safe[:, None, :] + lams[None, :, None] / safe[:, None, :]), 0.0
        )  # (B, n_lams, q): filter_factors
    coefs = (factors * uty[:, None, :]) @ Vt  # (k, n_lams, p)
    intercepts = y_mean[:, None] - (coefs @ x_mean[:, :, None])[..., 0]  # (k, n_lams)

    n_lams = len(lams)
    bias2, variance, test_error = np.empty(n_lams), np.empty(n_lams), np.empty(n_lams)
    grid_t, test_t = np.swapaxes(phi_grid, 1, 2), np.swapaxes(phi_test, 1, 2)
    block = max(1, _CHUNK // (k * max(n_grid, n_test)))  # λ per block: bounded memory
    with np.errstate(over="ignore", invalid="ignore"):  # checked below
        for start in range(0, n_lams, block):
            part = slice(start, start + block)
            fits = coefs[:, part] @ grid_t + intercepts[:, part, None]  # (k, block, n_grid)
            bias2[part] = np.mean((fits.mean(axis=0) - truth) ** 2, axis=1)
            variance[part] = np.mean(fits.var(axis=0), axis=1)
            predictions = coefs[:, part] @ test_t + intercepts[:, part, None]
            test_error[part] = np.mean((predictions - y_test[:, None, :]) ** 2, axis=(0, 2))
        curves = (coefs[:, lam_index, None, :] @ grid_t)[:, 0] + intercepts[:, lam_index, None]
    noise_sq = np.full(n_lams, float(noise) ** 2)
    values = {
        "bias²": bias2,
        "variance": variance,
        "noise": noise_sq,
        "bias² + variance + noise": bias2 + variance + noise_sq,
        "test error": test_error,
    }
    position = lambda_position(lams)
    index = np.arange(n_lams)
    decomposition = pd.DataFrame(
        {
            "lam_index": np.tile(index, len(values)),
            "position": np.tile(position, len(values)),
            "quantity": np.repeat(list(values), n_lams),
            "value": np.concatenate(list(values.values())),
        }
    )
    at_lambda = pd.DataFrame(
        {
            "lam_index": [lam_index],
            "lam": [float(lams[lam_index])],
            **{name: [float(v[lam_index])] for name, v in values.items()},
        }
    )
    frames = {
        "fits": pd.DataFrame(
            {
                "resample": np.repeat(np.arange(k), n_grid),
                "x": np.tile(x_grid, k),
                "y": curves.reshape(-1),
            }
        ),
        "mean": pd.DataFrame({"x": x_grid, "y": curves.mean(axis=0)}),
        "truth": pd.DataFrame({"x": x_grid, "y": truth}),
        "decomposition": decomposition,
        "at_lambda": at_lambda,
    }
    return _finite(frames, "The bias and variance view")


# ---------------------------------------------------------------------------------------------
# 3. Error against degree
# ---------------------------------------------------------------------------------------------


def error_against_degree(dataset, basis, intercept, lam, degrees=range(0, 21)):
    """Training and test RMSE of the closed-form fit against the degree, at λ = 0 and at ``lam``.

    For each degree: :func:`experiments.build_model` (one SVD) and the ridge solutions at 0 and
    ``lam`` from it (:func:`solvers.ridge_path_from_decomposition`).

    Parameters
    ----------
    dataset : data.Dataset
    basis, intercept : str
        As for :func:`experiments.build_model`.
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
        degree = _whole(degree, 0, 100, "degree")
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


# ---------------------------------------------------------------------------------------------
# 4. Early stopping
# ---------------------------------------------------------------------------------------------

#: The series of :func:`early_stopping_fit`'s frame.
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
    """Plain gradient descent from zero at λ = 0 in closed form, at any steps.

    On ``θ = [w, b]`` with ``Z = [Φ, 1]`` (free intercept; the uncentred design, as
    :func:`solvers.gradient_descent` runs it) or ``θ = w``, ``Z = Φ`` (penalised intercept):
    ``θ_t = V diag(gd_filter_factors(s, η, t)) Uᵀ y`` with ``Z = U diag(s) Vᵀ``.

    Returns
    -------
    coefs : ndarray of shape (n_steps, p)
    intercepts : ndarray of shape (n_steps,)
        Zeros without a free intercept.
    """
    phi = np.asarray(phi, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    Z = np.c_[phi, np.ones(len(y))] if fit_intercept else phi
    U, s, Vt = np.linalg.svd(Z, full_matrices=False)
    thetas = (gd_filter_factors(s, eta, steps) * (U.T @ y)) @ Vt
    if fit_intercept:
        return thetas[:, :-1], thetas[:, -1]
    return thetas, np.zeros(len(thetas))


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

    Runs ``experiments.run_descent(model, 0.0, "gd", "l2", 1.0, iters)`` (step ``η = 1/L``, at
    λ = 0, about 200 recorded steps) and, for each recorded step ``t >= 1``, finds the λ of
    ``lams`` whose ridge solution ``θ(λ) = [w(λ), b(λ)]`` (``b`` only when free) is nearest to
    the iterate ``θ_t`` in Euclidean distance. By :func:`gd_filter_factors` the match should be
    near ``λ ≈ 1 / (2 η t)``.

    Returns
    -------
    dict
        ``"matches"``: DataFrame (step, lam_index, lam, position, distance, relative_distance),
        ``relative_distance = distance / ‖θ_t‖`` (0 when ``θ_t = 0``, where every ridge
        solution is 0 too). ``"rule_of_thumb"``: DataFrame (step, lam, position) with
        ``λ = 1 / (2 η t)`` and ``position = log10 λ``. ``"trace"``: the run's
        :class:`solvers.GDTrace` (for :func:`early_stopping_fit`). ``"learning_rate"``: ``η``.
    """
    lams = _lambdas(lams)
    run = run_descent(model, 0.0, "gd", "l2", 1.0, int(iters))
    trace = run.result.trace
    eta = float(run.result.learning_rate)
    coefs, intercepts = ridge_path_from_decomposition(model.decomposition, lams)
    ridge = _theta(coefs, intercepts, model.fit_intercept)
    keep = (trace.step >= 1) & np.all(np.isfinite(trace.coef), axis=1)
    steps = trace.step[keep]
    thetas = _theta(trace.coef[keep], trace.intercept[keep], model.fit_intercept)
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
    frames = _finite({"matches": matches, "rule_of_thumb": rule_frame}, "The early-stopping view")
    return {**frames, "trace": trace, "learning_rate": eta}


def early_stopping_fit(model, path, trace, step):
    """The gradient-descent curve at (about) ``step`` beside the nearest ridge solution's curve.

    The recorded step of ``trace`` nearest to ``step`` (ties: the earlier) is used, and the λ of
    ``path.lams`` whose ``θ(λ)`` is nearest to its iterate (as in :func:`early_stopping`).

    Returns
    -------
    frame : DataFrame (x, y, series)
        On ``model.x_grid``; ``series`` is :data:`GD_SERIES` ("gradient descent at step t") or
        :data:`RIDGE_SERIES` ("ridge at matching λ").
    info : dict
        ``step`` (the recorded step used), ``lam_index``, ``lam``, ``distance``,
        ``relative_distance``.
    """
    steps = np.asarray(trace.step, dtype=np.int64)
    usable = np.flatnonzero(np.all(np.isfinite(trace.coef), axis=1))
    chosen = int(usable[np.argmin(np.abs(steps[usable] - int(step)))])
    coef, intercept = trace.coef[chosen], float(trace.intercept[chosen])
    lams = np.asarray(path.lams, dtype=np.float64)
    ridge = _theta(path.coefs, path.intercepts, model.fit_intercept)
    theta = _theta(coef, [intercept], model.fit_intercept)
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
    _finite({"fit": frame}, "The early-stopping view")
    info = {
        "step": int(steps[chosen]),
        "lam_index": index,
        "lam": float(lams[index]),
        "distance": float(distance[0]),
        "relative_distance": float(relative[0]),
    }
    return frame, info
