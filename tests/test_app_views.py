"""Every view under AppTest: what it draws at extreme settings, and the numbers it states.

A view passes only by drawing: its charts with data in them, its table, its numbers; or, where
the settings make that impossible, the one sentence that says why. A view that always refused
to draw would fail here (``test_the_check_fails_for_a_view_that_refuses``).
"""

import io
import json

import numpy as np
import pyarrow as pa
import pytest

from regviz.compute.bias_variance import bias_variance
from regviz.compute.common import CannotDraw
from regviz.compute.cross_validation import cross_validation
from regviz.compute.early_stopping import early_stopping, early_stopping_fit
from regviz.compute.model import build_model, ridge_along_path
from regviz.data import synthetic
from regviz.page import lambda_control
from regviz.page.views import VIEWS, VIEWS_BY_SLUG
from regviz.settings import DEFAULTS, LAMBDA_GRID
from regviz.text import format_value
from tests.test_app import assert_healthy, metrics, page_text, run_page, set_lambda

GRID = np.array(LAMBDA_GRID)
REFUSAL = "This view cannot be drawn for these settings"
#: What each view draws in its tab: charts, tables (st.dataframe or st.table) and metrics.
DRAWS = {
    "coefficients": {"charts": 1, "tables": 1, "metrics": 0},
    "descent": {"charts": 3, "tables": 0, "metrics": 4},
    "l2": {"charts": 0, "tables": 2, "metrics": 3},
    "geometry": {"charts": 1, "tables": 0, "metrics": 0},
    "bias-variance": {"charts": 2, "tables": 0, "metrics": 5},
    "degree": {"charts": 1, "tables": 0, "metrics": 0},
    "cross-validation": {"charts": 2, "tables": 0, "metrics": 4},
    "early-stopping": {"charts": 2, "tables": 0, "metrics": 0},
    "bishop": {"charts": 0, "tables": 1, "metrics": 0},
}
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
#: Where a view must refuse, and the words of its reason.
REFUSES = {
    ("geometry", "degree=0"): "two weights",
    ("bias-variance", "dataset=motorcycle&degree=15&lam=1e-06"): "synthetic dataset",
}


def query_id(query):
    return "&".join(f"{k}={v}" for k, v in query.items()) or "defaults"


def chart_rows(element):
    """Rows in each dataset of a drawn chart (Arrow datasets and inline values)."""
    proto = element.proto
    rows = {}
    for dataset in proto.datasets:
        if dataset.data.data:
            rows[dataset.name] = pa.ipc.open_stream(io.BytesIO(dataset.data.data)).read_all()
    spec = json.loads(proto.spec)
    for layer in [spec, *spec.get("layer", [])]:
        values = layer.get("data", {}).get("values")
        if values is not None:
            rows[f"inline-{len(rows)}"] = values
    return {name: len(table) for name, table in rows.items()}


def view_block(node, slug):
    """The container the page draws view ``slug`` in (its key is ``view-<slug>``), or None."""
    for child in getattr(node, "children", {}).values():
        if getattr(getattr(child, "proto", None), "id", "").endswith(f"-view-{slug}"):
            return child
        found = view_block(child, slug)
        if found is not None:
            return found
    return None


def drawn(at, slug):
    """What the view's container holds: charts (rows per dataset), tables, metrics and
    refusals (an empty dict of lists when the view is not drawn)."""
    block = view_block(at.main, slug)
    elements = list(block) if block is not None else []
    kinds = [getattr(element, "type", "") for element in elements]
    return {
        "charts": [
            chart_rows(e) for e, k in zip(elements, kinds, strict=True) if k == "vega_lite_chart"
        ],
        "tables": [e for e, k in zip(elements, kinds, strict=True) if k in ("dataframe", "table")],
        "metrics": [e for e, k in zip(elements, kinds, strict=True) if k == "metric"],
        "refusals": [
            e.value
            for e, k in zip(elements, kinds, strict=True)
            if k == "info" and REFUSAL in e.value
        ],
    }


#: Settings where a view draws less than usual, on purpose.
DRAWS_LESS = {("l2", "degree=0"): {"tables": 1}}  # no weights to compare, the conventions table


