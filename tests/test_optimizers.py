"""The optimizer registry: one entry per optimizer, and everything read from it.

The numbers (stability limits, rules of thumb, default learning rates) are the ones the module
had before the registry; the trajectories themselves are checked against hand-derived steps and
the exact solution in test_gradient_descent.py.
"""

import math
import pickle
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from regviz import GradientDescentRegressor, solvers
from regviz.solvers import (
    ADAM_DEFAULT_LEARNING_RATE,
    OPTIMIZERS,
    Optimizer,
    gradient_descent,
    linear_update_matrix,
    quadratic_objective,
    stability_limit,
)

LABELS = {
    "gd": "gradient descent",
    "momentum": "heavy-ball momentum 0.9",
    "nesterov": "Nesterov momentum 0.9",
    "adam": "Adam",
}


def _problem(seed=0, n=12, p=4):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, p)), rng.normal(size=n)


def test_the_registry_in_order_with_the_page_labels():
    assert tuple(OPTIMIZERS) == ("gd", "momentum", "nesterov", "adam")
    assert {name: rule.label for name, rule in OPTIMIZERS.items()} == LABELS
    for name, rule in OPTIMIZERS.items():
        assert rule.name == name
        assert rule.rule  # documented
    assert [name for name, rule in OPTIMIZERS.items() if rule.adaptive] == ["adam"]
    assert [name for name, rule in OPTIMIZERS.items() if rule.uses_momentum] == [
        "momentum",
        "nesterov",
    ]


@pytest.mark.parametrize("mu", [0.0, 0.5, 0.9, 0.99])
def test_stability_limits_in_units_of_one_over_L(mu):
    expected = {
        "gd": 2.0,
        "momentum": 2.0 * (1.0 + mu),
        "nesterov": 2.0 * (1.0 + mu) / (1.0 + 2.0 * mu),
        "adam": math.inf,
    }
    for name, limit in expected.items():
        assert OPTIMIZERS[name].stability_limit(mu) == limit
        assert stability_limit(name, mu) == limit
    assert stability_limit("momentum") == 2.0 * 1.9  # momentum 0.9 by default


def test_default_learning_rates():
    for name in ("gd", "momentum", "nesterov"):
        assert OPTIMIZERS[name].default_learning_rate(8.0) == 1.0 / 8.0
        assert OPTIMIZERS[name].default_learning_rate(0.0) == 1.0  # zero gradient: any step
        assert OPTIMIZERS[name].absolute_learning_rate(1.5, 8.0) == 1.5 / 8.0
    assert OPTIMIZERS["adam"].default_learning_rate(8.0) == ADAM_DEFAULT_LEARNING_RATE == 1e-3
    assert OPTIMIZERS["adam"].absolute_learning_rate(0.02, 8.0) == 0.02
    X, y = _problem()
    for name, rule in OPTIMIZERS.items():
        result = gradient_descent(X, y, optimizer=name, max_iter=1)
        assert result.learning_rate == rule.default_learning_rate(result.lipschitz)


def test_steps_rule_of_thumb():
    ln = math.log(1e6)
    assert OPTIMIZERS["gd"].steps_rule_of_thumb(100.0, 1e-6) == pytest.approx(100 * ln)
    assert OPTIMIZERS["gd"].steps_rule_of_thumb(100.0) == 100.0 * ln  # accuracy 1e-6 by default
    for name in ("momentum", "nesterov"):
        assert OPTIMIZERS[name].steps_rule_of_thumb(100.0, 1e-6) == pytest.approx(10 * ln)
    assert OPTIMIZERS["gd"].steps_rule_of_thumb(math.inf) == math.inf
    assert OPTIMIZERS["adam"].steps_rule_of_thumb(100.0) is None  # no rule: a dash on the page
    assert OPTIMIZERS["adam"].rule_of_thumb is None
    assert OPTIMIZERS["gd"].rule_of_thumb == "κ·ln(1/ε)"
    assert OPTIMIZERS["nesterov"].rule_of_thumb == "√κ·ln(1/ε)"


