"""Train and test error against the polynomial degree (Bishop's Figure 1.5)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from regviz.charts.common import TEXT, legend, look_scales, series_scale, styled

SETS = ["train", "test"]
LAM_LABELS = ["current λ", "λ = 0"]


def degree_description(frame, degree, lam=None):
    """The least test error at each λ drawn (and at which degree), the current degree."""
    at = "" if lam is None else f" (λ = {lam:.3g})"
    parts = [f"Train and test RMSE against the degree M at the current λ{at} and at λ = 0."]
    for label in LAM_LABELS:
        test = frame[(frame["set"] == "test") & (frame["lam_label"] == label)]
        if len(test):
            best = test.loc[test["rmse"].idxmin()]
            where = "the current λ" if label == "current λ" else label
            parts.append(
                f"At {where} the test RMSE is least ({best.rmse:.3g}) at degree {int(best.degree)}."
            )
    parts.append(f"The current degree, {int(degree)}, is marked.")
    return " ".join(parts)


def degree_chart(frame, y_max, degree, height=340, lam=None, description=None):
    """Train and test RMSE against the degree, at the current λ and at λ = 0 (Bishop's Figure
    1.5), the current degree marked. Colour tells train from test; the stroke and the point's
    shape tell the current λ (solid, filled circles) from λ = 0 (dashed, open squares)."""
    x = alt.X("degree:Q", title="degree M", scale=alt.Scale(domain=[0, frame.degree.max()]))
    y = alt.Y("rmse:Q", title="RMSE", scale=alt.Scale(domain=[0, y_max], nice=False))
    sets = [name for name in SETS if name in set(frame["set"])] or SETS
    colour, _, _ = look_scales(sets, field="set", legend=legend(sets, symbolType="stroke"))
    labels = [label for label in LAM_LABELS if label in set(frame["lam_label"])] or LAM_LABELS
    lam_legend = alt.Legend(
        title=None, orient="bottom", symbolStrokeColor=TEXT, symbolStrokeWidth=2, symbolSize=120
    )
    _, dash, shape = look_scales(labels, field="lam_label", legend=lam_legend)
    # Filled circles at the current λ, open squares (white inside) at λ = 0.
    fill = alt.condition(
        alt.datum.lam_label == "λ = 0",
        alt.value("white"),
        alt.Fill("set:N", scale=series_scale(sets), legend=None),
    )
    tooltip = ["degree:Q", "set:N", "lam_label:N", alt.Tooltip("rmse:Q", format=".4f")]
    lines = (
        alt.Chart(frame)
        .mark_line(clip=True, strokeWidth=2.5)
        .encode(x, y, colour, dash, alt.Detail("lam_label:N"), tooltip=tooltip)
    )
    points = (
        alt.Chart(frame)
        .mark_point(clip=True, size=70, strokeWidth=2, opacity=1)
        .encode(x, y, colour, shape, fill, tooltip=tooltip)
    )
    rule = (
        alt.Chart(pd.DataFrame({"degree": [degree]})).mark_rule(color=TEXT, strokeWidth=2).encode(x)
    )
    chart = alt.layer(lines, points, rule).properties(height=height)
    if description is None:
        description = degree_description(frame, degree, lam)
    return styled(chart, description)
