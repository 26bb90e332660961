"""A gradient-descent run: its progress against the step at the current λ (following the λ
control and the film in the browser), and its step size against the stability limit."""

from __future__ import annotations

import altair as alt

from regviz.charts import common

FILM_PROGRESS = "film_progress"


def progress_chart(quantity, title, n_steps, lam_index=0, height=260, description=None):
    """One quantity of the run at the current λ against the step, log-log, the film's step
    marked. ``quantity`` is a column of :data:`FILM_PROGRESS`: "gap" (J − J*) or "distance"
    (‖θ − θ*‖); exact zeros (a run that hit the optimum) are left off the log axis."""
    lam = common.lam_param(lam_index)
    step = common.step_param(n_steps - 1, n_steps)
    look = common.LOOKS["gradient descent"]
    x = alt.X("step:Q", scale=alt.Scale(type="log"), title="step")
    y = alt.Y(f"{quantity}:Q", scale=alt.Scale(type="log"), title=title)
    tooltip = [alt.Tooltip("step:Q", format=","), alt.Tooltip(f"{quantity}:Q", format=".3e")]
    shown = alt.Chart(alt.NamedData(name=FILM_PROGRESS)).transform_filter(
        f"datum.{common.LAM_PARAM} == {common.LAM_PARAM} && !datum.held && datum.step >= 1 "
        f"&& datum.{quantity} > 0"
    )
    line = shown.mark_line(
        color=look.colour, strokeWidth=common.LINE_WIDTH, strokeDash=list(look.dash)
    ).encode(x, y)
    points = shown.mark_circle(color=look.colour, size=30).encode(x, y, tooltip=tooltip)
    now = (
        shown.transform_filter(f"datum.key == {common.film_key_expr(n_steps)}")
        .mark_point(color=common.TEXT, size=160, strokeWidth=2)
        .encode(x, y, tooltip=tooltip)
    )
    chart = alt.layer(line, points, now).add_params(lam, step).properties(height=height)
    if description is None:
        description = (
            f"Gradient descent's {title} against the step, both axes logarithmic, at the current "
            "λ; a ring marks the film's step."
        )
    return common.styled(chart, description)


def step_size_chart(step_multiple, limit_multiple, height=60):
    """The step size η·L as a bar against the stability limit (a rule across the plot, its label
    above the plot, clear of the bar), both in units of 1/L.

    Parameters
    ----------
    step_multiple : float
        η·L.
    limit_multiple : float
        The optimizer's stability limit times L (2 for plain gradient descent); finite.
    """
    top = max(4.2, 1.05 * step_multiple, 1.05 * limit_multiple)
    stable = step_multiple < limit_multiple
    warning = common.text_colour(common.LOOKS["gradient descent"].colour)
    x = alt.X("value:Q", title="step size × L", scale=alt.Scale(domain=[0, top], nice=False))
    bar = (
        alt.Chart(alt.Data(values=[{"what": "η·L", "value": step_multiple}]))
        .mark_bar(color="#5a5a5a" if stable else warning, height=24)
        .encode(
            x,
            alt.Y("what:N", title=None),
            tooltip=[alt.Tooltip("value:Q", title="η·L", format=".3g")],
        )
    )
    limit_data = alt.Data(
        values=[{"value": limit_multiple, "label": f"stability limit {limit_multiple:.3g}"}]
    )
    # The rule spans the plot from top to bottom whatever the bar's band scale does.
    limit = (
        alt.Chart(limit_data)
        .mark_rule(
            color=common.TEXT, strokeWidth=3, strokeDash=[6, 3], description="stability limit"
        )
        .encode(
            x,
            y=alt.value(0),
            y2=alt.YValue(alt.ExprRef("height")),
            tooltip=[alt.Tooltip("value:Q", title="limit", format=".3g")],
        )
    )
    left = limit_multiple < 0.6 * top
    label = (
        alt.Chart(limit_data)
        .mark_text(align="left" if left else "right", dx=6 if left else -6, baseline="top")
        .encode(x, y=alt.value(2), text="label:N")
    )
    # "fit-x": the width follows the page, the height is the plot's own (under Streamlit's
    # "fit" the axis took all of a short chart's height and the rule had none).
    chart = alt.layer(bar, limit, label).properties(
        height=height, autosize=alt.AutoSizeParams(type="fit-x", contains="padding")
    )
    where = "below" if stable else "past"
    description = (
        f"The step size η·L = {step_multiple:.3g} (a bar) against the stability limit "
        f"{limit_multiple:.3g} (a dashed rule), in units of 1/L: the step is {where} the limit."
    )
    return common.styled(chart, description)
