"""The page runs and serves its chart."""

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT, wait_for_rerun


def test_app_runs_without_exception():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert at.title[0].value.startswith("Why L2")


@pytest.mark.browser
def test_page_serves_a_chart(page, app_url):
    page.goto(app_url)
    wait_for_rerun(page)
    page.wait_for_selector("[data-testid=stVegaLiteChart]", timeout=30_000)
