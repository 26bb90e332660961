"""Every sentence that states a fact about the picture, checked against numbers computed here
with scikit-learn (not regviz's solvers), for every preset and every bundled dataset; and the
page writes exactly those sentences beside its charts."""

import re

import numpy as np
import pytest
from sklearn.linear_model import Ridge

from regviz import data
from regviz.compute import captions
from regviz.compute.model import build_model, ridge_along_path
from regviz.presets import PRESETS
from regviz.settings import LAMBDA_GRID, parse
from regviz.text import format_value
from tests.test_app import assert_healthy, chart_datasets, page_text, run_page, unescaped

GRID = np.array(LAMBDA_GRID)

#: Every preset, and every bundled dataset at the page's defaults otherwise.
CASES = [(f"preset {p.label}", p.settings(), p.query("coefficients")) for p in PRESETS] + [
    (f"dataset {name}", parse({"dataset": name})[0], {"dataset": name}) for name in data.BUNDLED
]
IDS = [name for name, _, _ in CASES]


def built(settings):
    dataset = settings.data_key(None).load()
    model = build_model(dataset, settings.degree, settings.basis, settings.intercept)
    return dataset, model, ridge_along_path(model, GRID)


def sklearn_fits(model, lams):
    """scikit-learn's Ridge (SVD solver) on the model's basis at each λ: the curves on the
    grid, the training and test RMSE and the weights."""
    if model.n_features == 0:  # a free intercept alone: every fit is the mean
        mean = model.y_train.mean()
        n = len(lams)
        test = np.sqrt(np.mean((model.y_test - mean) ** 2)) if model.has_test else np.nan
        return {
            "curves": np.full((n, model.x_grid.size), mean),
            "train": np.full(n, np.sqrt(np.mean((model.y_train - mean) ** 2))),
            "test": np.full(n, test),
            "coefs": np.zeros((n, 0)),
        }
    out = {"curves": [], "train": [], "test": [], "coefs": []}
    for lam in lams:
        ridge = Ridge(alpha=float(lam), fit_intercept=model.fit_intercept, solver="svd")
        ridge.fit(model.phi_train, model.y_train)
        out["curves"].append(ridge.predict(model.phi_grid))
        out["train"].append(np.sqrt(np.mean((ridge.predict(model.phi_train) - model.y_train) ** 2)))
        out["test"].append(
            np.sqrt(np.mean((ridge.predict(model.phi_test) - model.y_test) ** 2))
            if model.has_test
            else np.nan
        )
        out["coefs"].append(ridge.coef_)
    return {name: np.array(values) for name, values in out.items()}


@pytest.fixture(scope="module", params=CASES, ids=IDS)
def case(request):
    name, settings, query = request.param
    _dataset, model, path = built(settings)
    return {
        "name": name,
        "settings": settings,
        "query": query,
        "model": model,
        "path": path,
        "reference": sklearn_fits(model, GRID),
    }


def test_fit_sentence_against_scikit_learn(case):
    model, path, ref = case["model"], case["path"], case["reference"]
    sentence = captions.fit_sentence(captions.fit_facts(model, path), GRID[-1])
    y = model.y_train
    spread = np.ptp(y)
    if model.degree == 0:
        assert "constant" in sentence
        constant = np.ptp(ref["curves"], axis=1).max()
        assert constant <= 1e-12 * max(1.0, np.abs(y).max())
        if model.fit_intercept:
            assert "whatever λ" in sentence
            np.testing.assert_allclose(ref["curves"], y.mean())
        else:
            assert "toward 0" in sentence
            assert abs(ref["curves"][-1, 0]) < abs(ref["curves"][0, 0])
        return
    through = ref["train"][0] <= captions.INTERPOLATES * spread
    assert ("passes through every training point" in sentence) == through, ref["train"][0]
    zero = ref["curves"][0]
    beyond = max(zero.max() - y.max(), y.min() - zero.min(), 0.0)
    assert ("swings far beyond the data" in sentence) == (beyond > spread / 2), beyond / spread
    rough = [np.sum(np.diff(ref["curves"][k], 2) ** 2) for k in (0, -1)]
    assert ("the curve bends less than at λ = 0" in sentence) == (rough[1] < rough[0])
    flat = np.ptp(ref["curves"][-1]) <= captions.FLAT * spread
    assert ("nearly flat" in sentence) == flat


