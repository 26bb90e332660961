"""Every optimizer against an independent implementation of its documented rule (audit item 3).

The references below are written from PyTorch's documentation pseudo-code, step by step, in
plain numpy, and share nothing with ``regviz.solvers``:

- ``torch.optim.SGD`` (dampening 0): ``g_t = grad f(theta_{t-1}) + lambda theta_{t-1}``; with
  momentum ``mu``: ``b_1 = g_1``, ``b_t = mu b_{t-1} + g_t``; ``g_t <- g_t + mu b_t``
  (``nesterov=True``) or ``g_t <- b_t``; ``theta_t = theta_{t-1} - gamma g_t``.
- ``torch.optim.Adam``: ``g_t = grad f(theta_{t-1}) + lambda theta_{t-1}``;
  ``m_t = beta_1 m_{t-1} + (1 - beta_1) g_t``, ``v_t = beta_2 v_{t-1} + (1 - beta_2) g_t^2``,
  ``m_hat = m_t / (1 - beta_1^t)``, ``v_hat = v_t / (1 - beta_2^t)``,
  ``theta_t = theta_{t-1} - gamma m_hat / (sqrt(v_hat) + eps)``.
- ``torch.optim.AdamW``: ``g_t = grad f(theta_{t-1})`` (no decay term);
  ``theta_t = theta_{t-1} - gamma lambda theta_{t-1}``; the same moments;
  ``theta_t <- theta_t - gamma m_hat / (sqrt(v_hat) + eps)``. The gradient is taken at
  ``theta_{t-1}``, before the decay: regviz's documented order (decay first, with the gradient
  at ``theta_t``) is the same.

The model is two parameter groups, as one would give PyTorch: ``w`` with
``weight_decay = 2 alpha`` and the intercept ``b`` with none. ``f`` is ridge's data term
``sum (y - X w - b)^2``, its gradient from the residual ``r = X w + b - y``:
``(2 X^T r, 2 sum r)`` (regviz steps with the Gram matrix instead: the same numbers up to
rounding). So ``penalty="l2"`` is SGD/Adam's ``weight_decay`` and ``"decoupled"`` AdamW's (and,
for SGD, the decay written before the step as AdamW does).
"""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from regviz import PolynomialBasis
from regviz.solvers import gradient_descent, gradient_descent_path

STEPS = 300


def _gradient(X, y, w, b, fit_intercept):
    residual = X @ w + b - y
    return 2.0 * X.T @ residual, (2.0 * residual.sum() if fit_intercept else 0.0)


def _torch_sgd(X, y, alpha, fit_intercept, lr, momentum, nesterov, decoupled, steps):
    """torch.optim.SGD's pseudo-code, two parameter groups, ``steps`` steps from zero."""
    groups = {"w": np.zeros(X.shape[1]), "b": np.zeros(1)}
    decay = {"w": 2.0 * alpha, "b": 0.0}
    buffers = {}
    for t in range(1, steps + 1):
        g_w, g_b = _gradient(X, y, groups["w"], groups["b"][0], fit_intercept)
        grads = {"w": g_w, "b": np.array([g_b])}
        for name, theta in groups.items():
            g = grads[name]
            if decoupled:  # decay first, the gradient was taken at theta_{t-1} (as AdamW)
                theta = theta - lr * decay[name] * theta
            elif decay[name] != 0:
                g = g + decay[name] * groups[name]
            if momentum != 0:
                buffers[name] = g if t == 1 else momentum * buffers[name] + g
                g = g + momentum * buffers[name] if nesterov else buffers[name]
            groups[name] = theta - lr * g
    return groups["w"], (groups["b"][0] if fit_intercept else 0.0)


def _torch_adam(X, y, alpha, fit_intercept, lr, decoupled, steps, betas=(0.9, 0.999), eps=1e-8):
    """torch.optim.Adam's (``decoupled=False``) or AdamW's pseudo-code, two parameter groups."""
    beta_1, beta_2 = betas
    groups = {"w": np.zeros(X.shape[1]), "b": np.zeros(1)}
    decay = {"w": 2.0 * alpha, "b": 0.0}
    m = {name: np.zeros_like(theta) for name, theta in groups.items()}
    v = {name: np.zeros_like(theta) for name, theta in groups.items()}
    for t in range(1, steps + 1):
        g_w, g_b = _gradient(X, y, groups["w"], groups["b"][0], fit_intercept)
        grads = {"w": g_w, "b": np.array([g_b])}
        for name, theta_prev in groups.items():
            g = grads[name]
            if decoupled:
                theta = theta_prev - lr * decay[name] * theta_prev
            else:
                g = g + decay[name] * theta_prev
                theta = theta_prev
            m[name] = beta_1 * m[name] + (1 - beta_1) * g
            v[name] = beta_2 * v[name] + (1 - beta_2) * g**2
            m_hat = m[name] / (1 - beta_1**t)
            v_hat = v[name] / (1 - beta_2**t)
            groups[name] = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
    return groups["w"], (groups["b"][0] if fit_intercept else 0.0)


def _shape(name):
    rng = np.random.default_rng(11)
    if name == "n > p":
        X = rng.normal(size=(30, 5)) * rng.uniform(0.5, 2, size=5)
        return X, X @ rng.normal(size=5) + 0.3 * rng.normal(size=30) + 1.5
    if name == "p > n":
        return rng.normal(size=(8, 12)), rng.normal(size=8)
    x = np.linspace(0, 1, 20)  # "monomial 12": kappa of the Hessian 6e8 at alpha = 0
    X = PolynomialBasis(degree=12, kind="monomial").fit_transform(x[:, None])
    return X, np.sin(2 * np.pi * x) + 0.1 * rng.normal(size=20)


