"""The "Start here" tour: valid steps, sentences that state the numbers of their pictures (checked
against references computed here), the lesson's order (overfit, best, underfit), and the page's
buttons applying each step."""

import dataclasses
import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from regviz import tour
from regviz.compute.descent import run_descent
from regviz.compute.model import build_model, ridge_along_path
from regviz.page.views import VIEWS_BY_SLUG, where_l2
from regviz.settings import DEFAULTS, ITERS, LAMBDA_GRID, parse, to_query
from regviz.tour import STEPS, STEPS_BY_SLUG, step_text
from tests.conftest import ROOT

GRID = np.array(LAMBDA_GRID)
DECIMAL = r"([0-9]+(?:\.[0-9]+)?)"
NUMBER = r"([0-9][0-9,]*(?:\.[0-9]+)?(?:e[+-][0-9]+)?)"


def numbers_after(text, words):
    """Every number printed right after ``words`` (e.g. "test RMSE"), in order."""
    return [float(m.replace(",", "")) for m in re.findall(re.escape(words) + " " + NUMBER, text)]


def reference(settings):
    """The closed form at every λ of the grid by an independent route: numpy's least squares on
    the centred basis with √λ·I rows (the free intercept b = ȳ − x̄·w), not regviz's SVD path.
    Returns (model, train RMSE, test RMSE, curves, weights)."""
    model = build_model(settings.data_key().load(), settings.degree, settings.basis)
    phi, y = model.phi_train, model.y_train
    mean_x, mean_y = phi.mean(axis=0), y.mean()
    p = phi.shape[1]
    rows = []
    for lam in GRID:
        a = np.vstack([phi - mean_x, np.sqrt(lam) * np.eye(p)])
        w = np.linalg.lstsq(a, np.r_[y - mean_y, np.zeros(p)], rcond=None)[0]
        rows.append((w, mean_y - mean_x @ w))
    coefs = np.array([w for w, _ in rows])
    b = np.array([b for _, b in rows])

    def err(phi_, y_):
        return np.sqrt(np.mean((coefs @ phi_.T + b[:, None] - y_) ** 2, axis=1))

    curves = coefs @ model.phi_grid.T + b[:, None]
    return model, err(phi, y), err(model.phi_test, model.y_test), curves, coefs


REF = reference(DEFAULTS)
MODEL, TRAIN, TEST, CURVES, COEFS = REF


def k_of(slug):
    return LAMBDA_GRID.index(STEPS_BY_SLUG[slug].settings().lam)


def text_of(slug):
    return step_text(STEPS_BY_SLUG[slug])


def assert_printed(values, expected, decimals=4):
    """Printed values equal ``expected`` to the printed precision."""
    assert len(values) == len(expected), (values, expected)
    for shown, exact in zip(values, expected, strict=True):
        assert shown == pytest.approx(exact, abs=0.6 * 10**-decimals), (shown, exact)


# The steps themselves.


def test_five_to_eight_steps_with_distinct_slugs():
    assert 5 <= len(STEPS) <= 8
    assert len(STEPS_BY_SLUG) == len(STEPS)
    assert [s.slug for s in STEPS][:4] == ["overfit", "add-lambda", "best", "underfit"]


@pytest.mark.parametrize("step", STEPS, ids=lambda s: s.slug)
def test_every_step_is_valid_like_a_url_and_opens_a_view(step):
    settings = step.settings()
    assert parse(to_query(settings)) == (settings, [])
    fixed = {k: str(v) for k, v in step.changes.items() if not callable(v)}
    assert parse(fixed)[1] == []
    assert step.view is None or step.view in VIEWS_BY_SLUG
    assert settings.synthetic  # the tour's data are the default data, never a file


def test_descent_runs_as_many_steps_at_every_step_of_the_tour():
    """Stepping never changes the descent settings: descent along λ is computed once."""
    keys = {step.settings().descent_path_key() for step in STEPS}
    assert len(keys) == 1


