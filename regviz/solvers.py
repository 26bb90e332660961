r"""Ridge regression in closed form and by gradient descent, on one objective.

Convention (scikit-learn ``Ridge``'s)::

    J(w, b) = sum_i (y_i - x_i . w - b)^2 + alpha * ||w||^2

The intercept ``b`` is not penalised; with ``fit_intercept=False`` there is no ``b``. Bishop's
convention, ``1/2 sum_i (...)^2 + lambda/2 ||w||^2`` with ``w_0`` penalised, has the same minimiser
with ``lambda = alpha`` when the basis includes a column of ones and ``fit_intercept=False``.

The module has two layers, as scikit-learn's ``linear_model/_ridge.py`` does: pure array
functions (``ridge_decomposition``, ``ridge_path``, ``gradient_descent``,
``gradient_descent_path``) that the dashboard calls directly and caches, and the scikit-learn
estimators ``RidgeRegression`` and ``GradientDescentRegressor`` on top of them. Both closed form
and descent come for a whole path of alphas at once; one alpha is a path of one.

Two conventions are written once here and used everywhere: which singular values count
(:func:`kept_singular_values`, :func:`numerical_rank`) and which alphas are valid
(:func:`check_alphas`). The optimizers are one registry, :data:`OPTIMIZERS`: adding one is one
new :class:`Optimizer` entry.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace
from numbers import Integral, Real
from typing import NamedTuple

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import check_is_fitted, validate_data

PENALTIES = ("l2", "decoupled")
#: Default learning rate for Adam: PyTorch's and Keras's.
ADAM_DEFAULT_LEARNING_RATE = 1e-3
#: Past this :func:`ridge_condition_number` (a bound on the coefficients' relative error in units
#: of eps) the coefficients may carry fewer than about 4 correct digits: RidgeRegression warns.
ILL_CONDITIONED = 1e12
#: A gradient-family run whose suboptimality grows past this factor of its start stops early,
#: diverged; one that merely ends above its start on an unstable step is flagged at the end.
DIVERGENCE_FACTOR = 1e8
_EPS = np.finfo(np.float64).eps


class ConditioningWarning(RuntimeWarning):
    """The fit is numerically ill-conditioned: its coefficients carry few correct digits."""


class DivergenceWarning(ConvergenceWarning):
    """Gradient descent diverged (a step size past the stability limit)."""


# --------------------------------------------------------------------------------------------
# Conventions: which singular values count, which alphas are valid
# --------------------------------------------------------------------------------------------


def kept_singular_values(s, shape, rcond=None):
    """Which singular values count as non-zero: those above ``rcond * s_max``.

    The cutoff is ``numpy.linalg.lstsq``'s and ``numpy.linalg.matrix_rank``'s: by default
    ``rcond = max(n_rows, n_cols) * eps``, so a singular value counts when

    ``s_i > max(n_rows, n_cols) * eps * s_max``.

    Below it, ``s_i`` is indistinguishable from rounding error in the matrix's entries. Every
    rank in this package (:func:`ridge_decomposition`, :func:`quadratic_objective`,
    :func:`effective_dof`, :func:`loo_errors`) comes from here.

    Parameters
    ----------
    s : array of shape (..., q)
        Singular values (non-negative), of one matrix or of a batch of matrices along the
        leading axes, as ``numpy.linalg.svd`` returns them.
    shape : tuple of two ints
        ``(n_rows, n_cols)`` of each decomposed matrix (not of the batch).
    rcond : float, optional
        Relative cutoff; default ``max(shape) * eps``.

    Returns
    -------
    ndarray of bool, shape (..., q)
        True where the singular value counts. None counts when ``s_max = 0``.

    Examples
    --------
    >>> kept_singular_values([[2.0, 1e-20, 0.0], [0.0, 0.0, 0.0]], (3, 3))
    array([[ True, False, False],
           [False, False, False]])
    """
    s = np.asarray(s, dtype=np.float64)
    if rcond is None:
        rcond = max(shape) * _EPS
    s_max = np.max(s, axis=-1, keepdims=True, initial=0.0)
    return s > rcond * s_max


def numerical_rank(s, shape, rcond=None):
    """The number of singular values that count (:func:`kept_singular_values`).

    Parameters
    ----------
    s : array of shape (q,) or (..., q)
    shape : tuple of two ints
        ``(n_rows, n_cols)`` of the decomposed matrix.
    rcond : float, optional
        Relative cutoff; default ``max(shape) * eps``.

    Returns
    -------
    int for a 1-D ``s``; else an int array of shape ``s.shape[:-1]``, one rank per matrix.

    Examples
    --------
    >>> numerical_rank([3.0, 1.0, 1e-17], (4, 3))
    2
    """
    counts = np.count_nonzero(kept_singular_values(s, shape, rcond), axis=-1)
    return int(counts) if np.ndim(counts) == 0 else counts


def check_alphas(alphas):
    """``alphas`` as a 1-D float64 array, or a ValueError unless each is finite and ``>= 0``.

    A scalar gives an array of one alpha.

    Raises
    ------
    ValueError
        "alphas must be a 1-D array of finite numbers >= 0."
    """
    alphas = np.atleast_1d(np.asarray(alphas, dtype=np.float64))
    if alphas.ndim != 1 or not np.all(np.isfinite(alphas)) or np.any(alphas < 0):
        raise ValueError("alphas must be a 1-D array of finite numbers >= 0.")
    return alphas


# --------------------------------------------------------------------------------------------
# Closed form: one SVD, any number of alphas
# --------------------------------------------------------------------------------------------


class RidgeDecomposition(NamedTuple):
    """What the ridge solution needs from the data, for every alpha: one thin SVD.

    ``X_c = X - x_mean = U diag(s) Vt`` (centered only when the intercept is fitted), and
    ``uty = U.T (y - y_mean)``. Singular values at or below ``rcond * s[0]`` are treated as
    zero (``rank`` counts the others), as ``numpy.linalg.lstsq`` does.
    """

    x_mean: np.ndarray
    y_mean: float
    U: np.ndarray
    s: np.ndarray
    Vt: np.ndarray
    uty: np.ndarray
    rank: int
    #: ``||y - y_mean||`` and ``||(I - U_r U_r^T)(y - y_mean)||`` (``U_r``: the kept columns),
    #: the part of ``y`` that no ``w`` reaches; for :func:`ridge_condition_number`.
    y_norm: float = 0.0
    unreached: float = 0.0


def ridge_decomposition(X, y, fit_intercept=True, rcond=None):
    """Decompose ``(X, y)`` once so that ridge solutions for any alpha cost O(p^2).

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
    y : array of shape (n_samples,)
    fit_intercept : bool
        Center ``X`` and ``y`` first: the unpenalised intercept then separates from ``w``.
    rcond : float, optional
        Relative cutoff for small singular values; default ``max(n_samples, n_features) * eps``.

    Returns
    -------
    RidgeDecomposition
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if fit_intercept:
        x_mean, y_mean = X.mean(axis=0), float(y.mean())
    else:
        x_mean, y_mean = np.zeros(X.shape[1]), 0.0
    U, s, Vt = np.linalg.svd(X - x_mean, full_matrices=False)
    rank = numerical_rank(s, X.shape, rcond)
    y_c = y - y_mean
    uty = U.T @ y_c
    unreached = float(np.linalg.norm(y_c - U[:, :rank] @ uty[:rank]))
    return RidgeDecomposition(
        x_mean, y_mean, U, s, Vt, uty, rank, float(np.linalg.norm(y_c)), unreached
    )


def filter_factors(s, alphas, kept):
    r"""Ridge's filter factors ``f_i(alpha) = s_i / (s_i^2 + alpha)``; 0 for dropped values.

    ``w(alpha) = V diag(f(alpha)) U^T y``. Computed as ``1 / (s_i + alpha / s_i)``, not as
    ``s_i / (s_i^2 + alpha)``: ``s_i^2`` underflows to 0 for ``s_i`` below 1e-162, while
    ``alpha / s_i`` overflowing to ``inf`` gives the right limit, ``f_i = 0``, without a warning.

    Parameters
    ----------
    s : array of shape (q,) or (B, q)
        Singular values of one matrix, or of a batch of ``B`` matrices (any leading axes).
    alphas : array of shape (n_alphas,)
    kept : int, int array of shape (B,), or bool array of shape (B, q)
        The singular values that count: the first ``kept`` of them (the rank, as
        :attr:`RidgeDecomposition.rank`), the first ``kept[b]`` of batch ``b``, or a mask (as
        :func:`kept_singular_values` returns).

    Returns
    -------
    ndarray of shape (n_alphas, q), or (B, n_alphas, q) for a batch
        ``f[..., a, i]`` for ``alphas[a]`` and ``s[..., i]``; identical, number for number,
        whether ``s`` is passed whole or row by row.

    Examples
    --------
    >>> filter_factors([2.0, 1.0, 1e-20], [0.0, 2.0], 2)
    array([[0.5       , 1.        , 0.        ],
           [0.33333333, 0.33333333, 0.        ]])
    """
    s = np.asarray(s, dtype=np.float64)
    alphas = np.asarray(alphas, dtype=np.float64).reshape(-1, 1)
    kept = np.asarray(kept)
    if kept.dtype == bool:
        mask = np.broadcast_to(kept, s.shape)
    else:  # a rank, or one per batch: the leading singular values count
        mask = np.arange(s.shape[-1]) < kept[..., None]
    # Dropped values are replaced by 1 so that nothing divides by 0; their factor is set to 0.
    safe = np.where(mask, s, 1.0)[..., None, :]  # (..., 1, q) against alphas (n_alphas, 1)
    with np.errstate(over="ignore"):  # alpha / s = inf gives the right limit, f = 0
        return np.where(mask[..., None, :], 1.0 / (safe + alphas / safe), 0.0)


def ridge_path_from_decomposition(dec, alphas):
    """Coefficients and intercepts for each alpha from a :func:`ridge_decomposition`.

    ``w(alpha) = V diag(s / (s^2 + alpha)) U^T y_c`` and ``b(alpha) = y_mean - x_mean . w``.
    """
    coefs = (filter_factors(dec.s, alphas, dec.rank) * dec.uty) @ dec.Vt
    intercepts = dec.y_mean - coefs @ dec.x_mean
    return coefs, intercepts


def ridge_path(X, y, alphas, fit_intercept=True):
    """The whole ridge path from one SVD.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
    y : array of shape (n_samples,)
    alphas : array of shape (n_alphas,), each >= 0
        ``alpha = 0`` gives the minimum-norm least-squares solution.
    fit_intercept : bool, default=True

    Returns
    -------
    coefs : ndarray of shape (n_alphas, n_features)
    intercepts : ndarray of shape (n_alphas,)
        Zeros when ``fit_intercept=False``.
    """
    alphas = check_alphas(alphas)
    return ridge_path_from_decomposition(ridge_decomposition(X, y, fit_intercept), alphas)


def effective_condition_number(s, alpha, rank=None):
    """``s_max / min_i (s_i + alpha / s_i)``: ``||X_c|| ||(X_c^T X_c + alpha I)^{-1} X_c^T||``.

    ``s_i + alpha / s_i`` is the reciprocal of the filter factor; for ``alpha = 0`` this is the
    ordinary condition number ``s_max / s_min`` over the kept singular values. It measures how
    much the map from ``y`` to ``w`` amplifies a perturbation of ``y`` alone
    (``||X_c|| ||dw|| <= kappa ||dy||``); it can fall below 1 for large alpha.

    It does not bound the digits of the computed coefficients: rounding perturbs ``X`` as well
    (the SVD is exact only for a nearby matrix), and that error is amplified by up to
    ``||X_c|| ||r|| / ((s_min^2 + alpha) ||w||)`` (``r`` the residual), which this leaves out.
    On two columns ``x`` and ``x + 1e-7 N(0, 1)`` at ``alpha = 1e-6`` it is 1.5 where 4.3 of
    16 digits are lost. For that use :func:`ridge_condition_number`.
    """
    s = np.asarray(s, dtype=np.float64)[: len(s) if rank is None else rank]
    if s.size == 0 or s[0] == 0:
        return 1.0
    return float(s[0] / np.min(s + alpha / s))


