"""How long an upload lives (headless Chromium against a real server): its file is released
when its session ends, and after a server restart the page asks for it again instead of
pretending to hold it."""

from __future__ import annotations

import re
import time
import urllib.request

import pytest

from tests.conftest import free_port, start_app, stop_app, wait_for_rerun
from tests.test_browser_app import CHART
from tests.test_browser_restart import restart
from tests.test_browser_upload import choose_file, good_csv

APP = "[data-testid=stApp]"
STATE = "data-test-connection-state"
CHIP = "[data-testid=stFileChip]"


def upload_bytes(url):
    """What Streamlit's /_stcore/metrics counts as uploaded bytes (0 when it lists none)."""
    with urllib.request.urlopen(f"{url}/_stcore/metrics", timeout=10) as response:
        text = response.read().decode()
    found = re.findall(r'cache_memory_bytes\{cache_type="UploadedFileManager"[^}]*\}\s+(\d+)', text)
    return sum(int(value) for value in found)


@pytest.mark.browser
def test_an_ended_sessions_file_is_released(browser):
    """Streamlit 1.67 drops a disconnected session from its reconnect store without releasing
    its files (regviz.page.housekeeping works around it): upload, close the tab, wait past
    server.disconnectedSessionTTL (2 s here), and the next run of any upload page frees them."""
    process, url = start_app(options=("--server.disconnectedSessionTTL", "2"))
    try:
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"{url}/?dataset=upload")
        wait_for_rerun(page)
        choose_file(page, "class.csv", good_csv())
        page.wait_for_selector(f"{CHART} svg", timeout=30_000)
        assert upload_bytes(url) == len(good_csv())
        context.close()  # the student closes the tab
        time.sleep(4)  # past the reconnect window
        other = browser.new_context().new_page()
        other.goto(f"{url}/?dataset=upload")
        wait_for_rerun(other)
        deadline = time.monotonic() + 20
        while upload_bytes(url) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert upload_bytes(url) == 0
        other.context.close()
    finally:
        stop_app(process)


@pytest.mark.browser
def test_after_a_restart_the_page_asks_for_the_file_again(page):
    """After a server restart the first action runs on a new session, which holds no file: the
    page says so, draws no fit from the old data, and the uploader no longer lists the file."""
    port = free_port()
    process, url = start_app(port=port)
    try:
        page.goto(f"{url}/?dataset=upload")
        wait_for_rerun(page)
        choose_file(page, "class.csv", good_csv())
        page.wait_for_selector(f"{CHART} svg", timeout=30_000)
        assert page.locator(CHIP).count() == 1
        process = restart(page, process, port)
        # The student's next action (here: the degree) runs on the new server.
        page.get_by_role("slider", name="Polynomial degree").focus()
        page.keyboard.press("ArrowLeft")
        wait_for_rerun(page)
        page.get_by_text("upload it again").wait_for(timeout=30_000)
        assert page.locator(CHART).count() == 0
        assert page.locator(CHIP).count() == 0
        assert page.get_by_test_id("stException").count() == 0
        # Uploading it again works.
        choose_file(page, "class.csv", good_csv())
        page.wait_for_selector(f"{CHART} svg", timeout=30_000)
    finally:
        stop_app(process)
