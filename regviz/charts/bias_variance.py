"""Bias and variance: K fits at the current λ, and the decomposition against λ."""

from __future__ import annotations

import altair as alt

from regviz.charts.common import SERIES, lam_param, lambda_x, vega_text


def bias_variance_fits_chart(fits, mean, truth, domain, height=340):
    """K fits on resampled training sets at the current λ, their mean and the true function."""
    x = alt.X("x:Q", title="x")
    y = alt.Y("y:Q", title="y", scale=alt.Scale(domain=list(domain), nice=False))
    names = ["one training set's fit", "mean of the fits", "true function"]
    colour = alt.Color(
        "series:N",
        scale=alt.Scale(domain=names, range=["#9ecae1", "#1f77b4", SERIES["true function"]]),
        legend=alt.Legend(title=None, orient="bottom"),
    )
    many = (
        alt.Chart(fits)
        .transform_calculate(series=vega_text(names[0]))
        .mark_line(strokeWidth=0.8, opacity=0.5, clip=True)
        .encode(x, y, colour, detail="resample:N")
    )
    average = (
        alt.Chart(mean)
        .transform_calculate(series=vega_text(names[1]))
        .mark_line(strokeWidth=3, clip=True)
        .encode(x, y, colour)
    )
    true = (
        alt.Chart(truth)
        .transform_calculate(series=vega_text(names[2]))
        .mark_line(strokeDash=[6, 4], strokeWidth=2, clip=True)
        .encode(x, y, colour)
    )
    return alt.layer(many, average, true).properties(height=height)


DECOMPOSITION = ["bias²", "variance", "noise", "bias² + variance + noise", "test error"]


def bias_variance_chart(decomposition, lam_index, y_max, height=340):
    """Squared bias, variance, noise and their sum against λ, beside the measured test error
    (Bishop's Figure 3.6)."""
    lam = lam_param(lam_index)
    x = lambda_x()
    y = alt.Y("value:Q", title="squared error", scale=alt.Scale(domain=[0, y_max], nice=False))
    colour = alt.Color(
        "quantity:N",
        scale=alt.Scale(
            domain=DECOMPOSITION, range=["#1f77b4", "#d62728", "#7f7f7f", "#9467bd", "#222222"]
        ),
        legend=alt.Legend(title=None, orient="bottom", columns=3),
    )
    dash = alt.StrokeDash(
        "quantity:N",
        scale=alt.Scale(domain=DECOMPOSITION, range=[[1, 0], [1, 0], [2, 2], [1, 0], [5, 3]]),
        legend=None,
    )
    tooltip = ["quantity:N", alt.Tooltip("value:Q", format=".4f")]
    lines = (
        alt.Chart(decomposition)
        .mark_line(strokeWidth=2, clip=True)
        .encode(x, y, colour, dash, tooltip=tooltip)
    )
    current = (
        alt.Chart(decomposition)
        .transform_filter((alt.datum.lam_index == lam) & (alt.datum.quantity == "noise"))
        .mark_rule(color="#444")
        .encode(x)
    )
    return alt.layer(lines, current).add_params(lam).properties(height=height)