def test_unknown_optimizers_are_refused_with_the_names():
    names = re.escape("('gd', 'momentum', 'nesterov', 'adam')")
    X, y = _problem()
    with pytest.raises(ValueError, match=f"optimizer must be one of {names}, got 'sgd'"):
        gradient_descent(X, y, optimizer="sgd")
    with pytest.raises(ValueError, match=f"optimizer must be one of {names}"):
        stability_limit("sgd")
    with pytest.raises(ValueError, match=f"optimizer must be one of {names}, got 'sgd'"):
        GradientDescentRegressor(optimizer="sgd").fit(X, y)
    with pytest.raises(ValueError, match="optimizer must be one of"):
        GradientDescentRegressor(optimizer=["gd"]).fit(X, y)  # unhashable: still a ValueError


def test_adam_has_no_update_matrix():
    X, y = _problem()
    with pytest.raises(ValueError, match="not an affine update"):
        linear_update_matrix(quadratic_objective(X, y, 1.0), "adam", "l2", 1e-3, 0.9)


def test_an_entry_needs_exactly_one_way_to_step():
    gd = OPTIMIZERS["gd"]
    with pytest.raises(ValueError, match="exactly one of direction, step_runner"):
        replace(gd, name="both", step_runner=OPTIMIZERS["adam"].step_runner)
    with pytest.raises(ValueError, match="exactly one of direction, step_runner"):
        replace(gd, name="neither", direction=None)
    with pytest.raises(ValueError, match="needs default_rate"):
        replace(OPTIMIZERS["adam"], default_rate=None)


def test_a_new_linear_entry_runs_without_other_changes():
    """An Optimizer passed in place of a name: a copy of "nesterov" runs bit for bit like it."""
    X, y = _problem(seed=1)
    twin = replace(OPTIMIZERS["nesterov"], name="nesterov twin", label="twin")
    ours = gradient_descent(X, y, alpha=0.3, optimizer=twin, max_iter=500)
    theirs = gradient_descent(X, y, alpha=0.3, optimizer="nesterov", max_iter=500)
    np.testing.assert_array_equal(ours.coef, theirs.coef)
    np.testing.assert_array_equal(ours.loss_curve, theirs.loss_curve)
    assert (ours.n_iter, ours.converged) == (theirs.n_iter, theirs.converged)


def _plain_steps(quad, state, n_steps, first_step, penalty, lr, beta_1, beta_2, epsilon):
    """Plain gradient descent written as a step runner: theta <- theta - lr g, one step a time."""
    theta = np.zeros(quad.gram.shape[0]) if state is None else state.copy()
    thetas = np.empty((n_steps, theta.shape[0]))
    for i in range(n_steps):
        g = 2.0 * (quad.gram @ theta - quad.zty) + 2.0 * quad.alpha * quad.decay_mask * theta
        theta = theta - lr * g
        thetas[i] = theta
    return thetas, theta


def test_a_new_entry_with_its_own_step_runner():
    """The runner interface, column by column, carries state across chunks: the same iterates
    as gd's entry, to rounding."""
    X, y = _problem(seed=2)
    runner = Optimizer(
        name="plain",
        label="plain gradient descent, step by step",
        rule="θ ← θ − η g",
        adaptive=False,
        uses_momentum=False,
        limit=OPTIMIZERS["gd"].limit,
        step_runner=_plain_steps,
    )
    ours = gradient_descent(X, y, alpha=0.5, optimizer=runner, max_iter=300, tol=0)
    theirs = gradient_descent(X, y, alpha=0.5, optimizer="gd", max_iter=300, tol=0)
    assert ours.n_iter == theirs.n_iter == 300  # several chunks: 64 + 128 + 108
    np.testing.assert_allclose(ours.trace.coef, theirs.trace.coef, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(ours.loss_curve, theirs.loss_curve, rtol=1e-12)


def test_entries_pickle_and_hash():
    """Entries may sit in a cache key or a pickled result."""
    for rule in OPTIMIZERS.values():
        assert pickle.loads(pickle.dumps(rule)) == rule
        assert hash(rule) == hash(replace(rule))


def test_solvers_name_optimizers_only_in_the_registry():
    """No ``optimizer == "adam"`` chains: dispatch goes through the entries."""
    source = Path(solvers.__file__).read_text(encoding="utf-8")
    assert not re.search(r"""optimizer\s*(==|!=)\s*["']""", source)
    assert not re.search(r"optimizer\s+(not\s+)?in\s*[(\[{]", source)
    for name in OPTIMIZERS:
        assert source.count(f'name="{name}"') == 1
