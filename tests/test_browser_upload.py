"""Uploads in the real page (headless Chromium): a bad file, a good one, then a real dataset."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import wait_for_rerun
from tests.test_browser_app import CHART, fit_chart, open_page, query, settled_lines

UPLOAD_INPUT = "[data-testid=stFileUploader] input[type=file]"


def choose_file(page, name, content, mime="text/csv"):
    page.locator(UPLOAD_INPUT).set_input_files({"name": name, "mimeType": mime, "buffer": content})
    wait_for_rerun(page)


def good_csv():
    x = np.linspace(0.0, 10.0, 40)
    lines = ["zeit;höhe (m);note"]  # semicolons, decimal commas, a text column: a spreadsheet
    lines += [f"{a:.3f};{np.sin(a):.4f};p{k}".replace(".", ",") for k, a in enumerate(x)]
    lines.insert(5, "1,5;;missing")  # one row with a missing value
    return ("\n".join(lines) + "\n").encode("utf-8-sig")


@pytest.mark.browser
def test_a_bad_upload_is_explained_and_a_good_one_is_fitted(page, app_url):
    page.goto(f"{app_url}/?dataset=upload")
    wait_for_rerun(page)
    assert page.get_by_text("Choose a CSV file in the sidebar").count() == 1

    choose_file(page, "holiday.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "image/png")
    page.get_by_text("This file could not be used").wait_for(timeout=20_000)
    assert page.get_by_test_id("stException").count() == 0
    assert page.locator(CHART).count() == 0

    choose_file(page, "class.csv", good_csv())
    page.wait_for_selector(f"{CHART} svg", timeout=30_000)
    assert page.get_by_test_id("stException").count() == 0
    assert page.get_by_text("This file could not be used").count() == 0
    assert page.get_by_role("combobox", name="x column", exact=True).input_value() == "zeit"
    assert page.get_by_role("combobox", name="y column", exact=True).input_value() == "höhe (m)"
    summary = page.get_by_text("rows used")
    assert "40 rows used, 1 of 41 dropped" in " ".join(summary.inner_text().split())
    lines = settled_lines(fit_chart(page))
    assert lines is not None
    assert {"closed form", "gradient descent"} <= set(lines)
    assert query(page)["dataset"] == "upload"

    # The page keeps working: a bundled dataset after the upload.
    open_page(page, f"{app_url}/?dataset=motorcycle")
    assert page.get_by_text("Motorcycle crash test").count() >= 1
    assert page.get_by_test_id("stException").count() == 0


@pytest.mark.browser
def test_one_students_upload_is_invisible_to_another(browser, app_url):
    """Two students on the same server: the second sees neither the first's file nor its fit,
    even when opening the same link at the same time."""
    first = browser.new_context(viewport={"width": 1280, "height": 900})
    second = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        mine, theirs = first.new_page(), second.new_page()
        mine.goto(f"{app_url}/?dataset=upload")
        wait_for_rerun(mine)
        choose_file(mine, "secret-marks.csv", good_csv())
        mine.wait_for_selector(f"{CHART} svg", timeout=30_000)
        assert mine.get_by_text("secret-marks.csv").count() >= 1

        theirs.goto(f"{app_url}/?dataset=upload")
        wait_for_rerun(theirs)
        assert theirs.get_by_text("Choose a CSV file in the sidebar").count() == 1
        assert theirs.locator(CHART).count() == 0
        text = theirs.locator("body").inner_text()
        assert "secret-marks" not in text
        assert "zeit" not in text
    finally:
        first.close()
        second.close()


HOSTILE_HEADERS = (
    "![s](http://127.0.0.2:9/beacon.png?leak=1)",
    "[click me](https://example.invalid/)",
    "<img src=http://127.0.0.3:9/x.png onerror=alert(1)>",
    r"$\frac{a}{b}$",
    "**bold** _it_ `code`",
)


def hostile_csv():
    """Five columns named with Markdown, HTML and LaTeX: the first holds a number beyond 1e100
    (so the page says it cannot be fitted, naming the column), the last is text (so the summary
    lists it as not offered, naming it)."""
    rows = [",".join(f'"{h}"' for h in HOSTILE_HEADERS)]
    for k in range(12):
        first = "1e200" if k == 3 else str(k)
        rows.append(f"{first},{k % 5},{k * 2},{k * k},word{k}")
    return ("\n".join(rows) + "\n").encode()


@pytest.mark.browser
def test_text_from_a_file_creates_nothing_and_fetches_nothing(page, app_url):
    """Column names and a file name made of Markdown images, links, HTML and LaTeX, on every
    path that names them: the "cannot be fitted" warning, the summary's columns not offered,
    the column choice, the file name. No request leaves the page's origin, and no image, link
    or formula is made from them."""
    origin = app_url.rstrip("/")
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{app_url}/?dataset=upload")
    wait_for_rerun(page)
    name = "<b>f</b>![i](http://127.0.0.4:9/name.png).csv"
    choose_file(page, name, hostile_csv())
    page.get_by_text("This cannot be fitted").wait_for(timeout=30_000)
    shown = " ".join(page.locator("[data-testid=stMain]").inner_text().split())
    assert "![s](http://127.0.0.2:9/beacon.png?leak=1)" in shown  # the name, as text
    assert "**bold** _it_ `code`" in shown  # the column not offered, as text
    assert "<b>f</b>![i](http://127.0.0.4:9/name.png).csv" in shown
    # Every hostile column, then a harmless pair: the page fits and still creates nothing.
    page.get_by_role("combobox", name="x column", exact=True).click()
    page.get_by_role("option", name="[click me](https://example.invalid/)", exact=True).click()
    wait_for_rerun(page)
    page.get_by_role("combobox", name="y column", exact=True).click()
    page.get_by_role("option", name=r"$\frac{a}{b}$", exact=True).click()
    wait_for_rerun(page)
    page.wait_for_selector(f"{CHART} svg", timeout=30_000)
    page.wait_for_timeout(1000)
    main = page.locator("[data-testid=stMain], [data-testid=stSidebar]")
    assert main.locator("img[src*='127.0.0']").count() == 0
    assert page.locator("a[href*='example.invalid']").count() == 0
    assert page.locator("[data-testid=stMain] .katex, [data-testid=stSidebar] .katex").count() == 0
    assert page.locator("[data-testid=stMain] b:text('f')").count() == 0
    assert page.get_by_test_id("stException").count() == 0
    # Same-origin blob: URLs are the page's own (workers, downloads); data: URLs are inline.
    leaving = [
        url
        for url in requests
        if not url.removeprefix("blob:").startswith(origin) and not url.startswith("data:")
    ]
    assert leaving == [], leaving