def ridge_condition_number(dec, alpha):
    r"""A bound on the relative error of the closed-form coefficients, in units of ``eps``.

    With ``X_c = U diag(s) V^T`` (centred when the intercept is fitted; kept singular values
    only, ``s_r`` the smallest), ``w = (X_c^T X_c + alpha I)^{-1} X_c^T y_c`` and the data
    residual ``r = y_c - X_c w``, a perturbation ``E`` of ``X_c`` and ``dy`` of ``y_c`` moves
    ``w`` by, to first order,

    ``dw = (X_c^T X_c + alpha I)^{-1} (E^T r - X_c^T E w + X_c^T dy)``.

    The SVD route is backward stable: it returns the ridge solution of ``X_c + E`` and
    ``y_c + dy`` with ``||E|| ~ eps ||X_c||`` and ``||dy|| ~ eps ||y_c||`` (centring rounds
    each entry relative to the centred value, so a large mean costs nothing at first order).
    With ``||(X_c^T X_c + alpha I)^{-1}|| = 1 / (s_r^2 + alpha)`` and
    ``||(X_c^T X_c + alpha I)^{-1} X_c^T|| = f_max = max_k s_k / (s_k^2 + alpha)``:

    ``||dw|| / ||w|| <= eps * kappa``,
    ``kappa = s_1 f_max (1 + ||y_c|| / (s_1 ||w||)) + s_1 ||r|| / ((s_r^2 + alpha) ||w||)``.

    At ``alpha = 0`` this is least squares' ``kappa(X) + kappa(X)^2 ||r|| / (||X|| ||w||)``
    (up to the ``||y||`` term): a residual makes the squared condition number count. The first
    term is :func:`effective_condition_number` (times a factor near 1); the second, which that
    leaves out, dominates for near-collinear columns with a small alpha. Measured against
    50-digit solutions (tests/test_conditioning.py) the relative error is at most 1.7 times
    ``eps * kappa`` over polynomial, near-collinear, offset and wide designs, and often far
    below it: the bound is normwise, pessimistic (by up to 4e5 times) when columns differ
    widely in scale. The coefficients so carry at least about
    ``-log10(2 eps kappa) = 15.4 - log10(kappa)`` correct digits relative to ``||w||`` (small
    coefficients fewer). The intercept ``y_mean - x_mean . w`` can lose more when ``x_mean``
    is large.

    Parameters
    ----------
    dec : RidgeDecomposition
        Of the data (:func:`ridge_decomposition`).
    alpha : float >= 0

    Returns
    -------
    float
        1.0 when no singular value counts (``w = 0`` exactly); ``inf`` when ``w = 0`` but
        ``y_c`` is not (any rounding is then an infinite relative error).
    """
    s = dec.s[: dec.rank]
    if s.size == 0:
        return 1.0
    c = dec.uty[: dec.rank]
    alpha = float(alpha)
    factors = filter_factors(s, [alpha], dec.rank)[0]
    w_norm = float(np.linalg.norm(factors * c))
    # ||r||^2: the reached part shrunk by alpha / (s^2 + alpha), and the part never reached.
    shrunk = c / (1.0 + s * (s / alpha)) if alpha > 0 else np.zeros_like(c)
    r_norm = math.hypot(float(np.linalg.norm(shrunk)), dec.unreached)
    if w_norm == 0.0:
        return 1.0 if dec.y_norm == 0.0 else math.inf
    s_max, s_min = float(s[0]), float(s[-1])
    amplified = s_max * float(np.max(factors)) * (1.0 + dec.y_norm / (s_max * w_norm))
    return amplified + s_max * r_norm / ((s_min * s_min + alpha) * w_norm)


def correct_digits(kappa):
    """The correct digits :func:`ridge_condition_number` guarantees, about:
    ``floor(-log10(2 eps kappa))``, at least 0 (2: the measured constant, rounded up)."""
    return max(0, math.floor(-math.log10(2.0 * _EPS * kappa))) if math.isfinite(kappa) else 0


def _warn_if_ill_conditioned(kappa, what):
    if kappa > ILL_CONDITIONED:
        warnings.warn(
            f"{what} is ill-conditioned (condition number {kappa:.1e}): its coefficients carry "
            f"at least about {correct_digits(kappa)} correct digits, perhaps more. Use the "
            "'legendre' or 'monomial' basis, a lower degree, or a larger alpha.",
            ConditioningWarning,
            stacklevel=3,
        )


# --------------------------------------------------------------------------------------------
# The objective as a quadratic, for one alpha or a whole path of them
# --------------------------------------------------------------------------------------------


def _excess(s, Vt, theta_star, thetas):
    """``||diag(s_k) Vt_k (theta - theta*_k)||^2`` for each row of each column's ``thetas``.

    ``s`` (K, q), ``Vt`` (K, q, q), ``theta_star`` (K, q) and ``thetas`` (K, M, q): column
    first, so that each column's rows are one matrix product (one BLAS call per column).
    Returns (K, M). A sum of squares: exact to rounding however small, no difference of two
    nearly equal objectives.
    """
    projected = _matmul_rows(thetas - theta_star[:, None, :], np.swapaxes(Vt, -1, -2))
    projected *= s[:, None, :]
    return np.einsum("kmi,kmi->km", projected, projected)


def _matmul_rows(a, b, out=None):
    """``a @ b`` with ``a`` (..., M, q): the same rounding for a row whatever ``M`` is.

    BLAS takes a lone row (``M = 1``) by a matrix-vector product, whose rounding differs from
    the matrix-matrix product's in the last bits; padding it to two rows keeps a one-column run
    bit-identical to its column of a batch.
    """
    if a.shape[-2] != 1:
        return np.matmul(a, b, out=out)
    product = np.matmul(np.concatenate([a, a], axis=-2), b)[..., :1, :]
    if out is None:
        return product
    out[...] = product
    return out


def _two_rows(array):
    """``array``, or its single row twice: a run of one column steps two identical rows so that
    its products go through the same BLAS routine as a batch's (see :func:`_matmul_rows`)."""
    if array is None or array.shape[0] != 1:
        return array
    return np.concatenate([array, array])


@dataclass(frozen=True)
class Quadratic:
    r"""The objective as a quadratic in ``theta = [w, b]`` (``b`` only when fitted).

    ``J(theta) = J* + ||diag(s) Vt (theta - theta*)||^2`` where ``A = [Z; sqrt(alpha) D]``
    ``= U diag(s) Vt``, ``Z = [X, 1]``, ``D`` selects ``w``; so the Hessian is
    ``H = 2 A^T A = 2 (Z^T Z + alpha D)``, ``L = 2 s_max^2`` and ``mu = 2 s_min^2``. ``theta*`` is
    the minimiser of least norm. Written this way ``J - J*`` is a sum of squares, accurate
    down to the last digits instead of the difference of two nearly equal numbers.

    One column of a :class:`QuadraticPath` (``path[k]``); :func:`quadratic_objective` builds it.
    """

    gram: np.ndarray  # Z^T Z
    zty: np.ndarray  # Z^T y
    decay_mask: np.ndarray  # 1 for w, 0 for the intercept
    alpha: float
    s: np.ndarray
    Vt: np.ndarray
    theta_star: np.ndarray
    optimum: float  # J*
    initial: float  # J(0) = ||y||^2
    rank: int  # of A (and of the Hessian): below len(theta) when the minimiser is not unique

    @property
    def lipschitz(self):
        """``L``: the largest eigenvalue of the Hessian ``2 (Z^T Z + alpha D)``."""
        return 2.0 * float(self.s[0]) ** 2 if self.s.size else 0.0

    @property
    def singular(self):
        """True when the Hessian is singular (many minimisers; ``theta*`` has least norm)."""
        return self.rank < self.Vt.shape[1]

    @property
    def condition_number(self):
        """``L / mu`` over the range of the Hessian: ``(s_max / s_r)^2``, ``r`` the rank.

        Gradient descent from zero never leaves that range (every gradient lies in it), so this
        sets its speed even when the Hessian is singular, where it converges to ``theta*``, the
        minimiser of least norm. For a non-singular Hessian it is the usual condition number.
        """
        if self.rank == 0:
            return 1.0
        return float(self.s[0] / self.s[self.rank - 1]) ** 2

    @property
    def hessian_eigenvalues(self):
        """The Hessian's eigenvalues on its range, ``2 s_k^2`` for ``k < rank``, descending:
        what :meth:`Optimizer.steps_needed` and :meth:`Optimizer.spectral_radius` take."""
        return 2.0 * self.s[: self.rank] ** 2

    def suboptimality(self, thetas):
        """``J(theta) - J*`` for each row of ``thetas``, as a sum of squares."""
        rows = np.atleast_2d(np.asarray(thetas, dtype=np.float64))
        return _excess(self.s[None], self.Vt[None], self.theta_star[None], rows[None])[0]


@dataclass(frozen=True, eq=False)
class QuadraticPath:
    r"""The objective as a quadratic in ``theta`` for each of ``K`` alphas: ``K`` :class:`Quadratic`
    at once, arrays with the alpha first.

    For alpha ``alphas[k]``: ``J_k(theta) = J*_k + ||diag(s_k) Vt_k (theta - theta*_k)||^2``,
    where ``U_k diag(s_k) Vt_k`` is the SVD of ``A_k = [Z; sqrt(alpha_k) D]`` (``Z = [X, 1]``
    with the intercept, ``X`` without; ``D`` the rows of the identity that select ``w``). The
    Hessian is ``H_k = 2 A_k^T A_k = 2 (Z^T Z + alpha_k D)``. ``path[k]`` is the
    :class:`Quadratic` of column ``k`` and ``path.take(columns)`` a path of some of them.

    Attributes
    ----------
    gram : ndarray of shape (q, q)
        ``Z^T Z``, shared by every alpha (the gradient's Gram form).
    zty : ndarray of shape (q,)
        ``Z^T y``, shared.
    decay_mask : ndarray of shape (q,)
        1 for a weight of ``w``, 0 for the intercept (never penalised).
    alphas : ndarray of shape (K,)
    s : ndarray of shape (K, q)
        Singular values of each ``A_k``, descending.
    Vt : ndarray of shape (K, q, q)
        Right singular vectors of each ``A_k``, as rows.
    theta_star : ndarray of shape (K, q)
        The minimiser of least norm of each ``J_k``.
    optimum : ndarray of shape (K,)
        ``J*_k``, the least value, as a sum of squares (no cancellation).
    initial : float
        ``J(0) = ||y||^2``, the same for every alpha.
    rank : ndarray of int, shape (K,)
        Rank of ``A_k`` (and of ``H_k``), by :func:`kept_singular_values` on the shape of
        ``A_k``, ``(n + p, q)``.
    """

    gram: np.ndarray
    zty: np.ndarray
    decay_mask: np.ndarray
    alphas: np.ndarray
    s: np.ndarray
    Vt: np.ndarray
    theta_star: np.ndarray
    optimum: np.ndarray
    initial: float
    rank: np.ndarray

    def __len__(self):
        return self.alphas.shape[0]

    @property
    def fit_intercept(self):
        """True when ``theta`` ends with an (unpenalised) intercept."""
        return bool(np.any(self.decay_mask == 0))

    @property
    def lipschitz(self):
        """``L_k = 2 s_max^2``: the largest eigenvalue of each Hessian, shape (K,)."""
        return 2.0 * np.max(self.s, axis=1, initial=0.0) ** 2

    @property
    def singular(self):
        """True where the Hessian is singular (``theta*`` is then the least-norm minimiser)."""
        return self.rank < self.Vt.shape[-1]

    @property
    def condition_number(self):
        """``(s_max / s_r)^2`` over each Hessian's range (``r`` its rank; 1 for rank 0), as
        :attr:`Quadratic.condition_number`; shape (K,)."""
        if self.s.shape[1] == 0:
            return np.ones(len(self))
        smallest_kept = self.s[np.arange(len(self)), np.maximum(self.rank - 1, 0)]
        with np.errstate(divide="ignore", invalid="ignore"):  # rank 0: s_max = 0
            return np.where(self.rank > 0, (self.s[:, 0] / smallest_kept) ** 2, 1.0)

    def suboptimality(self, thetas):
        """``J_k(theta) - J*_k`` as a sum of squares (see :class:`Quadratic`).

        Parameters
        ----------
        thetas : array of shape (..., K, q)
            Any number of ``theta`` for each column, the column on the second-last axis.

        Returns
        -------
        ndarray of shape (..., K)
        """
        return self._per_column(
            thetas, lambda rows: _excess(self.s, self.Vt, self.theta_star, rows)
        )

    def distance(self, thetas):
        """``||theta - theta*_k||`` for ``thetas`` of shape (..., K, q); returns (..., K)."""
        thetas = np.asarray(thetas, dtype=np.float64)
        return np.linalg.norm(thetas - self.theta_star, axis=-1)

    def _per_column(self, thetas, of_rows):
        thetas = np.asarray(thetas, dtype=np.float64)
        lead = thetas.shape[:-2]
        rows = np.moveaxis(thetas, -2, 0).reshape(len(self), math.prod(lead), thetas.shape[-1])
        return np.moveaxis(of_rows(rows).reshape(len(self), *lead), 0, -1)

    def take(self, columns):
        """The path of some columns: ``columns`` indices or a boolean mask over the K alphas."""
        return replace(
            self,
            **{
                name: getattr(self, name)[columns]
                for name in ("alphas", "s", "Vt", "theta_star", "optimum", "rank")
            },
        )

    def __getitem__(self, k):
        """The :class:`Quadratic` of column ``k``."""
        return Quadratic(
            gram=self.gram,
            zty=self.zty,
            decay_mask=self.decay_mask,
            alpha=float(self.alphas[k]),
            s=self.s[k],
            Vt=self.Vt[k],
            theta_star=self.theta_star[k],
            optimum=float(self.optimum[k]),
            initial=self.initial,
            rank=int(self.rank[k]),
        )

    @classmethod
    def stack(cls, quads):
        """The path whose columns are the :class:`Quadratic` ``quads`` (of the same data)."""
        first = quads[0]
        return cls(
            gram=first.gram,
            zty=first.zty,
            decay_mask=first.decay_mask,
            alphas=np.array([quad.alpha for quad in quads], dtype=np.float64),
            s=np.stack([quad.s for quad in quads]),
            Vt=np.stack([quad.Vt for quad in quads]),
            theta_star=np.stack([quad.theta_star for quad in quads]),
            optimum=np.array([quad.optimum for quad in quads], dtype=np.float64),
            initial=first.initial,
            rank=np.array([quad.rank for quad in quads], dtype=np.int64),
        )


