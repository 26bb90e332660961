"""Bias and variance: K fits at the current λ, and the decomposition against λ."""

from __future__ import annotations

import altair as alt

from regviz.charts import common
from regviz.settings import LAMBDA_GRID
from regviz.text import format_value

FITS = ["one training set's fit", "mean of the fits", "true function"]


def bias_variance_fits_chart(fits, mean, truth, domain, height=340, lam=None, description=None):
    """K fits on resampled training sets at the current λ, their mean and the true function."""
    x = alt.X("x:Q", title="x")
    y = alt.Y("y:Q", title="y", scale=alt.Scale(domain=list(domain), nice=False))
    colour, dash, _ = common.look_scales(FITS, legend=common.legend(FITS, columns=2))
    many = (
        alt.Chart(fits)
        .transform_calculate(series=common.vega_text(FITS[0]))
        .mark_line(strokeWidth=1, opacity=0.6, clip=True)
        .encode(x, y, colour, dash, detail="resample:N")
    )
    average = (
        alt.Chart(mean)
        .transform_calculate(series=common.vega_text(FITS[1]))
        .mark_line(strokeWidth=common.LINE_WIDTH + 0.5, clip=True)
        .encode(x, y, colour, dash)
    )
    true = (
        alt.Chart(truth)
        .transform_calculate(series=common.vega_text(FITS[2]))
        .mark_line(strokeWidth=common.LINE_WIDTH, clip=True)
        .encode(x, y, colour, dash)
    )
    chart = alt.layer(many, average, true).properties(height=height)
    if description is None:
        n = fits["resample"].nunique() if "resample" in fits else 0
        at = "" if lam is None else f" (λ = {format_value(lam)})"
        gap = (mean["y"].to_numpy() - truth["y"].to_numpy()) if len(mean) == len(truth) else None
        bias = "" if gap is None else f" The mean is at most {abs(gap).max():.3g} from the truth."
        description = (
            f"{n} fits, each on its own training set, at the current λ{at}, their mean and the "
            f"true function.{bias}"
        )
    return common.styled(chart, description)


DECOMPOSITION = ["bias²", "variance", "noise", "bias² + variance + noise", "test error"]


def bias_variance_description(decomposition, lam_index):
    """Each quantity at the current λ, and where the test error is least."""
    here = decomposition[decomposition["lam_index"] == lam_index]
    values = ", ".join(f"{row.quantity} {row.value:.3g}" for row in here.itertuples())
    test = decomposition[decomposition["quantity"] == "test error"]
    text = "Squared bias, variance and noise against λ beside the measured test error."
    if values:
        text += f" At the current λ = {format_value(LAMBDA_GRID[int(lam_index)])}: {values}."
    if len(test):
        best = test.loc[test["value"].idxmin()]
        lam = format_value(LAMBDA_GRID[int(best.lam_index)])
        text += f" The test error is least ({best.value:.3g}) at λ = {lam}."
    return text


def bias_variance_chart(decomposition, lam_index, y_max, height=340, description=None):
    """Squared bias, variance, noise and their sum against λ, beside the measured test error
    (Bishop's Figure 3.6)."""
    lam = common.lam_param(lam_index)
    x = common.lambda_x()
    y = alt.Y("value:Q", title="squared error", scale=alt.Scale(domain=[0, y_max], nice=False))
    colour, dash, _ = common.look_scales(
        DECOMPOSITION, field="quantity", legend=common.legend(DECOMPOSITION, columns=3)
    )
    tooltip = ["quantity:N", alt.Tooltip("value:Q", format=".4f")]
    lines = (
        alt.Chart(decomposition)
        .mark_line(strokeWidth=common.LINE_WIDTH, clip=True)
        .encode(x, y, colour, dash, tooltip=tooltip)
    )
    current = (
        alt.Chart(decomposition)
        .transform_filter((alt.datum.lam_index == lam) & (alt.datum.quantity == "noise"))
        .mark_rule(color=common.TEXT, strokeWidth=2, description="current λ")
        .encode(x)
    )
    chart = alt.layer(lines, current).add_params(lam).properties(height=height)
    if description is None:
        description = bias_variance_description(decomposition, lam_index)
    return common.styled(chart, description)
