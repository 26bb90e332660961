"""Early stopping: the ridge λ each step of gradient descent matches, and one step's fit."""

from __future__ import annotations

import altair as alt
import pandas as pd

from regviz.charts.common import (
    LAM_AXIS,
    LAM_DOMAIN,
    LAM_SCALE,
    LINE_WIDTH,
    LOOKS,
    MARK,
    TEXT,
    legend,
    look_scales,
    styled,
)
from regviz.text import format_value


def early_stopping_chart(matches, rule_of_thumb, step, height=300, description=None):
    """Which ridge λ the gradient-descent iterate is nearest to, against the step (log axes),
    beside the rule of thumb λ = 1/(2ηt) (dashed)."""
    x = alt.X("step:Q", scale=alt.Scale(type="log"), title="step t")
    y = alt.Y("position:Q", axis=LAM_AXIS, scale=LAM_SCALE)
    tooltip = [
        "step:Q",
        alt.Tooltip("lam:Q", title="nearest ridge λ", format=".2e"),
        alt.Tooltip("relative_distance:Q", title="relative distance", format=".2e"),
    ]
    descent = LOOKS["gradient descent"].colour
    line = (
        alt.Chart(matches)
        .mark_line(
            color=descent,
            strokeWidth=LINE_WIDTH,
            point=alt.OverlayMarkDef(color=descent, size=30),
        )
        .encode(x, y, tooltip=tooltip)
    )
    thumb = (
        alt.Chart(rule_of_thumb[rule_of_thumb["position"] >= LAM_DOMAIN[0]])
        .mark_line(color=MARK, strokeDash=[5, 4], strokeWidth=2, clip=True)
        .encode(x, y, tooltip=[alt.Tooltip("lam:Q", title="1/(2ηt)", format=".2e")])
    )
    rule = (
        alt.Chart(pd.DataFrame({"step": [max(step, 1)]}))
        .mark_rule(color=TEXT, strokeWidth=2)
        .encode(x)
    )
    chart = alt.layer(line, thumb, rule).properties(height=height)
    if description is None:
        description = (
            "The ridge λ nearest to gradient descent's iterate (vermillion) against the step t, "
            "beside the rule of thumb λ = 1/(2ηt) (grey, dashed), both axes logarithmic."
        )
        at = matches[matches["step"] == step]
        if len(at):
            description += (
                f" At step {int(step):,} (marked) the nearest ridge λ is "
                f"{format_value(at['lam'].iloc[0])}."
            )
    return styled(chart, description)


def early_stopping_fit_chart(curves, points, domain, height=300, description=None):
    """Gradient descent's fit at step t beside the ridge fit at the λ it is nearest to."""
    x = alt.X("x:Q", title="x")
    y = alt.Y("y:Q", title="y", scale=alt.Scale(domain=list(domain), nice=False))
    series = list(dict.fromkeys(curves["series"]))
    names = [*series, "training points"]
    colour, dash, shape = look_scales(names, legend=legend(names, columns=2))
    lines = (
        alt.Chart(curves).mark_line(strokeWidth=LINE_WIDTH, clip=True).encode(x, y, colour, dash)
    )
    dots = (
        alt.Chart(points.assign(series="training points"))
        .mark_point(size=70, filled=True, opacity=1, clip=True)
        .encode(x, y, colour, shape)
    )
    chart = alt.layer(lines, dots).properties(height=height)
    if description is None:
        ends = []
        for name, rows in curves.groupby("series", sort=False):
            ends.append(f"{name} ({rows['y'].min():.3g} to {rows['y'].max():.3g})")
        description = f"Two fits over {len(points)} training points: " + " and ".join(ends) + "."
    return styled(chart, description)
