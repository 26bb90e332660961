"""Polynomial feature maps: raw powers, scaled monomials and orthonormal Legendre polynomials.

The penalty ``alpha * ||w||^2`` acts on the weights *of a basis*, so the basis is part of the
model: the same ``alpha`` shrinks different curves in different bases. Each input column ``x``
is first mapped to ``t = 2 (x - min) / (max - min) - 1`` on ``[-1, 1]`` (min and max learned in
``fit``; a constant column maps to ``t = 0``), then expanded on its own into
``phi_1(x) .. phi_degree(x)``:

========== ===================================== ==================================================
kind       phi_k                                 use
========== ===================================== ==================================================
raw        ``x ** k`` (no scaling)               Bishop's textbook basis; badly conditioned
monomial   ``t ** k``                            the default; conditioned well enough to degree ~20
legendre   ``sqrt(2k + 1) * P_k(t)``             orthonormal for uniform t; best conditioned
========== ===================================== ==================================================
"""

from __future__ import annotations

from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

#: The bases, in the page's order, with the words it shows for each (the library's one list).
BASIS_LABELS = {"monomial": "monomial tᵏ", "legendre": "Legendre Pₖ(t)", "raw": "raw xᵏ"}
#: The ``kind`` names: the keys of :data:`BASIS_LABELS`.
BASIS_KINDS = tuple(BASIS_LABELS)


def scale_to_unit_interval(x, data_min, data_max):
    """Map ``x`` affinely so that ``[data_min, data_max]`` becomes ``[-1, 1]``.

    ``t = 2 (x - data_min) / (data_max - data_min) - 1``, elementwise with broadcasting; where
    ``data_max == data_min`` (a constant column) ``t = 0``.
    """
    x = np.asarray(x, dtype=np.float64)
    lo = np.asarray(data_min, dtype=np.float64)
    width = np.asarray(data_max, dtype=np.float64) - lo
    constant = width == 0
    safe_width = np.where(constant, 1.0, width)
    # Subtract the midpoint rather than computing 2(x-lo)/w - 1: no cancellation near t = 1.
    t = (2.0 * (x - lo) - width) / safe_width
    return np.where(constant, 0.0, t)


def polynomial_columns(x, degree, kind="monomial", data_min=None, data_max=None):
    """Evaluate ``phi_1 .. phi_degree`` of one input column.

    Parameters
    ----------
    x : array of shape (n_samples,)
    degree : int >= 0
    kind : {"monomial", "legendre", "raw"}
        See the module docstring for the definitions.
    data_min, data_max : float
        The interval mapped to ``[-1, 1]`` (ignored for ``kind="raw"``). Default: the range
        of ``x``.

    Returns
    -------
    ndarray of shape (n_samples, degree), float64
        Column ``k - 1`` holds ``phi_k(x)``.
    """
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    if kind not in BASIS_KINDS:
        raise ValueError(f"kind must be one of {BASIS_KINDS}, got {kind!r}.")
    out = np.empty((x.shape[0], degree), dtype=np.float64)
    if degree == 0:
        return out
    if kind == "raw":
        # Cumulative products: x, x^2, ... (exactly x**k for integer k up to rounding).
        np.cumprod(np.broadcast_to(x[:, None], out.shape), axis=1, out=out)
        return out
    lo = x.min(initial=np.inf) if data_min is None else data_min
    hi = x.max(initial=-np.inf) if data_max is None else data_max
    t = scale_to_unit_interval(x, lo, hi) if x.size else x
    if kind == "monomial":
        np.cumprod(np.broadcast_to(t[:, None], out.shape), axis=1, out=out)
        return out
    # Bonnet's recurrence (k + 1) P_{k+1} = (2k + 1) t P_k - k P_{k-1}: stable on [-1, 1].
    p_prev, p_curr = np.ones_like(t), t
    out[:, 0] = np.sqrt(3.0) * t
    for k in range(1, degree):
        p_prev, p_curr = p_curr, ((2 * k + 1) * t * p_curr - k * p_prev) / (k + 1)
        out[:, k] = np.sqrt(2.0 * (k + 1) + 1.0) * p_curr
    return out