def quadratic_objectives(X, y, alphas, fit_intercept=True):
    r"""Ridge's objective as a quadratic for every alpha of ``alphas``: one QR, one batched SVD.

    With ``Z = Q R`` (reduced QR; ``R`` is ``min(n, q) x q``)

    ``J(theta) = ||R theta - Q^T y||^2 + ||y - Q Q^T y||^2 + alpha ||D theta||^2``,

    since ``Q`` has orthonormal columns and ``Z theta`` lies in their span. So each alpha needs
    only the SVD of the small ``A_k = [R; sqrt(alpha_k) D]`` (at most ``(q + p) x q``,
    whatever ``n``) against the target ``[Q^T y; 0]``, all ``K`` in one ``numpy.linalg.svd``
    call; the tall ``(n + p) x q`` matrix is never decomposed. The singular values and ``Vt``
    are those of ``[Z; sqrt(alpha_k) D]`` (the two differ by an orthogonal factor on the left).
    With ``A_k = U diag(s) Vt`` (full ``U``), ``c = U^T [Q^T y; 0]`` and ``r`` the rank:

    ``theta* = Vt[:r]^T (c[:r] / s[:r])``  and
    ``J* = sum_{i >= r} c_i^2 + ||y - Q Q^T y||^2``,

    sums of squares, so ``J*`` carries no cancellation however well the model fits.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
    y : array of shape (n_samples,)
    alphas : array of shape (K,), each finite and >= 0
    fit_intercept : bool, default=True
        Append the unpenalised intercept to ``theta``.

    Returns
    -------
    QuadraticPath
    """
    alphas = check_alphas(alphas)
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n, p = X.shape
    Z = np.hstack([X, np.ones((n, 1))]) if fit_intercept else X
    q = Z.shape[1]
    decay_mask = np.r_[np.ones(p), np.zeros(1)] if fit_intercept else np.ones(p)
    Q, R = np.linalg.qr(Z)
    qty = Q.T @ y
    unreachable = y - Q @ qty  # the part of y that no Z theta reaches
    rows = R.shape[0]
    # The penalty as extra least-squares rows: ||A_k theta - [Q^T y; 0]||^2 + ||unreachable||^2.
    A = np.zeros((alphas.shape[0], rows + p, q))
    A[:, :rows] = R
    A[:, rows + np.arange(p), np.flatnonzero(decay_mask)] = np.sqrt(alphas)[:, None]
    U, s, Vt = np.linalg.svd(A, full_matrices=True)  # rows + p >= q: s has q values
    kept = kept_singular_values(s, (n + p, q))  # the rule on the stacked [Z; sqrt(alpha) D]
    coords = np.matmul(np.r_[qty, np.zeros(p)], U)  # U^T target, (K, rows + p)
    fitted = np.where(kept, coords[:, :q], 0.0) / np.where(kept, s, 1.0)
    theta_star = np.matmul(fitted[:, None, :], Vt)[:, 0]
    missed = np.where(kept, 0.0, coords[:, :q])
    optimum = (
        np.einsum("ki,ki->k", missed, missed)
        + np.einsum("ki,ki->k", coords[:, q:], coords[:, q:])
        + unreachable @ unreachable
    )
    return QuadraticPath(
        gram=Z.T @ Z,
        zty=Z.T @ y,
        decay_mask=decay_mask,
        alphas=alphas,
        s=s,
        Vt=Vt,
        theta_star=theta_star,
        optimum=optimum,
        initial=float(y @ y),
        rank=np.count_nonzero(kept, axis=1),
    )


def quadratic_objective(X, y, alpha, fit_intercept=True):
    """The :class:`Quadratic` of ridge's objective at one alpha: column 0 of
    :func:`quadratic_objectives` ``(X, y, [alpha], fit_intercept)``."""
    return quadratic_objectives(X, y, [alpha], fit_intercept)[0]


# --------------------------------------------------------------------------------------------
# Optimizers: one registry
# --------------------------------------------------------------------------------------------


def linear_update_matrix(quad, optimizer, penalty, learning_rate, momentum):
    """The step of an optimizer of the linear family (gd, heavy ball, Nesterov) as one affine map.

    The state is ``[theta, buf, 1]`` (``buf``: the momentum buffer, 0 at the start). Every rule
    of ``torch.optim.SGD`` is affine in it on a quadratic. With ``g`` the gradient at
    ``theta_t`` and ``eta`` the learning rate:

    - gradient: ``g = 2 (Z^T Z theta - Z^T y) [+ 2 alpha D theta when penalty="l2"]``
    - buffer (optimizers that use momentum): ``buf <- momentum * buf + g`` (so ``buf = g``
      after the first step, no dampening); the others keep ``buf = 0``
    - direction: :attr:`Optimizer.direction` of ``g``, ``buf`` and ``momentum``: ``g`` (gd),
      ``buf`` (momentum), ``g + momentum * buf`` (Nesterov)
    - ``penalty="decoupled"``: ``theta <- (1 - 2 eta alpha D) theta`` first (the gradient was
      taken at ``theta_t``, before the decay, as in ``AdamW``); then
      ``theta <- theta - eta * direction``.

    The runs do not use it (they take the same rule on every column at once, see
    :func:`gradient_descent_path`); it is the rule written out as a matrix, for analysis (its
    spectral radius decides stability) and as an independent check of the runs.

    Parameters
    ----------
    quad : Quadratic
    optimizer : str or Optimizer
        A name in :data:`OPTIMIZERS` whose optimizer has a ``direction`` (not Adam).
    penalty : {"l2", "decoupled"}
    learning_rate, momentum : float

    Returns
    -------
    ndarray of shape (2 q + 1, 2 q + 1), ``q = len(theta)``
    """
    rule = _optimizer(optimizer)
    if rule.direction is None:
        raise ValueError(f"{rule.name!r} is not an affine update: it has no linear_update_matrix.")
    q = quad.gram.shape[0]
    size = 2 * q + 1
    theta, buf, one = slice(0, q), slice(q, 2 * q), 2 * q
    penalty_diag = 2.0 * quad.alpha * quad.decay_mask
    # g = grad_rows @ state
    grad_rows = np.zeros((q, size))
    grad_rows[:, theta] = 2.0 * quad.gram
    grad_rows[:, one] = -2.0 * quad.zty
    if penalty == "l2":
        grad_rows[:, theta] += np.diag(penalty_diag)
    if rule.uses_momentum:
        buf_rows = grad_rows.copy()
        buf_rows[:, buf] += momentum * np.eye(q)
    else:
        buf_rows = np.zeros((q, size))
    direction = rule.direction(grad_rows, buf_rows, momentum)
    keep = np.ones(q) if penalty == "l2" else 1.0 - learning_rate * penalty_diag
    theta_rows = -learning_rate * direction
    theta_rows[:, theta] += np.diag(keep)
    step = np.zeros((size, size))
    step[theta] = theta_rows
    step[buf] = buf_rows
    step[one, one] = 1.0
    return step


class _LinearFamilyRun:
    """The linear family's steps (gd, heavy ball, Nesterov) on K columns at once.

    The state is ``theta`` and the momentum buffer, each (K, q): one row per column. A step is
    one (K x q) @ (q x q) product for the gradients of every column and elementwise work, in
    the order :func:`linear_update_matrix` documents:

    ``g = 2 Z^T Z theta - 2 Z^T y [+ 2 alpha_k D theta]``; ``buf <- momentum buf + g``;
    ``theta <- [(1 - 2 eta_k alpha_k D)] theta - eta_k direction(g, buf, momentum)``.

    ``direction`` is the registry entry's, the same function that builds the affine map.
    """

    def __init__(self, rule, path, penalty, learning_rates, momentum):
        K, q = path.theta_star.shape
        self.direction = rule.direction
        self.momentum = momentum
        self.two_gram = 2.0 * path.gram
        self.two_zty = 2.0 * path.zty
        self.learning_rates = np.asarray(learning_rates, dtype=np.float64).reshape(K, 1)
        penalty_rates = 2.0 * path.alphas[:, None] * path.decay_mask  # 2 alpha_k D, per column
        decoupled = penalty == "decoupled"
        self.penalty_rates = None if decoupled else penalty_rates
        self.keep_factors = 1.0 - self.learning_rates * penalty_rates if decoupled else None
        self.theta = np.zeros((K, q))
        self.buf = np.zeros((K, q)) if rule.uses_momentum else None

    def advance(self, n_steps, first_step):
        """Run ``n_steps`` steps; return their iterates, shape (n_steps, K, q)."""
        K = self.theta.shape[0]
        theta, buf, rates, penalty_rates, keep_factors = map(
            _two_rows,
            (self.theta, self.buf, self.learning_rates, self.penalty_rates, self.keep_factors),
        )
        two_gram, two_zty, direction, momentum = (
            self.two_gram,
            self.two_zty,
            self.direction,
            self.momentum,
        )
        thetas = np.empty((n_steps, *theta.shape))
        g, scratch = np.empty_like(theta), np.empty_like(theta)
        for new in thetas:  # each row a view: the step writes the next iterate in place
            np.matmul(theta, two_gram, out=g)  # the Gram is symmetric: theta Z^T Z
            g -= two_zty
            if penalty_rates is not None:
                np.multiply(penalty_rates, theta, out=scratch)
                g += scratch
            if buf is not None:
                buf *= momentum
                buf += g
            np.multiply(rates, direction(g, buf, momentum), out=scratch)
            if keep_factors is not None:
                np.multiply(keep_factors, theta, out=new)
                new -= scratch
            else:
                np.subtract(theta, scratch, out=new)
            theta = new
        self.theta = theta[:K].copy()
        if buf is not None:
            self.buf = buf[:K]
        return thetas[:, :K]

    def keep(self, columns):
        """Go on with ``columns`` (a boolean mask) only: the others have stopped."""
        for name in ("learning_rates", "penalty_rates", "keep_factors", "theta", "buf"):
            value = getattr(self, name)
            if value is not None:
                setattr(self, name, value[columns])


class _StepRunnerRun:
    """An optimizer that runs its own steps (:attr:`Optimizer.step_runner`), e.g. Adam.

    A vectorised runner takes the whole :class:`QuadraticPath` and its state holds arrays with
    the column first; any other runner is called column by column with that column's
    :class:`Quadratic` (the interface of a one-alpha run).
    """

    def __init__(self, rule, path, penalty, learning_rates, beta_1, beta_2, epsilon):
        self.runner = rule.step_runner
        self.vectorised = rule.vectorised
        self.path = path
        self.learning_rates = np.asarray(learning_rates, dtype=np.float64)
        self.settings = (penalty, beta_1, beta_2, epsilon)
        self.state = None if self.vectorised else [None] * len(path)

    def advance(self, n_steps, first_step):
        """Run ``n_steps`` steps; return their iterates, shape (n_steps, K, q)."""
        penalty, beta_1, beta_2, epsilon = self.settings
        if self.vectorised:
            thetas, self.state = self.runner(
                self.path,
                self.state,
                n_steps,
                first_step,
                penalty,
                self.learning_rates,
                beta_1,
                beta_2,
                epsilon,
            )
            return thetas
        columns = []
        for k, state in enumerate(self.state):
            thetas, self.state[k] = self.runner(
                self.path[k],
                state,
                n_steps,
                first_step,
                penalty,
                float(self.learning_rates[k]),
                beta_1,
                beta_2,
                epsilon,
            )
            columns.append(thetas)
        return np.stack(columns, axis=1)

    def keep(self, columns):
        """Go on with ``columns`` (a boolean mask) only: the others have stopped."""
        self.path = self.path.take(columns)
        self.learning_rates = self.learning_rates[columns]
        if not self.vectorised:
            self.state = [state for state, kept in zip(self.state, columns, strict=True) if kept]
        elif self.state is not None:
            self.state = tuple(array[columns] for array in self.state)


def _run_adam(path, state, n_steps, first_step, penalty, lr, beta_1, beta_2, epsilon):
    """Adam / AdamW steps exactly as documented for ``torch.optim.Adam`` and ``AdamW``, on every
    column of a :class:`QuadraticPath` at once.

    ``g = grad J_data(theta_t) [+ 2 alpha D theta_t for "l2"]``; ``"decoupled"``:
    ``theta <- theta (1 - lr 2 alpha D)``; ``m <- beta_1 m + (1 - beta_1) g``;
    ``v <- beta_2 v + (1 - beta_2) g^2``; ``m_hat = m / (1 - beta_1^t)``,
    ``v_hat = v / (1 - beta_2^t)``; ``theta <- theta - lr m_hat / (sqrt(v_hat) + epsilon)``,
    elementwise, with ``lr`` and ``alpha`` those of each column. ``state`` is
    ``(theta, m, v)``, each (K, q), or None at the start (all zero); steps are numbered from
    ``first_step`` (1 for the first) for the bias corrections. Returns the iterates,
    (n_steps, K, q), and the state.
    """
    K, q = path.theta_star.shape
    if state is None:
        state = (np.zeros((K, q)), np.zeros((K, q)), np.zeros((K, q)))
    # One column runs as two identical rows (see _two_rows).
    theta, m, v = (_two_rows(a).copy() for a in state)
    lr = _two_rows(np.broadcast_to(np.asarray(lr, dtype=np.float64).reshape(-1, 1), (K, 1)))
    penalty_rates = _two_rows(2.0 * path.alphas[:, None] * path.decay_mask)
    two_gram, two_zty = 2.0 * path.gram, 2.0 * path.zty
    keep = 1.0 - lr * penalty_rates
    g, scratch, update = (np.empty_like(theta) for _ in range(3))
    thetas = np.empty((n_steps, *theta.shape))
    for i in range(n_steps):  # in place, in the order of the formulas above
        t = first_step + i
        np.matmul(theta, two_gram, out=g)
        g -= two_zty
        if penalty == "l2":
            np.multiply(penalty_rates, theta, out=scratch)
            g += scratch
        else:
            theta *= keep
        m *= beta_1
        np.multiply(1.0 - beta_1, g, out=scratch)
        m += scratch
        v *= beta_2
        np.multiply(g, g, out=scratch)
        scratch *= 1.0 - beta_2
        v += scratch
        np.divide(v, 1.0 - beta_2**t, out=scratch)  # v_hat
        np.sqrt(scratch, out=scratch)
        scratch += epsilon
        np.divide(m, 1.0 - beta_1**t, out=update)  # m_hat
        update *= lr
        update /= scratch
        theta -= update
        thetas[i] = theta
    return thetas[:, :K], (theta[:K], m[:K], v[:K])


