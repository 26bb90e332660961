r"""Bias², variance and noise of ridge against λ, measured over many training sets.

Training sets are drawn from the synthetic generator (:func:`regviz.data.synthetic`), each fitted
in closed form at every λ; the decomposition is measured, not assumed, and shown beside the test
error it adds up to (Bishop's PRML Figures 3.5 and 3.6).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from regviz import data as datasets
from regviz.basis import polynomial_columns
from regviz.compute.common import (
    CannotDraw,
    all_finite,
    index_into,
    lambda_position,
    whole_number,
)
from regviz.solvers import check_alphas, filter_factors, kept_singular_values

MAX_RESAMPLES = 500
MAX_TRAINING_POINTS = 1000
#: The most work one decomposition may ask of a shared server, counted as training sets x
#: training points x parameters (K n (degree + 1)): about 0.3 s on one core of the test machine
#: at n = 1000 and degree 30 (K = 64). The page's default (n = 10, degree 9) stays far below.
WORK_BUDGET = 2_000_000
#: Fewer training sets than this would not estimate a variance worth showing.
MIN_RESAMPLES = 10


def resamples_within_budget(k, n, degree):
    """The training sets a decomposition of ``k`` sets of ``n`` points at ``degree`` may use:
    ``k``, or fewer so that ``K n (degree + 1) <= WORK_BUDGET`` (never below MIN_RESAMPLES)."""
    allowed = WORK_BUDGET // (int(n) * (int(degree) + 1))
    return int(min(int(k), max(MIN_RESAMPLES, allowed)))


#: The quantities of :attr:`BiasVariance.decomposition`, in order.
BIAS_VARIANCE_QUANTITIES = (
    "bias²",
    "variance",
    "noise",
    "bias² + variance + noise",
    "test error",
)
_CHUNK = 2**20  # array elements per block of λ's fitted curves (8 MB of float64)


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


@dataclass(frozen=True, eq=False)
class BiasVariance:
    """What :func:`bias_variance` measured: the decomposition along λ, and what :func:`fits_at`
    needs to draw the ``k`` fits at any one λ without refitting.

    Each resample's closed form is kept as its SVD factors (the batch axis ``B`` is 1 with even
    spacing, where every training set has the same x, else ``k``), not as curves: a few hundred
    kilobytes at ``k = 200`` and degree 30, where the curves at every λ would be 50 MB.
    """

    decomposition: pd.DataFrame  # (lam_index, position, quantity, value)
    lams: np.ndarray
    noise: float
    k: int
    degree: int
    basis: str
    with_bias: bool
    x_grid: np.ndarray  # (n_grid,)
    truth: np.ndarray  # f on the grid
    lo: np.ndarray  # (B,) each batch's training range, which scales the basis
    hi: np.ndarray
    x_mean: np.ndarray  # (B, p)
    y_mean: np.ndarray  # (k,)
    s: np.ndarray  # (B, q)
    kept: np.ndarray  # (B, q) singular values above the rank cut-off
    Vt: np.ndarray  # (B, q, p)
    uty: np.ndarray  # (k, q): Uᵀ y_c per resample

    def values_at(self, lam_index):
        """The five quantities at ``lams[lam_index]``, name -> float."""
        frame = self.decomposition
        row = frame[frame["lam_index"] == lam_index]
        return dict(zip(row["quantity"], row["value"].astype(float), strict=True))


def bias_variance(
    fn, n, noise, seed, spacing, degree, basis, intercept, lams, k=50, n_grid=200, n_test=200
):
    r"""Bias², variance and noise of ridge against λ, over ``k`` training sets, and the test error.

    Training set ``r = 0 .. k−1`` is :func:`resample` (``data.synthetic`` with the same ``fn``,
    ``n``, ``noise``, ``spacing`` and the seed ``(seed, r)``), with its own ``n_test`` fresh
    test points (x uniform on [0, 1], ``y = f(x) + N(0, σ²)``). Each is expanded in the basis
    scaled by its training x's range, as :func:`regviz.compute.model.build_model` does, and
    fitted in closed form for every λ at once: ``w_r(λ) = V diag(s / (s² + λ)) Uᵀ y_{c,r}``,
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

    Nothing here depends on the current λ: the page caches it per data, model and ``k``, and
    draws the fits at the current λ with :func:`fits_at`.

    Parameters
    ----------
    fn, n, noise, seed, spacing
        The generator's settings (:func:`data.synthetic`); ``1 <= n <= 1000``.
    degree, basis, intercept
        The model (:func:`regviz.compute.model.build_model`).
    lams : array of shape (n_lams,), each >= 0
    k : int, default=50
        Training sets drawn, ``1 <= k <= 500``.
    n_grid : int, default=200
    n_test : int, default=200
        Test points per training set.

    Returns
    -------
    BiasVariance
        ``decomposition`` (lam_index, position, quantity, value): each quantity of
        :data:`BIAS_VARIANCE_QUANTITIES` at each λ; finite.

    Raises
    ------
    CannotDraw
        Fits that overflow double precision (a high degree extrapolating far beyond a narrow
        random training range).
    ValueError
        Settings out of range.
    """
    if fn not in datasets.TRUE_FUNCTIONS:
        raise ValueError(f"fn must be one of {tuple(datasets.TRUE_FUNCTIONS)}, got {fn!r}.")
    if spacing not in ("even", "random"):
        raise ValueError(f"spacing must be 'even' or 'random', got {spacing!r}.")
    if intercept not in ("free", "penalised"):
        raise ValueError(f"intercept must be 'free' or 'penalised', got {intercept!r}.")
    if not (math.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}.")
    n = whole_number(n, 1, MAX_TRAINING_POINTS, "n")
    k = whole_number(k, 1, MAX_RESAMPLES, "k")
    n_grid = whole_number(n_grid, 1, 10_000, "n_grid")
    n_test = whole_number(n_test, 1, 10_000, "n_test")
    degree = whole_number(degree, 0, 100, "degree")
    lams = check_alphas(lams)
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
    phi_grid = _grid_basis(x_grid, degree, basis, lo, hi, with_bias)
    test_lo, test_hi = (np.repeat(lo, k), np.repeat(hi, k)) if even else (lo, hi)
    phi_test = _expand(x_test, degree, basis, test_lo, test_hi, with_bias)  # (k, n_test, p)
    if not all(np.all(np.isfinite(a)) for a in (phi, phi_grid, phi_test)):
        raise CannotDraw(
            f"The {basis} basis overflows at degree {degree} on these points. Choose a lower "
            "degree or evenly spaced training points."
        )

    # Closed form for every resample and λ (solvers.ridge_decomposition, batched).
    p = phi.shape[2]
    if fit_intercept:
        x_mean, y_mean = phi.mean(axis=1), y_train.mean(axis=1)  # (B, p), (k,)
    else:
        x_mean, y_mean = np.zeros((len(phi), p)), np.zeros(k)
    # Centred in place and dropped after use: at n = 1000 and degree 30 each of phi and U is
    # 16 MB, and the server runs two of these at a time.
    phi -= x_mean[:, None, :]
    U, s, Vt = np.linalg.svd(phi, full_matrices=False)
    del phi
    y_c = y_train - y_mean[:, None]
    uty = y_c @ U[0] if even else np.einsum("knq,kn->kq", U, y_c)  # (k, q): Uᵀ y_c per resample
    del U
    kept = kept_singular_values(s, (n, p))
    coefs = (filter_factors(s, lams, kept) * uty[:, None, :]) @ Vt  # (k, n_lams, p)
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
    noise_sq = np.full(n_lams, float(noise) ** 2)
    values = {
        "bias²": bias2,
        "variance": variance,
        "noise": noise_sq,
        "bias² + variance + noise": bias2 + variance + noise_sq,
        "test error": test_error,
    }
    decomposition = pd.DataFrame(
        {
            "lam_index": np.tile(np.arange(n_lams), len(values)),
            "position": np.tile(lambda_position(lams), len(values)),
            "quantity": np.repeat(list(values), n_lams),
            "value": np.concatenate(list(values.values())),
        }
    )
    all_finite({"decomposition": decomposition}, "The bias and variance view")
    return BiasVariance(
        decomposition=decomposition,
        lams=lams,
        noise=float(noise),
        k=k,
        degree=degree,
        basis=basis,
        with_bias=with_bias,
        x_grid=x_grid,
        truth=truth,
        lo=lo,
        hi=hi,
        x_mean=x_mean,
        y_mean=y_mean,
        s=s,
        kept=kept,
        Vt=Vt,
        uty=uty,
    )


def _grid_basis(x_grid, degree, basis, lo, hi, with_bias):
    """The grid in each batch's basis: shape (B, n_grid, p)."""
    return _expand(
        np.broadcast_to(x_grid, (len(lo), len(x_grid))), degree, basis, lo, hi, with_bias
    )


