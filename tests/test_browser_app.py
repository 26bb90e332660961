"""The real page in headless Chromium: the λ slider by keyboard, links in, links out.

Two traps these tests avoid:

* ``page.url`` is Playwright's cached copy of the address and lags behind Streamlit's
  ``history.replaceState`` until Playwright next processes events, so the address is read from
  the page itself (``location.search``).
* Each key press on a slider starts its own rerun, so the first finished rerun after several
  presses may be an intermediate one: the tests wait for the final value to reach the address.
"""

from __future__ import annotations

import math
import re
import time
from urllib.parse import parse_qs, urlencode

import pytest

from regviz.settings import CHOICE_LABELS, LAMBDA_GRID
from tests.conftest import IDLE, lam_readout, open_view_label, view_buttons, wait_for_rerun

LAM_LABEL = "λ, the weight of the penalty"
CHART = "[data-testid=stVegaLiteChart]"
#: Every line of the fit chart by series name ("true function", "closed form", ...) -> SVG path.
LINES_JS = """chart => {
    const svg = chart.querySelector("svg.marks");
    if (!svg) return null;
    const lines = {};
    for (const path of svg.querySelectorAll("g.mark-line path")) {
        const series = (path.getAttribute("aria-label") || "").split("series: ")[1];
        lines[series] = path.getAttribute("d");
    }
    return Object.keys(lines).length ? lines : null;
}"""


def query(page):
    """The page's current query parameters (from the page, not Playwright's cached ``page.url``)."""
    return {k: v[-1] for k, v in parse_qs(page.evaluate("location.search")[1:]).items()}


def wait_for_param(page, name, expected, timeout=20_000):
    """Wait until the page's address holds ``name=expected`` and the script is idle."""
    page.wait_for_function(
        "([name, expected]) => new URLSearchParams(location.search).get(name) === expected",
        arg=[name, expected],
        timeout=timeout,
    )
    page.wait_for_selector(IDLE, timeout=timeout)


def open_page(page, url):
    """Open ``url`` and wait until the page is whole: the run finished, a chart drawn, the λ
    control's script mounted (a moment after the run), the script idle and the views' buttons
    there (CI once read them while they were not yet, or no longer, on the page)."""
    page.goto(url)
    wait_for_rerun(page)
    page.wait_for_selector(f"{CHART} svg", timeout=30_000)
    lam_readout(page)
    page.wait_for_selector(IDLE, timeout=30_000)
    page.get_by_role("radiogroup", name="More views").wait_for(state="attached", timeout=30_000)


def fit_chart(page):
    """The first chart in the column headed "The fit"."""
    column = page.locator("[data-testid=stColumn]").filter(
        has=page.get_by_role("heading", name="The fit", exact=True)
    )
    return column.locator(CHART).first


