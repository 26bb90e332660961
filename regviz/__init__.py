"""regviz: why L2 regularization prevents overfitting, fitted two ways.

The public API: a polynomial basis, ridge regression in closed form (one SVD) and by gradient
descent, all scikit-learn estimators, on the objective
``sum_i (y_i - x_i . w - b)^2 + alpha * ||w||^2`` (scikit-learn ``Ridge``'s).
"""

from regviz.basis import PolynomialBasis
from regviz.solvers import (
    ConditioningWarning,
    DivergenceWarning,
    GradientDescentRegressor,
    RidgeRegression,
    effective_dof,
    gradient_descent,
    gradient_descent_path,
    loo_errors,
    ridge_path,
)

__all__ = [
    "ConditioningWarning",
    "DivergenceWarning",
    "GradientDescentRegressor",
    "PolynomialBasis",
    "RidgeRegression",
    "effective_dof",
    "gradient_descent",
    "gradient_descent_path",
    "loo_errors",
    "ridge_path",
]
__version__ = "0.1.0"
