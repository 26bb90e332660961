"""Solvers: the ridge path from one SVD against a loop of scikit-learn fits, and Gram-form
gradient descent against the plain loop a student would write."""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.linear_model import Ridge

from benchmarks.timing import compare, report
from regviz import PolynomialBasis, ridge_path
from regviz.solvers import gradient_descent


def _problem(n=1000, degree=20, seed=0):
    rng = np.random.default_rng(seed)
    x = np.linspace(0, 1, n)
    y = np.sin(2 * np.pi * x) + 0.3 * rng.normal(size=n)
    return PolynomialBasis(degree=degree, kind="legendre").fit_transform(x[:, None]), y


def naive_gradient_descent(X, y, alpha, lr, n_steps):
    """Gradient descent on the data each step: 2 X^T (X w + b - y) + 2 alpha w."""
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(n_steps):
        residual = X @ w + b - y
        w = w - lr * (2 * X.T @ residual + 2 * alpha * w)
        b = b - lr * 2 * residual.sum()
    return w, b


def main():
    X, y = _problem()
    alphas = np.geomspace(1e-12, 1e4, 200)

    def sklearn_loop():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for a in alphas:
                Ridge(alpha=a, solver="svd").fit(X, y)

    medians = compare(
        {
            "sklearn Ridge(solver='svd'), 200 fits": sklearn_loop,
            "regviz.ridge_path, 200 alphas": lambda: ridge_path(X, y, alphas),
        },
        repeats=7,
    )
    report(
        "Ridge path, degree 20, N = 1000, 200 alphas",
        medians,
        "sklearn Ridge(solver='svd'), 200 fits",
        goal=200,
    )

    alpha, steps = 1e-3, 10_000
    lr = gradient_descent(X, y, alpha, max_iter=0).learning_rate
    medians = compare(
        {
            "naive data-form loop, 10k steps": lambda: naive_gradient_descent(
                X, y, alpha, lr, steps
            ),
            "regviz gradient_descent (Gram form), 10k steps": lambda: gradient_descent(
                X, y, alpha, max_iter=steps, tol=0
            ),
        },
        repeats=7,
    )
    report(
        "Plain gradient descent, degree 20, N = 1000, 10k steps",
        medians,
        "naive data-form loop, 10k steps",
        goal=5,
    )
    for optimizer in ("momentum", "nesterov", "adam"):
        seconds = compare(
            {
                optimizer: lambda o=optimizer: gradient_descent(
                    X, y, alpha, optimizer=o, max_iter=steps, tol=0
                )
            },
            repeats=5,
        )[optimizer]
        print(f"  regviz {optimizer}, 10k steps: {seconds * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
