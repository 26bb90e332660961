"""The page's layout in Chromium at a projector's and a phone's size (issue 15, points 2, 3, 5
and 8): what must be on screen without scrolling, nothing cut horizontally, every view's button
in sight, labelled access to the settings, presets that say what to notice on the page and bring
the view they open into sight, and no jump of the charts when λ leaves 0."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from regviz.page.views import VIEWS
from tests.conftest import IDLE, wait_for_rerun

PROJECTOR = {"width": 1280, "height": 720}
PHONE = {"width": 390, "height": 844}
FIT = ".st-key-lambda-area [data-testid=stVegaLiteChart]"
ERRORS = ".st-key-lam-errors [data-testid=stVegaLiteChart]"
CONTROL = ".st-key-lam"


@pytest.fixture
def sized(browser, request):
    """A page of the size ``request.param`` (a phone's with touch)."""
    size = request.param
    phone = size["width"] < 500
    context = browser.new_context(viewport=size, has_touch=phone, is_mobile=phone)
    page = context.new_page()
    yield page
    context.close()


def open_page(page, url, query=None):
    page.goto(f"{url}/?{urlencode(query or {})}")
    page.wait_for_selector(IDLE, timeout=60_000)
    page.wait_for_selector(f"{FIT} svg, {FIT} canvas", timeout=30_000)
    page.wait_for_selector(f"{CONTROL} #lam", timeout=30_000)
    page.wait_for_timeout(600)  # Vega draws after the run


def box(page, selector):
    """Where the first element matching ``selector`` is in the window (Playwright's locators
    reach into the λ control's shadow root)."""
    where = page.locator(selector).first.bounding_box()
    assert where is not None, f"{selector} is not drawn"
    return {
        "top": where["y"],
        "bottom": where["y"] + where["height"],
        "left": where["x"],
        "right": where["x"] + where["width"],
        "height": where["height"],
    }


def assert_no_horizontal_scroll(page, where):
    width, inner = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"{where}: the page is {width} px wide in a {inner} px window"


@pytest.mark.browser
@pytest.mark.parametrize("sized", [PROJECTOR], indirect=True, ids=["1280x720"])
def test_projector_shows_the_control_the_fit_and_the_errors_without_scrolling(sized, app_url):
    open_page(sized, app_url)
    assert sized.evaluate("() => window.scrollY") == 0
    for name, selector in (("λ control", CONTROL), ("fit", FIT), ("error chart", ERRORS)):
        where = box(sized, selector)
        assert where["height"] > 0, name
        assert where["top"] >= 0, (name, where)
        assert where["bottom"] <= PROJECTOR["height"], (name, where)
    assert_no_horizontal_scroll(sized, "1280x720")


@pytest.mark.browser
@pytest.mark.parametrize("sized", [PHONE], indirect=True, ids=["390x844"])
def test_phone_shows_the_control_and_the_fit_together(sized, app_url):
    open_page(sized, app_url)
    control, fit = box(sized, CONTROL), box(sized, FIT)
    assert control["top"] >= 0, control
    assert fit["bottom"] <= PHONE["height"], fit
    # A finger's target: the λ track's input is at least 44 px tall.
    assert box(sized, f"{CONTROL} #lam")["height"] >= 44
    assert_no_horizontal_scroll(sized, "390x844")
    # The sidebar's toggle says what it opens (the bare » is unlabelled).
    label = sized.evaluate(
        "() => getComputedStyle(document.querySelector("
        "'[data-testid=stExpandSidebarButton]'), '::after').content"
    )
    assert "Settings" in label


@pytest.mark.browser
@pytest.mark.parametrize("sized", [PROJECTOR, PHONE], indirect=True, ids=["1280x720", "390x844"])
def test_every_view_button_is_in_sight_and_no_view_is_cut(sized, app_url):
    width = sized.viewport_size["width"]
    for view in VIEWS:
        open_page(sized, app_url, {"view": view.slug})
        buttons = sized.locator(".st-key-views [data-testid=stButtonGroup] button")
        assert buttons.count() == len(VIEWS)
        for k in range(buttons.count()):
            button = buttons.nth(k)
            where = button.bounding_box()
            assert where is not None, (view.slug, k)
            assert where["x"] >= 0, (view.slug, button.inner_text(), where)
            assert where["x"] + where["width"] <= width, (view.slug, button.inner_text(), where)
            # No label cut by an ellipsis.
            assert sized.evaluate(
                "b => [...b.querySelectorAll('*')].every(e => e.scrollWidth <= e.clientWidth + 1)",
                button.element_handle(),
            ), (view.slug, button.inner_text())
        assert_no_horizontal_scroll(sized, f"{view.slug} at {width} px")


@pytest.mark.browser
def test_a_preset_says_what_to_notice_and_brings_its_view_into_sight(page, app_url):
    page.set_viewport_size(PROJECTOR)
    open_page(page, app_url)
    page.get_by_text("Presets: Bishop's figures and classroom views").click()
    # Each preset's explanation is on the page under its button (not only a tooltip).
    assert page.get_by_text("Ten weights for ten points: through every point").count() >= 1
    page.get_by_role("button", name="Table 1.2", exact=True).click()
    wait_for_rerun(page)
    page.wait_for_timeout(1_500)  # the smooth scroll
    views = box(page, ".st-key-views")
    assert 0 <= views["top"] < PROJECTOR["height"] / 2, views
    main = page.locator("[data-testid=stMain]")
    assert main.get_by_text("Preset Bishop, Table 1.2").count() == 1


@pytest.mark.browser
def test_the_charts_do_not_move_when_lambda_leaves_zero(page, app_url):
    page.set_viewport_size(PROJECTOR)
    open_page(page, app_url, {"lam": "0"})
    before = box(page, FIT)
    page.locator(f"{CONTROL} #lam").focus()
    page.keyboard.press("End")
    wait_for_rerun(page)
    page.wait_for_function("() => new URL(location).searchParams.get('lam') === '10000'")
    page.wait_for_selector(IDLE)
    after = box(page, FIT)
    assert after["top"] == pytest.approx(before["top"], abs=1), (before, after)


@pytest.mark.browser
def test_the_tour_walks_every_step_on_a_touch_screen(browser, app_url):
    """Start here on a phone (touch taps, no hover): every step applies its settings (the
    address follows), says its sentences on the page, and the λ control and the fit stay where
    they were from step to step (the tour's box has a fixed height there)."""
    from regviz.tour import STEPS

    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    page = context.new_page()
    try:
        open_page(page, app_url)
        page.get_by_role("button", name="Start here").tap()
        wait_for_rerun(page)
        tops = []
        for k, step in enumerate(STEPS):
            page.wait_for_selector(IDLE, timeout=60_000)
            text = page.locator(".st-key-tour-text").inner_text()
            assert step.title in text, (k, text)
            assert page.get_by_text(f"Step {k + 1} of {len(STEPS)}").count() == 1
            if step.view:
                page.wait_for_function(
                    f"() => new URL(location).searchParams.get('view') === '{step.view}'"
                )
            page.evaluate("() => window.scrollTo(0, 0)")
            tops.append(round(box(page, CONTROL)["top"]))
            assert page.get_by_test_id("stException").count() == 0
            if k + 1 < len(STEPS):
                page.get_by_role("button", name="Next").tap()
                wait_for_rerun(page)
        assert len(set(tops)) == 1, tops
    finally:
        context.close()
