"""Train and test error against λ (Bishop's Figure 1.8), with the current λ and gradient
descent's errors at the film's step following the λ control in the browser."""

from __future__ import annotations

import altair as alt

from regviz.charts.common import (
    LAM_PARAM,
    film_key_expr,
    lam_param,
    lambda_position_expr,
    lambda_x,
    step_param,
)

FILM_ERRORS = "film_errors"
SET_COLOURS = alt.Scale(domain=["train", "test"], range=["#1f77b4", "#d62728"])


def error_chart(errors, best_index, n_steps, y_max, has_test, lam_index=0, height=360):
    """Train and test RMSE of the closed form against λ, the current λ, the best test λ, and
    gradient descent's errors at the current λ and step (diamonds, from :data:`FILM_ERRORS`).

    Parameters
    ----------
    errors : DataFrame (lam_index, position, lam, rmse, set)
        ``position`` is log10 λ (λ = 0 one decade left of the smallest λ).
    best_index : int or None
        The λ of least test error, marked; None when there are no test points.
    n_steps : int
        The film's checkpoints (its ``step_index`` parameter runs over them).
    y_max : float
        Top of the y axis; larger errors are clipped (the page says so).
    """
    lam = lam_param(lam_index)
    step = step_param(n_steps - 1, n_steps)
    color = alt.Color(
        "set:N", scale=SET_COLOURS, legend=alt.Legend(title="closed form", orient="bottom")
    )
    x = lambda_x()
    y = alt.Y("rmse:Q", title="RMSE", scale=alt.Scale(domain=[0, y_max], nice=False))
    tooltip = [
        alt.Tooltip("lam:Q", title="λ", format=".2e"),
        "set:N",
        alt.Tooltip("rmse:Q", format=".4f"),
    ]
    lines = alt.Chart(errors).mark_line(clip=True).encode(x, y, color, tooltip=tooltip)
    current = (
        alt.Chart(errors)
        .transform_filter((alt.datum.lam_index == lam) & (alt.datum.set == "train"))
        .mark_rule(color="#444", strokeWidth=1.5)
        .encode(x)
    )
    best_row = errors[(errors["lam_index"] == best_index) & (errors["set"] == "test")]
    if best_index is None:  # no test points: no best λ to mark
        best_row = errors.iloc[:0]
    best = alt.Chart(best_row).mark_rule(color="#d62728", strokeDash=[4, 3]).encode(x)
    best_label = (
        alt.Chart(best_row.assign(label="best test λ"))
        .mark_text(align="left", dx=4, dy=-6, color="#d62728")
        .encode(x, y=alt.value(12), text="label:N")
    )
    sets = ["train", "test"] if has_test else ["train"]
    descent = (
        alt.Chart(alt.NamedData(name=FILM_ERRORS))
        .transform_filter(f"datum.key == {film_key_expr(n_steps)}")
        .transform_fold(sets, as_=["set", "rmse"])
        .transform_calculate(position=lambda_position_expr(LAM_PARAM))
        .mark_point(shape="diamond", size=140, filled=True, clip=True)
        .encode(
            x,
            y,
            alt.Color("set:N", scale=SET_COLOURS, legend=None),
            tooltip=[
                alt.Tooltip("set:N", title="gradient descent"),
                alt.Tooltip("rmse:Q", format=".4f"),
            ],
        )
    )
    return (
        alt.layer(lines, current, best, best_label, descent)
        .add_params(lam, step)
        .properties(height=height)
    )
