"""The intuition views under AppTest: every view at extreme settings, and the numbers it states."""

import numpy as np
import pytest

from regviz import experiments, lessons
from regviz.data import synthetic
from regviz.state import DEFAULTS, LAMBDA_GRID, VIEWS
from tests.test_app import assert_healthy, metrics, run_page

NEW_VIEWS = VIEWS[3:]
GRID = np.array(LAMBDA_GRID)
EXTREMES = [
    {},
    {"degree": "30", "basis": "raw", "lam": "0", "n": "2"},
    {"degree": "0"},
    {"degree": "1", "intercept": "penalised"},
    {"n": "1000", "spacing": "random", "degree": "30", "resamples": "200", "folds": "20"},
    {"dataset": "motorcycle", "degree": "15", "lam": "1e-06"},
    {"noise": "0", "fn": "step", "lam": "10000", "stop": "100000"},
    {"wi": "30", "wj": "30", "degree": "3"},
]


@pytest.mark.parametrize("view", NEW_VIEWS)
@pytest.mark.parametrize(
    "query", EXTREMES, ids=lambda q: "&".join(f"{k}={v}" for k, v in q.items()) or "defaults"
)
def test_every_view_at_extreme_settings(query, view):
    at = run_page({**query, "view": view})
    assert_healthy(at)
    assert at.query_params["view"] == view


def test_bias_and_variance_numbers_are_regviz_numbers():
    at = run_page({"view": "Bias and variance", "lam": "0.001", "resamples": "30"})
    assert_healthy(at)
    i = LAMBDA_GRID.index(0.001)
    d = DEFAULTS
    expected = lessons.bias_variance(
        d.fn, d.n, d.noise, d.seed, d.spacing, d.degree, d.basis, d.intercept, GRID, i, k=30
    )["at_lambda"].iloc[0]
    shown = metrics(at)
    for name in ("bias²", "variance", "noise", "test error"):
        assert shown[name] == f"{expected[name]:.4f}"


def test_cross_validation_picks_and_the_button_that_moves_lambda():
    at = run_page({"view": "Cross-validation", "folds": "4"})
    assert_healthy(at)
    model = experiments.build_model(synthetic(seed=DEFAULTS.seed), 9, "monomial")
    _, picks, dof = experiments.cross_validation(model, GRID, 4, DEFAULTS.seed)
    loo = picks.set_index("kind").loc["leave-one-out"]
    shown = metrics(at)
    assert float(shown["λ picked by leave-one-out"]) == pytest.approx(loo.lam, rel=1e-3)
    assert shown["df(λ) here"] == f"{dof.dof.iloc[0]:.2f}"
    move = next(b for b in at.button if b.label.startswith("Move λ"))
    move.click().run()
    assert_healthy(at)
    assert at.select_slider(key="lam").value == pytest.approx(loo.lam)
    assert float(at.query_params["lam"]) == pytest.approx(loo.lam, rel=1e-5)


def test_early_stopping_states_the_matching_lambda():
    at = run_page({"view": "Early stopping", "stop": "1000"})
    assert_healthy(at)
    model = experiments.build_model(synthetic(seed=DEFAULTS.seed), 9, "monomial")
    path = experiments.ridge_along_path(model, GRID)
    stopping = lessons.early_stopping(model, GRID, iters=100_000)
    _, info = lessons.early_stopping_fit(model, path, stopping["trace"], 1000)
    caption = " ".join(c.value for c in at.caption)
    assert f"At step {info['step']:,} its weights" in caption


def test_geometry_weights_follow_the_degree_and_the_url():
    at = run_page({"view": "Geometry", "wi": "5", "wj": "7"})
    assert_healthy(at)
    assert at.selectbox(key="wi").value == 5
    at.slider(key="degree").set_value(3).run()
    assert_healthy(at)
    assert at.selectbox(key="wi").value <= 2
    assert at.selectbox(key="wj").value <= 2
    assert at.selectbox(key="wi").value != at.selectbox(key="wj").value
    at.selectbox(key="wj").set_value(0).run()
    assert at.query_params["wj"] == "0"


def test_bias_and_variance_explains_itself_for_real_data():
    at = run_page({"view": "Bias and variance", "dataset": "cars"})
    assert_healthy(at)
    assert any("choose the synthetic dataset" in i.value for i in at.info)


@pytest.mark.parametrize(
    ("view", "function"),
    [
        ("Geometry", "geometry"),
        ("Bias and variance", "bias_variance"),
        ("Early stopping", "early_stopping_fit"),
    ],
)
def test_a_view_that_cannot_be_drawn_says_why(monkeypatch, view, function):
    def refuse(*args, **kwargs):
        raise ValueError("the numbers overflow here.")

    monkeypatch.setattr(lessons, function, refuse)
    at = run_page({"view": view, "seed": "7", "n": "13"})  # settings no cache has seen
    assert_healthy(at)
    assert any("cannot be drawn" in i.value and "overflow" in i.value for i in at.info)
