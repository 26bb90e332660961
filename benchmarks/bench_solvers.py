"""Solvers: the ridge path from one SVD against a loop of scikit-learn fits, Gram-form gradient
descent against the plain loop a student would write, and gradient descent along the page's
whole λ grid at once against its time budgets."""

from __future__ import annotations

import warnings
from functools import partial

import numpy as np
from sklearn.linear_model import Ridge

from benchmarks.timing import compare, report
from regviz import PolynomialBasis, ridge_path
from regviz.data import synthetic
from regviz.settings import LAMBDA_GRID
from regviz.solvers import OPTIMIZERS, gradient_descent, gradient_descent_path

#: Budgets (medians, seconds) for the descent path over the 162 λ of LAMBDA_GRID, plain gd at
#: step 1/L with tol=1e-14: (n, degree, steps) -> budget.
PATH_BUDGETS = {(10, 9, 1000): 0.05, (1000, 20, 20_000): 2.0, (1000, 30, 100_000): 10.0}


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
        # A single run is the one-column case of the batched run along λ (one code path, so the
        # two agree by construction): a few array operations per step, not one product.
        goal=3,
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

    descent_path()
    blas_threads()


def _page_problem(n, degree):
    """The page's default data (Bishop's sine, seed 19, evenly spaced) in the monomial basis,
    the ill-conditioned default: small λ columns run every step."""
    data = synthetic(n=n, seed=19)
    basis = PolynomialBasis(degree=degree, kind="monomial")
    return basis.fit_transform(data.x_train[:, None]), data.y_train


def descent_path():
    """Gradient descent at every λ of the page's grid (162 values) in one batched run: the
    optimizer's step 1/L at each λ (``learning_rate="auto"``), tol=1e-14 as on the page. The
    time includes building the quadratics (one QR and one batched SVD)."""
    alphas = np.array(LAMBDA_GRID)
    print(f"\nGradient descent along the λ grid ({alphas.size} values), free intercept, tol=1e-14")
    for (n, degree, steps), budget in PATH_BUDGETS.items():
        X, y = _page_problem(n, degree)
        optimizers = list(OPTIMIZERS) if n == 10 else ["gd"]
        repeats = 9 if steps <= 1000 else 3
        medians = compare(
            {
                name: partial(
                    gradient_descent_path, X, y, alphas, optimizer=name, max_iter=steps, tol=1e-14
                )
                for name in optimizers
            },
            repeats=repeats,
            warmup=1,
        )
        path = gradient_descent_path(X, y, alphas, max_iter=steps, tol=1e-14)
        print(
            f"  N = {n}, degree {degree}, {steps:,} steps (gd: {path.converged.sum()} of "
            f"{alphas.size} λ converge, mean {path.n_iter.mean():,.0f} steps)"
        )
        for name, seconds in medians.items():
            verdict = ""
            if name == "gd":
                verdict = (
                    f"  (budget {budget * 1e3:g} ms: {'met' if seconds <= budget else 'MISSED'})"
                )
            print(f"    {name:<10} {seconds * 1e3:10.1f} ms{verdict}")


def blas_threads():
    """Bias and variance at the costliest settings a URL can ask for (n = 1000, degree 30,
    K = 200, random x), with the BLAS library's own thread count and with the one thread the
    page sets (regviz/page/__init__.py), interleaved. On a machine whose cores are busy the
    threads compete; on an idle one the ratio shows what one thread costs."""
    from threadpoolctl import threadpool_info, threadpool_limits

    from regviz.compute.bias_variance import bias_variance

    lams = np.array(LAMBDA_GRID)
    default = max((pool["num_threads"] for pool in threadpool_info()), default=1)

    def run(limit):
        with threadpool_limits(limits=limit, user_api="blas"):
            bias_variance("sin", 1000, 0.3, 1, "random", 30, "legendre", "free", lams, k=200)

    medians = compare(
        {
            f"BLAS threads: {default} (default)": partial(run, None),
            "BLAS threads: 1": partial(run, 1),
        },
        repeats=3,
        warmup=1,
    )
    report(
        "Bias and variance, n = 1000, degree 30, K = 200 (the page sets one BLAS thread)",
        medians,
        f"BLAS threads: {default} (default)",
    )


if __name__ == "__main__":
    main()
