r"""Ridge regression in closed form and by gradient descent, on one objective.

Convention (scikit-learn ``Ridge``'s)::

    J(w, b) = sum_i (y_i - x_i . w - b)^2 + alpha * ||w||^2

The intercept ``b`` is not penalised; with ``fit_intercept=False`` there is no ``b``. Bishop's
convention, ``1/2 sum_i (...)^2 + lambda/2 ||w||^2`` with ``w_0`` penalised, has the same minimiser
with ``lambda = alpha`` when the basis includes a column of ones and ``fit_intercept=False``.

The module has two layers, as scikit-learn's ``linear_model/_ridge.py`` does: pure array
functions (``ridge_decomposition``, ``ridge_path``, ``gradient_descent``) that the dashboard calls
directly and caches, and the scikit-learn estimators ``RidgeRegression`` and
``GradientDescentRegressor`` on top of them.

Two conventions are written once here and used everywhere: which singular values count
(:func:`kept_singular_values`, :func:`numerical_rank`) and which alphas are valid
(:func:`check_alphas`). The optimizers are one registry, :data:`OPTIMIZERS`: adding one is one
new :class:`Optimizer` entry.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from numbers import Integral, Real
from typing import NamedTuple

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import check_is_fitted, validate_data

PENALTIES = ("l2", "decoupled")
#: Default learning rate for Adam: PyTorch's and Keras's.
ADAM_DEFAULT_LEARNING_RATE = 1e-3
#: Coefficients lose about log10(condition number) of float64's ~16 digits; warn past this.
ILL_CONDITIONED = 1e12
#: A run whose suboptimality grows past this factor of its start is diverging.
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
    return RidgeDecomposition(x_mean, y_mean, U, s, Vt, U.T @ (y - y_mean), rank)


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
    """How much the ridge solution amplifies relative errors: ``s_max / min_i (s_i + alpha / s_i)``.

    ``s_i + alpha / s_i`` is the reciprocal of the filter factor; for ``alpha = 0`` this is the
    ordinary condition number ``s_max / s_min`` over the kept singular values. Coefficients
    carry about ``16 - log10`` of it correct digits.
    """
    s = np.asarray(s, dtype=np.float64)[: len(s) if rank is None else rank]
    if s.size == 0 or s[0] == 0:
        return 1.0
    return float(s[0] / np.min(s + alpha / s))


def _warn_if_ill_conditioned(kappa, what):
    if kappa > ILL_CONDITIONED:
        digits = max(0, int(np.floor(16 - np.log10(kappa))))
        warnings.warn(
            f"{what} is ill-conditioned (condition number {kappa:.1e}): its coefficients carry "
            f"about {digits} correct digits. Use the 'legendre' or 'monomial' basis, a lower "
            "degree, or a larger alpha.",
            ConditioningWarning,
            stacklevel=3,
        )


# --------------------------------------------------------------------------------------------
# Gradient descent, in Gram form
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Quadratic:
    r"""The objective as a quadratic in ``theta = [w, b]`` (``b`` only when fitted).

    ``J(theta) = J* + ||diag(s) Vt (theta - theta*)||^2`` where ``A = [Z; sqrt(alpha) D]``
    ``= U diag(s) Vt``, ``Z = [X, 1]``, ``D`` selects ``w``; so the Hessian is
    ``H = 2 A^T A = 2 (Z^T Z + alpha D)``, ``L = 2 s_max^2`` and ``mu = 2 s_min^2``. ``theta*`` is
    the minimiser of least norm. Written this way ``J - J*`` is a sum of squares, accurate
    down to the last digits instead of the difference of two nearly equal numbers.
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

    def suboptimality(self, thetas):
        """``J(theta) - J*`` for each row of ``thetas``, as a sum of squares."""
        projected = (np.atleast_2d(thetas) - self.theta_star) @ self.Vt.T
        return np.einsum("ij,ij->i", projected * self.s, projected * self.s)