def settled_lines(chart, unlike=None, timeout=15.0):
    """The fit chart's line paths once rendered and stable (two equal reads 0.3 s apart) and, if
    ``unlike`` is given, different from it. Vega draws asynchronously after a rerun; if the chart
    never settles or never changes, the last read is returned and the caller's assertion fails."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        current = chart.evaluate(LINES_JS)
        if current is not None and current == last and current != unlike:
            return current
        if time.monotonic() > deadline:
            return current
        last = current
        time.sleep(0.3)


def y_span(path):
    """Height in pixels of an SVG line path ("M x,y L x,y ...")."""
    ys = [float(y) for y in re.findall(r"[ML]\s*-?[\d.e]+\s*,\s*(-?[\d.e]+)", path)]
    assert len(ys) > 50, path[:200]
    return max(ys) - min(ys)


def lam_slider(page):
    """The λ control's range input (inside its component's shadow root, which Playwright's
    selectors pierce)."""
    return page.locator(".st-key-lam #lam")


def thumb_text(slider):
    """The value a slider shows on its thumb, whitespace collapsed."""
    return " ".join(slider.get_by_test_id("stSliderThumbValue").inner_text().split())


def lam_text(lam):
    """What the λ slider shows for ``lam`` (app.lambda_label), whitespace collapsed."""
    return "0" if lam == 0 else f"{lam:.1e} (ln λ = {math.log(lam):.1f})"


@pytest.mark.browser
def test_arrow_keys_step_lambda_along_the_grid_and_redraw_the_fit(page, app_url):
    open_page(page, app_url)
    assert query(page)["lam"] == "0"
    chart = fit_chart(page)
    before = settled_lines(chart)
    assert before is not None, "the fit chart drew no lines"
    assert set(before) == {"true function", "closed form", "gradient descent"}

    thumb = lam_slider(page)
    assert thumb.count() == 1
    assert thumb.get_attribute("aria-labelledby") == "lam-label"
    thumb.focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")

    # One grid step per press: 0, 1e-12, 10^-11.9, ..., the 5th is 10^-11.6.
    expected = LAMBDA_GRID[5]
    assert f"{expected:g}" == "2.51189e-12"
    wait_for_param(page, "lam", "2.51189e-12")
    assert thumb.input_value() == "5"
    assert lam_readout(page, lam_text(expected)) == lam_text(expected) == "2.5e-12 (ln λ = -26.7)"

    after = settled_lines(chart, unlike=before)
    assert after != before, "the fit chart did not change with λ"
    # At λ ≈ 2.5e-12 only the fits move, and only slightly; the true function stays put.
    assert after["true function"] == before["true function"]
    assert after["closed form"] != before["closed form"]
    assert abs(y_span(after["closed form"]) - y_span(before["closed form"])) < 5


@pytest.mark.browser
def test_end_and_home_keys_flatten_the_fit_and_restore_it(page, app_url):
    open_page(page, app_url)
    chart = fit_chart(page)
    before = settled_lines(chart)
    assert before is not None
    # Degree 9 through 10 points at λ = 0: the closed form swings far outside the frame.
    assert y_span(before["closed form"]) > 100
    shot_before = chart.screenshot()

    lam_slider(page).focus()
    page.keyboard.press("End")
    wait_for_param(page, "lam", "10000")
    assert lam_readout(page, "1.0e+04 (ln λ = 9.2)") == lam_text(LAMBDA_GRID[-1])
    flat = settled_lines(chart, unlike=before)
    # λ = 1e4 shrinks every weight to about 0: the fit is the mean, a flat line.
    assert y_span(flat["closed form"]) < 5
    assert y_span(flat["gradient descent"]) < 5
    assert chart.screenshot() != shot_before

    lam_slider(page).focus()
    page.keyboard.press("Home")
    wait_for_param(page, "lam", "0")
    assert lam_readout(page, "0") == "0"
    # Back at λ = 0 the chart is drawn exactly as it was.
    assert settled_lines(chart, unlike=flat) == before


@pytest.mark.browser
def test_a_link_opens_the_page_with_its_settings(page, app_url):
    params = {
        "degree": "3",
        "lam": "0.01",
        "basis": "legendre",
        "n": "25",
        "fn": "runge",
        "optimizer": "momentum",
        "iters": "5000",
        "view": "descent",
    }
    open_page(page, f"{app_url}/?{urlencode(params)}")
    assert page.get_by_test_id("stException").count() == 0
    assert page.get_by_test_id("stAlert").filter(has_text="Link:").count() == 0

    slider = page.locator("[data-testid=stSlider]")
    assert thumb_text(slider.filter(has_text="Polynomial degree")) == "3"
    assert lam_readout(page, lam_text(0.01)) == lam_text(0.01) == "1.0e-02 (ln λ = -4.6)"
    assert thumb_text(slider.filter(has_text="Steps")) == "5,000"

    def combobox(label):
        return page.get_by_role("combobox", name=label, exact=True)

    assert combobox("Basis").input_value() == CHOICE_LABELS["basis"]["legendre"]
    assert combobox("True function").input_value() == CHOICE_LABELS["fn"]["runge"]
    assert combobox("Optimizer").input_value() == CHOICE_LABELS["optimizer"]["momentum"]
    n_input = page.get_by_test_id("stNumberInput").filter(has_text="Training points N")
    assert n_input.locator("input").input_value() == "25"

    assert view_buttons(page).count() == 9  # every view, one of them open
    assert open_view_label(page) == "Gradient descent"
    # The Gradient descent view is the one drawn: its "Steps run" metric is on the page.
    assert page.get_by_test_id("stMetric").filter(has_text="Steps run").count() == 1

    # The address after the run still holds the link's settings (and every other setting).
    wait_for_param(page, "view", "descent")
    current = query(page)
    assert {name: current.get(name) for name in params} == params
    assert current["lr"] == "1"
    assert current["seed"] == "19"


@pytest.mark.browser
def test_a_link_full_of_nonsense_is_repaired_and_not_executed(page, app_url):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    params = {
        "degree": "abc",
        "lam": "-5",
        "n": "1e99",
        "basis": "<script>alert(1)</script>",
        "fn": "\x00",
        "iters": "NaN",
        "noise": "inf",
        "unknown": "1",
        "lr": "-3",
        "view": "nope",
        "seed": "1.5",
    }
    open_page(page, f"{app_url}/?{urlencode(params)}")

    assert page.get_by_test_id("stException").count() == 0
    page.wait_for_function(f"document.querySelectorAll('{CHART}').length >= 2", timeout=30_000)
    assert fit_chart(page).locator("svg").count() == 1

    warnings = page.get_by_test_id("stAlert").filter(has_text="Link:")
    texts = [" ".join(text.split()) for text in warnings.all_inner_texts()]
    assert len(texts) >= 9, texts
    for name in ("degree", "lam", "n", "basis", "fn", "iters", "noise", "seed", "lr", "view"):
        assert any(f"Link: {name}:" in text for text in texts), (name, texts)
    assert any("1 unknown parameter ignored" in text for text in texts), texts
    # Notices name the parameter and never echo its value.
    assert not any("script" in text or "alert" in text for text in texts), texts

    # Nothing injected: no dialog, no script or element built from the link's markup.
    page.wait_for_timeout(300)
    assert dialogs == []
    assert page.locator("script:text('alert(1)')").count() == 0
    assert "alert(1)" not in page.content()
    assert "alert(1)" not in page.locator("body").inner_text()

    # The address is rewritten to valid values; the unknown parameter is gone.
    wait_for_param(page, "basis", "monomial")
    current = query(page)
    assert current["degree"] == "9"
    assert current["lam"] == "0"
    assert current["n"] == "1000"
    assert current["basis"] == "monomial"
    assert current["fn"] == "sin"
    assert current["iters"] == "1000"
    assert current["noise"] == "0.3"
    assert current["lr"] == "1"
    assert current["seed"] == "2"
    assert current["view"] == "coefficients"
    assert "unknown" not in current
    assert open_view_label(page) == "Coefficients"


@pytest.mark.browser
def test_where_is_l2_added_tab_sets_the_view_and_shows_the_formulas(page, app_url):
    open_page(page, app_url)
    assert query(page)["view"] == "coefficients"
    assert page.locator(".katex").count() == 0

    view_buttons(page).filter(has_text="Where is L2 added?").click()
    wait_for_rerun(page)
    wait_for_param(page, "view", "l2")
    assert re.search(r"[?&]view=l2(&|$)", page.evaluate("location.search"))
    assert open_view_label(page) == "Where is L2 added?"

    latex = page.get_by_test_id("stMarkdownContainer").locator(".katex")
    latex.first.wait_for(state="visible", timeout=15_000)
    assert latex.count() >= 2
    assert "decay" in page.locator(".st-key-view-l2").inner_text()