def test_a_step_with_an_invalid_change_is_refused():
    bad = dataclasses.replace(STEPS[0], changes={"degree": 99})
    with pytest.raises(ValueError, match="degree"):
        bad.settings()


def test_the_l2_step_states_the_views_own_check():
    assert (tour.CHECK_MAX_STEPS, tour.ADAM_MIN_STEPS, tour.ADAM_CHECK_RATE) == (
        where_l2.CHECK_MAX_STEPS,
        where_l2.ADAM_MIN_STEPS,
        where_l2.ADAM_CHECK_RATE,
    )


# The lesson's order, on the reference numbers.


def test_the_steps_show_overfit_best_and_underfit():
    over, best, under = k_of("overfit"), k_of("best"), k_of("underfit")
    assert over == 0
    assert best == int(np.argmin(TEST))  # the λ of least test RMSE, computed
    assert TEST[over] > 3 * TEST[best]  # overfit: a much larger test error
    assert TEST[under] > TEST[best]  # underfit: both
    assert TRAIN[under] > 2 * TRAIN[best]
    assert under == len(GRID) - 1
    calm = k_of("add-lambda")
    assert over < calm < best  # a small λ, before the best


def test_add_lambda_is_the_smallest_lambda_whose_curve_stays_near_the_data():
    y = MODEL.y_train
    half = np.ptp(y) / 2

    def swings(curve):
        return max(curve.max() - y.max(), y.min() - curve.min()) > half

    calm = k_of("add-lambda")
    assert not swings(CURVES[calm])
    assert all(swings(c) for c in CURVES[:calm])


# Every sentence states its picture's numbers.


def test_overfit_sentence():
    text = text_of("overfit")
    assert "At λ = 0 " in text
    assert "all 10 training points" in text
    assert_printed(numbers_after(text, "train RMSE"), [TRAIN[0]])
    assert_printed(numbers_after(text, "test RMSE"), [TEST[0]])
    ratio = re.search(r"That is ([0-9]+(?:\.[0-9]+)?) times", text).group(1)
    assert float(ratio) == pytest.approx(TEST[0] / TEST.min(), rel=0.05)


def test_add_lambda_sentence():
    text = text_of("add-lambda")
    k = k_of("add-lambda")
    assert float(re.match(r"λ = " + NUMBER, text).group(1)) == pytest.approx(GRID[k], rel=1e-3)
    norms = np.linalg.norm(COEFS, axis=1)
    falls = re.search(r"falls from ([0-9,]+(?:\.[0-9]+)?) at λ = 0 to ([0-9,]+(?:\.[0-9]+)?)", text)
    assert float(falls.group(1).replace(",", "")) == pytest.approx(norms[0], rel=1e-3)
    assert float(falls.group(2).replace(",", "")) == pytest.approx(norms[k], rel=1e-3)
    assert_printed(numbers_after(text, "rises from"), [TRAIN[0]])
    moved = re.search(r"test RMSE falls from ([0-9]+(?:\.[0-9]+)?) to ([0-9]+(?:\.[0-9]+)?)", text)
    assert_printed([float(moved.group(1)), float(moved.group(2))], [TEST[0], TEST[k]])


def test_best_sentence():
    text = text_of("best")
    k = int(np.argmin(TEST))
    lam, least = re.search(r"least at λ = " + NUMBER + r": ([0-9]+(?:\.[0-9]+)?)", text).groups()
    assert float(lam) == pytest.approx(GRID[k], rel=1e-3)
    against = re.search(
        r"against ([0-9]+(?:\.[0-9]+)?) at λ = 0 and ([0-9]+(?:\.[0-9]+)?) at λ = 1e\+04", text
    )
    assert_printed(
        [float(least), float(against.group(1)), float(against.group(2))],
        [TEST[k], TEST[0], TEST[-1]],
    )
    assert_printed(numbers_after(text, "train RMSE"), [TRAIN[k]])