def _lipschitz(X, alpha, fit_intercept):
    Z = np.c_[X, np.ones(len(X))] if fit_intercept else X
    D = np.diag(np.r_[np.ones(X.shape[1]), np.zeros(Z.shape[1] - X.shape[1])])
    return np.linalg.eigvalsh(2.0 * (Z.T @ Z + alpha * D))[-1]


def _relative(got, expected):
    return np.linalg.norm(got - expected) / np.linalg.norm(expected)


def _theta(coef, intercept):
    return np.r_[coef, intercept]


SHAPES = ["n > p", "p > n", "monomial 12"]
SGD = {"gd": (0.0, False), "momentum": (0.9, False), "nesterov": (0.9, True)}


@pytest.mark.parametrize("penalty", ["l2", "decoupled"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("optimizer", list(SGD))
def test_sgd_family_against_the_pytorch_rule(optimizer, shape, fit_intercept, penalty):
    """300 steps at 1/L, alpha 0 (where the two penalties coincide; the monomial design's
    Hessian has kappa 6e8 there), 0.1 and 3: the final ``theta = [w, b]`` of gradient_descent
    and of gradient_descent_path's column, to 1e-12 relative. Measured worst over the penalties
    and intercepts: gd 5e-16 / 7e-15 / 1.1e-14 (n > p / p > n / monomial 12), heavy ball 6e-16
    / 6.7e-14 / 1.1e-13, Nesterov 5e-16 / 7e-14 / 1.2e-13."""
    X, y = _shape(shape)
    momentum, nesterov = SGD[optimizer]
    alphas = [0.0, 0.1, 3.0]
    rates = [1.0 / _lipschitz(X, a, fit_intercept) for a in alphas]
    path = gradient_descent_path(
        X,
        y,
        alphas,
        fit_intercept,
        optimizer,
        penalty,
        learning_rate=np.array(rates),
        max_iter=STEPS,
        tol=0,
        momentum=0.9,
    )
    for k, (alpha, lr) in enumerate(zip(alphas, rates, strict=True)):
        w, b = _torch_sgd(
            X, y, alpha, fit_intercept, lr, momentum, nesterov, penalty == "decoupled", STEPS
        )
        reference = _theta(w, b)
        single = gradient_descent(
            X,
            y,
            alpha,
            fit_intercept,
            optimizer,
            penalty,
            learning_rate=lr,
            max_iter=STEPS,
            tol=0,
            momentum=0.9,
        )
        assert single.n_iter == STEPS
        assert not single.diverged
        assert _relative(_theta(single.coef, single.intercept), reference) < 1e-12
        assert _relative(_theta(path.coef[k], path.intercept[k]), reference) < 1e-12


@pytest.mark.parametrize("penalty", ["l2", "decoupled"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("shape", SHAPES)
def test_adam_and_adamw_against_the_pytorch_rule(shape, fit_intercept, penalty):
    """Adam (penalty "l2": torch.optim.Adam's weight_decay) and AdamW ("decoupled"), alpha 0,
    0.1 and 3 at lr 1e-2, 1e-2 and 1e-3, 300 steps. Adam divides by ``sqrt(v_hat)``,
    elementwise, so a last-digit difference in a gradient component near zero is not damped
    the way the gradient family damps it, and can flip a step's size; over 300 steps it did
    not: measured worst 6e-16 / 2.1e-14 / 1.9e-14 (n > p / p > n / monomial 12). The bound is
    1e-12, as for the others."""
    X, y = _shape(shape)
    alphas, rates = [0.0, 0.1, 3.0], np.array([1e-2, 1e-2, 1e-3])
    path = gradient_descent_path(
        X, y, alphas, fit_intercept, "adam", penalty, learning_rate=rates, max_iter=STEPS, tol=0
    )
    for k, (alpha, lr) in enumerate(zip(alphas, rates, strict=True)):
        w, b = _torch_adam(X, y, alpha, fit_intercept, lr, penalty == "decoupled", STEPS)
        reference = _theta(w, b)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            single = gradient_descent(
                X, y, alpha, fit_intercept, "adam", penalty, lr, max_iter=STEPS, tol=0
            )
        assert _relative(_theta(single.coef, single.intercept), reference) < 1e-12
        assert _relative(_theta(path.coef[k], path.intercept[k]), reference) < 1e-12


def test_decoupled_differs_from_l2_where_it_should():
    """The two penalties are one iteration for plain descent and two for the others: the
    references agree with that (so the comparisons above test the penalty, not a no-op)."""
    X, y = _shape("n > p")
    lr = 1.0 / _lipschitz(X, 3.0, True)
    gd_l2 = _torch_sgd(X, y, 3.0, True, lr, 0.0, False, False, STEPS)
    gd_decoupled = _torch_sgd(X, y, 3.0, True, lr, 0.0, False, True, STEPS)
    np.testing.assert_allclose(np.r_[gd_l2[0], gd_l2[1]], np.r_[gd_decoupled[0], gd_decoupled[1]])
    heavy_l2 = _torch_sgd(X, y, 3.0, True, lr, 0.9, False, False, STEPS)
    heavy_decoupled = _torch_sgd(X, y, 3.0, True, lr, 0.9, False, True, STEPS)
    assert _relative(np.r_[heavy_decoupled[0], 0], np.r_[heavy_l2[0], 0]) > 1e-3
    adam = _torch_adam(X, y, 3.0, True, 1e-2, False, STEPS)
    adamw = _torch_adam(X, y, 3.0, True, 1e-2, True, STEPS)
    assert _relative(adamw[0], adam[0]) > 1e-3