def test_error_sentence_and_marker_against_scikit_learn(case):
    path, ref = case["path"], case["reference"]
    facts = captions.error_facts(path)
    sentence = captions.error_sentence(facts, GRID, path.test_rmse)
    test = ref["test"]
    np.testing.assert_allclose(path.test_rmse, test, rtol=1e-7)
    best = int(np.argmin(test))
    low = test[best]
    drop, rise = (test[0] - low) / low, (test[-1] - low) / low
    if drop < 0.01 and rise < 0.01:
        assert "hardly changes with λ" in sentence
    elif drop < 0.01 or best == 0:
        assert "does not overfit these data much" in sentence
        assert ("without a penalty" in sentence) == (best == 0)
    elif rise < 0.01 or best == len(GRID) - 1:
        assert "least at the largest λ" in sentence
    else:
        # A U: the least test error inside the grid, named by its λ and its value.
        assert f"least ({low:.3g}) at λ = {format_value(GRID[best])}" in sentence
        assert f"The test error is {test[0]:.3g} at λ = 0" in sentence
        assert f"and {test[-1]:.3g} at the largest λ" in sentence
    assert captions.marks_best(facts) == ("too little penalty overfits" in sentence)


def test_coefficients_sentence_against_scikit_learn(case):
    model, path, ref = case["model"], case["path"], case["reference"]
    sentence = captions.coefficients_sentence(path, captions.fit_facts(model, path))
    if model.n_features == 0:
        assert "no weights" in sentence
        return
    coefs = ref["coefs"]
    largest = np.abs(coefs[0]).max()
    shown = re.search(r"the largest weight is ([^ ;]+)", sentence).group(1)
    assert float(shown) == pytest.approx(largest, rel=1e-3)
    norms = np.linalg.norm(coefs, axis=1)
    grows = np.any(np.diff(norms) > 1e-7 * norms[:-1])
    assert ("never grows with λ" in sentence) == (not grows)
    shrink = re.search(r"shrinks ([^ ]+)-fold", sentence).group(1)
    assert float(shrink) == pytest.approx(norms[0] / norms[-1], rel=1e-2)
    signs = np.sign(coefs[0][np.abs(coefs[0]) > 1e-12 * largest])
    if "alternate from each weight to the next" in sentence:
        assert np.all(signs[1:] != signs[:-1])


def test_the_page_writes_these_sentences(case):
    """The page under AppTest: the captions beside the fit and the error chart are the ones
    checked above, the error chart marks a best λ only on a U, and no fixed caption that the
    audit found false survives."""
    model, path = case["model"], case["path"]
    at = run_page(case["query"])
    assert_healthy(at)
    text = unescaped(page_text(at))
    facts = captions.error_facts(path)
    assert captions.fit_sentence(captions.fit_facts(model, path), GRID[-1]) in text
    assert captions.error_sentence(facts, GRID, path.test_rmse) in text
    errors = chart_datasets(at.get("vega_lite_chart")[1])
    marked = [frame for frame in errors.values() if "label" in frame]
    rows = [] if not marked else [int(row.lam_index) for row in marked[0].itertuples()]
    assert rows == ([path.best_test_index] if captions.marks_best(facts) else [])
    for stale in (
        "bends to pass near every training point",
        "picks a similar λ",
        "easy to overfit",
        "chases the noise.",
        "tames them to tens",
        "orders of magnitude agree",
    ):
        assert stale not in text