def quadratic_objective(X, y, alpha, fit_intercept=True):
    """Build the :class:`Quadratic` of ridge's objective (one SVD of a (n+p) x q matrix)."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n, p = X.shape
    Z = np.hstack([X, np.ones((n, 1))]) if fit_intercept else X
    decay_mask = np.r_[np.ones(p), np.zeros(1)] if fit_intercept else np.ones(p)
    # The penalty as extra least-squares rows: ||A theta - [y; 0]||^2 = J(theta).
    A = np.vstack([Z, np.sqrt(alpha) * np.eye(Z.shape[1])[decay_mask == 1]])
    target = np.r_[y, np.zeros(A.shape[0] - n)]
    U, s, Vt = np.linalg.svd(A, full_matrices=False)
    rank = numerical_rank(s, A.shape)
    theta_star = Vt[:rank].T @ ((U[:, :rank].T @ target) / s[:rank])
    residual = target - A @ theta_star
    return Quadratic(
        gram=Z.T @ Z,
        zty=Z.T @ y,
        decay_mask=decay_mask,
        alpha=float(alpha),
        s=s,
        Vt=Vt,
        theta_star=theta_star,
        optimum=float(residual @ residual),
        initial=float(y @ y),
        rank=rank,
    )


# --------------------------------------------------------------------------------------------
# Optimizers: one registry
# --------------------------------------------------------------------------------------------


def linear_update_matrix(quad, optimizer, penalty, learning_rate, momentum):
    """The step of an optimizer of the linear family (gd, heavy ball, Nesterov) as one affine map.

    The state is ``[theta, buf, 1]`` (``buf``: the momentum buffer, 0 at the start). Every rule
    of ``torch.optim.SGD`` is affine in it on a quadratic, so one matrix product per step runs
    it exactly, with no Python work per step beyond that product. With ``g`` the gradient at
    ``theta_t`` and ``eta`` the learning rate:

    - gradient: ``g = 2 (Z^T Z theta - Z^T y) [+ 2 alpha D theta when penalty="l2"]``
    - buffer (optimizers that use momentum): ``buf <- momentum * buf + g`` (so ``buf = g``
      after the first step, no dampening); the others keep ``buf = 0``
    - direction: :attr:`Optimizer.direction` of ``g``, ``buf`` and ``momentum``: ``g`` (gd),
      ``buf`` (momentum), ``g + momentum * buf`` (Nesterov)
    - ``penalty="decoupled"``: ``theta <- (1 - 2 eta alpha D) theta`` first (the gradient was
      taken at ``theta_t``, before the decay, as in ``AdamW``); then
      ``theta <- theta - eta * direction``.

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


def _run_linear(step_matrix, state, n_steps, q):
    """Apply ``state <- step_matrix @ state`` n_steps times; return the thetas and the state."""
    states = np.empty((n_steps, state.shape[0]))
    previous, dot = state, np.dot
    for row in list(states):  # rows as views made up front: the loop is one C call per step
        dot(step_matrix, previous, out=row)
        previous = row
    return states[:, :q], previous


def _run_adam(quad, state, n_steps, first_step, penalty, lr, beta_1, beta_2, epsilon):
    """Adam / AdamW steps exactly as documented for ``torch.optim.Adam`` and ``AdamW``.

    ``g = grad J_data(theta_t) [+ 2 alpha D theta_t for "l2"]``; ``"decoupled"``:
    ``theta <- theta (1 - lr 2 alpha D)``; ``m <- beta_1 m + (1 - beta_1) g``;
    ``v <- beta_2 v + (1 - beta_2) g^2``; ``m_hat = m / (1 - beta_1^t)``,
    ``v_hat = v / (1 - beta_2^t)``; ``theta <- theta - lr m_hat / (sqrt(v_hat) + epsilon)``.
    ``state`` is ``(theta, m, v)``, or None at the start (all zero); steps are numbered from
    ``first_step`` (1 for the first) for the bias corrections.
    """
    if state is None:
        q = quad.gram.shape[0]
        state = (np.zeros(q), np.zeros(q), np.zeros(q))
    theta, m, v = (a.copy() for a in state)
    penalty_diag = 2.0 * quad.alpha * quad.decay_mask
    two_gram, two_zty = 2.0 * quad.gram, 2.0 * quad.zty
    keep = 1.0 - lr * penalty_diag
    thetas = np.empty((n_steps, theta.shape[0]))
    for i in range(n_steps):
        t = first_step + i
        g = two_gram @ theta - two_zty
        if penalty == "l2":
            g += penalty_diag * theta
        else:
            theta *= keep
        m *= beta_1
        m += (1.0 - beta_1) * g
        v *= beta_2
        v += (1.0 - beta_2) * (g * g)
        m_hat = m / (1.0 - beta_1**t)
        v_hat = v / (1.0 - beta_2**t)
        theta -= lr * m_hat / (np.sqrt(v_hat) + epsilon)
        thetas[i] = theta
    return thetas, (theta, m, v)


