"""λ lives in the browser (headless Chromium): the charts follow the hand at every move with no
message to the server; the server hears λ when the hand stops; the descent film plays, pauses
and scrubs in the browser.

"Before any message reaches the server" is measured on the page's own websocket: every frame
the page sends is recorded, and during a drag, a run of key presses or the film there must be
none.
"""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from regviz.settings import DEFAULTS, LAMBDA_GRID, to_query
from regviz.text import lambda_label
from tests.conftest import IDLE, lam_readout, wait_for_rerun
from tests.test_browser_app import fit_chart, open_page, query, settled_lines, wait_for_param

LAM = ".st-key-lam #lam"
LAM_VALUE = ".st-key-lam #lam-value"
PLAY = ".st-key-lam #play"
STEP = ".st-key-lam #step"
STEP_VALUE = ".st-key-lam #step-value"
#: The fit chart's closed-form and descent paths, read straight from its SVG.
PATHS = """chart => {
    const out = {};
    for (const path of chart.querySelectorAll("svg g.mark-line path")) {
        const series = (path.getAttribute("aria-label") || "").split("series: ")[1];
        out[series] = path.getAttribute("d");
    }
    return out;
}"""


class Frames:
    """Every websocket frame the page sends to the server, with its time."""

    def __init__(self, page):
        self.sent = []
        page.on(
            "websocket", lambda ws: ws.on("framesent", lambda _: self.sent.append(time.monotonic()))
        )

    def count(self):
        return len(self.sent)


def paths(page):
    return fit_chart(page).evaluate(PATHS)