def test_underfit_sentence():
    text = text_of("underfit")
    best = int(np.argmin(TEST))
    assert "nearly flat" in text
    assert np.ptp(CURVES[-1]) < 0.05 * np.ptp(MODEL.y_train)
    assert_printed(numbers_after(text, "train RMSE"), [TRAIN[-1]])
    assert_printed(numbers_after(text, "test RMSE"), [TEST[-1]])
    assert_printed(numbers_after(text, "against"), [TRAIN[best], TEST[best]])


def test_descent_sentence():
    step = STEPS_BY_SLUG["descent"]
    settings = step.settings()
    k = settings.lam_index
    run = run_descent(MODEL, settings.lam, iters=ITERS[-1])
    assert run.result.converged
    assert settings.iters == min(n for n in ITERS if n >= run.result.n_iter)  # enough, not more
    text = step_text(step)
    assert f"converged after {run.result.n_iter:,} steps" in text
    descent_test, closed_test = re.search(
        r"its test RMSE ([0-9]+(?:\.[0-9]+)?) equals the closed form's ([0-9]+(?:\.[0-9]+)?)", text
    ).groups()
    assert_printed([float(descent_test), float(closed_test)], [TEST[k], TEST[k]])
    early = run_descent(MODEL, 0.0, iters=settings.iters)
    assert f"stopped after {settings.iters:,} its test RMSE is" in text
    shown = re.search(
        r"its test RMSE is ([0-9]+(?:\.[0-9]+)?), not the closed form's ([0-9]+(?:\.[0-9]+)?)", text
    )
    assert_printed([float(shown.group(1)), float(shown.group(2))], [early.test_rmse, TEST[0]])
    assert early.test_rmse < TEST[0] / 2
    assert "acts like a penalty" in text


def test_l2_sentence():
    settings = STEPS_BY_SLUG["l2"].settings()
    k = settings.lam_index
    text = text_of("l2")
    iters = min(settings.iters, where_l2.CHECK_MAX_STEPS)
    w_loss = run_descent(MODEL, settings.lam, "gd", "l2", settings.lr, iters).result.coef
    w_decay = run_descent(MODEL, settings.lam, "gd", "decoupled", settings.lr, iters).result.coef
    same = np.linalg.norm(w_loss - w_decay) / np.linalg.norm(w_loss)
    assert same < 1e-10
    assert "takes the same steps" in text
    shown = float(re.search(r"differ by " + NUMBER, text).group(1))
    assert shown == pytest.approx(same, rel=1e-3)
    adam_iters = max(iters, where_l2.ADAM_MIN_STEPS)
    rate = where_l2.ADAM_CHECK_RATE
    adam = run_descent(MODEL, settings.lam, "adam", "l2", rate, adam_iters).result.coef
    adamw = run_descent(MODEL, settings.lam, "adam", "decoupled", rate, adam_iters).result.coef
    apart = np.linalg.norm(adam - adamw) / np.linalg.norm(COEFS[k])
    printed = float(re.search(r"AdamW end ([0-9]+(?:\.[0-9]+)?) of ridge's", text).group(1))
    assert printed == pytest.approx(apart, rel=0.06)  # two significant digits


def test_next_sentence():
    settings = STEPS_BY_SLUG["next"].settings()
    text = text_of("next")
    data = settings.data_key().load()
    tests = {}
    for degree in range(21):
        model = build_model(data, degree, settings.basis)
        path = ridge_along_path(model, np.array([0.0, settings.lam]))
        tests[degree] = path.test_rmse
    best_degree = min(tests, key=lambda d: tests[d][0])
    assert f"least at degree {best_degree} " in text
    shown = re.search(
        rf"degree \d+ \({DECIMAL}\) and {DECIMAL} at degree 9; "
        rf"λ = [^ ]+ brings degree 9 to {DECIMAL}",
        text,
    )
    assert_printed(
        [float(g) for g in shown.groups()],
        [tests[best_degree][0], tests[9][0], tests[9][1]],
    )
    for name in ("presets", "cars", "CSV"):
        assert name in text


