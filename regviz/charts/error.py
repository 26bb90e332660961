"""Train and test error against λ (Bishop's Figure 1.8), with the current λ and gradient
descent's errors at the film's step following the λ control in the browser."""

from __future__ import annotations

import altair as alt

from regviz.charts.common import (
    LAM_PARAM,
    LINE_WIDTH,
    LOOKS,
    TEXT,
    film_key_expr,
    lam_param,
    lambda_position_expr,
    lambda_x,
    legend,
    look_scales,
    step_param,
    styled,
    text_colour,
)
from regviz.text import format_value

FILM_ERRORS = "film_errors"
SETS = ["train", "test"]
SET_COLOURS = alt.Scale(domain=SETS, range=[LOOKS[name].colour for name in SETS])


def error_description(errors, best_index):
    """What the error chart shows, with its numbers: each set's error at λ = 0, at the largest λ,
    and the least test error and where."""
    parts = ["Train and test RMSE against λ, closed form (lines) and gradient descent (diamonds)."]
    for name in SETS:
        rows = errors[errors["set"] == name].sort_values("lam_index")
        if rows.empty:
            continue
        first, last = rows.iloc[0], rows.iloc[-1]
        parts.append(
            f"{name.capitalize()} RMSE {first.rmse:.3g} at λ = {format_value(first.lam)}, "
            f"{last.rmse:.3g} at λ = {format_value(last.lam)}."
        )
    best = errors[(errors["lam_index"] == best_index) & (errors["set"] == "test")]
    if best_index is not None and len(best):
        row = best.iloc[0]
        parts.append(f"Least test RMSE {row.rmse:.3g} at λ = {format_value(row.lam)} (marked).")
    return " ".join(parts)


def error_chart(
    errors, best_index, n_steps, y_max, has_test, lam_index=0, height=360, description=None
):
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
    description : str, optional
        The text alternative; by default :func:`error_description`.
    """
    lam = lam_param(lam_index)
    step = step_param(n_steps - 1, n_steps)
    sets = SETS if has_test else SETS[:1]
    color, dash, _ = look_scales(
        sets, field="set", legend=legend(sets, title="closed form", direction="horizontal")
    )
    x = lambda_x()
    y = alt.Y("rmse:Q", title="RMSE", scale=alt.Scale(domain=[0, y_max], nice=False))
    tooltip = [
        alt.Tooltip("lam:Q", title="λ", format=".2e"),
        "set:N",
        alt.Tooltip("rmse:Q", format=".4f"),
    ]
    lines = (
        alt.Chart(errors)
        .mark_line(clip=True, strokeWidth=LINE_WIDTH)
        .encode(x, y, color, dash, tooltip=tooltip)
    )
    current = (
        alt.Chart(errors)
        .transform_filter((alt.datum.lam_index == lam) & (alt.datum.set == "train"))
        .mark_rule(color=TEXT, strokeWidth=2, description="current λ")
        .encode(x)
    )
    best_row = errors[(errors["lam_index"] == best_index) & (errors["set"] == "test")]
    if best_index is None:  # no test points: no best λ to mark
        best_row = errors.iloc[:0]
    test_text = text_colour(LOOKS["test"].colour)
    best = (
        alt.Chart(best_row).mark_rule(color=test_text, strokeDash=[4, 3], strokeWidth=2).encode(x)
    )
    label = alt.Chart(best_row.assign(label="best test λ")).encode(
        x, y=alt.value(14), text="label:N"
    )
    best_label = alt.layer(
        label.mark_text(align="left", dx=4, dy=-6, color="white", stroke="white", strokeWidth=4),
        label.mark_text(align="left", dx=4, dy=-6, color=test_text),
    )
    descent = (
        alt.Chart(alt.NamedData(name=FILM_ERRORS))
        .transform_filter(f"datum.key == {film_key_expr(n_steps)}")
        .transform_fold(sets, as_=["set", "rmse"])
        .transform_calculate(position=lambda_position_expr(LAM_PARAM))
        .mark_point(
            shape="diamond", size=160, filled=True, clip=True, stroke="white", strokeWidth=1
        )
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
    chart = (
        alt.layer(lines, current, best, best_label, descent)
        .add_params(lam, step)
        .properties(height=height)
    )
    if description is None:
        description = error_description(errors, best_index)
    return styled(chart, description)
