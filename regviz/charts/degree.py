"""Train and test error against the polynomial degree (Bishop's Figure 1.5)."""

from __future__ import annotations

import altair as alt
import pandas as pd


def degree_chart(frame, y_max, degree, height=340):
    """Train and test RMSE against the degree, at the current λ and at λ = 0 (Bishop's Figure
    1.5), the current degree marked."""
    x = alt.X("degree:Q", title="degree M", scale=alt.Scale(domain=[0, frame.degree.max()]))
    y = alt.Y("rmse:Q", title="RMSE", scale=alt.Scale(domain=[0, y_max], nice=False))
    colour = alt.Color(
        "set:N",
        scale=alt.Scale(domain=["train", "test"], range=["#1f77b4", "#d62728"]),
        legend=alt.Legend(title=None, orient="bottom"),
    )
    dash = alt.StrokeDash(
        "lam_label:N",
        scale=alt.Scale(domain=["current λ", "λ = 0"], range=[[1, 0], [5, 3]]),
        legend=alt.Legend(title=None, orient="bottom"),
    )
    tooltip = ["degree:Q", "set:N", "lam_label:N", alt.Tooltip("rmse:Q", format=".4f")]
    lines = (
        alt.Chart(frame)
        .mark_line(point=True, clip=True)
        .encode(x, y, colour, dash, tooltip=tooltip)
    )
    rule = alt.Chart(pd.DataFrame({"degree": [degree]})).mark_rule(color="#444").encode(x)
    return alt.layer(lines, rule).properties(height=height)
