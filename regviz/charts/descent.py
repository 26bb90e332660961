"""A gradient-descent run: its progress against the step at the current λ (following the λ
control and the film in the browser), and its step size against the stability limit."""

from __future__ import annotations

import altair as alt

from regviz.charts.common import LAM_PARAM, SERIES, film_key_expr, lam_param, step_param

FILM_PROGRESS = "film_progress"


def progress_chart(quantity, title, n_steps, lam_index=0, height=260):
    """One quantity of the run at the current λ against the step, log-log, the film's step
    marked. ``quantity`` is a column of :data:`FILM_PROGRESS`: "gap" (J − J*) or "distance"
    (‖θ − θ*‖); exact zeros (a run that hit the optimum) are left off the log axis."""
    lam = lam_param(lam_index)
    step = step_param(n_steps - 1, n_steps)
    colour = SERIES["gradient descent"]
    x = alt.X("step:Q", scale=alt.Scale(type="log"), title="step")
    y = alt.Y(f"{quantity}:Q", scale=alt.Scale(type="log"), title=title)
    tooltip = [alt.Tooltip("step:Q", format=","), alt.Tooltip(f"{quantity}:Q", format=".3e")]
    shown = alt.Chart(alt.NamedData(name=FILM_PROGRESS)).transform_filter(
        f"datum.{LAM_PARAM} == {LAM_PARAM} && !datum.held && datum.step >= 1 "
        f"&& datum.{quantity} > 0"
    )
    line = shown.mark_line(color=colour, strokeWidth=2).encode(x, y)
    points = shown.mark_circle(color=colour, size=24).encode(x, y, tooltip=tooltip)
    now = (
        shown.transform_filter(f"datum.key == {film_key_expr(n_steps)}")
        .mark_point(color="#222", size=160, strokeWidth=2)
        .encode(x, y, tooltip=tooltip)
    )
    return alt.layer(line, points, now).add_params(lam, step).properties(height=height)


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
