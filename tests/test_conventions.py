"""regviz.conventions: every translation of λ checked numerically, not by re-reading its formula.

At the exact ridge solution ``(w*, b*)`` of ``sum r^2 + λ ||w||^2`` (``RidgeRegression``), the
gradient of each framework's own loss, written out below from that framework's documentation,
must vanish when its setting takes the translated value; a 1 % error in the value must not.
scikit-learn's ``SGDRegressor`` is also run end to end.
"""

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.linear_model import SGDRegressor

from regviz import RidgeRegression
from regviz.compute.conventions import Convention, translate
from regviz.text import format_value

LAMS = [0.0, 1e-3, 0.5, 10.0]
RTOL = 1e-12  # gradient norm at (w*, b*) relative to its norm at (0, 0); measured <= 1e-14


N_POINTS = 30


def _poly_data(n=N_POINTS, degree=5, seed=0):
    """Bishop-style data: x on [0, 1], features x, x^2, ..., x^degree, t = sin(2 pi x) + noise."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, 1.0, n)
    X = np.vander(x, degree + 1, increasing=True)[:, 1:]
    y = np.sin(2 * np.pi * x) + 0.3 * rng.normal(size=n)
    return X, y


# Each framework's objective, from its own documentation, and its gradient in (w, b) as a function
# of that framework's setting. r = X w + b - y; the intercept b is never penalised.


def _grad_ridge(X, y, w, b, alpha):
    """scikit-learn Ridge: sum r^2 + alpha ||w||^2."""
    r = X @ w + b - y
    return 2 * X.T @ r + 2 * alpha * w, 2 * r.sum()


def _grad_mean_loss(X, y, w, b, lam):
    """Mean-loss λ: (1/N) sum r^2 + λ ||w||^2."""
    r = X @ w + b - y
    return 2 * X.T @ r / len(y) + 2 * lam * w, 2 * r.mean()


def _grad_torch_sum(X, y, w, b, weight_decay):
    """PyTorch: MSELoss(reduction="sum") is sum r^2; SGD adds weight_decay * w to w's gradient
    (the bias sits in a parameter group with weight_decay=0)."""
    r = X @ w + b - y
    return 2 * X.T @ r + weight_decay * w, 2 * r.sum()


def _grad_torch_mean(X, y, w, b, weight_decay):
    """PyTorch: MSELoss() is mean r^2; SGD adds weight_decay * w to w's gradient."""
    r = X @ w + b - y
    return 2 * X.T @ r / len(y) + weight_decay * w, 2 * r.mean()


def _grad_keras(X, y, w, b, l2):
    """Keras: loss="mse" is mean r^2; regularizers.L2(l2) adds l2 * sum(w^2) to the loss."""
    r = X @ w + b - y
    return 2 * X.T @ r / len(y) + 2 * l2 * w, 2 * r.mean()


def _grad_sgdregressor(X, y, w, b, alpha):
    """scikit-learn SGDRegressor: (1/N) sum 1/2 r^2 + alpha * 1/2 ||w||^2."""
    r = X @ w + b - y
    return X.T @ r / len(y) + alpha * w, r.mean()


GRADIENTS = {
    "scikit-learn Ridge": _grad_ridge,
    "mean-loss λ": _grad_mean_loss,
    "PyTorch, summed loss": _grad_torch_sum,
    "PyTorch, mean loss": _grad_torch_mean,
    "Keras": _grad_keras,
    "scikit-learn SGDRegressor": _grad_sgdregressor,
}

# Bishop's λ is read off each row: the ln λ row's value is exponentiated first.
BISHOP_LAMBDA = {
    "Bishop λ (PRML eq. 1.4)": lambda value: value,
    "Bishop ln λ (PRML fig. 1.7)": math.exp,
}


def _grad_bishop(Phi, t, w, lam):
    """PRML eq. 1.4: 1/2 sum (Phi w - t)^2 + λ/2 ||w||^2, w_0 (the column of ones) penalised."""
    return -Phi.T @ (t - Phi @ w) + lam * w


def _row(lam, n, where):
    (row,) = [row for row in translate(lam, n) if row.where == where]
    return row


def _relative_gradient(where, value, lam):
    """|grad at the ridge solution for λ| / |grad at 0| for the framework ``where`` at ``value``."""
    X, y = _poly_data()
    if where in BISHOP_LAMBDA:
        Phi = np.column_stack([np.ones(len(y)), X])
        w = RidgeRegression(alpha=lam, fit_intercept=False).fit(Phi, y).coef_
        bishop_lam = BISHOP_LAMBDA[where](value)
        at_solution = _grad_bishop(Phi, y, w, bishop_lam)
        at_zero = _grad_bishop(Phi, y, np.zeros_like(w), bishop_lam)
        return np.linalg.norm(at_solution) / np.linalg.norm(at_zero)
    ridge = RidgeRegression(alpha=lam).fit(X, y)
    grad = GRADIENTS[where]
    at_solution = np.append(*grad(X, y, ridge.coef_, ridge.intercept_, value))
    at_zero = np.append(*grad(X, y, np.zeros(X.shape[1]), 0.0, value))
    return np.linalg.norm(at_solution) / np.linalg.norm(at_zero)


ALL_ROWS = [*GRADIENTS, *BISHOP_LAMBDA]


def test_every_row_has_a_gradient_check():
    assert {row.where for row in translate(1.0, 30)} == set(ALL_ROWS)


@pytest.mark.parametrize("lam", LAMS)
@pytest.mark.parametrize("where", ALL_ROWS)
def test_gradient_vanishes_at_ridge_solution(where, lam):
    value = _row(lam, N_POINTS, where).value
    assert _relative_gradient(where, value, lam) < RTOL


