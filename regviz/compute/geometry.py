r"""The plane of two weights: the data term's elliptical level sets and the penalty's circle,
tangent at the ridge solution, computed analytically (no contouring).

The objective is the package's one, ``J(w, b) = Σ_i (y_i − φ(x_i)·w − b)² + λ ‖w‖²``, with the
intercept ``b`` free (the data centred, ``Φ_c = Φ − mean``, ``y_c = y − mean``) or "penalised"
(a column of ones inside ``Φ``, no ``b``, nothing centred). With ``b`` at its optimum for given
``w`` the data term is ``J_data(w) = ‖y_c − Φ_c w‖²``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from regviz.compute.common import CannotDraw, all_finite, index_into, lambda_position, whole_number
from regviz.solvers import numerical_rank

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
    rank = numerical_rank(s, A.shape)
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
    model : model.Model
    path : model.RidgePath
        ``model.ridge_along_path(model, lams)``.
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
            :func:`regviz.compute.common.lambda_position`.
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
    CannotDraw
        When the model has fewer than two weights (it needs degree ≥ 2 with a free intercept,
        ≥ 1 with a penalised one), or a number overflows double precision.
    ValueError
        When ``i`` or ``j`` is not a weight's index, ``i == j``, or ``lam_index`` is out of
        range (the caller's mistake).
    """
    p = model.n_features
    if p < 2:
        raise CannotDraw(
            f"The plane of two weights needs a model with two weights or more; this one has {p}."
        )
    i, j = index_into(i, p, "i"), index_into(j, p, "j")
    if i == j:
        raise ValueError(f"i and j must be two different weights, got {i} twice.")
    lams = np.asarray(path.lams, dtype=np.float64)
    lam_index = index_into(lam_index, len(lams), "lam_index")
    n_points = whole_number(n_points, 8, 100_000, "n_points")
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
    return all_finite(frames, "The geometry view")