class PolynomialBasis(TransformerMixin, BaseEstimator):
    """Expand each input column into a polynomial basis of one degree.

    Parameters
    ----------
    degree : int, default=9
        Highest power ``k`` of ``phi_k``. Each input column gives ``degree`` output columns.
    kind : {"monomial", "legendre", "raw"}, default="monomial"
        ``"raw"``: ``phi_k = x**k``; ``"monomial"``: ``phi_k = t**k``; ``"legendre"``:
        ``phi_k = sqrt(2k + 1) P_k(t)`` (orthonormal: the mean of ``phi_j phi_k`` over ``t``
        uniform on [-1, 1] is 1 if ``j == k`` else 0), with ``t = 2 (x - min) / (max - min) - 1``
        and min, max learned in ``fit`` per column (a constant column maps to ``t = 0``).
    include_bias : bool, default=False
        Put one column of ones (``phi_0``) first. Leave it off when the regressor fits an
        unpenalised intercept; turn it on (with ``fit_intercept=False``) for Bishop's convention,
        where ``w_0`` is penalised like the other weights.

    Attributes
    ----------
    data_min_, data_max_ : ndarray of shape (n_features_in_,)
        Per-column range seen in ``fit``; transform maps it onto ``[-1, 1]``.
    n_features_in_ : int
    feature_names_in_ : ndarray of str, only when ``X`` had string column names.
    n_output_features_ : int
        ``int(include_bias) + degree * n_features_in_``.

    Examples
    --------
    >>> import numpy as np
    >>> PolynomialBasis(degree=3).fit_transform(np.array([[0.0], [0.5], [1.0]]))
    array([[-1.,  1., -1.],
           [ 0.,  0.,  0.],
           [ 1.,  1.,  1.]])
    """

    def __init__(self, degree=9, kind="monomial", include_bias=False):
        self.degree = degree
        self.kind = kind
        self.include_bias = include_bias

    def _check_params(self):
        if (
            not isinstance(self.degree, Integral)
            or isinstance(self.degree, bool)
            or self.degree < 0
        ):
            raise ValueError(f"degree must be a whole number >= 0, got {self.degree!r}.")
        if self.kind not in BASIS_KINDS:
            raise ValueError(f"kind must be one of {BASIS_KINDS}, got {self.kind!r}.")
        if self.degree == 0 and not self.include_bias:
            raise ValueError(
                "degree=0 without include_bias gives no features; use include_bias=True for a "
                "constant fit."
            )

    def fit(self, X, y=None):
        """Learn each column's min and max (used to scale onto [-1, 1])."""
        self._check_params()
        X = validate_data(self, X, dtype=np.float64)
        self.data_min_ = X.min(axis=0)
        self.data_max_ = X.max(axis=0)
        self.n_output_features_ = int(bool(self.include_bias)) + self.degree * X.shape[1]
        return self

    def transform(self, X):
        """Return the basis, shape ``(n_samples, n_output_features_)``, float64."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        blocks = [np.ones((X.shape[0], 1))] if self.include_bias else []
        for j in range(X.shape[1]):
            blocks.append(
                polynomial_columns(
                    X[:, j], self.degree, self.kind, self.data_min_[j], self.data_max_[j]
                )
            )
        return np.hstack(blocks)

    def get_feature_names_out(self, input_features=None):
        """Names such as ``t(x0)^3`` (monomial), ``P3(x0)`` (legendre), ``x0^3`` (raw)."""
        from sklearn.utils.validation import _check_feature_names_in

        check_is_fitted(self)
        names = _check_feature_names_in(self, input_features)
        out = ["1"] if self.include_bias else []
        for name in names:
            for k in range(1, self.degree + 1):
                if self.kind == "raw":
                    out.append(f"{name}^{k}")
                elif self.kind == "monomial":
                    out.append(f"t({name})^{k}")
                else:
                    out.append(f"P{k}({name})")
        return np.asarray(out, dtype=object)