def fits_at(result, lam_index):
    """The ``k`` fitted curves at ``result.lams[lam_index]``, their mean and the truth.

    The cheap part of the view: one λ's filter factors and a (k × p) by (p × n_grid) product
    per batch, no refitting.

    Returns
    -------
    dict of DataFrame
        ``"fits"`` (resample, x, y): the ``k`` curves on the grid. ``"mean"`` (x, y): their mean.
        ``"truth"`` (x, y): ``f`` on the grid.

    Raises
    ------
    CannotDraw
        When a curve overflows double precision.
    """
    lam_index = index_into(lam_index, len(result.lams), "lam_index")
    lam = result.lams[lam_index : lam_index + 1]
    factors = filter_factors(result.s, lam, result.kept)[:, 0]  # (B, q)
    phi_grid = _grid_basis(
        result.x_grid, result.degree, result.basis, result.lo, result.hi, result.with_bias
    )
    with np.errstate(over="ignore", invalid="ignore"):  # checked by all_finite
        if len(result.s) == 1:  # one design (even spacing): its SVD and basis serve every resample
            coefs = (factors[0] * result.uty) @ result.Vt[0]  # (k, p)
            intercepts = result.y_mean - coefs @ result.x_mean[0]
            curves = coefs @ phi_grid[0].T
        else:
            coefs = np.einsum("kq,kqp->kp", factors * result.uty, result.Vt)
            intercepts = result.y_mean - np.einsum("kp,kp->k", coefs, result.x_mean)
            curves = np.einsum("kgp,kp->kg", phi_grid, coefs)
        curves = curves + intercepts[:, None]
    k, n_grid = curves.shape
    frames = {
        "fits": pd.DataFrame(
            {
                "resample": np.repeat(np.arange(k), n_grid),
                "x": np.tile(result.x_grid, k),
                "y": curves.reshape(-1),
            }
        ),
        "mean": pd.DataFrame({"x": result.x_grid, "y": curves.mean(axis=0)}),
        "truth": pd.DataFrame({"x": result.x_grid, "y": result.truth}),
    }
    return all_finite(frames, "The bias and variance view")
