"""Early stopping: the ridge λ each step of gradient descent matches, and one step's fit."""

from __future__ import annotations

import altair as alt
import pandas as pd

from regviz.charts.common import LAM_AXIS, LAM_SCALE, SERIES


def early_stopping_chart(matches, rule_of_thumb, step, height=300):
    """Which ridge λ the gradient-descent iterate is nearest to, against the step (log axes),
    beside the rule of thumb λ = 1/(2ηt) (dashed)."""
    x = alt.X("step:Q", scale=alt.Scale(type="log"), title="step t")
    y = alt.Y("position:Q", axis=LAM_AXIS, scale=LAM_SCALE)
    tooltip = [
        "step:Q",
        alt.Tooltip("lam:Q", title="nearest ridge λ", format=".2e"),
        alt.Tooltip("relative_distance:Q", title="relative distance", format=".2e"),
    ]
    line = (
        alt.Chart(matches)
        .mark_line(
            color=SERIES["gradient descent"],
            point=alt.OverlayMarkDef(color=SERIES["gradient descent"], size=20),
        )
        .encode(x, y, tooltip=tooltip)
    )
    thumb = (
        alt.Chart(rule_of_thumb[rule_of_thumb["position"] >= LAM_SCALE.domain[0]])
        .mark_line(color="#444", strokeDash=[5, 4], strokeWidth=1.5, clip=True)
        .encode(x, y, tooltip=[alt.Tooltip("lam:Q", title="1/(2ηt)", format=".2e")])
    )
    rule = alt.Chart(pd.DataFrame({"step": [max(step, 1)]})).mark_rule(color="#444").encode(x)
    return alt.layer(line, thumb, rule).properties(height=height)


def early_stopping_fit_chart(curves, points, domain, height=300):
    """Gradient descent's fit at step t beside the ridge fit at the λ it is nearest to."""
    x = alt.X("x:Q", title="x")
    y = alt.Y("y:Q", title="y", scale=alt.Scale(domain=list(domain), nice=False))
    series = list(dict.fromkeys(curves["series"]))
    colour = alt.Color(
        "series:N",
        scale=alt.Scale(
            domain=[*series, "training points"],
            range=[SERIES["gradient descent"], SERIES["closed form"], SERIES["training points"]],
        ),
        legend=alt.Legend(title=None, orient="bottom", columns=2, labelLimit=260),
    )
    dash = alt.StrokeDash(
        "series:N", scale=alt.Scale(domain=series, range=[[1, 0], [5, 3]]), legend=None
    )
    lines = alt.Chart(curves).mark_line(strokeWidth=2.5, clip=True).encode(x, y, colour, dash)
    dots = (
        alt.Chart(points.assign(series="training points"))
        .mark_circle(size=60, clip=True)
        .encode(x, y, colour)
    )
    return alt.layer(lines, dots).properties(height=height)