# What the registry's entries are made of: small named functions (an Optimizer pickles).


def _along_gradient(grad_rows, buf_rows, momentum):
    return grad_rows


def _along_buffer(grad_rows, buf_rows, momentum):
    return buf_rows


def _along_gradient_and_buffer(grad_rows, buf_rows, momentum):
    return grad_rows + momentum * buf_rows


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


def _kappa(condition_number):
    return condition_number


def _sqrt_kappa(condition_number):
    return math.sqrt(condition_number)


@dataclass(frozen=True)
class Optimizer:
    r"""One optimizer: its update rule, its stability limit, its speed and how to run it.

    :data:`OPTIMIZERS` holds one per name; :func:`gradient_descent`,
    :func:`linear_update_matrix`, :func:`stability_limit` and the page read everything about an
    optimizer from its entry, so adding one is one new entry. An optimizer either belongs to
    the linear family (``direction`` set: on a quadratic its step is an affine map of
    ``[theta, buf, 1]``, run as one matrix product per step) or runs its own steps
    (``step_runner`` set, as Adam).

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
        Rule-of-thumb steps that shrink the error by a factor ``e`` at step size ``1/L`` (see
        :meth:`steps_rule_of_thumb`); None when there is no such rule.
    rule_of_thumb : str or None
        That rule in symbols, for the page: ``"κ·ln(1/ε)"``.
    direction : callable, (grad_rows, buf_rows, momentum) -> rows, or None
        Linear family: the step's direction as rows of the affine map of ``[theta, buf, 1]``,
        given the rows that give the gradient ``g`` and the updated buffer
        (:func:`linear_update_matrix`).
    step_runner : callable or None
        Any other optimizer: ``step_runner(quad, state, n_steps, first_step, penalty,
        learning_rate, beta_1, beta_2, epsilon) -> (thetas, state)``, ``state`` None at the
        start (``theta = 0``), ``thetas`` of shape (n_steps, q), steps numbered from
        ``first_step`` (1 for the first).
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
    direction: Callable[[np.ndarray, np.ndarray, float], np.ndarray] | None = None
    step_runner: Callable[..., tuple] | None = None
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
        learning rate): ``inf``.
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
        """Steps that shrink the error by ``accuracy`` at step size ``1/L``, by the classic rule.

        Plain descent: ``kappa * ln(1 / accuracy)``; heavy ball and Nesterov:
        ``sqrt(kappa) * ln(1 / accuracy)`` (``kappa = L / mu``, the condition number). An
        infinite ``kappa`` gives ``inf``.

        Returns
        -------
        float, or None when the optimizer has no such rule (Adam), so that a caller can show
        a dash.
        """
        if self.steps_per_e_fold is None:
            return None
        if not math.isfinite(condition_number):
            return math.inf
        return self.steps_per_e_fold(condition_number) * math.log(1.0 / accuracy)

    def start(
        self, quad, penalty, learning_rate, momentum=0.9, beta_1=0.9, beta_2=0.999, epsilon=1e-8
    ):
        """Begin a run from ``theta = 0`` on ``quad``.

        Returns
        -------
        advance : callable, ``advance(n_steps, first_step) -> thetas``
            Runs the next ``n_steps`` steps (``first_step``: the number of the first, from 1)
            and returns their iterates, shape (n_steps, q). The state carries over between
            calls.
        """
        q = quad.gram.shape[0]
        if self.direction is not None:
            step_matrix = linear_update_matrix(quad, self, penalty, learning_rate, momentum)
            state = np.r_[np.zeros(2 * q), 1.0]

            def advance(n_steps, first_step):
                nonlocal state
                thetas, state = _run_linear(step_matrix, state, n_steps, q)
                return thetas

        else:
            state = None

            def advance(n_steps, first_step):
                nonlocal state
                thetas, state = self.step_runner(
                    quad,
                    state,
                    n_steps,
                    first_step,
                    penalty,
                    learning_rate,
                    beta_1,
                    beta_2,
                    epsilon,
                )
                return thetas

        return advance


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


# --------------------------------------------------------------------------------------------
# Gradient descent: the run and its record
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


def record_steps(max_iter, n_points=200):
    """The steps a :class:`GDTrace` keeps: all of them up to ``n_points``, else 0 and about
    ``n_points`` log-spaced steps up to ``max_iter`` (every step at the start, where it matters)."""
    if max_iter <= n_points:
        return np.arange(max_iter + 1, dtype=np.int64)
    grid = np.unique(np.round(np.geomspace(1, max_iter, n_points)).astype(np.int64))
    return np.r_[0, grid]


def _first_run_end(ok, carry, patience):
    """First index i where ``ok[i - patience + 1 .. i]`` are all true (with ``carry`` trues before
    ``ok[0]``); return ``(index or None, new_carry)``."""
    if ok.size == 0:
        return None, carry
    runs = np.concatenate([np.ones(carry, dtype=bool), ok])
    window = np.convolve(runs.astype(np.int64), np.ones(patience, dtype=np.int64), "valid")
    hits = np.flatnonzero(window == patience)
    if hits.size:
        return int(hits[0] + patience - 1 - carry), 0
    # Trailing run of trues carries into the next chunk.
    falses = np.flatnonzero(~runs)
    new_carry = runs.size if falses.size == 0 else runs.size - 1 - int(falses[-1])
    return None, min(new_carry, patience)


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

    Returns
    -------
    GDResult
    """
    rule = _optimizer(optimizer)
    if quad is None:
        quad = quadratic_objective(X, y, alpha, fit_intercept)
    q = quad.gram.shape[0]
    L = quad.lipschitz
    auto = isinstance(learning_rate, str)  # "auto", checked by the estimator
    lr = rule.default_learning_rate(L) if auto else float(learning_rate)
    advance = rule.start(quad, penalty, lr, momentum, beta_1, beta_2, epsilon)

    keep_steps = record_steps(max_iter)
    kept_thetas = [np.zeros((1, q))]
    start_loss = quad.optimum + quad.suboptimality(np.zeros(q))[0]
    losses = [np.array([start_loss])] if keep_loss_curve else None
    gap_start = start_loss - quad.optimum
    divergence_scale = DIVERGENCE_FACTOR * max(gap_start, _EPS * quad.initial, np.finfo(float).tiny)

    done, chunk, carry = 0, 64, 0
    converged = diverged = False
    previous_gap, last_theta = gap_start, np.zeros(q)
    with np.errstate(over="ignore", invalid="ignore"):
        while done < max_iter and not (converged or diverged):
            n_steps = min(chunk, max_iter - done)
            thetas = advance(n_steps, done + 1)
            gaps = quad.suboptimality(thetas)
            bad = ~np.isfinite(gaps) | ~np.all(np.isfinite(thetas), axis=1)
            if not rule.adaptive:
                # Past the stability limit the error grows geometrically: stop long before it
                # overflows. An adaptive method's steps are bounded by its learning rate.
                bad |= gaps > divergence_scale
            stop = n_steps
            if bad.any():
                stop, diverged = int(np.argmax(bad)), True
            if tol > 0:
                both = np.r_[previous_gap, gaps[:stop]]
                change = np.abs(np.diff(both))
                ok = change <= tol * (quad.optimum + both[:-1])
                hit, carry = _first_run_end(ok, carry, n_iter_no_change)
                if hit is not None:
                    stop, converged, diverged = hit + 1, True, False
            # Keep the record's steps in this chunk.
            steps = np.arange(done + 1, done + stop + 1)
            kept = np.isin(steps, keep_steps)
            kept_thetas.append(thetas[:stop][kept])
            if keep_loss_curve:
                losses.append(quad.optimum + gaps[:stop])
            if stop:
                previous_gap, last_theta = gaps[stop - 1], thetas[stop - 1]
            done += stop
            chunk = min(2 * chunk, 4096)

    loss_curve = np.concatenate(losses) if keep_loss_curve else np.empty(0)
    kept_thetas = np.concatenate(kept_thetas)
    record = keep_steps[keep_steps <= done]
    if record[-1] != done:
        kept_thetas = np.vstack([kept_thetas, last_theta])
        record = np.r_[record, done]
    gaps_kept = quad.suboptimality(kept_thetas)
    coefs, intercepts = _split(kept_thetas, fit_intercept)
    trace = GDTrace(
        step=record,
        coef=coefs,
        intercept=intercepts,
        objective=quad.optimum + gaps_kept,
        suboptimality=gaps_kept,
        distance=np.linalg.norm(kept_thetas - quad.theta_star, axis=1),
    )
    return GDResult(
        coef=coefs[-1].copy(),
        intercept=float(intercepts[-1]),
        n_iter=int(done),
        loss_curve=loss_curve,
        converged=converged,
        diverged=diverged,
        learning_rate=lr,
        lipschitz=L,
        condition_number=quad.condition_number,
        trace=trace,
    )