# What the registry's entries are made of: small named functions (an Optimizer pickles). The
# directions are linear: they act alike on rows of the affine map and on arrays of gradients.


def _along_gradient(grad, buf, momentum):
    return grad


def _along_buffer(grad, buf, momentum):
    return buf


def _along_gradient_and_buffer(grad, buf, momentum):
    return grad + momentum * buf


def _gd_limit(momentum):
    # One eigen-direction: theta <- (1 - eta h) theta is stable while |1 - eta h| < 1.
    return 2.0


def _heavy_ball_limit(momentum):
    # The 2x2 step matrix on one eigen-direction has an eigenvalue -1 at eta h = 2 (1 + mu).
    return 2.0 * (1.0 + momentum)


def _nesterov_limit(momentum):
    # Likewise at eta h (1 + 2 mu) = 2 (1 + mu).
    return 2.0 * (1.0 + momentum) / (1.0 + 2.0 * momentum)


def _no_limit(momentum):
    return math.inf


# Each eigen-direction of the Hessian (eigenvalue h, e = theta - theta* along it) evolves by a
# 2 x 2 linear map of (e, buf) on a quadratic; its characteristic polynomial is
# z^2 - trace z + det. With x = eta h, g = h e:
#
# - gd, e <- e - eta g: z = 1 - x (a 1 x 1 map; as a quadratic, det = 0 adds the root 0).
# - heavy ball, buf <- mu buf + g; e <- e - eta buf: e' = (1 - x) e - eta mu buf and
#   buf' = h e + mu buf, so trace = 1 + mu - x and det = (1 - x) mu + eta mu h = mu.
# - Nesterov, buf <- mu buf + g; e <- e - eta (g + mu buf): e' = (1 - (1 + mu) x) e
#   - eta mu^2 buf and buf' = h e + mu buf, so trace = (1 + mu)(1 - x) and
#   det = mu (1 - (1 + mu) x) + eta mu^2 h = mu (1 - x).
#
# Each polynomial equals x at z = 1 (theta* is the fixed point), which keeps a root near 1 exact.


def _gd_characteristic(eta_h, momentum):
    return 1.0 - eta_h, np.zeros_like(eta_h)


def _heavy_ball_characteristic(eta_h, momentum):
    return 1.0 + momentum - eta_h, np.full_like(eta_h, momentum)


def _nesterov_characteristic(eta_h, momentum):
    return (1.0 + momentum) * (1.0 - eta_h), momentum * (1.0 - eta_h)


