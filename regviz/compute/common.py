"""What every computation behind the views shares: its one exception, argument checks, the λ axis.

:class:`CannotDraw` is the only exception the page turns into a sentence: a computation raises it
where the settings make its numbers impossible (they overflow double precision, the view needs
data it does not have). Anything else (a wrong argument, a shape error) is a bug and must show
as one in the tests.
"""

from __future__ import annotations

import operator

import numpy as np


class CannotDraw(ValueError):
    """A view cannot be drawn for these settings; the message says why, for a student."""


def whole_number(value, low, high, name):
    """``value`` as an int in ``[low, high]``, or a ValueError that says what was expected."""
    try:
        value = operator.index(value)
    except TypeError:
        raise ValueError(f"{name} must be a whole number, got {value!r}.") from None
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}, got {value}.")
    return value


def index_into(value, size, name):
    """``value`` as an int in ``range(size)``, or a ValueError that says what was expected."""
    return whole_number(value, 0, size - 1, name)


def all_finite(frames, what):
    """``frames`` (name -> DataFrame), after checking that every number in them is finite.

    Raises
    ------
    CannotDraw
        Naming the view (``what``) and what to change, when a number overflowed.
    """
    for name, frame in frames.items():
        numbers = frame.select_dtypes("number").to_numpy(dtype=np.float64)
        if not np.all(np.isfinite(numbers)):
            raise CannotDraw(
                f"{what}: the {name!r} numbers overflow double precision. Choose a lower "
                "degree, the legendre or monomial basis, or evenly spaced training points."
            )
    return frames


def stacked_theta(coefs, intercepts, fit_intercept):
    """``θ = [w, b]`` as rows, or ``w`` alone without a free intercept."""
    coefs = np.atleast_2d(coefs)
    return np.c_[coefs, intercepts] if fit_intercept else coefs


def lambda_position(lams):
    """x position of λ on the charts' λ axis: log10 λ, and one decade left of the smallest for 0."""
    lams = np.asarray(lams, dtype=np.float64)
    positive = lams[lams > 0]
    zero_at = (np.log10(positive.min()) if positive.size else 0.0) - 1.0
    with np.errstate(divide="ignore"):
        return np.where(lams > 0, np.log10(np.where(lams > 0, lams, 1.0)), zero_at)


def rmse(predictions, y):
    """Root-mean-square error along the last axis; NaN where there are no points (no test set)."""
    if np.shape(y)[-1] == 0:
        return np.full(np.shape(predictions)[:-1], np.nan)
    return np.sqrt(np.mean((predictions - y) ** 2, axis=-1))


def frozen(array):
    """``array`` as a read-only C-contiguous float64 array (shared results must not change)."""
    array = np.ascontiguousarray(array, dtype=np.float64)
    array.setflags(write=False)
    return array
