"""The fit: training and test points, the true function, and both fits at the current λ."""

from __future__ import annotations

import altair as alt

from regviz.charts.common import lam_param, series_color


def fit_chart(
    curves, points, truth, descent_curve, lam_index, domain, x_title="x", y_title="y", height=380
):
    """Training and test points, the true function, and both fits at the current λ.

    Parameters
    ----------
    curves : DataFrame (x, c0, c1, ...)
        Closed-form curves for every λ of the grid, column ``c<k>`` for ``LAMBDA_GRID[k]``
        (:func:`regviz.experiments.curve_column`); the chart draws ``c<lam_index>``.
    points : DataFrame (x, y, series)
        ``series`` is "training points" or "test points".
    truth : DataFrame (x, y) or None
    descent_curve : DataFrame (x, y) or altair.NamedData
    domain : (float, float)
        The y range; curves are clipped to it.
    x_title, y_title : str
        Axis titles (the dataset's columns, with units).
    """
    names = ["training points", "test points"]
    if truth is not None:
        names.append("true function")
    names += ["closed form", "gradient descent"]
    color = series_color(names)
    lam = lam_param(lam_index)
    y = alt.Y("y:Q", title=y_title, scale=alt.Scale(domain=list(domain), nice=False))
    x = alt.X("x:Q", title=x_title, scale=alt.Scale(zero=False))
    # Test points under the curves, training points over them (what the fit bends toward).
    size = 70 if len(points) <= 300 else 25
    tooltip = [alt.Tooltip("x:Q", format=".4g"), alt.Tooltip("y:Q", format=".4g"), "series:N"]

    def scatter(series, opacity):
        return (
            alt.Chart(points[points["series"] == series])
            .mark_circle(size=size, opacity=opacity, clip=True)
            .encode(x, y, color, tooltip=tooltip)
        )

    layers = [scatter("test points", 0.6)]
    if truth is not None:
        layers.append(
            alt.Chart(truth.assign(series="true function"))
            .mark_line(strokeDash=[6, 4], clip=True)
            .encode(x, y, color)
        )
    layers.append(
        alt.Chart(curves)
        # The column of the current λ, read through the parameter: λ changes no data.
        .transform_calculate(y="datum['c' + lam_index]", series="'closed form'")
        .mark_line(strokeWidth=2.5, clip=True)
        .encode(x, y, color)
    )
    layers.append(
        alt.Chart(descent_curve)
        .transform_calculate(series="'gradient descent'")
        .mark_line(strokeWidth=2, strokeDash=[2, 2], clip=True)
        .encode(x, y, color)
    )
    layers.append(scatter("training points", 0.9))
    return alt.layer(*layers).add_params(lam).properties(height=height)
