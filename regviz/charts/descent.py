"""A gradient-descent run: its progress against the step, its step size against the limit."""

from __future__ import annotations

import altair as alt

from regviz.charts.common import SERIES


def descent_chart(frame, quantity, title, height=260):
    """One quantity of a gradient-descent run against the step, log-log."""
    data = frame[frame["quantity"] == quantity]
    colour = SERIES["gradient descent"]
    x = alt.X("step:Q", scale=alt.Scale(type="log"), title="step")
    y = alt.Y("value:Q", scale=alt.Scale(type="log"), title=title)
    tooltip = ["step:Q", alt.Tooltip("value:Q", format=".3e")]
    line = alt.Chart(data).mark_line(color=colour, strokeWidth=2).encode(x, y)
    points = alt.Chart(data).mark_circle(color=colour, size=14).encode(x, y, tooltip=tooltip)
    return alt.layer(line, points).properties(height=height)


def step_size_chart(step_multiple, limit_multiple, height=80):
    """The step size η·L as a bar against the stability limit (a red rule), both in units of 1/L.

    Parameters
    ----------
    step_multiple : float
        η·L.
    limit_multiple : float
        The optimizer's stability limit times L (2 for plain gradient descent); finite.
    """
    top = max(4.2, 1.05 * step_multiple, 1.05 * limit_multiple)
    stable = step_multiple < limit_multiple
    bar = (
        alt.Chart(alt.Data(values=[{"what": "η·L", "value": step_multiple}]))
        .mark_bar(color="#1f77b4" if stable else "#d62728", height=22)
        .encode(
            alt.X("value:Q", title="step size × L", scale=alt.Scale(domain=[0, top], nice=False)),
            alt.Y("what:N", title=None),
            tooltip=[alt.Tooltip("value:Q", title="η·L", format=".3g")],
        )
    )
    limit = (
        alt.Chart(alt.Data(values=[{"value": limit_multiple, "label": "stability limit"}]))
        .mark_rule(color="#d62728", strokeWidth=3)
        .encode(alt.X("value:Q"), tooltip=[alt.Tooltip("value:Q", title="limit", format=".3g")])
    )
    label = limit.mark_text(align="left", dx=4, dy=-14, color="#d62728").encode(text="label:N")
    return alt.layer(bar, limit, label).properties(height=height)