def assert_view_drew(at, slug, query=None):
    """The view drew everything it draws, each chart with data; or it said why it could not."""
    shown = drawn(at, slug)
    assert not shown["refusals"], shown["refusals"]
    expected = DRAWS[slug] | DRAWS_LESS.get((slug, query_id(query or {})), {})
    assert len(shown["charts"]) == expected["charts"], shown["charts"]
    for rows in shown["charts"]:
        assert sum(rows.values()) > 0, rows  # drawn from data (one layer may be empty)
    assert len(shown["tables"]) == expected["tables"]
    for table in shown["tables"]:
        assert len(table.value) > 0
    assert len(shown["metrics"]) == expected["metrics"]


@pytest.mark.parametrize("view", [view.slug for view in VIEWS])
@pytest.mark.parametrize("query", EXTREMES, ids=query_id)
def test_every_view_draws_at_extreme_settings(query, view):
    at = run_page({**query, "view": view})
    assert_healthy(at)
    assert at.query_params["view"] == view
    reason = REFUSES.get((view, query_id(query)))
    if reason is None:
        assert_view_drew(at, view, query)
    else:
        refusals = drawn(at, view)["refusals"]
        assert len(refusals) == 1
        assert reason in refusals[0].replace("\\", "")


def test_the_check_fails_for_a_view_that_refuses(monkeypatch):
    """The assertion above is not vacuous: a view that always refuses fails it."""

    def refuse(ctx):
        raise CannotDraw("never.")

    monkeypatch.setattr(VIEWS_BY_SLUG["degree"].module, "render", refuse)
    at = run_page({"view": "degree"})
    assert_healthy(at)
    with pytest.raises(AssertionError):
        assert_view_drew(at, "degree")


@pytest.mark.parametrize("view", VIEWS, ids=lambda view: view.slug)
def test_every_view_opens_by_its_slug_and_by_its_old_label(view):
    for value in (view.slug, view.label, *view.aliases):
        at = run_page({"view": value})
        assert_healthy(at)
        assert at.query_params["view"] == view.slug
        assert at.session_state["view"] == view.label
        assert not any(w.value.startswith("Link:") for w in at.warning)


def test_bias_and_variance_numbers_are_regviz_numbers():
    at = run_page({"view": "bias-variance", "lam": "0.001", "resamples": "30"})
    assert_healthy(at)
    i = LAMBDA_GRID.index(0.001)
    d = DEFAULTS
    result = bias_variance(
        d.fn, d.n, d.noise, d.seed, d.spacing, d.degree, d.basis, d.intercept, GRID, k=30
    )
    expected = result.values_at(i)
    shown = metrics(at)
    for name in ("bias²", "variance", "noise", "test error"):
        assert shown[name] == f"{expected[name]:.4f}"


def test_moving_lambda_in_bias_and_variance_refits_nothing():
    """The K fits along λ are computed once per model and K, descent once for every λ: a λ move
    only evaluates them."""
    from regviz.page import cache

    at = run_page({"view": "bias-variance", "resamples": "20", "seed": "123"})
    misses = cache.SHARED.misses
    set_lambda(at, 1e-3)
    assert_healthy(at)
    set_lambda(at, 1.0)
    assert_healthy(at)
    # Two λ moves compute nothing: descent at every λ and the decomposition are cached.
    assert cache.SHARED.misses - misses == 0


def test_cross_validation_picks_and_the_button_that_moves_lambda():
    at = run_page({"view": "cross-validation", "folds": "4"})
    assert_healthy(at)
    model = build_model(synthetic(seed=DEFAULTS.seed), 9, "monomial")
    _, picks, dof = cross_validation(model, GRID, 4, DEFAULTS.seed)
    loo = picks.set_index("kind").loc["leave-one-out"]
    shown = metrics(at)
    assert float(shown["λ picked by leave-one-out"]) == pytest.approx(loo.lam, rel=1e-3)
    assert shown["df(λ) here"] == f"{dof.dof.iloc[0]:.2f}"
    move = next(b for b in at.button if b.label.startswith("Move λ"))
    move.click().run()
    assert_healthy(at)
    assert at.session_state[lambda_control.STATE] == pytest.approx(loo.lam)
    assert float(at.query_params["lam"]) == pytest.approx(loo.lam, rel=1e-5)