# What each preset's notice says of its picture, measured with scikit-learn on its settings.
def _notice_checks():
    def fits(label):
        settings = next(p for p in PRESETS if p.label == label).settings()
        _, model, _ = built(settings)
        lam = settings.lam
        return model, sklearn_fits(model, [lam, *GRID])

    def cubic_test():
        return fits("M = 3")[1]["test"][0]

    def m0():
        _model, ref = fits("M = 0")
        assert ref["test"][0] > 2 * cubic_test()  # far too simple: twice the cubic's test error

    def m1():
        _, ref = fits("M = 1")
        assert ref["test"][0] > 1.5 * cubic_test()  # still too simple

    def m3():
        model, ref = fits("M = 3")
        rms = np.sqrt(np.mean((ref["curves"][0] - model.truth_grid) ** 2))
        assert rms < 0.3 / 2  # close to sin 2πx: within half the noise's σ

    def m9():
        model, ref = fits("M = 9")
        y = model.y_train
        assert ref["train"][0] < 1e-6 * np.ptp(y)  # through every point
        assert ref["curves"][0].max() - y.max() > np.ptp(y)  # wild between them

    def smooth(label):
        model, ref = fits(label)
        curve, at_zero = ref["curves"][0], ref["curves"][1]
        rough = np.sum(np.diff(curve, 2) ** 2) / np.sum(np.diff(at_zero, 2) ** 2)
        assert rough < 1e-3  # the wiggles are gone
        y = model.y_train
        assert max(curve.max() - y.max(), y.min() - curve.min()) < 0.01 * np.ptp(y)
        return model, ref

    def ln0():
        model, ref = fits("ln λ = 0")
        assert np.ptp(ref["curves"][0]) < 0.5 * np.ptp(model.y_train)  # pulled toward a constant
        assert ref["test"][0] > 1.5 * np.nanmin(ref["test"][1:])  # underfits

    def underfit():
        model, ref = fits("underfit")
        assert np.ptp(ref["curves"][0]) < 0.05 * np.ptp(model.y_train)  # almost flat
        best = int(np.nanargmin(ref["test"][1:])) + 1
        assert ref["train"][0] > 2 * ref["train"][best]  # both errors high
        assert ref["test"][0] > 2 * ref["test"][best]

    def overfit():
        _model, ref = fits("overfit")
        assert ref["train"][0] < 1e-6  # zero training error
        assert ref["test"][0] > 3 * np.nanmin(ref["test"][1:])  # large test error

    def just_right():
        model, ref = smooth("just right")
        assert ref["test"][0] == np.nanmin(ref["test"][1:])  # the least test error
        rms = np.sqrt(np.mean((ref["curves"][0] - model.truth_grid) ** 2))
        assert rms < 0.3 / 2  # close to the truth

    return {
        "M = 0": m0,
        "M = 1": m1,
        "M = 3": m3,
        "M = 9": m9,
        "ln λ = −18": lambda: smooth("ln λ = −18"),
        "ln λ = 0": ln0,
        "Table 1.2": lambda: None,  # a table, no claim about the picture
        "underfit": underfit,
        "overfit": overfit,
        "just right": just_right,
    }


NOTICE_CHECKS = _notice_checks()


@pytest.mark.parametrize("preset", PRESETS, ids=lambda p: p.label)
def test_every_preset_notice_is_true_of_its_picture(preset):
    NOTICE_CHECKS[preset.label]()  # a KeyError: a new preset needs its check here


# Hand-made cases where a fixed caption would be wrong.


def test_degree_zero_with_a_free_intercept_says_lambda_does_nothing():
    settings = parse({"degree": "0"})[0]
    _, model, path = built(settings)
    facts = captions.fit_facts(model, path)
    assert facts.constant
    assert "whatever λ" in captions.fit_sentence(facts, GRID[-1])
    assert captions.error_facts(path).best_kind == "flat"
    assert not captions.marks_best(captions.error_facts(path))
    assert "no weights" in captions.coefficients_sentence(path, facts)


def test_no_test_points_no_best_lambda():
    import dataclasses

    dataset = data.synthetic()
    dataset = dataclasses.replace(dataset, x_test=dataset.x_test[:0], y_test=dataset.y_test[:0])
    path = ridge_along_path(build_model(dataset, 9, "monomial"), GRID)
    facts = captions.error_facts(path)
    assert not facts.has_test
    assert not captions.marks_best(facts)
    assert "no test points" in captions.error_sentence(facts, GRID, path.test_rmse)


def test_cross_validation_sentence_counts_decades():
    import pandas as pd

    picks = pd.DataFrame({"kind": ["leave-one-out", "k-fold", "test"], "lam": [0.126, 0.1, 0.0063]})
    sentence = captions.cross_validation_sentence(picks)
    assert "similar" not in sentence
    assert "leave-one-out picks λ = 1.26e-01, 1.3 decades from the test error's" in sentence
    assert "k-fold picks λ = 1e-01, 1.2 decades from the test error's" in sentence
    near = captions.cross_validation_sentence(
        pd.DataFrame({"kind": ["leave-one-out", "test"], "lam": [0.01, 0.0063]})
    )
    assert "within a decade of the test error's" in near