@pytest.mark.parametrize("lam", [lam for lam in LAMS if lam > 0])
@pytest.mark.parametrize("where", ALL_ROWS)
def test_gradient_check_detects_a_one_percent_error(where, lam):
    """The check above has teeth: a setting 1 % off leaves a gradient far above RTOL."""
    value = _row(lam, N_POINTS, where).value
    wrong = value + math.log(1.01) if "ln λ" in where else value * 1.01
    assert _relative_gradient(where, wrong, lam) > 1e3 * RTOL


def _standardised_data(n=200, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 5))
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    y = X @ np.array([1.5, -2.0, 0.5, 1.0, -0.7]) + 0.3 + 0.5 * rng.normal(size=n)
    return X, y


def _sgd(alpha, X, y):
    # Constant small steps, many epochs, no early stopping: the iterates settle within ~1e-4.
    return SGDRegressor(
        alpha=alpha,
        penalty="l2",
        loss="squared_error",
        learning_rate="constant",
        eta0=1e-4,
        max_iter=2000,
        tol=None,
        shuffle=True,
        random_state=0,
    ).fit(X, y)


def _distance(model, reference):
    """Relative distance of the coefficients, and the intercepts' absolute gap."""
    coef = np.linalg.norm(model.coef_ - reference.coef_) / np.linalg.norm(reference.coef_)
    return coef, abs(float(np.ravel(model.intercept_)[0]) - reference.intercept_)


@pytest.mark.parametrize("lam", [1e-3, 0.5, 10.0])
def test_sgdregressor_with_translated_alpha_converges_to_ridge(lam):
    X, y = _standardised_data()
    alpha = _row(lam, len(y), "scikit-learn SGDRegressor").value
    coef_gap, intercept_gap = _distance(_sgd(alpha, X, y), RidgeRegression(alpha=lam).fit(X, y))
    assert coef_gap < 1e-3  # measured <= 7e-5 over 20 data seeds
    assert intercept_gap < 1e-3


@pytest.mark.parametrize("lam", [0.5, 10.0])
def test_sgdregressor_with_untranslated_alpha_is_far_from_ridge(lam):
    """Passing Ridge's λ straight to SGDRegressor fits Ridge(alpha=N·λ) instead."""
    X, y = _standardised_data()
    ridge = RidgeRegression(alpha=lam).fit(X, y)
    sgd = _sgd(lam, X, y)
    coef_gap, _ = _distance(sgd, ridge)
    assert coef_gap > 0.1  # 100x the tolerance above; measured 0.34 (λ = 0.5) and 0.91 (λ = 10)
    # Ridge(alpha=N·λ)'s coefficients are small, so SGD's noise weighs more: measured <= 7e-3.
    coef_gap_n, intercept_gap_n = _distance(sgd, RidgeRegression(alpha=len(y) * lam).fit(X, y))
    assert coef_gap_n < 3e-2
    assert intercept_gap_n < 1e-3


def test_rows_in_order_and_well_formed():
    rows = translate(0.5, 30)
    assert [row.where for row in rows] == [
        "scikit-learn Ridge",
        "Bishop λ (PRML eq. 1.4)",
        "Bishop ln λ (PRML fig. 1.7)",
        "mean-loss λ",
        "PyTorch, summed loss",
        "PyTorch, mean loss",
        "Keras",
        "scikit-learn SGDRegressor",
    ]
    for row in rows:
        assert isinstance(row, Convention)
        assert type(row.value) is float
        assert row.setting
        assert row.note.endswith(".")
        assert row.note.count(". ") == 0  # one sentence
    with pytest.raises(dataclasses.FrozenInstanceError):
        rows[0].value = 1.0


def test_lambda_zero_is_zero_everywhere_and_minus_infinity_on_bishops_log_scale():
    rows = {row.where: row.value for row in translate(0.0, 30)}
    assert rows.pop("Bishop ln λ (PRML fig. 1.7)") == float("-inf")
    assert set(rows.values()) == {0.0}


def test_accepts_numpy_scalars():
    plain = translate(0.5, 30)
    assert translate(np.float64(0.5), np.int64(30)) == plain
    assert translate(1, 30)[0].value == 1.0


@pytest.mark.parametrize(
    "lam", [-1.0, -1e-300, float("nan"), float("inf"), "0.1", None, True, 1j, np.array([0.5])]
)
def test_invalid_lam_says_what_is_expected(lam):
    with pytest.raises(ValueError, match="lam must be"):
        translate(lam, 30)


@pytest.mark.parametrize("n_samples", [0, -5, 2.5, 30.0, "30", None, True, np.float64(30)])
def test_invalid_n_samples_says_what_is_expected(n_samples):
    with pytest.raises(ValueError, match="n_samples must be"):
        translate(0.5, n_samples)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1e-06, "1e-06"),
        (0.000123456, "1.235e-04"),
        (0, "0"),
        (0.0, "0"),
        (-0.0, "0"),
        (float("-inf"), "-∞"),
        (float("inf"), "∞"),
        (float("nan"), "nan"),
        (0.5, "5e-01"),
        (2.0, "2e+00"),
        (30, "3e+01"),
        (math.log(1e-3), "-6.908e+00"),
        (9.99996, "1e+01"),
        (1.5e300, "1.5e+300"),
        (np.float64(0.25), "2.5e-01"),
    ],
)
def test_format_value(value, text):
    assert format_value(value) == text


# Below 1e308: rounding 1.7975e308 up to 4 digits gives "1.798e+308", which overflows on reading.
@given(st.floats(min_value=-1e308, max_value=1e308).filter(lambda v: v != 0))
def test_format_value_round_trips_to_four_digits(v):
    text = format_value(v)
    assert len(text) <= 11
    assert math.isclose(float(text), v, rel_tol=5e-4)