def _log_largest_root(trace, det, at_one):
    """``ln max |z|`` over the roots of ``z^2 - trace z + det``, elementwise.

    ``at_one`` is the polynomial's value at ``z = 1``, ``1 - trace + det``, passed in exactly:
    for a real root ``z < 1`` near 1 the product of the two factors of
    ``(2 - trace)^2 - disc = 4 at_one`` gives ``1 - z = 2 at_one / (2 - trace + sqrt(disc))``
    with no cancellation, so ``ln z = log1p(-(1 - z))`` keeps its digits when ``1 - z`` is
    1e-20 (a condition number of 1e20 on the range still converges, slowly).
    """
    trace, det, at_one = np.broadcast_arrays(*map(np.asarray, (trace, det, at_one)))
    disc = trace * trace - 4.0 * det
    root = np.sqrt(np.maximum(disc, 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):  # ln 0 = -inf: a root at 0
        complex_pair = 0.5 * np.log(np.maximum(det, 0.0))  # |z|^2 = det
        below_two = 2.0 - trace + root
        near_one = np.log1p(-2.0 * at_one / np.where(below_two > 0, below_two, 1.0))
        plain = np.log(0.5 * (np.abs(trace) + root))
    real = np.where((trace >= 0) & (trace <= 2.0) & (below_two > 0), near_one, plain)
    return np.where(disc < 0, complex_pair, real)


def _kappa(condition_number):
    return condition_number


def _sqrt_kappa(condition_number):
    return math.sqrt(condition_number)


@dataclass(frozen=True)
class Optimizer:
    r"""One optimizer: its update rule, its stability limit, its speed and how to run it.

    :data:`OPTIMIZERS` holds one per name; :func:`gradient_descent`,
    :func:`gradient_descent_path`, :func:`linear_update_matrix`, :func:`stability_limit` and
    the page read everything about an optimizer from its entry, so adding one is one new entry.
    An optimizer either belongs to the linear family (``direction`` set: on a quadratic its step
    is an affine map of ``[theta, buf, 1]``) or runs its own steps (``step_runner`` set, as
    Adam). Either way a run advances every alpha of a path at once (:meth:`start`), and a run
    at one alpha is a path of one.

    Attributes
    ----------
    name : str
        Its key in :data:`OPTIMIZERS`, the ``optimizer=`` argument.
    label : str
        The words the page shows for it.
    rule : str
        The update rule, for documentation: ``g`` the gradient at ``θ``, ``η`` the learning
        rate, ``μ`` the momentum.
    adaptive : bool
        True when the learning rate is absolute (Adam): not a multiple of ``1/L``, with no
        stability limit, no rule of thumb for its steps, and its own default rate.
    uses_momentum : bool
        Keeps a buffer ``buf <- μ buf + g`` (``torch.optim.SGD`` with momentum).
    limit : callable, momentum -> float
        The stability limit in units of ``1/L`` (see :meth:`stability_limit`).
    steps_per_e_fold : callable, condition number -> float, or None
        The textbook rule: steps that shrink the error by a factor ``e`` at tuned settings (see
        :meth:`steps_rule_of_thumb`); None when there is no such rule.
    rule_of_thumb : str or None
        That rule in symbols: ``"κ·ln(1/ε)"``.
    characteristic : callable, (eta * h, momentum) -> (trace, det), or None
        The linear family's step on one eigen-direction of the Hessian (eigenvalue ``h``) is a
        2 x 2 map of ``(theta - theta*, buf)``; this gives its characteristic polynomial
        ``z^2 - trace z + det`` (see :meth:`spectral_radius`). None for Adam.
    direction : callable, (grad, buf, momentum) -> direction, or None
        Linear family: the step is ``theta <- theta - η direction``. Linear in ``grad`` and
        ``buf``, so one function serves both the runs (arrays of gradients and buffers, one row
        per alpha) and :func:`linear_update_matrix` (the rows of the affine map).
    step_runner : callable or None
        Any other optimizer: ``step_runner(quad, state, n_steps, first_step, penalty,
        learning_rate, beta_1, beta_2, epsilon) -> (thetas, state)``, ``state`` None at the
        start (``theta = 0``), steps numbered from ``first_step`` (1 for the first). See
        ``vectorised`` for what ``quad``, ``learning_rate``, ``state`` and ``thetas`` are.
    vectorised : bool, default False
        How ``step_runner`` takes a path of ``K`` alphas. True: at once, with ``quad`` a
        :class:`QuadraticPath`, ``learning_rate`` of shape (K,), ``state`` a tuple of arrays
        with the column first (so that stopped columns can be dropped) and ``thetas`` of shape
        (n_steps, K, q). False: column by column, with ``quad`` a :class:`Quadratic`, a float
        ``learning_rate``, any ``state`` and ``thetas`` of shape (n_steps, q).
    default_rate : float or None
        The absolute learning rate of ``learning_rate="auto"`` for an adaptive optimizer
        (the gradient family's is ``1/L``).
    """

    name: str
    label: str
    rule: str
    adaptive: bool
    uses_momentum: bool
    limit: Callable[[float], float]
    steps_per_e_fold: Callable[[float], float] | None = None
    rule_of_thumb: str | None = None
    characteristic: Callable[[np.ndarray, float], tuple] | None = None
    direction: Callable[[np.ndarray, np.ndarray, float], np.ndarray] | None = None
    step_runner: Callable[..., tuple] | None = None
    vectorised: bool = False
    default_rate: float | None = None

    def __post_init__(self):
        if (self.direction is None) == (self.step_runner is None):
            raise ValueError(
                f"Optimizer {self.name!r}: give exactly one of direction, step_runner."
            )
        if self.adaptive and self.default_rate is None:
            raise ValueError(f"Optimizer {self.name!r}: an adaptive optimizer needs default_rate.")

    def stability_limit(self, momentum=0.9):
        """The largest stable ``learning_rate * L`` on a quadratic (``L`` its largest curvature).

        Plain gradient descent: 2. Heavy ball (``torch.optim.SGD`` with momentum ``mu``):
        ``2 (1 + mu)``. Nesterov (``torch.optim.SGD(nesterov=True)``):
        ``2 (1 + mu) / (1 + 2 mu)``. Adam has no such limit (its steps are bounded by the
        learning rate): ``inf``. These are where :meth:`spectral_radius` reaches 1 at
        ``h = L`` (a root at -1), for ``penalty="l2"`` (and gd with either penalty); decoupled
        momentum's limit differs (the decay does not pass through the buffer).
        """
        return self.limit(momentum)

    def absolute_learning_rate(self, setting, lipschitz):
        """The learning rate a setting means: ``setting / L`` for the gradient family (the page's
        step size is in units of ``1/L``), ``setting`` itself for an adaptive optimizer.

        ``L = 0`` (a zero gradient everywhere: any step does nothing) gives 1.
        """
        if self.adaptive:
            return float(setting)
        return setting / lipschitz if lipschitz > 0 else 1.0

    def default_learning_rate(self, lipschitz):
        """What ``learning_rate="auto"`` means: ``1 / L`` for the gradient family (1 when
        ``L = 0``), :attr:`default_rate` (:data:`ADAM_DEFAULT_LEARNING_RATE` for Adam) for an
        adaptive optimizer."""
        if self.adaptive:
            return self.default_rate
        return self.absolute_learning_rate(1.0, lipschitz)

    def steps_rule_of_thumb(self, condition_number, accuracy=1e-6):
        """The textbook count: ``kappa * ln(1 / accuracy)`` (plain descent at step ``1/L``) or
        ``sqrt(kappa) * ln(1 / accuracy)`` (heavy ball and Nesterov).

        The momentum rule holds only for a step and momentum tuned to the spectrum (for the
        heavy ball ``eta = 4 / (sqrt(L) + sqrt(l))^2`` and momentum
        ``((sqrt(kappa) - 1) / (sqrt(kappa) + 1))^2``, ``l`` the smallest curvature), not for
        step ``1/L`` with momentum 0.9, where it can be short by a factor of 460 (63,917 for
        29.6 million steps on the page's default data at λ = 0). For the steps a given run
        needs use :meth:`steps_needed`. An infinite ``kappa`` gives ``inf``.

        Returns
        -------
        float, or None when the optimizer has no such rule (Adam).
        """
        if self.steps_per_e_fold is None:
            return None
        if not math.isfinite(condition_number):
            return math.inf
        return self.steps_per_e_fold(condition_number) * math.log(1.0 / accuracy)

    def log_rates(self, eigenvalues, learning_rate, momentum=0.9):
        """``ln rho(h)`` for each eigenvalue ``h``: how fast the error along it shrinks per step.

        ``rho(h)`` is the largest ``|z|`` over the roots of :attr:`characteristic`:
        ``|1 - eta h|`` (gd), of ``z^2 - (1 + mu - eta h) z + mu`` (heavy ball) or of
        ``z^2 - (1 + mu)(1 - eta h) z + mu (1 - eta h)`` (Nesterov), ``eta`` the absolute
        learning rate and ``mu`` the momentum. Along that direction ``||theta_t - theta*||``
        falls like ``rho^t`` (times a polynomial in ``t`` at a double root).

        Returns
        -------
        ndarray of the shape of ``eigenvalues``, or None for an optimizer without a
        characteristic polynomial (Adam).
        """
        if self.characteristic is None:
            return None
        eta_h = float(learning_rate) * np.asarray(eigenvalues, dtype=np.float64)
        trace, det = self.characteristic(eta_h, float(momentum))
        return _log_largest_root(trace, det, eta_h)

    def spectral_radius(self, eigenvalues, learning_rate, momentum=0.9):
        """``rho = max_h rho(h)`` over the Hessian's eigenvalues on its range (see
        :meth:`log_rates`): the factor by which the error shrinks per step, in the long run.

        Below 1 the run converges; at or above 1 it does not (past the stability limit). Each
        ``rho(h)`` is quasi-convex in ``h`` (it falls, may stay flat at ``sqrt(mu)`` where the
        roots are complex, then rises), so the extreme eigenvalues decide; all of them are
        evaluated anyway. Pass the eigenvalues on the range only (descent from 0 never moves
        along the null space; there ``rho = 1``): :attr:`Quadratic.hessian_eigenvalues`.
        ``penalty="l2"`` (for gd the decoupled penalty is the same iteration).

        Returns
        -------
        float (0.0 for no eigenvalues), or None for Adam.
        """
        logs = self.log_rates(eigenvalues, learning_rate, momentum)
        if logs is None:
            return None
        return float(np.exp(np.max(logs, initial=-np.inf)))

    def steps_needed(self, eigenvalues, learning_rate, momentum=0.9, accuracy=1e-6):
        """Steps from ``theta = 0`` until ``||theta - theta*||`` has shrunk by ``accuracy``, for
        the learning rate and momentum actually used: ``ln(1 / accuracy) / (-ln rho)``.

        ``rho`` is :meth:`spectral_radius` over ``eigenvalues``, the Hessian's eigenvalues on
        its range (:attr:`Quadratic.hessian_eigenvalues`), ``learning_rate`` the absolute
        rate (``setting / L``) and ``penalty="l2"`` (or gd with either penalty). The count is
        the asymptotic one: it leaves out how much of the start lies along the slowest
        direction (a share ``f`` of it saves ``ln(1/f) / (-ln rho)`` steps) and the polynomial
        factor at a double root. Against iteration (tests/test_optimizers.py): 0.99 to 1.08
        times the count for kappa from 10 to 1e6 at 0.5/L, 1/L and 1.5/L; 1.17 times on the
        page's problem at λ = 1e-3 (21,339 for 18,211 steps of the heavy ball).

        Returns
        -------
        float
            At least 1 (0 for ``accuracy >= 1`` or no eigenvalues); ``inf`` when ``rho >= 1``:
            the run does not converge.
        None
            For Adam, which has no such rule (the page shows a dash).
        """
        logs = self.log_rates(eigenvalues, learning_rate, momentum)
        if logs is None:
            return None
        if accuracy >= 1 or logs.size == 0:
            return 0.0
        slowest = float(np.max(logs))
        if slowest >= 0:
            return math.inf
        # -slowest = inf (every root at 0: one step lands on theta*) gives 0, floored to 1.
        return max(1.0, math.log(1.0 / accuracy) / -slowest)

    def start(
        self,
        path,
        penalty,
        learning_rates,
        momentum=0.9,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
    ):
        """Begin a run from ``theta = 0`` at every alpha of ``path`` (a :class:`QuadraticPath`).

        Parameters
        ----------
        path : QuadraticPath
        penalty : {"l2", "decoupled"}
        learning_rates : array of shape (K,)
            The absolute learning rate of each column.
        momentum, beta_1, beta_2, epsilon : float

        Returns
        -------
        run
            ``run.advance(n_steps, first_step)`` runs the next ``n_steps`` steps
            (``first_step``: the number of the first, from 1) and returns their iterates,
            shape (n_steps, K, q), K the columns still running; ``run.keep(mask)`` drops the
            columns where the boolean ``mask`` is False. The state carries over between calls.
        """
        if self.direction is not None:
            return _LinearFamilyRun(self, path, penalty, learning_rates, momentum)
        return _StepRunnerRun(self, path, penalty, learning_rates, beta_1, beta_2, epsilon)


#: Every optimizer by name, in the page's order: gd, momentum, nesterov, adam.
OPTIMIZERS = {
    rule.name: rule
    for rule in (
        Optimizer(
            name="gd",
            label="gradient descent",
            rule="θ ← θ − η g",
            adaptive=False,
            uses_momentum=False,
            limit=_gd_limit,
            steps_per_e_fold=_kappa,
            rule_of_thumb="κ·ln(1/ε)",
            characteristic=_gd_characteristic,
            direction=_along_gradient,
        ),
        Optimizer(
            name="momentum",
            label="heavy-ball momentum 0.9",
            rule="buf ← μ buf + g;  θ ← θ − η buf  (torch.optim.SGD, momentum μ)",
            adaptive=False,
            uses_momentum=True,
            limit=_heavy_ball_limit,
            steps_per_e_fold=_sqrt_kappa,
            rule_of_thumb="√κ·ln(1/ε)",
            characteristic=_heavy_ball_characteristic,
            direction=_along_buffer,
        ),
        Optimizer(
            name="nesterov",
            label="Nesterov momentum 0.9",
            rule="buf ← μ buf + g;  θ ← θ − η (g + μ buf)  (torch.optim.SGD, nesterov=True)",
            adaptive=False,
            uses_momentum=True,
            limit=_nesterov_limit,
            steps_per_e_fold=_sqrt_kappa,
            rule_of_thumb="√κ·ln(1/ε)",
            characteristic=_nesterov_characteristic,
            direction=_along_gradient_and_buffer,
        ),
        Optimizer(
            name="adam",
            label="Adam",
            rule=(
                "m ← β₁ m + (1 − β₁) g;  v ← β₂ v + (1 − β₂) g²;  "
                "θ ← θ − η m̂ / (√v̂ + ε), m̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ)  (torch.optim.Adam)"
            ),
            adaptive=True,
            uses_momentum=False,
            limit=_no_limit,
            step_runner=_run_adam,
            vectorised=True,
            default_rate=ADAM_DEFAULT_LEARNING_RATE,
        ),
    )
}


def _optimizer(optimizer):
    """The :class:`Optimizer` of a name in :data:`OPTIMIZERS` (or an Optimizer itself)."""
    if isinstance(optimizer, Optimizer):
        return optimizer
    _check_choice("optimizer", optimizer, OPTIMIZERS)
    return OPTIMIZERS[optimizer]


def stability_limit(optimizer, momentum=0.9):
    """The largest stable step size, in units of ``1/L``, for the gradient family on a quadratic.

    Plain gradient descent: 2. Heavy ball (``torch.optim.SGD`` with momentum ``mu``):
    ``2 (1 + mu)``. Nesterov (``torch.optim.SGD(nesterov=True)``): ``2 (1 + mu) / (1 + 2 mu)``.
    Adam has no such limit (its steps are bounded by the learning rate): ``inf``. See
    :meth:`Optimizer.stability_limit`; ``optimizer`` is a name in :data:`OPTIMIZERS`.
    """
    return _optimizer(optimizer).stability_limit(momentum)


def steps_needed(quad, optimizer, learning_rate, momentum=0.9, accuracy=1e-6, penalty="l2"):
    """Steps from ``theta = 0`` until ``||theta - theta*||`` has shrunk by ``accuracy`` on
    ``quad`` (a :class:`Quadratic`): :meth:`Optimizer.steps_needed` with its
    :attr:`~Quadratic.hessian_eigenvalues`.

    ``learning_rate`` is absolute (``setting / L``). ``penalty="decoupled"`` is the same
    iteration as ``"l2"`` for gd and at ``alpha = 0``; with momentum and ``alpha > 0`` the run
    converges to the ridge solution at ``alpha (1 - momentum)`` instead of ``theta*`` (the decay
    bypasses the buffer), so the error to ``theta*`` never shrinks by ``accuracy``: None, as
    for Adam (no rule).

    Returns
    -------
    float (``inf`` past the stability limit) or None.
    """
    rule = _optimizer(optimizer)
    _check_choice("penalty", penalty, PENALTIES)
    if penalty == "decoupled" and rule.uses_momentum and quad.alpha > 0:
        return None
    return rule.steps_needed(quad.hessian_eigenvalues, learning_rate, momentum, accuracy)


# --------------------------------------------------------------------------------------------
# Gradient descent: the run and its record, for one alpha or a whole path of them
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GDTrace:
    """Iterates of a gradient-descent run at about 200 log-spaced steps (0, 1, 2, 3, ... final).

    Memory is bounded whatever ``max_iter`` is. ``suboptimality`` is ``J - J*`` and
    ``distance`` is ``||theta - theta*||`` (``theta = [w, b]``), both exact sums of squares.
    """

    step: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    objective: np.ndarray
    suboptimality: np.ndarray
    distance: np.ndarray


@dataclass(frozen=True)
class GDResult:
    """What :func:`gradient_descent` returns. See :class:`GradientDescentRegressor`.

    ``loss_curve`` holds ``J`` at the start and after every step, shape ``(n_iter + 1,)``, or
    is empty (shape ``(0,)``) when the run was asked not to keep it (``keep_loss_curve=False``);
    ``trace`` is kept either way.
    """

    coef: np.ndarray
    intercept: float
    n_iter: int
    loss_curve: np.ndarray
    converged: bool
    diverged: bool
    learning_rate: float
    lipschitz: float
    condition_number: float
    trace: GDTrace


@dataclass(frozen=True, eq=False)
class GDPathResult:
    """What :func:`gradient_descent_path` returns: one run from zero per alpha, K alphas.

    Each column is the run :func:`gradient_descent` makes at its alpha (same rules, same
    stopping); per-alpha arrays have the alpha first. The iterates are kept only at the
    checkpoint ``steps``; a column that stopped before a checkpoint holds its final iterate
    there (``n_iter`` says when it stopped).

    Attributes
    ----------
    alphas : ndarray of shape (K,)
    steps : ndarray of int, shape (C,)
        The checkpoint steps: 0 (``theta = 0``), then about ``C - 1`` log-spaced steps from 1
        to ``max_iter`` (every step when ``max_iter`` is small), ascending.
    coef : ndarray of shape (K, p)
        The final ``w`` of each run.
    intercept : ndarray of shape (K,)
        The final ``b``; zeros without an intercept.
    n_iter : ndarray of int, shape (K,)
        Steps taken.
    converged, diverged : ndarray of bool, shape (K,)
        Stopped by ``tol``; diverged, by the rules of :func:`gradient_descent_path` (stopped
        early past ``DIVERGENCE_FACTOR`` times its start or on overflow, keeping the last
        finite iterate; or ran every step and ended above its start on an unstable step,
        keeping the last iterate).
    learning_rate : ndarray of shape (K,)
        The absolute learning rate of each run.
    lipschitz : ndarray of shape (K,)
        ``L``, the largest eigenvalue of each Hessian ``2 (Z^T Z + alpha D)``.
    condition_number : ndarray of shape (K,)
        On each Hessian's range (:attr:`Quadratic.condition_number`).
    singular : ndarray of bool, shape (K,)
        The Hessian is singular: descent goes to the least-norm minimiser.
    optimum : ndarray of shape (K,)
        ``J*`` of each alpha.
    checkpoint_coef : ndarray of shape (K, C, p)
    checkpoint_intercept : ndarray of shape (K, C)
    suboptimality : ndarray of shape (K, C)
        ``J - J*`` at the checkpoints, a sum of squares.
    distance : ndarray of shape (K, C)
        ``||theta - theta*||`` at the checkpoints (``theta = [w, b]``).
    """

    alphas: np.ndarray
    steps: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    n_iter: np.ndarray
    converged: np.ndarray
    diverged: np.ndarray
    learning_rate: np.ndarray
    lipschitz: np.ndarray
    condition_number: np.ndarray
    singular: np.ndarray
    optimum: np.ndarray
    checkpoint_coef: np.ndarray
    checkpoint_intercept: np.ndarray
    suboptimality: np.ndarray
    distance: np.ndarray


def record_steps(max_iter, n_points=200):
    """The steps a :class:`GDTrace` keeps: all of them up to ``n_points``, else 0 and about
    ``n_points`` log-spaced steps up to ``max_iter`` (every step at the start, where it matters)."""
    if max_iter <= n_points:
        return np.arange(max_iter + 1, dtype=np.int64)
    grid = np.unique(np.round(np.geomspace(1, max_iter, n_points)).astype(np.int64))
    return np.r_[0, grid]


def _patience_runs(ok, carry, patience):
    """Per column, the first step that ends ``patience`` true values of ``ok`` in a row.

    ``ok`` (n, K): the stopping test at each step of a chunk; ``carry`` (K,): the true values
    in a row at the end of the previous chunk. Returns ``(hit, carry)``: ``hit`` (K,) the
    index in ``ok`` of the step that completes the run, ``n`` where none does; ``carry`` the
    trailing run (capped at ``patience``) for the next chunk.
    """
    n = ok.shape[0]
    if n == 0:
        return np.zeros_like(carry), carry
    step = np.arange(n)[:, None]
    # The last failed test at or before each step; before the chunk, the run carried over.
    last_failure = np.maximum.accumulate(np.where(ok, -1 - carry, step), axis=0)
    run = step - last_failure
    complete = run >= patience
    hit = np.where(complete.any(axis=0), complete.argmax(axis=0), n)
    return hit, np.minimum(run[-1], patience)


class _Descent(NamedTuple):
    """What :func:`_descend` returns; arrays with the column first."""

    final: np.ndarray  # (K, q) the last iterate (the last finite one after a divergence)
    n_iter: np.ndarray  # (K,)
    converged: np.ndarray  # (K,)
    diverged: np.ndarray  # (K,)
    checkpoints: np.ndarray  # (K, C, q) the iterates at the checkpoint steps (held after a stop)
    gap_curve: np.ndarray | None  # (n_iter + 1,) J - J* at every step, for one column only


#: Iterates held per chunk of steps (K columns x q x steps): 2 MB, whatever max_iter is.
_CHUNK_NUMBERS = 2**18
_FIRST_CHUNK, _LAST_CHUNK = 64, 4096


def _descend(
    path,
    rule,
    penalty,
    learning_rates,
    max_iter,
    tol,
    n_iter_no_change,
    hyper,
    steps,
    keep_gap_curve=False,
):
    """Run ``rule`` from ``theta = 0`` on every column of ``path`` at once; see
    :func:`gradient_descent_path`. ``hyper``: momentum, beta_1, beta_2, epsilon (keywords).

    Steps go in chunks (64 steps, doubling to 4096, fewer when many columns run) so that
    memory stays bounded; the stopping tests run on a whole chunk at once, and a column that
    stopped is dropped from the run at the end of its chunk, so converged columns cost nothing
    afterwards. ``keep_gap_curve`` (one column only) keeps ``J - J*`` at every step.
    """
    K, q = path.theta_star.shape
    if keep_gap_curve and K != 1:
        raise ValueError("A gap curve is kept for one column only.")
    run = rule.start(path, penalty, learning_rates, **hyper)
    gap_start = path.suboptimality(np.zeros((K, q)))
    floor = max(_EPS * path.initial, np.finfo(np.float64).tiny)
    divergence_scale = DIVERGENCE_FACTOR * np.maximum(gap_start, floor)

    final = np.zeros((K, q))
    n_iter = np.zeros(K, dtype=np.int64)
    converged, diverged = np.zeros(K, dtype=bool), np.zeros(K, dtype=bool)
    checkpoints = np.zeros((K, steps.size, q))  # step 0: theta = 0
    previous_gap, carry = gap_start.copy(), np.zeros(K, dtype=np.int64)
    gap_curve = [gap_start] if keep_gap_curve else None
    # The columns still running, and their share of the per-column arrays.
    active, live = np.arange(K), path
    done, chunk = 0, _FIRST_CHUNK
    with np.errstate(over="ignore", invalid="ignore"):
        while done < max_iter and active.size:
            n = min(chunk, max_iter - done, max(1, _CHUNK_NUMBERS // max(1, active.size * q)))
            thetas = run.advance(n, done + 1)  # (n, active, q)
            gaps = _excess(live.s, live.Vt, live.theta_star, np.swapaxes(thetas, 0, 1)).T
            bad = ~np.isfinite(gaps) | ~np.all(np.isfinite(thetas), axis=2)
            if not rule.adaptive:
                # Past the stability limit the error grows geometrically: stop long before it
                # overflows. An adaptive method's steps are bounded by its learning rate.
                bad |= gaps > divergence_scale[active]
            first_bad = np.where(bad.any(axis=0), bad.argmax(axis=0), n)
            stop, now_diverged = first_bad, first_bad < n
            now_converged = np.zeros(active.size, dtype=bool)
            if tol > 0:
                # |J_t - J_{t+1}| <= tol J_t, with J = J* + gap: J* cancels in the change.
                before = np.vstack([previous_gap[active], gaps])
                change = np.abs(np.diff(before, axis=0))
                ok = change <= tol * (live.optimum + before[:-1])
                ok &= np.arange(n)[:, None] < first_bad  # nothing counts from a bad step on
                hit, carry[active] = _patience_runs(ok, carry[active], n_iter_no_change)
                now_converged = hit < n
                stop = np.where(now_converged, hit + 1, stop)
                now_diverged &= ~now_converged

            inside = np.flatnonzero((steps > done) & (steps <= done + n))
            if inside.size:  # a stopped column's are replaced by its final iterate below
                checkpoints[np.ix_(active, inside)] = np.swapaxes(
                    thetas[steps[inside] - done - 1], 0, 1
                )
            if keep_gap_curve:
                gap_curve.append(gaps[: stop[0], 0])
            took = stop > 0
            last = np.maximum(stop - 1, 0), np.arange(active.size)
            final[active] = np.where(took[:, None], thetas[last], final[active])
            previous_gap[active] = np.where(took, gaps[last], previous_gap[active])
            n_iter[active] = done + stop
            converged[active], diverged[active] = now_converged, now_diverged
            done += n
            running = ~(now_converged | now_diverged)
            if not running.all():
                active, live = active[running], live.take(running)
                run.keep(running)
            chunk = min(2 * chunk, _LAST_CHUNK)

    if not rule.adaptive:
        # Slow divergence: a column that ran every step and ends above where it started, on a
        # step that is unstable (an offset limit, as decoupled momentum's, is not divergence).
        grew = active[previous_gap[active] > gap_start[active]]
        for k in grew:
            diverged[k] = _unstable(rule, path[k], penalty, learning_rates[k], hyper["momentum"])

    # After its stop a column holds its final iterate.
    held = steps[None, :] > n_iter[:, None]
    checkpoints[held] = np.broadcast_to(final[:, None, :], checkpoints.shape)[held]
    curve = np.concatenate(gap_curve) if keep_gap_curve else None
    return _Descent(final, n_iter, converged, diverged, checkpoints, curve)


def _unstable(rule, quad, penalty, learning_rate, momentum):
    """Whether the step's spectral radius exceeds 1 on ``quad``: the error grows along some
    direction. True for a non-adaptive optimizer without a characteristic polynomial (growth is
    then the only evidence there is).

    For ``penalty="l2"`` (and gd, or ``alpha = 0``, where ``"decoupled"`` is the same
    iteration) it is :meth:`Optimizer.spectral_radius` over the Hessian's eigenvalues on its
    range. Decoupled momentum does not split along them (the decay bypasses the buffer, and
    ``D`` does not commute with ``Z^T Z`` when there is an intercept): the eigenvalues of the
    step's linear part, :func:`linear_update_matrix`, then decide; for ``alpha > 0`` it has
    none at 1 (the Hessian is non-singular), so all of them count.
    """
    if rule.characteristic is None:
        return True
    if penalty == "decoupled" and rule.uses_momentum and quad.alpha > 0:
        q = quad.gram.shape[0]
        linear = linear_update_matrix(quad, rule, penalty, learning_rate, momentum)[
            : 2 * q, : 2 * q
        ]
        return bool(np.max(np.abs(np.linalg.eigvals(linear))) > 1.0)
    return rule.spectral_radius(quad.hessian_eigenvalues, learning_rate, momentum) > 1.0


def _learning_rates(rule, learning_rate, lipschitz):
    """Absolute learning rates, one per column, from ``"auto"``, a float or an array."""
    if isinstance(learning_rate, str):
        _check_choice("learning_rate", learning_rate, ("auto",))
        return np.array([float(rule.default_learning_rate(L)) for L in lipschitz])
    rates = np.asarray(learning_rate, dtype=np.float64)
    if rates.ndim == 0:
        rates = np.full(lipschitz.shape, float(rates))
    if rates.shape != lipschitz.shape or not np.all(np.isfinite(rates) & (rates > 0)):
        raise ValueError(
            f"learning_rate must be 'auto', a finite number > 0 or an array of "
            f"{lipschitz.shape[0]} of them, got {learning_rate!r}."
        )
    return rates


def _check_whole(name, value, minimum):
    if not isinstance(value, Integral) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{name} must be a whole number >= {minimum}, got {value!r}.")


def _check_run(penalty, max_iter, tol, n_iter_no_change):
    _check_choice("penalty", penalty, PENALTIES)
    _check_whole("max_iter", max_iter, 0)
    _check_whole("n_iter_no_change", n_iter_no_change, 1)
    _check_real("tol", tol, low=0)


def gradient_descent_path(
    X,
    y,
    alphas,
    fit_intercept=True,
    optimizer="gd",
    penalty="l2",
    learning_rate="auto",
    max_iter=1000,
    tol=1e-10,
    momentum=0.9,
    beta_1=0.9,
    beta_2=0.999,
    epsilon=1e-8,
    n_iter_no_change=5,
    checkpoints=41,
    quads=None,
):
    r"""Full-batch iterative minimisation of ridge's objective from zero, at every alpha at once.

    The run :func:`gradient_descent` makes at one alpha, made at each of ``alphas``: the iterate
    is a (K x q) array, one row ``theta = [w, b]`` per alpha, and a step is one
    (K x q) @ (q x q) product with the shared Gram matrix ``Z^T Z`` plus elementwise work
    (per-alpha learning rates, penalties, momentum buffers and Adam's moments are arrays of the
    same shape). The rules are those of :class:`GradientDescentRegressor` and the
    :data:`OPTIMIZERS` registry: gradient ``g = 2 (Z^T Z theta - Z^T y)``, plus
    ``2 alpha D theta`` for ``penalty="l2"``; ``"decoupled"`` multiplies ``theta`` by
    ``1 - 2 eta alpha D`` before the step, the gradient taken at ``theta_t``.

    Each column stops by itself, by the rules of :func:`gradient_descent`: converged when
    ``|J_t - J_{t+1}| <= tol J_t`` for ``n_iter_no_change`` steps in a row; diverged early when
    an iterate overflows or (gradient family only: an adaptive optimizer's steps are bounded)
    ``J - J*`` grows past ``DIVERGENCE_FACTOR`` times its start, keeping its last finite
    iterate. A gradient-family column that runs all ``max_iter`` steps and ends above where it
    started (``J - J*`` at the end larger than at step 0) on an unstable step (spectral radius
    above 1: past the stability limit) has diverged too; it keeps its last iterate, with
    ``n_iter = max_iter`` (slow growth is not cut short). The stability test keeps a stable
    run that converges to another point, as decoupled momentum does, from counting. A stopped
    column is frozen and leaves the computation, so converged columns cost nothing
    afterwards. Memory is bounded: steps run in chunks, and only the iterates at the
    ``checkpoints`` steps are kept.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
    y : array of shape (n_samples,)
    alphas : array of shape (K,), each finite and >= 0
    fit_intercept : bool, default=True
    optimizer : str or Optimizer, default="gd"
        A name in :data:`OPTIMIZERS`.
    penalty : {"l2", "decoupled"}, default="l2"
    learning_rate : "auto", float > 0 or array of shape (K,), default="auto"
        ``"auto"``: ``1 / L_k`` for the gradient family (``L_k`` the largest eigenvalue of
        alpha k's Hessian), the optimizer's default rate for an adaptive one (1e-3 for Adam).
        A float: that absolute rate for every alpha. An array: one absolute rate per alpha.
    max_iter : int >= 0, default=1000
    tol : float >= 0, default=1e-10
        ``tol=0`` runs every column exactly ``max_iter`` steps (unless it diverges).
    momentum, beta_1, beta_2, epsilon, n_iter_no_change
        As for :class:`GradientDescentRegressor`.
    checkpoints : int >= 3, default=41
        About how many steps keep their iterates: 0, then log-spaced steps from 1 to
        ``max_iter`` (:func:`record_steps` with ``checkpoints - 1`` points), every step when
        ``max_iter < checkpoints``.
    quads : QuadraticPath, optional
        A precomputed :func:`quadratic_objectives` of the same ``(X, y, alphas,
        fit_intercept)``; ``X`` and ``y`` are then not read.

    Returns
    -------
    GDPathResult

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0], [1.0], [2.0]])
    >>> y = np.array([1.0, 3.0, 5.0])
    >>> path = gradient_descent_path(X, y, [0.0, 1.0], max_iter=5000, tol=1e-15)
    >>> path.coef.round(6), path.intercept.round(6), path.converged
    (array([[2.      ],
           [1.333333]]), array([1.      , 1.666667]), array([ True,  True]))
    """
    rule = _optimizer(optimizer)
    _check_run(penalty, max_iter, tol, n_iter_no_change)
    _check_whole("checkpoints", checkpoints, 3)
    alphas = check_alphas(alphas)
    if quads is None:
        quads = quadratic_objectives(X, y, alphas, fit_intercept)
    elif not np.array_equal(quads.alphas, alphas):
        raise ValueError("quads must be the quadratic_objectives of these alphas.")
    rates = _learning_rates(rule, learning_rate, quads.lipschitz)
    steps = record_steps(max_iter, checkpoints - 1)
    hyper = {"momentum": momentum, "beta_1": beta_1, "beta_2": beta_2, "epsilon": epsilon}
    run = _descend(quads, rule, penalty, rates, max_iter, tol, n_iter_no_change, hyper, steps)
    coef, intercept = _split(run.final, quads.fit_intercept)
    checkpoint_coef, checkpoint_intercept = _split(run.checkpoints, quads.fit_intercept)
    by_step = np.swapaxes(run.checkpoints, 0, 1)  # (C, K, q): the column on the second-last axis
    return GDPathResult(
        alphas=alphas,
        steps=steps,
        coef=coef,
        intercept=intercept,
        n_iter=run.n_iter,
        converged=run.converged,
        diverged=run.diverged,
        learning_rate=rates,
        lipschitz=quads.lipschitz,
        condition_number=quads.condition_number,
        singular=quads.singular,
        optimum=quads.optimum,
        checkpoint_coef=checkpoint_coef,
        checkpoint_intercept=checkpoint_intercept,
        suboptimality=quads.suboptimality(by_step).T,
        distance=quads.distance(by_step).T,
    )


def gradient_descent(
    X,
    y,
    alpha=1.0,
    fit_intercept=True,
    optimizer="gd",
    penalty="l2",
    learning_rate="auto",
    max_iter=1000,
    tol=1e-10,
    momentum=0.9,
    beta_1=0.9,
    beta_2=0.999,
    epsilon=1e-8,
    n_iter_no_change=5,
    quad=None,
    keep_loss_curve=True,
):
    """Full-batch iterative minimisation of ridge's objective from ``w = 0, b = 0``.

    See :class:`GradientDescentRegressor` for the parameters; ``optimizer`` is a name in
    :data:`OPTIMIZERS`. ``quad`` may pass a precomputed :func:`quadratic_objective` of the
    same ``(X, y, alpha, fit_intercept)``. ``keep_loss_curve=False`` leaves
    ``GDResult.loss_curve`` empty: nothing per step is kept beyond the bounded
    :class:`GDTrace` (``loss_curve`` costs 8 bytes a step, 800 kB at 100,000 steps).

    The run is :func:`gradient_descent_path`'s with one alpha: the same code, the same
    numbers as that alpha's column of a path.

    Returns
    -------
    GDResult
    """
    rule = _optimizer(optimizer)
    _check_run(penalty, max_iter, tol, n_iter_no_change)
    path = (
        quadratic_objectives(X, y, [alpha], fit_intercept)
        if quad is None
        else QuadraticPath.stack([quad])
    )
    rates = _learning_rates(rule, learning_rate, path.lipschitz)
    steps = record_steps(max_iter)
    hyper = {"momentum": momentum, "beta_1": beta_1, "beta_2": beta_2, "epsilon": epsilon}
    run = _descend(
        path, rule, penalty, rates, max_iter, tol, n_iter_no_change, hyper, steps, keep_loss_curve
    )
    n_iter = int(run.n_iter[0])
    # The record: the steps up to the stop, and the stop itself.
    recorded = steps <= n_iter
    record, thetas = steps[recorded], run.checkpoints[0, recorded]
    if record[-1] != n_iter:
        record, thetas = np.r_[record, n_iter], np.vstack([thetas, run.final])
    quad = path[0]
    gaps = quad.suboptimality(thetas)
    coefs, intercepts = _split(thetas, path.fit_intercept)
    trace = GDTrace(
        step=record,
        coef=coefs,
        intercept=intercepts,
        objective=quad.optimum + gaps,
        suboptimality=gaps,
        distance=np.linalg.norm(thetas - quad.theta_star, axis=1),
    )
    return GDResult(
        coef=coefs[-1].copy(),
        intercept=float(intercepts[-1]),
        n_iter=n_iter,
        loss_curve=quad.optimum + run.gap_curve if keep_loss_curve else np.empty(0),
        converged=bool(run.converged[0]),
        diverged=bool(run.diverged[0]),
        learning_rate=float(rates[0]),
        lipschitz=quad.lipschitz,
        condition_number=quad.condition_number,
        trace=trace,
    )


def _split(thetas, fit_intercept):
    """``(w, b)`` from ``theta = [w, b]`` on the last axis; ``b = 0`` without an intercept."""
    if fit_intercept:
        return thetas[..., :-1], thetas[..., -1]
    return thetas, np.zeros(thetas.shape[:-1])


# --------------------------------------------------------------------------------------------
# scikit-learn estimators
# --------------------------------------------------------------------------------------------


def _check_real(name, value, low=None, high=None, low_open=False):
    """Raise a ValueError that says what was expected unless ``value`` is a finite real."""
    ok = isinstance(value, Real) and not isinstance(value, bool) and np.isfinite(value)
    if ok and low is not None:
        ok = value > low if low_open else value >= low
    if ok and high is not None:
        ok = value <= high
    if not ok:
        bounds = []
        if low is not None:
            bounds.append(f"{'>' if low_open else '>='} {low}")
        if high is not None:
            bounds.append(f"<= {high}")
        raise ValueError(f"{name} must be a finite number {' and '.join(bounds)}, got {value!r}.")


def _check_choice(name, value, choices):
    """Raise a ValueError listing the names in ``choices`` (a tuple, or a registry's keys)."""
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {tuple(choices)}, got {value!r}.")


class RidgeRegression(RegressorMixin, BaseEstimator):
    """Ridge regression solved exactly by one SVD.

    Minimises ``sum_i (y_i - x_i . w - b)^2 + alpha * ||w||^2``, scikit-learn ``Ridge``'s
    objective: the intercept ``b`` is not penalised (with ``fit_intercept=False`` there is none).
    ``X - mean = U diag(s) V^T`` gives ``w = V diag(s / (s^2 + alpha)) U^T (y - mean)``; the
    normal equations, which square the condition number, are never formed.

    Parameters
    ----------
    alpha : float >= 0, default=1.0
        ``alpha = 0`` gives the minimum-norm least-squares solution, also with more features
        than samples.
    fit_intercept : bool, default=True

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
    intercept_ : float
        0.0 when ``fit_intercept=False``.
    singular_ : ndarray
        Singular values of the (centered) design matrix.
    rank_ : int
        Number of singular values above ``max(n, p) * eps * s_max``; the others count as 0.
    condition_number_ : float
        :func:`ridge_condition_number` at ``alpha``: the coefficients' relative error is at
        most about ``eps * condition_number_`` (measured: at most 1.7 times that). Past 1e12 a
        :class:`ConditioningWarning` says how many digits they carry at least
        (:func:`correct_digits`).
    n_features_in_ : int
    feature_names_in_ : ndarray of str, only when ``X`` had string column names.
    """

    def __init__(self, alpha=1.0, fit_intercept=True):
        self.alpha = alpha
        self.fit_intercept = fit_intercept

    def fit(self, X, y):
        """Fit the ridge solution to ``X`` (n_samples, n_features) and ``y`` (n_samples,)."""
        _check_real("alpha", self.alpha, low=0)
        X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=True)
        dec = ridge_decomposition(X, y, self.fit_intercept)
        coefs, intercepts = ridge_path_from_decomposition(dec, [self.alpha])
        self.coef_ = coefs[0]
        self.intercept_ = float(intercepts[0])
        self.singular_ = dec.s
        self.rank_ = dec.rank
        self.condition_number_ = ridge_condition_number(dec, self.alpha)
        _warn_if_ill_conditioned(self.condition_number_, "This ridge fit")
        return self

    def predict(self, X):
        """``X w + b``."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return X @ self.coef_ + self.intercept_


class GradientDescentRegressor(RegressorMixin, BaseEstimator):
    """Ridge's objective minimised by full-batch gradient descent, as PyTorch's optimizers do it.

    Minimises ``J(w, b) = sum_i (y_i - x_i . w - b)^2 + alpha * ||w||^2`` from ``w = 0, b = 0``
    in float64. The data term's gradient is ``2 X^T (X w + b - y)``. Each step costs
    O(p^2): ``X^T X`` and ``X^T y`` are formed once per fit (Gram form).

    Parameters
    ----------
    alpha : float >= 0, default=1.0
    fit_intercept : bool, default=True
        The intercept is never penalised or decayed.
    optimizer : {"gd", "momentum", "nesterov", "adam"}, default="gd"
        A name in :data:`OPTIMIZERS`, whose :class:`Optimizer` entry holds its rule.
        ``"gd"``: ``theta <- theta - lr g``. ``"momentum"`` and ``"nesterov"``: the rules of
        ``torch.optim.SGD`` (buffer ``buf <- momentum buf + g``, starting at the first gradient,
        no dampening; step ``buf``, or ``g + momentum buf`` for Nesterov). ``"adam"``: the rule of
        ``torch.optim.Adam`` (bias-corrected moments, ``epsilon`` added after the square root).
    penalty : {"l2", "decoupled"}, default="l2"
        ``"l2"``: the penalty is in the loss; its gradient ``2 alpha w`` is added to ``g``
        (PyTorch's ``weight_decay = 2 alpha`` on ``w``). ``"decoupled"``: before each step
        ``w <- w (1 - lr 2 alpha)`` and ``g`` has no penalty term (``AdamW`` with
        ``weight_decay = 2 alpha``). The two give the same trajectory for ``"gd"``, not for
        the others: decoupled momentum and Nesterov converge to the ridge solution at
        ``alpha (1 - momentum)`` (the decay does not pass through the buffer), with a stability
        limit of their own; Adam's fixed points differ too.
    learning_rate : "auto" or float > 0, default="auto"
        ``"auto"``: ``1 / L`` for the gradient family, ``L`` the largest eigenvalue of the
        objective's Hessian ``2 (X^T X + alpha I)`` (intercept included); ``1e-3`` for Adam
        (PyTorch's and Keras's default). Stable up to ``stability_limit_ / L``: 2/L for "gd".
    max_iter : int >= 0, default=1000
    tol : float >= 0, default=1e-10
        Stop when ``|J_t - J_{t+1}| <= tol * J_t`` for ``n_iter_no_change`` steps in a row;
        ``tol=0`` runs exactly ``max_iter`` steps.
    momentum : float in [0, 1), default=0.9
    beta_1, beta_2 : float in [0, 1), defaults 0.9 and 0.999
    epsilon : float > 0, default=1e-8
    n_iter_no_change : int >= 1, default=5
        As in scikit-learn's ``SGDRegressor``: momentum and Adam pass through steps of nearly
        no change without having converged.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
    intercept_ : float
        0.0 when ``fit_intercept=False``.
    n_iter_ : int
        Steps taken.
    loss_curve_ : ndarray of shape (n_iter_ + 1,)
        The objective ``J`` (penalty included) at ``w_0`` and after every step.
    converged_ : bool
        Stopped by ``tol``.
    diverged_ : bool
        The run diverged, and warned (:class:`DivergenceWarning`: how much ``J - J*`` grew,
        and ``stability_limit_ / lipschitz_``, the learning rate to stay below). Either
        ``J - J*`` grew past ``1e8`` times its start ``J_0 - J*`` (or overflowed): the run
        stopped there and kept its last iterate before that; or (gradient family) it ran
        every step and ended above ``J_0 - J*`` on an unstable step: it kept its last iterate.
        A run stopped by ``max_iter`` that has not diverged warns with
        :class:`~sklearn.exceptions.ConvergenceWarning`, whose advice depends on the step: more
        steps (or a larger rate, up to the limit) below the stability limit, a smaller rate
        past it.
    learning_rate_ : float
    lipschitz_ : float
        ``L``, the largest eigenvalue of the Hessian.
    stability_limit_ : float
        The largest stable ``learning_rate * L`` for this optimizer (:func:`stability_limit`).
    condition_number_ : float
        The Hessian's condition number on its range; plain gradient descent at step ``1/L``
        needs about ``condition_number_ * ln(1 / accuracy)`` steps. For any optimizer, step
        and momentum: :func:`steps_needed`.
    trace_ : GDTrace
        Iterates, objective, ``J - J*`` and distance to the minimiser at about 200 log-spaced
        steps (bounded memory).
    n_features_in_ : int
    feature_names_in_ : ndarray of str, only when ``X`` had string column names.
    """

    def __init__(
        self,
        alpha=1.0,
        fit_intercept=True,
        optimizer="gd",
        penalty="l2",
        learning_rate="auto",
        max_iter=1000,
        tol=1e-10,
        momentum=0.9,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=5,
    ):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.optimizer = optimizer
        self.penalty = penalty
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.tol = tol
        self.momentum = momentum
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change

    def _check_params(self):
        _check_real("alpha", self.alpha, low=0)
        _check_choice("optimizer", self.optimizer, OPTIMIZERS)
        _check_choice("penalty", self.penalty, PENALTIES)
        if not (isinstance(self.learning_rate, str) and self.learning_rate == "auto"):
            _check_real("learning_rate", self.learning_rate, low=0, low_open=True)
        for name in ("max_iter", "n_iter_no_change"):
            value = getattr(self, name)
            minimum = 0 if name == "max_iter" else 1
            if not isinstance(value, Integral) or isinstance(value, bool) or value < minimum:
                raise ValueError(f"{name} must be a whole number >= {minimum}, got {value!r}.")
        _check_real("tol", self.tol, low=0)
        for name in ("momentum", "beta_1", "beta_2"):
            value = getattr(self, name)
            _check_real(name, value, low=0)
            if value >= 1:
                raise ValueError(f"{name} must be below 1, got {value!r}.")
        _check_real("epsilon", self.epsilon, low=0, low_open=True)

    def fit(self, X, y):
        """Run gradient descent on ``X`` (n_samples, n_features) and ``y`` (n_samples,)."""
        self._check_params()
        X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=True)
        # The estimator's parameters are exactly gradient_descent's keywords.
        result = gradient_descent(X, y, **self.get_params())
        self.coef_ = result.coef
        self.intercept_ = result.intercept
        self.n_iter_ = result.n_iter
        self.loss_curve_ = result.loss_curve
        self.converged_ = result.converged
        self.diverged_ = result.diverged
        self.learning_rate_ = result.learning_rate
        self.lipschitz_ = result.lipschitz
        self.stability_limit_ = stability_limit(self.optimizer, self.momentum)
        self.condition_number_ = result.condition_number
        self.trace_ = result.trace
        if result.diverged:
            warnings.warn(
                divergence_message(result, self.stability_limit_), DivergenceWarning, stacklevel=2
            )
        elif self.tol > 0 and not result.converged and self.max_iter > 0:
            warnings.warn(
                convergence_message(result, self.max_iter, self.tol, self.stability_limit_),
                ConvergenceWarning,
                stacklevel=2,
            )
        return self

    def predict(self, X):
        """``X w + b``."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return X @ self.coef_ + self.intercept_


def divergence_message(result, limit):
    """What happened to a diverged run and what to do about it, for a student.

    Says by how much ``J - J*`` grew (from the start to the iterate kept, ``result.trace``) in
    how many steps and, past the stability limit (``limit``, in units of ``1/L``), the absolute
    learning rate below which the run is stable: ``limit / L``.
    """
    L = result.lipschitz
    ratio = result.learning_rate * L
    start, end = result.trace.suboptimality[0], result.trace.suboptimality[-1]
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        growth = end / start
    if np.isfinite(growth):
        grew = f"J − J* grew {growth:.3g}-fold in {result.n_iter} steps"
    else:
        grew = f"the iterates overflowed at step {result.n_iter}"
    if np.isfinite(limit) and ratio > limit:
        return (
            f"Gradient descent diverged: {grew}, because the step size {ratio:.4g}/L is past the "
            f"stability limit {limit:.3g}/L (L = {L:.3g}, the largest curvature of the "
            f"objective). Lower the learning rate below {limit / L:.3g}. The last finite "
            "iterate is kept."
        )
    return (
        f"Gradient descent diverged: {grew}: the step is unstable at learning rate "
        f"{result.learning_rate:.3g}. Lower the learning rate. The last finite iterate is kept."
    )


def convergence_message(result, max_iter, tol, limit):
    """Why a run stopped at ``max_iter`` without converging, and the advice that helps: more
    steps, or (past the stability limit, where a larger rate makes it worse) a smaller rate."""
    L = result.lipschitz
    ratio = result.learning_rate * L
    said = (
        f"Gradient descent stopped at max_iter={max_iter} before the objective's relative "
        f"change fell below tol={tol}"
    )
    if not np.isfinite(limit):
        return f"{said}: raise max_iter or learning_rate."
    if ratio > limit:
        return (
            f"{said}, at step size {ratio:.4g}/L, past the stability limit {limit:.3g}/L (L = "
            f"{L:.3g}): it diverges. Lower the learning rate below {limit / L:.3g}."
        )
    return (
        f"{said}: raise max_iter, or the learning rate (stable below {limit / L:.3g}, the "
        f"limit {limit:.3g}/L)."
    )


# --------------------------------------------------------------------------------------------
# Leave-one-out error and effective degrees of freedom, from one SVD
# --------------------------------------------------------------------------------------------


def _check_design(X, y=None, min_samples=1):
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"X must be a 2-D array (n_samples, n_features), got shape {X.shape}.")
    if X.shape[0] < min_samples:
        raise ValueError(f"At least {min_samples} samples are needed, got {X.shape[0]}.")
    if not np.all(np.isfinite(X)):
        raise ValueError("X must contain only finite numbers.")
    if y is None:
        return X, None
    y = np.asarray(y, dtype=np.float64)
    if y.ndim != 1 or y.shape[0] != X.shape[0]:
        raise ValueError(f"y must be a 1-D array of {X.shape[0]} values, got shape {y.shape}.")
    if not np.all(np.isfinite(y)):
        raise ValueError("y must contain only finite numbers.")
    return X, y


class _Centring(NamedTuple):
    """An orthonormal basis ``Q2`` (n x (n-1)) of the vectors orthogonal to ``1``, implicit.

    ``Q = I - 2 v v^T / (v^T v)`` with ``v = 1 / sqrt(n) + e_1`` is the Householder reflection
    that maps ``1 / sqrt(n)`` to ``-e_1``; ``Q2`` is its last ``n - 1`` columns. Centring is
    then ``A -> Q2^T A`` (exactly orthogonal to ``1``, one row shorter), and ``Q2 B`` maps back.
    """

    v: np.ndarray
    scale: float  # 2 / (v^T v)

    @classmethod
    def of(cls, n):
        v = np.full(n, 1.0 / np.sqrt(n))
        v[0] += 1.0
        return cls(v, 2.0 / float(v @ v))

    def reduce(self, A):
        """``Q2^T A``: rows 2..n of ``Q A``."""
        return A[1:] - np.multiply.outer(self.v[1:], self.scale * (self.v @ A))

    def lift(self, B):
        """``Q2 B``: ``Q [0; B]``."""
        top = np.zeros((1, *B.shape[1:]))
        return np.concatenate([top, B]) - np.multiply.outer(self.v, self.scale * (self.v[1:] @ B))


def _centred_design(X, fit_intercept):
    """``(X_tilde, centring)``: ``X`` itself, or ``Q2^T X`` when the intercept is fitted."""
    if not fit_intercept:
        return X, None
    centring = _Centring.of(X.shape[0])
    # Subtracting the mean first keeps the rounding relative to the centred columns.
    return centring.reduce(X - X.mean(axis=0)), centring


#: loo_errors refits the samples whose leverage is within this of one (see there).
_LOO_REFIT_BELOW = 1e-4


def _refit_residuals(X, y, i, alphas, fit_intercept):
    """``y_i - y_hat_{-i}(x_i)`` for each alpha by refitting without sample ``i``: shape (K,).

    The refit is :func:`ridge_decomposition`'s (the same rank convention: the minimum-norm
    solution at ``alpha = 0`` when the others do not pin ``w`` down). The prediction is taken
    as ``y_mean + (x_i - x_mean) . w``, the offsets before the products, as the fit was.
    """
    others = np.arange(X.shape[0]) != i
    dec = ridge_decomposition(X[others], y[others], fit_intercept)
    along = dec.Vt @ (X[i] - dec.x_mean)  # the left-out x in the right singular basis
    fitted = (filter_factors(dec.s, alphas, dec.rank) * dec.uty) @ along
    return (y[i] - dec.y_mean) - fitted


def effective_dof(X, alphas, fit_intercept=True):
    r"""Effective number of parameters of the ridge fit: the trace of its hat matrix.

    With ``X_c = U diag(s) V^T`` (``X`` centred when ``fit_intercept``) the fitted values are
    ``y_hat = H y`` with ``H = 11^T / n + U diag(s^2 / (s^2 + alpha)) U^T`` (drop ``11^T / n``
    without intercept), so

    ``dof(alpha) = trace H = [1 if fit_intercept] + sum_k s_k^2 / (s_k^2 + alpha)``

    over the kept singular values (above ``max(n, p) * eps * s_max``, as ``numpy.linalg.lstsq``
    and :func:`ridge_decomposition` do). At ``alpha = 0`` it is the rank of the design (plus 1
    for the intercept); it decreases strictly in ``alpha`` while the rank is positive, towards
    1 (intercept only) or 0 as ``alpha -> inf``.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
    alphas : array of shape (n_alphas,), each finite and >= 0
    fit_intercept : bool, default=True
        Whether the unpenalised intercept of scikit-learn's ``Ridge`` is fitted.

    Returns
    -------
    ndarray of shape (n_alphas,)

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0], [1.0], [2.0]])
    >>> effective_dof(X, [0.0, 2.0, 1e300])
    array([2. , 1.5, 1. ])
    """
    alphas = check_alphas(alphas)
    X, _ = _check_design(X)
    X_tilde, _ = _centred_design(X, fit_intercept)
    s = np.linalg.svd(X_tilde, compute_uv=False)
    kept = s[: numerical_rank(s, X.shape)]
    # s^2 / (s^2 + alpha) = 1 / (1 + (alpha / s) / s): no overflow or underflow of s^2.
    with np.errstate(over="ignore"):
        fractions = 1.0 / (1.0 + (alphas[:, None] / kept) / kept)
    return fractions.sum(axis=1) + float(bool(fit_intercept))


def loo_errors(X, y, alphas, fit_intercept=True):
    r"""Leave-one-out mean squared error of ridge regression for each alpha, from one SVD.

    The objective is scikit-learn ``Ridge``'s, ``sum_i (y_i - x_i . w - b)^2 + alpha ||w||^2``
    with the intercept ``b`` unpenalised (or absent when ``fit_intercept=False``). The result
    equals, for each ``alpha``, ``mean_i (y_i - y_hat_{-i}(x_i))^2`` where ``y_hat_{-i}`` is
    refitted without sample ``i`` (scikit-learn's ``cross_val_score`` with ``LeaveOneOut`` and
    ``neg_mean_squared_error``, negated), but only samples of leverage within 1e-4 of one are
    refitted (see below): for a linear smoother ``y_hat = H y``

    ``y_i - y_hat_{-i}(x_i) = e_i / (1 - h_ii)``,  ``e = y - H y``,

    with ``H = 11^T / n + U diag(s^2 / (s^2 + alpha)) U^T`` for the centred design
    ``X_c = U diag(s) V^T`` (no ``11^T / n`` without intercept).

    Both ``1 - h_ii`` and ``e_i`` are small where the fit nearly interpolates, so neither is
    formed as a difference of nearly equal numbers. With ``C`` an orthonormal basis of the
    complement of ``span(1, U)`` (the columns of a full SVD beyond the rank, taken inside the
    complement of ``1`` by a Householder reflection), ``c = U^T y`` and
    ``r_k = alpha / (s_k^2 + alpha)``:

    ``1 - h_ii = ||C_i||^2 + sum_k U_ik^2 r_k``  and  ``e_i = (C C^T y)_i + sum_k U_ik r_k c_k``,

    sums of non-negative terms and a residual computed from its own (small) components, so
    their relative accuracy does not degrade as ``alpha -> 0``. The identity is exact for every
    sample with ``1 - h_ii > 0`` at every alpha, however close to 0 ``1 - h_ii`` is.

    Near leverage one the ratio amplifies the rounding in ``C_i`` (absolute, up to about
    ``eps * kappa``, ``kappa = s_max / s_min`` over the kept values) by ``1 / sqrt(1 - h_ii)``,
    and a row that is zero in exact arithmetic (leverage one) comes out as rounding that its
    size cannot tell from a genuine ``1 - h_ii``. So the samples with ``||C_i||^2`` (``1 - h_ii``
    at ``alpha = 0``) at or below ``max(1e-4, max(n, p) (eps kappa)^2)`` (capped at 1/2: at
    most ``2 (rank + 1)`` samples) are refitted without the sample, by the same
    :func:`ridge_decomposition` and rank rule, instead. A refit is the definition itself, exact
    for a genuine ``1 - h_ii`` and, for a sample of leverage one at ``alpha = 0`` (removing it
    lowers the rank), the minimum-norm least-squares refit, which is the ``alpha -> 0+``
    limit. When the fit interpolates (``rank + 1 = n`` with intercept, ``rank = n`` without:
    no complement, every ``h_ii = 1`` at ``alpha = 0``, e.g. when the degree is at least
    ``n_samples - 1``) the identity is taken divided by ``alpha``, which gives that limit in
    closed form, ``sum_k U_ik c_k / s_k^2 / sum_k U_ik^2 / s_k^2``, with nothing refitted. The
    function is continuous in ``alpha`` at 0 and never returns ``inf`` or ``nan``.

    Parameters
    ----------
    X : array of shape (n_samples, n_features), n_samples >= 2, finite
    y : array of shape (n_samples,), finite
    alphas : array of shape (n_alphas,), each finite and >= 0
    fit_intercept : bool, default=True

    Returns
    -------
    ndarray of shape (n_alphas,)
        Mean squared leave-one-out error for each alpha.

    Raises
    ------
    ValueError
        On alphas that are negative, not finite or not 1-D; on ``X`` not 2-D, ``y`` not 1-D
        of the same length, non-finite data, or fewer than two samples.

    Notes
    -----
    Costs one full SVD of the (centred) ``n x p`` design, O(n^2 p + n^2) for the complement,
    O(n_alphas * n * rank) for the alphas, and one thin SVD of ``(n - 1) x p`` per refitted
    sample (O(n p^3) at most, none for most designs); memory O(n^2 + n_alphas * n).

    Examples
    --------
    With two samples the left-out point is predicted by the other one's ``y``:

    >>> import numpy as np
    >>> loo_errors(np.array([[0.0], [1.0]]), np.array([1.0, 3.0]), [0.0, 1.0])
    array([4., 4.])
    """
    alphas = check_alphas(alphas)
    X, y = _check_design(X, y, min_samples=2)
    X_tilde, centring = _centred_design(X, fit_intercept)
    y_tilde = y if centring is None else centring.reduce(y - y.mean())
    W, s, _ = np.linalg.svd(X_tilde, full_matrices=True)
    rank = numerical_rank(s, X.shape)
    s = s[:rank]
    coords = W.T @ y_tilde
    lift = (lambda B: B) if centring is None else centring.lift
    U = lift(W[:, :rank])  # n x rank: the left singular vectors of the centred design
    complement = lift(W[:, rank:])  # n x (n - [1] - rank): orthonormal, orthogonal to 1 and U
    c = coords[:rank]
    complement_y = complement @ coords[rank:]  # C C^T y: the residual at alpha = 0
    complement_norm2 = np.einsum("ij,ij->i", complement, complement)
    U2 = U * U

    errors = np.empty((alphas.shape[0], X.shape[0]))
    with np.errstate(over="ignore", divide="ignore"):
        # r_k = alpha / (s_k^2 + alpha) = 1 / (1 + s_k (s_k / alpha)); inf -> 0 at alpha = 0.
        shrink = 1.0 / (1.0 + s * (s / alphas[:, None]))
    if complement.shape[1] == 0:
        # No complement: H = I at alpha = 0 and every 1 - h_ii = 0. Numerator and denominator
        # divided by alpha / s_max^2: g_k = s_max^2 / (s_k^2 + alpha), finite at alpha = 0,
        # gives the alpha -> 0+ limit there and the same ratio for alpha > 0.
        with np.errstate(divide="ignore"):
            scaled = 1.0 / ((s / s[0]) ** 2 + alphas[:, None] / s[0] ** 2) if rank else shrink
        errors[:] = ((scaled * c) @ U.T) / (scaled @ U2.T)
        return np.mean(errors**2, axis=1)
    numerator = complement_y + (shrink * c) @ U.T
    denominator = complement_norm2 + shrink @ U2.T
    with np.errstate(divide="ignore", invalid="ignore"):  # 0 / 0 only at suspects, redone below
        errors[:] = numerator / denominator
    # Near leverage one the formula's ratio amplifies the rounding in C_i (absolute, up to
    # eps * kappa: the computed complement is that of X_tilde + E, ||E|| ~ eps ||X_tilde||,
    # turned by up to eps * kappa, Wedin's bound) by 1 / sqrt(1 - h_ii). A zero row (leverage
    # one) comes out at 0.03 to 0.1 of that bound (measured, kappa 50 to 5e5), so below
    # max(n, p) (eps kappa)^2 its size cannot tell it from a genuine 1 - h_ii (a threshold
    # without kappa, as before, took a genuine 1.2e-13 for zero). Those samples are refitted:
    # a backward-stable answer, 6 to 3500 times closer to an 80-digit refit than the formula
    # at 1 - h_ii = 1e-8 and 1e-13. At most 2 (rank + 1) samples can have 1 - h_ii below 1/2
    # (the leverages sum to rank + 1), so the refits cost O(n p^3) at most.
    kappa = float(s[0] / s[-1]) if rank else 1.0
    refit_below = min(0.5, max(_LOO_REFIT_BELOW, max(X.shape) * (_EPS * kappa) ** 2))
    suspects = np.flatnonzero(complement_norm2 <= refit_below)
    for i in suspects:
        errors[:, i] = _refit_residuals(X, y, i, alphas, fit_intercept)
    return np.mean(errors**2, axis=1)