def test_descent_sentence_follows_the_condition_numbers():
    assert "κ falls from" in captions.descent_sentence("Gradient descent", 2.0, [1e6, 1e3, 10])
    rising = captions.descent_sentence("Gradient descent", 2.0, [10, 1e3])
    assert "κ changes from" in rising
    assert "no stability limit" in captions.descent_sentence("Adam", float("inf"), [10, 1])


def test_l2_check_sentence():
    same = captions.l2_check_sentence(1e-15, 0.3, 0.01, 0.2)
    assert "the same weights either way" in same
    assert "different weights" in same
    close = captions.l2_check_sentence(1e-15, 1e-4, 0.01, 0.01)
    assert "within" in close
    assert "different regularizer" not in close


def test_the_conditioning_warning_states_the_digits_the_bound_guarantees():
    """Raw basis, degree 20, 100 points, λ = 0: the page's warning names κ and
    correct_digits(κ) of the bound that tests/test_conditioning.py checks against 50-digit
    solutions; the legendre basis at the same degree gets no warning."""
    from regviz.solvers import ILL_CONDITIONED, correct_digits

    query = {"basis": "raw", "degree": "20", "n": "100", "lam": "0"}
    settings = parse(query)[0]
    _, model, _ = built(settings)
    kappa = model.condition_number(0.0)
    assert kappa > ILL_CONDITIONED
    at = run_page(query)
    assert_healthy(at)
    warnings = [w.value for w in at.warning if "ill-conditioned" in w.value]
    assert len(warnings) == 1
    assert f"condition number {kappa:.1e}" in warnings[0]
    assert f"at least about {correct_digits(kappa)} correct digits" in warnings[0]
    assert "still accurate" not in warnings[0]  # nothing backs it
    at = run_page(query | {"basis": "legendre"})
    assert not [w for w in at.warning if "ill-conditioned" in w.value]


def test_the_views_sentences_on_every_case(case):
    """The sentences under cross-validation, error against degree and early stopping, for every
    preset and bundled dataset: each number they state recomputed here (the degree curve with
    scikit-learn's Ridge at λ = 0)."""
    from regviz.compute.cross_validation import cross_validation
    from regviz.compute.degree import error_against_degree
    from regviz.compute.early_stopping import early_stopping, early_stopping_fit

    settings, model, path = case["settings"], case["model"], case["path"]
    _, picks, _ = cross_validation(model, GRID, 5, settings.seed)
    sentence = captions.cross_validation_sentence(picks)
    lams = dict(zip(picks.kind, picks.lam, strict=True))
    for kind in ("leave-one-out", "k-fold"):
        apart = abs(np.log10(max(lams[kind], 1e-13)) - np.log10(max(lams["test"], 1e-13)))
        if apart <= 1:
            assert f"{kind} picks λ = {format_value(lams[kind])}, within a decade" in sentence
        else:
            assert f"{kind} picks λ = {format_value(lams[kind])}, {apart:.1f} decades" in sentence
    dataset = settings.data_key(None).load()
    frame = error_against_degree(dataset, settings.basis, settings.intercept, settings.lam)
    sentence = captions.degree_sentence(frame)
    degrees = sorted(frame.degree.unique())
    test_at_zero = {}
    for degree in degrees:
        degree_model = build_model(dataset, int(degree), settings.basis, settings.intercept)
        test_at_zero[degree] = sklearn_fits(degree_model, [0.0])["test"][0]
    best = min(test_at_zero, key=test_at_zero.get)
    assert f"least at degree {best}" in sentence
    worst_after = max((v for d, v in test_at_zero.items() if d > best), default=0.0)
    assert ("then rises" in sentence) == (worst_after > 2 * test_at_zero[best])
    stopping = early_stopping(model, GRID, iters=10_000)
    _, chosen = early_stopping_fit(model, path, stopping["learning_rate"], 100)
    sentence = captions.early_stopping_sentence(stopping["matches"], chosen)
    assert "At step 100 " in sentence
    assert f"λ = {format_value(chosen['lam'])}" in sentence
    order = stopping["matches"].lam_index.to_numpy()
    assert ("the smaller the λ it matches" in sentence) == bool(
        np.all(np.diff(order) <= 0) and order[-1] < order[0]
    )
