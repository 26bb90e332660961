"""Every weight against λ (the coefficient path), with the current λ and gradient descent's
weights at the film's step following the λ control in the browser."""

from __future__ import annotations

import altair as alt

from regviz.charts.common import (
    LAM_PARAM,
    TEXT,
    film_key_expr,
    lam_param,
    lambda_position_expr,
    lambda_x,
    step_param,
    styled,
    vega_text,
)

FILM_WEIGHTS = "film_weights"
#: Viridis from 0 to 0.6 (dark purple to teal): a ramp a colour-blind reader can order by
#: lightness, every colour at least 3:1 on white.
RAMP = ["#440154", "#482475", "#414487", "#355f8d", "#2a788e", "#21918c", "#1e9b8a"]


def _rgb(colour):
    return [int(colour[i : i + 2], 16) for i in (1, 3, 5)]


def _mix(a, b, t):
    pairs = zip(_rgb(a), _rgb(b), strict=True)
    return "#" + "".join(f"{round(u + (v - u) * t):02x}" for u, v in pairs)


def ramp(n):
    """``n`` colours evenly along :data:`RAMP`."""
    if n <= 1:
        return RAMP[:1]
    colours = []
    for k in range(n):
        at = k / (n - 1) * (len(RAMP) - 1)
        i = min(int(at), len(RAMP) - 2)
        colours.append(_mix(RAMP[i], RAMP[i + 1], at - i))
    return colours


def coefficient_path_chart(
    coefs, feature_names, n_steps, lam_index=0, height=380, description=None
):
    """Every weight against λ, ‖w‖ in black, the current λ marked, and gradient descent's
    weights at the current λ and film step as diamonds (from :data:`FILM_WEIGHTS`, columns
    ``w0 ..``). Symlog y axis."""
    lam = lam_param(lam_index)
    step = step_param(n_steps - 1, n_steps)
    x = lambda_x()
    y = alt.Y("value:Q", title="weight (symlog scale)", scale=alt.Scale(type="symlog"))
    weights = coefs[coefs["weight"] != "‖w‖"]
    n_weights = len(feature_names)
    legend = (
        alt.Legend(title="weight", orient="right", symbolType="stroke") if n_weights <= 12 else None
    )
    # The weights in order of degree along one colour-blind-safe ramp (its pale end left out).
    colour = alt.Color(
        "weight:N",
        legend=legend,
        sort=list(feature_names),
        scale=alt.Scale(domain=list(feature_names), range=ramp(n_weights)),
    )
    lines = (
        alt.Chart(weights)
        .mark_line(strokeWidth=2)
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
        .mark_rule(color=TEXT, strokeWidth=2, description="current λ")
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
    chart = alt.layer(*layers).add_params(lam, step).properties(height=height)
    if description is None:
        description = coefficient_description(coefs, feature_names)
    return styled(chart, description)


def coefficient_description(coefs, feature_names):
    """What the coefficient path shows, with ‖w‖ at both ends of the λ grid."""
    norm = coefs[coefs["weight"] == "‖w‖"].sort_values("lam_index")
    text = (
        f"The {len(feature_names)} weights against λ (symlog scale), their norm ‖w‖ in black, "
        "the current λ as a rule and gradient descent's weights as diamonds."
    )
    if len(norm):
        text += (
            f" ‖w‖ is {norm['value'].iloc[0]:.3g} at λ = 0 and {norm['value'].iloc[-1]:.3g} at "
            "the largest λ."
        )
    return text
