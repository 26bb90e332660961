"""A server restart mid-lesson (headless Chromium): the page reconnects and shows the same view.

The settings live in the URL, so the new server session rebuilds the page from it: nothing the
student chose is lost.
"""

from __future__ import annotations

import contextlib

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from regviz.settings import LAMBDA_GRID
from tests.conftest import IDLE, free_port, lam_readout, open_view_label, start_app, stop_app
from tests.test_browser_app import (
    CHART,
    lam_slider,
    lam_text,
    open_page,
    query,
    wait_for_param,
)

APP = "[data-testid=stApp]"
STATE = "data-test-connection-state"


def restart(page, process, port):
    """Stop the server under ``page`` and start it again on ``port``; return the new process
    once the page has reconnected and settled.

    The page notices the lost connection and keeps asking for the server; once it is back the
    page reconnects to a new session and keeps what it showed. The next move runs on the new
    server, which rebuilds every setting from the URL and the widgets. If the page reruns on
    reconnecting, a key pressed during that run is lost (as it would be for a student), so let
    it finish first.
    """
    stop_app(process)
    page.wait_for_selector(f"{APP}:not([{STATE}=CONNECTED])", timeout=30_000)
    process, _ = start_app(port=port)
    page.wait_for_selector(f"{APP}[{STATE}=CONNECTED]", timeout=60_000)
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_selector(f"{APP}[data-test-script-state=running]", timeout=10_000)
    page.wait_for_selector(IDLE, timeout=60_000)
    return process


@pytest.mark.browser
def test_the_page_survives_a_server_restart(page):
    port = free_port()
    process, url = start_app(port=port)
    try:
        open_page(page, f"{url}/?degree=5&basis=legendre&view=Cross-validation")
        lam_slider(page).focus()
        for _ in range(3):
            page.keyboard.press("End" if _ == 0 else "ArrowLeft")
        wait_for_param(page, "lam", "6309.57")
        before = query(page)

        process = restart(page, process, port)
        assert query(page) == before
        # The slider answers again once the page has settled on the new session (seconds on a
        # loaded machine): press until the address moves, as a student would. On a slow machine
        # two presses may both land: any step to the left is a live session.
        moved = "old => new URLSearchParams(location.search).get('lam') !== old"
        for _ in range(12):
            lam_slider(page).focus()
            page.keyboard.press("ArrowLeft")
            with contextlib.suppress(PlaywrightTimeout):
                page.wait_for_function(moved, arg=before["lam"], timeout=5_000)
                break
        page.wait_for_function(moved, arg=before["lam"], timeout=30_000)
        page.wait_for_selector(IDLE, timeout=60_000)
        page.wait_for_function(
            f"document.querySelectorAll('{CHART} svg').length >= 2", timeout=60_000
        )
        after = query(page)
        lam = float(after.pop("lam"))
        assert lam < float(before.pop("lam"))
        assert after == before  # every other setting survived the restart
        shown = min(LAMBDA_GRID, key=lambda value: abs(value - lam))
        assert lam_readout(page, lam_text(shown)) == lam_text(shown)
        degree = page.get_by_test_id("stSlider").filter(has_text="Polynomial degree")
        assert degree.get_by_test_id("stSliderThumbValue").inner_text().strip() == "5"
        assert open_view_label(page) == "Cross-validation"
        assert page.get_by_test_id("stException").count() == 0
    finally:
        stop_app(process)
