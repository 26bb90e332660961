"""The λ control and the descent film: a Streamlit custom component (v2) that drives every chart
in the browser and tells the server λ when the hand stops (``lambda_control.js``).

Its key is ``lam`` (the element that holds it has the class ``st-key-lam``). The session's λ
lives in ``st.session_state["_lam"]`` (:mod:`regviz.page.url`); the component's trigger
``moved`` sets it, and the component follows it when the server changes it (a preset, a
button, a link).
"""

from __future__ import annotations

import math
from pathlib import Path

import streamlit as st

from regviz.compute.common import lambda_position
from regviz.settings import LAMBDA_GRID, LAMBDA_MIN_EXP, LAMBDA_PER_DECADE, snap_lambda

_HERE = Path(__file__).resolve().parent
KEY = "lam"
STATE = "_lam"  # the session's λ (a value of LAMBDA_GRID)

_HTML = """
<div class="lam-control">
  <div class="lam-row">
    <label for="lam" id="lam-label">λ, the weight of the penalty</label>
    <output id="lam-value" for="lam" aria-live="off"></output>
  </div>
  <input id="lam" type="range" min="0" max="161" step="1" value="0" aria-labelledby="lam-label">
  <div class="film">
    <button id="play" type="button" aria-pressed="false">▶ Play descent</button>
    <input id="step" type="range" min="0" max="0" step="1" value="0"
           aria-label="Step of gradient descent shown">
    <output id="step-value" for="step"></output>
  </div>
</div>
"""

_CONTROL = st.components.v2.component(
    "regviz_lambda_control",
    html=_HTML,
    css=(_HERE / "lambda_control.css").read_text(encoding="utf-8"),
    js=(_HERE / "lambda_control.js").read_text(encoding="utf-8"),
)

# The server's λ, apart from the control: the control's message then stays the same when λ
# moves (Streamlit sends a reference to it instead of its 12 kB of code), and this one is tiny.
# It also brings the views into sight when a preset or a tour step opens one (``scroll``: a
# count that grows each time; the views are drawn after it, so it waits for them a moment).
_VALUE = st.components.v2.component(
    "regviz_lambda_value",
    js="""
export default function ({ data }) {
  const shared = (window.__regvizLambda ??= { state: null, server: null, scrolled: 0 });
  shared.server = data.value;
  shared.receive?.(data.value);
  if (data.scroll && data.scroll !== shared.scrolled) {
    shared.scrolled = data.scroll;
    let tries = 0;
    const bring = () => {
      const views = document.querySelector(".st-key-views");
      if (views) views.scrollIntoView({ behavior: "smooth", block: "start" });
      else if (++tries < 40) setTimeout(bring, 50);
    };
    setTimeout(bring, 50);
  }
}
""",
)
SCROLL = "_scroll_to_views"  # the count of requests to bring the views into sight


def show_views():
    """Bring the views into sight on the next run (a preset or a tour step that opens one)."""
    st.session_state[SCROLL] = st.session_state.get(SCROLL, 0) + 1


#: The charts' bound inputs are driven by the control, never shown.
HIDDEN_BINDINGS = (
    "<style>.vega-bindings{display:none !important}"
    ".st-key-lam-errors svg{touch-action:pan-y;cursor:ew-resize}</style>"
)


def _axis():
    positions = lambda_position(LAMBDA_GRID)
    first = float(positions[1])
    return {
        "zero": float(positions[0]),
        "first": first,
        "slope": (float(positions[-1]) - first) / (len(positions) - 2),
    }


_STATIC = {
    "count": len(LAMBDA_GRID),
    "grid": {"min_exp": LAMBDA_MIN_EXP, "per_decade": LAMBDA_PER_DECADE},
    "axis": _axis(),
}


def set_lambda(lam):
    """Set the session's λ from the server (a button, in its callback); the control follows."""
    st.session_state[STATE] = snap_lambda(lam)


def grid_index(value):
    """``value`` (from the browser: untrusted) as an index into the λ grid, or None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not math.isfinite(value) or value != int(value) or not 0 <= value < len(LAMBDA_GRID):
        return None
    return int(value)


def _on_moved():
    """The control's λ reached the server: keep it, if it is a λ of the grid."""
    index = grid_index((st.session_state.get(KEY) or {}).get("moved"))
    if index is not None:
        st.session_state[STATE] = LAMBDA_GRID[index]


def render(lam, steps, start):
    """Draw the control with a film over ``steps`` (the run's checkpoint steps), and tell it the
    session's λ ``lam``. ``start``: the λ index the charts start at (constant while they live).
    The page draws :data:`HIDDEN_BINDINGS` once per full run, before it."""
    data = {**_STATIC, "start": int(start), "steps": [int(s) for s in steps]}
    result = _CONTROL(key=KEY, data=data, on_moved_change=_on_moved)
    # A move that reached the server without its callback: the session's state was emptied
    # under a live page (a client's "Clear cache" forgets the widgets and their callbacks), and
    # this run read λ from the address. Keep the move, and run again with it.
    index = grid_index(getattr(result, "moved", None))
    if index is not None and st.session_state.get(STATE) != LAMBDA_GRID[index]:
        st.session_state[STATE] = LAMBDA_GRID[index]
        st.rerun()
    _VALUE(
        key="lam-value",
        data={"value": LAMBDA_GRID.index(lam), "scroll": st.session_state.get(SCROLL, 0)},
    )