def _split(thetas, fit_intercept):
    if fit_intercept:
        return thetas[:, :-1], thetas[:, -1]
    return thetas, np.zeros(thetas.shape[0])


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
        :func:`effective_condition_number` at ``alpha``. Past 1e12 a
        :class:`ConditioningWarning` says how many digits the coefficients carry.
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
        self.condition_number_ = effective_condition_number(dec.s, self.alpha, dec.rank)
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
        ``weight_decay = 2 alpha``). The two give the same trajectory for ``"gd"``, not for Adam.
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
        The objective grew past ``1e8`` times its starting excess ``J_0 - J*`` (or overflowed):
        the run stopped, kept its last iterate before that, and warned (:class:`DivergenceWarning`).
    learning_rate_ : float
    lipschitz_ : float
        ``L``, the largest eigenvalue of the Hessian.
    stability_limit_ : float
        The largest stable ``learning_rate * L`` for this optimizer (:func:`stability_limit`).
    condition_number_ : float
        The Hessian's condition number; plain gradient descent needs about
        ``condition_number_ * ln(1 / accuracy)`` steps.
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
                f"Gradient descent stopped at max_iter={self.max_iter} before the objective's "
                f"relative change fell below tol={self.tol}: raise max_iter or learning_rate.",
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
    """One sentence on why a run diverged, for a student."""
    ratio = result.learning_rate * result.lipschitz
    if np.isfinite(limit) and ratio > limit:
        why = (
            f"the step size is {ratio:.3g}/L, past the stability limit {limit:.3g}/L "
            "(L: the largest curvature of the objective)"
        )
    else:
        why = "the objective overflowed"
    return (
        f"Gradient descent diverged at step {result.n_iter}: {why}. The last finite iterate is "
        "kept; lower the learning rate."
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
    ``neg_mean_squared_error``, negated), but nothing is refitted: for a linear smoother
    ``y_hat = H y``

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
    their relative accuracy does not degrade as ``alpha -> 0``.

    ``alpha = 0`` gives the minimum-norm least-squares fit. A sample with leverage
    ``h_ii = 1`` there (``||C_i|| = 0``: every sample when the fit interpolates, e.g. when the
    degree is at least ``n_samples - 1``) makes the identity ``0 / 0``; for such samples the
    limit ``alpha -> 0+`` is returned, ``sum_k U_ik c_k / s_k^2 / sum_k U_ik^2 / s_k^2``, which
    is finite and equals refitting the minimum-norm least-squares solution without the sample
    (``numpy.linalg.lstsq``). The function is continuous in ``alpha`` at 0 and never returns
    ``inf`` or ``nan``.

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
    and O(n_alphas * n * rank) for the alphas; memory O(n^2 + n_alphas * n).

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

    # Samples of leverage one at alpha = 0: their complement row is zero (exactly so when the
    # complement is empty, as when the fit interpolates). Rounding leaves about (eps * kappa)^2
    # there (below 1e-26 for condition numbers up to 1e5), far below this threshold (~1e-13),
    # which a genuine ||C_i||^2 reaches only for a sample within ~4e-7 of interpolation.
    one = complement_norm2 <= 64.0 * max(X.shape) * _EPS
    errors = np.empty((alphas.shape[0], X.shape[0]))
    with np.errstate(over="ignore", divide="ignore"):
        # r_k = alpha / (s_k^2 + alpha) = 1 / (1 + s_k (s_k / alpha)); inf -> 0 at alpha = 0.
        shrink = 1.0 / (1.0 + s * (s / alphas[:, None]))
        # For leverage-one samples, numerator and denominator divided by alpha / s_max^2:
        # g_k = s_max^2 / (s_k^2 + alpha), finite at alpha = 0, giving the alpha -> 0+ limit.
        scaled = 1.0 / ((s / s[0]) ** 2 + alphas[:, None] / s[0] ** 2) if rank else shrink
    if np.any(~one):
        numerator = complement_y[~one] + (shrink * c) @ U[~one].T
        denominator = complement_norm2[~one] + shrink @ U2[~one].T
        errors[:, ~one] = numerator / denominator
    if np.any(one):
        errors[:, one] = ((scaled * c) @ U[one].T) / (scaled @ U2[one].T)
    return np.mean(errors**2, axis=1)
