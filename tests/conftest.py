"""Shared fixtures: the real app served on a free port, and headless system Chromium."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"


def _chromium_path():
    for candidate in (
        os.environ.get("REGVIZ_CHROMIUM"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
    ):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under CI=true a skipped browser test is a failure: CI must not pass on what it never ran."""
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("CI") == "true" and report.skipped and item.get_closest_marker("browser"):
        report.outcome = "failed"
        report.longrepr = f"browser test skipped under CI=true: {report.longrepr}"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_app(script="app.py", port=None, timeout=60.0, options=()):
    """Start ``streamlit run script`` on a free port; return (process, base URL) once healthy.

    ``options``: more command-line options, e.g. ``("--server.disconnectedSessionTTL", "2")``.
    """
    port = port or free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            script,
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
            *options,
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited early:\n{process.stdout.read()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return process, url
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("streamlit did not become healthy in time")


def stop_app(process):
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="session")
def app_url():
    process, url = start_app()
    yield url
    stop_app(process)


@pytest.fixture(scope="session")
def browser():
    executable = _chromium_path()
    if executable is None:
        pytest.skip("no system Chromium (apt-get install -y chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    yield page
    context.close()


def wait_for_rerun(page, timeout=30_000):
    """Wait until the script has run (again): first for it to start, if it has not finished
    already, then for ``notRunning``."""
    # The rerun may have started and finished already: then "running" is never seen.
    with contextlib.suppress(Exception):
        page.wait_for_selector("[data-testid=stApp][data-test-script-state=running]", timeout=1_500)
    page.wait_for_selector(IDLE, timeout=timeout)


def view_buttons(page):
    """The views' buttons (a radio group, "More views")."""
    return page.get_by_role("radiogroup", name="More views").get_by_role("radio")


def open_view_label(page):
    """The label of the open view (its button is the checked one)."""
    checked = page.get_by_role("radiogroup", name="More views").get_by_role("radio", checked=True)
    assert checked.count() == 1
    return checked.inner_text().strip()


LAM_VALUE = ".st-key-lam #lam-value"


def lam_readout(page, expected=None, timeout=15.0):
    """What the λ control shows beside its slider, whitespace collapsed.

    The control's script fills the readout when it mounts, which can be a moment after the
    page reports the run finished (and after a reload, a moment more before it has the link's
    λ). So wait until it shows something, or ``expected`` if given; on timeout the last read is
    returned and the caller's assertion fails with it."""
    deadline = time.monotonic() + timeout
    while True:
        text = " ".join(page.locator(LAM_VALUE).inner_text().split())
        if text and (expected is None or text == expected):
            return text
        if time.monotonic() > deadline:
            return text
        page.wait_for_timeout(50)