def test_the_sentences_follow_the_numbers_not_a_script():
    """Fed other numbers (every test RMSE doubled), the sentences print the new ones: no
    sentence is fixed text."""
    fresh = tour.FRESH

    def doubled(key):
        model, path = fresh.model_and_path(key)
        return model, dataclasses.replace(path, test_rmse=2 * path.test_rmse)

    sources = dataclasses.replace(fresh, model_and_path=doubled)
    for slug in ("overfit", "best", "underfit"):
        step = STEPS_BY_SLUG[slug]
        k = step.settings().lam_index
        text = step_text(step, sources)
        assert f"{2 * TEST[k]:.4f}" in text
        assert f"{TEST[k]:.4f}" not in text


# The page: a wrapper that draws the tour as the page does, and writes the address.


def tour_script():
    from regviz.page import tour as page_tour
    from regviz.page import url

    settings = url.current_settings()
    page_tour.render(settings)
    url.write(settings)


def start():
    at = AppTest.from_function(tour_script, default_timeout=120).run()
    assert not at.exception
    return at


def test_start_here_opens_each_step_and_the_address_follows():
    from regviz.page import tour as page_tour

    at = start()
    assert page_tour.STATE not in at.session_state
    assert any(b.key == "_tour_start" for b in at.button)
    at.button(key="_tour_start").click().run()
    for k, step in enumerate(STEPS):
        assert not at.exception, [e.value for e in at.exception]
        assert at.session_state[page_tour.STATE] == k
        expected = to_query(step.settings()) | {"view": step.view}
        assert {name: at.query_params[name] for name in expected} == expected
        assert at.session_state["view"] == VIEWS_BY_SLUG[step.view].label
        assert at.markdown[0].value == f"**Step {k + 1} of {len(STEPS)}**"
        assert at.markdown[1].value == f"**{step.title}.** {step_text(step)}"
        assert at.button(key="_tour_back").disabled == (k == 0)
        if k + 1 < len(STEPS):
            at.button(key="_tour_next").click().run()
    assert "_tour_next" not in [b.key for b in at.button]
    at.button(key="_tour_back").click().run()
    assert at.session_state[page_tour.STATE] == len(STEPS) - 2
    assert at.query_params["view"] == STEPS[-2].view
    at.button(key="_tour_end").click().run()
    assert page_tour.STATE not in at.session_state
    assert [b.key for b in at.button] == ["_tour_start"]


def test_a_hand_moved_setting_is_noticed_and_again_restores_the_step():
    at = start()
    at.button(key="_tour_start").click().run()
    assert "_tour_again" not in [b.key for b in at.button]
    at.session_state["degree"] = 3
    at.run()
    assert at.query_params["degree"] == "3"
    assert "_tour_again" in [b.key for b in at.button]
    assert any("You have changed the settings since step 1" in c.value for c in at.caption)
    at.button(key="_tour_again").click().run()
    assert at.query_params["degree"] == "9"
    assert at.query_params["lam"] == "0"
    assert "_tour_again" not in [b.key for b in at.button]


@pytest.mark.skipif(
    "tour.render(" not in (ROOT / "app.py").read_text(encoding="utf-8"),
    reason="app.py does not draw the tour yet",
)
def test_the_page_draws_the_tour_and_its_steps_apply():
    from tests.test_app import assert_healthy

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    assert_healthy(at)
    at.button(key="_tour_start").click().run()
    assert_healthy(at)
    assert at.slider(key="degree").value == 9
    for _ in STEPS[1:]:
        at.button(key="_tour_next").click().run()
        assert_healthy(at)
    assert at.query_params["view"] == STEPS[-1].view