def wait_for_paths_change(page, before, series, timeout=2.0):
    """The fit chart's ``series`` path once it differs from ``before`` (None if it never does)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = paths(page)
        if now.get(series) != before.get(series):
            return now
        page.wait_for_timeout(10)
    return None


def python_label(index):
    return " ".join(lambda_label(LAMBDA_GRID[index]).split())


def url_lam(index):
    """How the address writes ``LAMBDA_GRID[index]``."""
    return to_query(replace(DEFAULTS, lam=LAMBDA_GRID[index]))["lam"]


@pytest.mark.browser
def test_dragging_lambda_repaints_the_fit_at_every_move_without_the_server(page, app_url):
    open_page(page, app_url)
    frames = Frames(page)
    page.wait_for_timeout(500)  # the page's own start-up messages are over
    slider = page.locator(LAM)
    box = slider.bounding_box()
    y = box["y"] + box["height"] / 2
    # A range input's thumb travels the width less its own: map index -> x by probing its ends.
    left, width = box["x"] + 16, box["width"] - 32

    def x_of(index):
        return left + width * index / (len(LAMBDA_GRID) - 1)

    page.mouse.move(x_of(60), y)
    page.mouse.down()
    page.wait_for_timeout(100)
    sent_before = frames.count()
    before = paths(page)
    changed = 0
    for k in range(40):
        page.mouse.move(x_of(61 + 2 * k), y)
        now = wait_for_paths_change(page, before, "closed form")
        changed += now is not None
        before = now or before
    assert changed == 40, f"the fit redrew at {changed} of 40 moves"
    assert frames.count() == sent_before, "the page talked to the server during the drag"
    index = int(page.locator(LAM).input_value())
    # Shown at once, in the browser, with the hand still down (no waiting).
    assert lam_readout(page, timeout=0) == python_label(index)
    released = time.monotonic()
    page.mouse.up()
    wait_for_param(page, "lam", url_lam(index), timeout=5_000)
    assert time.monotonic() - released < 1.0  # the URL follows within a second of release
    assert frames.count() - sent_before <= 2  # one message for the whole drag (and a late one)
    drawn = settled_lines(fit_chart(page))

    # A reload reopens exactly this drawing.
    page.reload()
    wait_for_rerun(page)
    page.wait_for_selector(IDLE)
    assert query(page)["lam"] == url_lam(index)
    # The control's script runs after the page is idle (its module loads on its own); within
    # a few seconds it shows the link's λ.
    page.wait_for_function(
        "([selector, value]) => { const el = [...document.querySelectorAll(selector + ' *')]"
        ".map(e => e.shadowRoot).find(Boolean)?.querySelector('#lam');"
        " return el && el.value === value; }",
        arg=[".st-key-lam", str(index)],
        timeout=5_000,
    )
    assert page.locator(LAM).input_value() == str(index)
    assert settled_lines(fit_chart(page)) == drawn


@pytest.mark.browser
def test_keys_move_lambda_and_the_server_hears_it_when_they_stop(page, app_url):
    open_page(page, app_url)
    frames = Frames(page)
    page.wait_for_timeout(500)
    page.locator(LAM).focus()
    sent_before = frames.count()
    before = paths(page)
    for _ in range(5):
        page.keyboard.press("ArrowRight")
        now = wait_for_paths_change(page, before, "closed form")
        assert now is not None, "a key press did not redraw the fit"
        before = now
    assert frames.count() == sent_before
    assert page.locator(LAM).input_value() == "5"
    assert lam_readout(page, timeout=0) == python_label(5) == "2.5e-12 (ln λ = -26.7)"
    wait_for_param(page, "lam", "2.51189e-12")

    page.keyboard.press("End")
    wait_for_param(page, "lam", "10000")
    assert lam_readout(page, "1.0e+04 (ln λ = 9.2)") == "1.0e+04 (ln λ = 9.2)"
    page.keyboard.press("Home")
    wait_for_param(page, "lam", "0")
    assert lam_readout(page, "0") == "0"
    page.keyboard.press("PageUp")
    page.wait_for_timeout(50)
    assert int(page.locator(LAM).input_value()) > 1  # a page at a time


@pytest.mark.browser
def test_the_browser_writes_lambda_as_python_does(page, app_url):
    """The readout is computed in the browser: it must say what regviz.text.lambda_label says,
    at every λ of the grid."""
    open_page(page, app_url)
    page.locator(LAM).wait_for(state="attached", timeout=10_000)
    page.locator(LAM_VALUE).wait_for(timeout=10_000)
    shown = page.evaluate(
        """([selector, count]) => {
            const root = [...document.querySelectorAll(".st-key-lam *")]
                .map(e => e.shadowRoot).find(Boolean) || document;
            const lam = root.querySelector("#lam"), out = root.querySelector("#lam-value");
            const labels = [];
            for (let k = 0; k < count; k++) {
                lam.value = String(k);
                lam.dispatchEvent(new Event("input", {bubbles: true}));
                labels.push(out.textContent);
            }
            return labels;
        }""",
        [LAM, len(LAMBDA_GRID)],
    )
    assert [" ".join(s.split()) for s in shown] == [
        python_label(k) for k in range(len(LAMBDA_GRID))
    ]


@pytest.mark.browser
def test_the_descent_film_plays_pauses_and_scrubs_in_the_browser(page, app_url):
    open_page(page, f"{app_url}/?lam=0.001")
    frames = Frames(page)
    page.wait_for_timeout(500)
    sent_before = frames.count()
    final = paths(page)["gradient descent"]
    assert "step 1,000 of 1,000" in page.locator(STEP_VALUE).inner_text()
    page.locator(PLAY).click()
    page.wait_for_timeout(400)
    early = paths(page)["gradient descent"]
    assert early != final  # the film restarted from the first steps
    seen = {early}
    for _ in range(6):
        page.wait_for_timeout(300)
        seen.add(paths(page)["gradient descent"])
    assert len(seen) >= 4, "the curve did not move while the film played"
    page.locator(PLAY).click()  # pause
    paused = page.locator(STEP_VALUE).inner_text()
    held = paths(page)["gradient descent"]
    page.wait_for_timeout(600)
    assert page.locator(STEP_VALUE).inner_text() == paused
    assert paths(page)["gradient descent"] == held
    # Scrub to the first step: descent from zero has barely moved (a nearly flat curve).
    step = page.locator(STEP)
    step.focus()
    page.keyboard.press("Home")
    assert "step 0 of 1,000" in page.locator(STEP_VALUE).inner_text()
    assert wait_for_paths_change(page, {"gradient descent": held}, "gradient descent") is not None
    page.keyboard.press("End")
    deadline = time.monotonic() + 2
    while paths(page)["gradient descent"] != final and time.monotonic() < deadline:
        page.wait_for_timeout(20)
    assert paths(page)["gradient descent"] == final  # the film's last step is the run's end
    assert frames.count() == sent_before, "the film talked to the server"


@pytest.mark.browser
def test_pressing_and_dragging_along_the_error_chart_sets_lambda(page, app_url):
    open_page(page, app_url)
    # Where the chart writes its λ tick labels: the test's own reading of the axis.
    ticks = page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll(
            ".st-key-lam-errors svg.marks .role-axis-label text")].map(text => {
                const box = text.getBoundingClientRect();
                return [text.textContent, [box.x + box.width / 2, box.y]];
            }))"""
    )
    y = ticks["1e-3"][1] - 60  # inside the plot, above the axis

    def x_at(label):
        return ticks[label][0]

    page.mouse.move(x_at("1e-6"), y)
    page.mouse.down()
    page.mouse.move(x_at("1e-3"), y, steps=8)
    page.mouse.move(x_at("1e-2"), y, steps=4)
    page.mouse.up()
    wait_for_param(page, "lam", "0.01")
    shown = python_label(LAMBDA_GRID.index(0.01))
    assert lam_readout(page, shown) == shown


@pytest.mark.browser
def test_a_touch_drag_moves_lambda_like_a_mouse(browser, app_url):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True
    )
    page = context.new_page()
    try:
        open_page(page, app_url)
        frames = Frames(page)
        slider = page.locator(LAM)
        slider.scroll_into_view_if_needed()
        box = slider.bounding_box()
        assert box["height"] >= 44  # a finger's target
        y = box["y"] + box["height"] / 2
        cdp = context.new_cdp_session(page)

        def touch(kind, x):
            points = [] if kind == "touchEnd" else [{"x": x, "y": y}]
            cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

        start = box["x"] + 16
        touch("touchStart", start)
        sent_before = frames.count()
        before = paths(page)
        moved = 0
        for k in range(1, 16):
            touch("touchMove", start + k * (box["width"] - 32) / 20)
            now = wait_for_paths_change(page, before, "closed form")
            moved += now is not None
            before = now or before
        assert moved >= 12, f"the fit redrew at {moved} of 15 touch moves"
        assert frames.count() == sent_before
        touch("touchEnd", 0)
        index = int(page.locator(LAM).input_value())
        assert index > 0
        wait_for_param(page, "lam", url_lam(index), timeout=5_000)
    finally:
        context.close()
