"""The first screen says the right thing: under the fit, why the two curves differ (or agree) at
this λ; under the error chart, where the λ control moves nothing visible. Each sentence is
checked against numbers computed here (scikit-learn's Ridge for the closed form; regviz's
batched descent, itself checked against independent optimizers in test_reference_optimizers),
and the page writes exactly it (AppTest)."""

from __future__ import annotations

import re

import numpy as np
import pytest
from sklearn.linear_model import Ridge

from regviz.compute import captions
from regviz.compute.descent import descent_along_path
from regviz.compute.model import build_model, ridge_along_path
from regviz.settings import LAMBDA_GRID, parse
from regviz.text import format_value
from tests.test_app import assert_healthy, page_text, run_page, unescaped

GRID = np.array(LAMBDA_GRID)

#: Links whose first screen differs: the default (descent stopped early at λ = 0), more steps,
#: a step past the stability limit, a real dataset, a low degree, a degree-0 constant.
QUERIES = (
    {},
    {"iters": "100000", "lam": "0.0063095734448"},
    {"lr": "2.1"},
    {"dataset": "cars"},
    {"degree": "3", "lam": "1"},
    {"degree": "0"},
)


def query_id(query):
    return "&".join(f"{k}={v}" for k, v in query.items()) or "defaults"


def sklearn_curves(model):
    """Ridge (scikit-learn, SVD) at every λ of the grid, on the model's grid of x."""
    if model.n_features == 0:
        return np.full((GRID.size, model.x_grid.size), model.y_train.mean())
    curves = []
    for lam in GRID:
        ridge = Ridge(alpha=float(lam), fit_intercept=model.fit_intercept, solver="svd")
        curves.append(ridge.fit(model.phi_train, model.y_train).predict(model.phi_grid))
    return np.array(curves)


def build_case(query):
    settings, notices = parse(query)
    assert not notices
    model = build_model(
        settings.data_key(None).load(), settings.degree, settings.basis, settings.intercept
    )
    path = ridge_along_path(model, GRID)
    descent = descent_along_path(
        model, GRID, settings.optimizer, settings.penalty, settings.lr, settings.iters
    )
    return {
        "query": query,
        "settings": settings,
        "model": model,
        "path": path,
        "descent": descent,
        "curves": sklearn_curves(model),
    }


@pytest.fixture(scope="module", params=QUERIES, ids=query_id)
def case(request):
    return build_case(request.param)


def test_the_descent_sentence_against_the_curves(case):
    settings, model, descent = case["settings"], case["model"], case["descent"]
    k = settings.lam_index
    spread = float(np.ptp(model.y_train))
    facts = captions.descent_facts(case["path"], descent, k, spread)
    sentence = captions.descent_fit_sentence(facts)
    # The closed form nearest descent's curve, against scikit-learn's curves.
    gaps = np.sqrt(np.mean((case["curves"] - descent.curves[k]) ** 2, axis=1)) / spread
    assert facts.nearest_lam == GRID[np.argmin(gaps)]
    assert facts.nearest_gap == pytest.approx(gaps.min(), rel=1e-6, abs=1e-9)
    if descent.diverged[k]:
        assert sentence.startswith(f"Gradient descent diverged at step {descent.n_iter[k]:,}")
        assert f"{settings.lr:.3g}/L is past the stability limit 2/L" in sentence
        return
    if descent.converged[k]:
        assert sentence == (
            f"Gradient descent converged in {descent.n_iter[k]:,} steps: its curve lies on the "
            "closed form's."
        )
        assert gaps[k] < captions.MATTERS  # it does lie on the closed form at this λ
        return
    assert sentence.startswith(f"Gradient descent has taken {settings.iters:,}")
    needed = descent.steps_needed[k]
    if np.isfinite(needed) and needed > settings.iters:
        assert f"of the about {captions.count_words(needed)} steps it needs" in sentence
    said = re.search(r"nearest the closed form's at λ = ([^:]+):", sentence)
    assert (said is not None) == (gaps.min() <= captions.MATTERS)
    if said:
        assert said.group(1) == format_value(GRID[np.argmin(gaps)])
    # "From λ = … up it converges": every larger λ converged, the one below did not.
    said = re.search(r"From λ = (\S+) up it converges", sentence)
    converged = descent.converged
    if said:
        start = [format_value(lam) for lam in GRID].index(said.group(1))
        assert converged[start:].all()
        assert start == 0 or not converged[start - 1]
    else:
        assert not converged[-1]


def test_the_quiet_stretch_of_lambda_against_the_curves(case):
    model, path, curves = case["model"], case["path"], case["curves"]
    spread = float(np.ptp(model.y_train))
    moved = np.sqrt(np.mean((curves - curves[0]) ** 2, axis=1)) > captions.MATTERS * spread
    first = captions.quiet_until(path, spread)
    if not moved.any():
        assert first is None
        assert "barely changes along the whole λ range" in captions.quiet_sentence(first, GRID[1])
        return
    assert first == GRID[np.argmax(moved)]
    sentence = captions.quiet_sentence(first, GRID[1])
    assert (sentence != "") == (first > 10 * GRID[1])
    if sentence:
        assert f"Below λ = {format_value(first)} the closed-form curve barely changes" in sentence


def test_count_words():
    assert captions.count_words(25_811) == "25,811"
    assert captions.count_words(224_000_000) == "224 million"
    assert captions.count_words(3.14e9) == "3.1 billion"


def test_the_page_writes_them(case):
    at = run_page(case["query"])
    assert_healthy(at)
    text = unescaped(page_text(at))
    settings, model = case["settings"], case["model"]
    spread = float(np.ptp(model.y_train))
    facts = captions.descent_facts(case["path"], case["descent"], settings.lam_index, spread)
    assert captions.descent_fit_sentence(facts) in text
    quiet = captions.quiet_sentence(captions.quiet_until(case["path"], spread), GRID[1])
    if quiet:
        assert quiet in text


def test_the_default_screen_shows_the_lesson():
    """At the defaults: overfitting at λ = 0 (test error above the best), a best λ inside the
    grid, underfitting at the largest λ, and descent on the closed form where it converged."""
    case = build_case({})
    path, descent = case["path"], case["descent"]
    best = int(np.argmin(path.test_rmse))
    assert 0 < best < GRID.size - 1
    assert path.test_rmse[0] > 2 * path.test_rmse[best]
    assert path.test_rmse[-1] > 1.5 * path.test_rmse[best]
    converged = descent.converged
    assert converged.sum() > 20
    np.testing.assert_allclose(descent.test_rmse[converged], path.test_rmse[converged], rtol=1e-4)
