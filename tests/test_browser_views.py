"""The intuition views and presets in headless Chromium: every chart really draws."""

from __future__ import annotations

import contextlib
from urllib.parse import urlencode

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from regviz.page.views import VIEWS as ALL_VIEWS
from regviz.presets import PRESETS
from tests.conftest import IDLE, wait_for_rerun
from tests.test_browser_app import CHART, query

VIEWS = [view.slug for view in ALL_VIEWS[3:]]  # the intuition views
#: Charts each view adds below the fit and error charts (Bishop's figures: a table).
CHARTS = {
    "geometry": 1,
    "bias-variance": 2,
    "degree": 1,
    "cross-validation": 2,
    "early-stopping": 2,
    "bishop": 0,
}
DRAWN = """() => [...document.querySelectorAll('[data-testid=stVegaLiteChart]')].map(chart => {
    const box = chart.getBoundingClientRect();
    const marks = "svg .mark-line path, svg .mark-symbol path, svg .mark-rect path";
    return {height: box.height, marks: chart.querySelectorAll(marks).length};
})"""


@pytest.mark.browser
def test_every_view_draws_every_chart(page, app_url):
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    for view in VIEWS:
        page.goto(f"{app_url}/?{urlencode({'view': view, 'lam': '0.001'})}")
        wait_for_rerun(page)
        expected = 2 + CHARTS[view]
        page.wait_for_function(
            f"document.querySelectorAll('{CHART} svg').length >= {expected}", timeout=30_000
        )
        page.wait_for_timeout(500)
        drawn = page.evaluate(DRAWN)
        assert len(drawn) == expected, (view, drawn)
        # A spec Vega cannot compile renders as an empty, zero-height box: every chart has
        # height and marks.
        assert all(d["height"] > 50 and d["marks"] > 0 for d in drawn), (view, drawn)
        assert page.get_by_test_id("stException").count() == 0
    if VIEWS[-1] == "bishop":
        assert page.get_by_text("Table 1.2, M = 9").count() == 1
    assert errors == []


@pytest.mark.browser
def test_preset_buttons_apply_their_settings(page, app_url):
    page.goto(app_url)
    wait_for_rerun(page)
    page.get_by_text("Presets: Bishop's figures and classroom views").click()
    for label in ("M = 3", "overfit", "Table 1.2"):
        preset = next(p for p in PRESETS if p.label == label)
        page.get_by_test_id("stSidebar").get_by_role("button", name=label, exact=True).click()
        expected = preset.query(query(page).get("view", "coefficients"))
        wanted = {k: expected[k] for k in ("degree", "basis", "intercept", "lam")}
        # Wait for all four: consecutive presets may share some ("overfit" and "Table 1.2"
        # both have degree 9 and λ = 0), and the address changes only when the run has.
        with contextlib.suppress(PlaywrightTimeout):
            page.wait_for_function(
                "wanted => Object.entries(wanted).every("
                "([k, v]) => new URLSearchParams(location.search).get(k) === v)",
                arg=wanted,
                timeout=20_000,
            )
        page.wait_for_selector(IDLE, timeout=20_000)
        current = query(page)
        assert {k: current[k] for k in wanted} == wanted
    assert query(page)["view"] == "bishop"
    assert page.get_by_test_id("stException").count() == 0


@pytest.mark.browser
def test_every_preset_link_opens_and_draws(page, app_url):
    for preset in PRESETS:
        page.goto(f"{app_url}/?{urlencode(preset.query('coefficients'))}")
        wait_for_rerun(page)
        page.wait_for_function(
            f"document.querySelectorAll('{CHART} svg').length >= 2", timeout=30_000
        )
        assert page.get_by_test_id("stException").count() == 0, preset.label
        assert page.get_by_test_id("stAlert").filter(has_text="Link:").count() == 0, preset.label
        current = query(page)
        assert current["degree"] == str(preset.settings().degree), preset.label
        assert current["view"] == (preset.view or "coefficients"), preset.label
