"""One ridge penalty, written the way each textbook and framework writes it.

regviz's λ is scikit-learn ``Ridge``'s: it minimises

    J(w, b) = sum_i (y_i - x_i . w - b)^2 + λ ||w||^2,

with the intercept ``b`` not penalised. Other places scale the loss differently (a mean instead
of a sum, a factor 1/2) or put the penalty in the optimiser (PyTorch's ``weight_decay``), so the
number that gives the *same* minimiser differs. :func:`translate` lists those numbers.

Each translation follows from one rule: multiplying an objective by a positive constant does not
move its minimiser, and a penalty added to the gradient (``weight_decay``) has the same fixed point
as the objective whose gradient that is. Setting each gradient to zero, with ``r = X w + b - y``:

- summed loss (Ridge): ``2 X^T r + 2 λ w = 0``;
- Bishop, ``1/2 sum r^2 + λ_B/2 ||w||^2``: ``X^T r + λ_B w = 0``, so ``λ_B = λ``;
- mean loss, ``(1/N) sum r^2 + λ_N ||w||^2``: ``(2/N) X^T r + 2 λ_N w = 0``, so ``λ_N = λ / N``;
- PyTorch, summed ``MSELoss(reduction="sum")`` plus ``weight_decay * w`` in the gradient:
  ``2 X^T r + wd w = 0``, so ``wd = 2 λ``;
- PyTorch, mean ``MSELoss()``: ``(2/N) X^T r + wd w = 0``, so ``wd = 2 λ / N``;
- Keras, ``loss="mse"`` plus ``L2(l2)`` = ``l2 * sum(w^2)``: ``(2/N) X^T r + 2 l2 w = 0``, so
  ``l2 = λ / N``;
- scikit-learn ``SGDRegressor``, ``(1/N) sum 1/2 r^2 + alpha/2 ||w||^2``:
  ``(1/N) X^T r + alpha w = 0``, so ``alpha = λ / N``.

In every case the intercept's gradient (``sum r`` times the same constant) is left unpenalised.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Integral, Real

__all__ = ["Convention", "translate"]


@dataclass(frozen=True)
class Convention:
    """One place's name for the penalty strength, and the value that matches regviz's λ.

    Attributes
    ----------
    where : str
        The book or library, e.g. ``"scikit-learn Ridge"``.
    setting : str
        What to set there, e.g. ``"Ridge(alpha=…)"``.
    value : float
        The value of that setting giving the same minimiser as ``Ridge(alpha=λ)``.
    note : str
        One sentence on the loss that place assumes.
    """

    where: str
    setting: str
    value: float
    note: str


def _check_lam(lam):
    if isinstance(lam, bool) or not isinstance(lam, Real):
        raise ValueError(f"lam must be a number (the ridge λ, e.g. 0.1), got {lam!r}.")
    if not math.isfinite(lam) or lam < 0:
        raise ValueError(
            f"lam must be a finite number >= 0 (λ = 0 is plain least squares), got {lam!r}."
        )


def _check_n_samples(n_samples):
    if isinstance(n_samples, bool) or not isinstance(n_samples, Integral):
        raise ValueError(
            f"n_samples must be a whole number (the number of training points N, e.g. "
            f"len(y)), got {n_samples!r}."
        )
    if n_samples < 1:
        raise ValueError(f"n_samples must be at least 1 training point, got {n_samples!r}.")


def translate(lam: float, n_samples: int) -> list[Convention]:
    """The settings that give the same minimiser as ``Ridge(alpha=lam)``, place by place.

    regviz's objective is ``J(w, b) = sum_i (y_i - x_i . w - b)^2 + lam * ||w||^2`` over
    ``n_samples`` = N training points, intercept ``b`` unpenalised. The rows, in order:

    ================================  ============  =============================================
    where                             value         loss assumed there
    ================================  ============  =============================================
    scikit-learn Ridge                λ             ``sum r^2 + alpha ||w||^2``
    Bishop λ (PRML eq. 1.4)           λ             ``1/2 sum r^2 + λ/2 ||w||^2``
    Bishop ln λ (PRML fig. 1.7)       ln λ          the same; ``-inf`` when λ = 0
    mean-loss λ                       λ / N         ``(1/N) sum r^2 + λ_N ||w||^2``
    PyTorch weight_decay, sum loss    2 λ           ``sum r^2``; SGD adds ``wd * w`` to the gradient
    PyTorch weight_decay, mean loss   2 λ / N       ``(1/N) sum r^2``; SGD adds ``wd * w``
    Keras L2 regularizer              λ / N         ``(1/N) sum r^2 + l2 * sum(w^2)``
    scikit-learn SGDRegressor         λ / N         ``(1/N) sum 1/2 r^2 + alpha/2 ||w||^2``
    ================================  ============  =============================================

    Here ``r_i = y_i - x_i . w - b``. Bishop penalises every weight including ``w_0``; the row
    matches regviz when the intercept is left out of the penalty (or there is none). In PyTorch
    keep the bias in a parameter group with ``weight_decay=0``: by default the bias is decayed
    too. Any optimiser that adds ``weight_decay * w`` to the gradient (``SGD``, ``Adam``) has this
    fixed point; ``AdamW``'s decoupled decay does not.

    Parameters
    ----------
    lam : float
        regviz's (scikit-learn ``Ridge``'s) λ, finite and >= 0.
    n_samples : int
        N, the number of training points, >= 1. Only the mean-loss rows depend on it.

    Returns
    -------
    list of Convention

    Raises
    ------
    ValueError
        If ``lam`` is negative, not finite or not a number, or ``n_samples`` is not an integer
        >= 1.

    Examples
    --------
    >>> rows = translate(0.5, n_samples=10)
    >>> [(row.where, row.value) for row in rows][:4]
    [('scikit-learn Ridge', 0.5), ('Bishop λ (PRML eq. 1.4)', 0.5),
     ('Bishop ln λ (PRML fig. 1.7)', -0.693), ('mean-loss λ', 0.05)]
    >>> [row.value for row in rows][4:]
    [1.0, 0.1, 0.05, 0.05]
    """
    _check_lam(lam)
    _check_n_samples(n_samples)
    lam = float(lam)
    n = int(n_samples)
    ln_lam = math.log(lam) if lam > 0 else float("-inf")
    return [
        Convention(
            "scikit-learn Ridge",
            "Ridge(alpha=…)",
            lam,
            "Summed squared error plus alpha·‖w‖², intercept unpenalised: regviz's own λ.",
        ),
        Convention(
            "Bishop λ (PRML eq. 1.4)",
            "λ",
            lam,
            "Half the summed squared error plus λ/2·‖w‖²: twice it is Ridge's objective.",
        ),
        Convention(
            "Bishop ln λ (PRML fig. 1.7)",
            "ln λ",
            ln_lam,
            "The same λ on the log scale of Bishop's figures (−∞ for λ = 0).",
        ),
        Convention(
            "mean-loss λ",
            "λ",
            lam / n,
            "Mean squared error plus λ·‖w‖²: Ridge's objective divided by N.",
        ),
        Convention(
            "PyTorch, summed loss",
            'torch.optim.SGD(weight_decay=…) with nn.MSELoss(reduction="sum")',
            2.0 * lam,
            "Summed squared error; weight_decay·w is added to its gradient 2·Xᵀr.",
        ),
        Convention(
            "PyTorch, mean loss",
            "torch.optim.SGD(weight_decay=…) with nn.MSELoss()",
            2.0 * lam / n,
            "Mean squared error; weight_decay·w is added to its gradient (2/N)·Xᵀr.",
        ),
        Convention(
            "Keras",
            'regularizers.L2(l2=…) with loss="mse"',
            lam / n,
            "Mean squared error plus l2·sum(w²), the regularizer added to the loss.",
        ),
        Convention(
            "scikit-learn SGDRegressor",
            'SGDRegressor(alpha=…, penalty="l2")',
            lam / n,
            "Mean of ½·(y − p)² plus alpha·½·‖w‖², intercept unpenalised.",
        ),
    ]