def test_early_stopping_states_the_matching_lambda():
    at = run_page({"view": "early-stopping", "stop": "1000"})
    assert_healthy(at)
    model = build_model(synthetic(seed=DEFAULTS.seed), 9, "monomial")
    path = ridge_along_path(model, GRID)
    stopping = early_stopping(model, GRID, iters=100_000)
    _, info = early_stopping_fit(model, path, stopping["learning_rate"], 1000)
    caption = " ".join(c.value for c in at.caption)
    assert "At step 1,000 its weights" in caption
    assert f"λ = {format_value(info['lam'])}" in caption


def test_geometry_weights_follow_the_degree_and_the_url():
    at = run_page({"view": "geometry", "wi": "5", "wj": "7"})
    assert_healthy(at)
    assert at.selectbox(key="wi").value == 5
    at.slider(key="degree").set_value(3).run()
    assert_healthy(at)
    assert at.selectbox(key="wi").value <= 2
    assert at.selectbox(key="wj").value <= 2
    assert at.selectbox(key="wi").value != at.selectbox(key="wj").value
    at.selectbox(key="wj").set_value(0).run()
    assert at.query_params["wj"] == "0"


@pytest.mark.parametrize(
    ("view", "module", "function"),
    [
        ("geometry", "regviz.page.views.geometry", "geometry"),
        ("bias-variance", "regviz.page.views.bias_variance", "bias_variance"),
        ("early-stopping", "regviz.page.views.early_stopping", "early_stopping_fit"),
    ],
)
def test_a_view_that_cannot_be_drawn_says_why(monkeypatch, view, module, function):
    def refuse(*args, **kwargs):
        raise CannotDraw("the numbers overflow here.")

    monkeypatch.setattr(module + "." + function, refuse)
    at = run_page({"view": view, "seed": "7", "n": "13"})  # settings no cache has seen
    assert_healthy(at)
    refusals = drawn(at, view)["refusals"]
    assert len(refusals) == 1
    assert "overflow" in refusals[0]


@pytest.mark.parametrize("view", ["geometry", "degree"])
def test_a_bug_in_a_view_is_not_hidden_as_a_sentence(monkeypatch, view):
    """Only CannotDraw becomes a sentence: any other error is an exception on the page, which
    every test here checks for."""

    def broken(*args, **kwargs):
        raise ValueError("a shape error")

    target = {
        "geometry": "regviz.page.views.geometry.geometry",
        "degree": "regviz.page.views.degree.error_against_degree",
    }[view]
    monkeypatch.setattr(target, broken)
    at = run_page({"view": view, "seed": "8", "n": "14"})
    assert at.exception
    assert not drawn(at, view)["refusals"]


def test_the_readme_and_the_presets_name_the_registrys_views():
    import re
    from pathlib import Path

    from regviz.presets import PRESETS

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    row = next(line for line in readme.splitlines() if line.startswith("| `view` |"))
    listed = re.findall(r"`([a-z0-9-]+)`", row.split("|")[2])
    assert listed[: len(VIEWS) + 1] == [*(view.slug for view in VIEWS), VIEWS[0].slug]
    for preset in PRESETS:
        assert preset.view is None or preset.view in VIEWS_BY_SLUG, preset.label
    assert len({view.slug for view in VIEWS}) == len(VIEWS)
    assert len({view.label for view in VIEWS}) == len(VIEWS)


def test_bias_and_variance_keeps_to_its_work_budget():
    """n = 1000 and degree 30 with K = 200 asks 6.2 million units of work: the view fits 64 sets
    (2,000,000 // (1000 · 31)) and says so; the default settings are untouched."""
    from regviz.compute.bias_variance import WORK_BUDGET, resamples_within_budget

    assert resamples_within_budget(200, 1000, 30) == WORK_BUDGET // (1000 * 31) == 64
    assert resamples_within_budget(200, 10, 9) == 200
    assert resamples_within_budget(200, 1000, 1000) == 10  # never below MIN_RESAMPLES
    at = run_page({"view": "bias-variance", "n": "1000", "degree": "30", "resamples": "200"})
    assert_healthy(at)
    said = [info.value for info in at.info if "training sets are used" in info.value]
    assert said == [said[0]]
    assert said[0].startswith("64 training sets are used instead of 200")
    assert "64 training sets of 1000 points" in page_text(at)
    at = run_page({"view": "bias-variance", "resamples": "200"})
    assert not [info for info in at.info if "training sets are used" in info.value]
