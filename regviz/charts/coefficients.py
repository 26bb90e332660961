"""Every weight against λ (the coefficient path), with the current λ and gradient descent's
weights at the film's step following the λ control in the browser."""

from __future__ import annotations

import altair as alt

from regviz.charts.common import (
    LAM_PARAM,
    film_key_expr,
    lam_param,
    lambda_position_expr,
    lambda_x,
    step_param,
    vega_text,
)

FILM_WEIGHTS = "film_weights"


def coefficient_path_chart(coefs, feature_names, n_steps, lam_index=0, height=380):
    """Every weight against λ, ‖w‖ in black, the current λ marked, and gradient descent's
    weights at the current λ and film step as diamonds (from :data:`FILM_WEIGHTS`, columns
    ``w0 ..``). Symlog y axis."""
    lam = lam_param(lam_index)
    step = step_param(n_steps - 1, n_steps)
    x = lambda_x()
    y = alt.Y("value:Q", title="weight (symlog scale)", scale=alt.Scale(type="symlog"))
    weights = coefs[coefs["weight"] != "‖w‖"]
    n_weights = len(feature_names)
    legend = alt.Legend(title="weight", orient="right") if n_weights <= 12 else None
    colour = alt.Color("weight:N", legend=legend, sort=list(feature_names))
    lines = (
        alt.Chart(weights)
        .mark_line(strokeWidth=1.2)
        .encode(x, y, colour, tooltip=["weight:N", alt.Tooltip("value:Q", format=".3g")])
    )
    norm = (
        alt.Chart(coefs[coefs["weight"] == "‖w‖"])
        .mark_line(color="black", strokeWidth=3)
        .encode(x, y, tooltip=[alt.Tooltip("value:Q", title="‖w‖", format=".3g")])
    )
    current = (
        alt.Chart(coefs[coefs["weight"] == "‖w‖"])
        .transform_filter(alt.datum.lam_index == lam)
        .mark_rule(color="#444")
        .encode(x)
    )
    layers = [lines, norm, current]
    if n_weights:
        columns = [f"w{j}" for j in range(n_weights)]
        names = vega_text(list(feature_names))
        layers.append(
            alt.Chart(alt.NamedData(name=FILM_WEIGHTS))
            .transform_filter(f"datum.key == {film_key_expr(n_steps)}")
            .transform_fold(columns, as_=["column", "value"])
            .transform_calculate(
                weight=f"{names}[toNumber(slice(datum.column, 1))]",
                position=lambda_position_expr(LAM_PARAM),
            )
            .mark_point(shape="diamond", size=90, filled=True, opacity=0.85)
            .encode(
                x,
                y,
                colour,
                tooltip=[
                    alt.Tooltip("weight:N", title="gradient descent"),
                    alt.Tooltip("value:Q", format=".3g"),
                ],
            )
        )
    return alt.layer(*layers).add_params(lam, step).properties(height=height)
