"""Every weight against λ: the coefficient path."""

from __future__ import annotations

import altair as alt

from regviz.charts.common import lam_param, lambda_x


def coefficient_path_chart(coefs, lam_index, height=380):
    """Every weight against λ, with ‖w‖ in black and the current λ marked (symlog y axis)."""
    lam = lam_param(lam_index)
    x = lambda_x()
    y = alt.Y("value:Q", title="weight (symlog scale)", scale=alt.Scale(type="symlog"))
    weights = coefs[coefs["weight"] != "‖w‖"]
    n_weights = weights["weight"].nunique()
    legend = alt.Legend(title="weight", orient="right") if n_weights <= 12 else None
    lines = (
        alt.Chart(weights)
        .mark_line(strokeWidth=1.2)
        .encode(
            x,
            y,
            alt.Color("weight:N", legend=legend, sort=None),
            tooltip=["weight:N", alt.Tooltip("value:Q", format=".3g")],
        )
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
    return alt.layer(lines, norm, current).add_params(lam).properties(height=height)
