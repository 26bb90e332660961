"""What a λ move costs the server, counted in what it sends back (issue 12: "a λ move sends no
model data back").

The charts follow λ in the browser; when the hand stops, the λ control's trigger reruns the
page's fragment, which sends the control, what the server says at this λ and the URL. These
tests open the page over Streamlit's websocket (``benchmarks.streamlit_client``), move λ as the
control does, and read the elements the rerun sent: no chart (their specs carry the whole λ
grid and were drawn by the page's full run), the open view's numbers at the new λ, under 10 kB.
"""

from __future__ import annotations

import pytest

from benchmarks.streamlit_client import SyncSession
from regviz.settings import LAMBDA_GRID
from regviz.text import format_value

pytestmark = pytest.mark.slow

TIMEOUT = 120.0
NEW_LAMBDA = 1e-2
#: What each view's λ part draws (at least one element of each kind), and what its full-run
#: part drew that a λ move must not send again.
LAMBDA_PART = {
    "coefficients": ({"dataframe", "markdown"}, set()),  # the weights at λ, their heading
    "descent": ({"metric"}, set()),  # the run at λ: steps, step size, κ, steps needed
    "l2": ({"metric", "table"}, {"latex"}),  # the live check at λ; the formulas stay
    "bishop": (set(), {"dataframe"}),  # nothing of it follows λ
}


def kinds(tab):
    return [kind for kind, _ in tab.last.elements]


@pytest.mark.parametrize("view", sorted(LAMBDA_PART))
def test_a_lambda_move_sends_the_views_numbers_and_no_chart(app_url, view):
    with SyncSession(app_url, f"view={view}", timeout=TIMEOUT) as tab:
        tab.run()  # the page load
        loaded = kinds(tab)
        assert loaded.count("vega_lite_chart") >= 2, loaded  # the fit and the errors
        tab.trigger("lam", "moved", LAMBDA_GRID.index(NEW_LAMBDA))
        moved = kinds(tab)
        assert tab.query_params.get("lam") == f"{NEW_LAMBDA:g}"
        assert "bidi_component" in moved  # the λ control, redrawn by the fragment
        drawn, kept = LAMBDA_PART[view]
        assert drawn <= set(moved), moved
        assert not (kept | {"vega_lite_chart"}) & set(moved), moved
        assert "code" not in moved  # the "Reproduce in Python" panel is closed
        assert tab.last.bytes < 10_000, tab.last.bytes


def test_the_weights_follow_the_move(app_url):
    with SyncSession(app_url, "view=coefficients", timeout=TIMEOUT) as tab:
        tab.run()
        tab.trigger("lam", "moved", LAMBDA_GRID.index(NEW_LAMBDA))
        headings = [proto.body for kind, proto in tab.last.elements if kind == "markdown"]
        expected = f"Weights at λ = {format_value(NEW_LAMBDA)}"
        assert any(expected in body for body in headings), headings
