"""Cross-validation error against λ beside the test error, and df(λ)."""

from __future__ import annotations

import altair as alt

from regviz.charts.common import (
    LINE_WIDTH,
    LOOKS,
    TEXT,
    lam_param,
    lambda_x,
    legend,
    look_scales,
    styled,
    text_colour,
)
from regviz.settings import LAMBDA_GRID
from regviz.text import format_value

CV_KINDS = ["leave-one-out", "k-fold", "test"]
#: The label of each kind's minimum (a rule at the λ it picks).
PICK_LABELS = {
    "leave-one-out": "leave-one-out pick",
    "k-fold": "k-fold pick",
    "test": "least test error",
}


def cross_validation_description(frame, picks, lam_index):
    """Where each kind of error is smallest, as the chart marks it, and the errors at the
    current λ."""
    parts = ["Leave-one-out and k-fold cross-validation RMSE against λ beside the test RMSE."]
    here = frame[frame["lam_index"] == lam_index]
    if len(here):
        errors = ", ".join(f"{row.kind} {row.rmse:.3g}" for row in here.itertuples())
        lam = format_value(LAMBDA_GRID[int(lam_index)])
        parts.append(f"At the current λ = {lam} (a rule): {errors}.")
    for row in picks.itertuples():
        parts.append(
            f"{PICK_LABELS.get(row.kind, row.kind).capitalize()}: λ = {format_value(row.lam)}"
            f" (RMSE {row.rmse:.3g})."
        )
    return " ".join(parts)


def cross_validation_chart(frame, lam_index, picks, y_max, height=340, description=None):
    """Cross-validation error against λ (leave-one-out from the closed form, k-fold) beside the
    test error, with the current λ and each curve's minimum marked and labelled.

    Parameters
    ----------
    frame : DataFrame (lam_index, position, kind, rmse)
    picks : DataFrame (position, kind, ..)
        Where each kind of error is smallest.
    """
    lam = lam_param(lam_index)
    x = lambda_x()
    y = alt.Y("rmse:Q", title="RMSE", scale=alt.Scale(domain=[0, y_max], nice=False))
    kinds = [kind for kind in CV_KINDS if kind in set(frame["kind"])] or CV_KINDS
    colour, dash, _ = look_scales(kinds, field="kind", legend=legend(kinds))
    tooltip = ["kind:N", alt.Tooltip("rmse:Q", format=".4f")]
    lines = (
        alt.Chart(frame)
        .mark_line(strokeWidth=LINE_WIDTH, clip=True)
        .encode(x, y, colour, dash, tooltip=tooltip)
    )
    # Each minimum: a thin rule in its curve's colour, labelled at the top, one label per row
    # (two picks at the same λ do not overprint).
    # The rules' and labels' colours travel as values (scale=None): no second colour scale on
    # "kind", which Vega-Lite would draw as a second legend.
    marked = picks[picks["kind"].isin(kinds)].assign(
        label=lambda p: p["kind"].map(PICK_LABELS),
        row=lambda p: p["kind"].map({kind: i for i, kind in enumerate(CV_KINDS)}),
        rule_colour=lambda p: p["kind"].map({kind: LOOKS[kind].colour for kind in kinds}),
        text_colour=lambda p: p["kind"].map(
            {kind: text_colour(LOOKS[kind].colour) for kind in kinds}
        ),
    )
    minima = (
        alt.Chart(marked)
        .mark_rule(strokeDash=[4, 3], strokeWidth=2)
        .encode(x, alt.Color("rule_colour:N", scale=None), description="label:N")
    )

    def labels(halo):
        colour = alt.Color("text_colour:N", scale=None)
        mark = {"color": "white", "stroke": "white", "strokeWidth": 4} if halo else {}
        return (
            alt.Chart(marked)
            .transform_calculate(top="4 + 17 * datum.row")
            .mark_text(align="left", baseline="top", dx=4, **mark)
            .encode(
                x, alt.Y("top:Q", scale=None), text="label:N", **({} if halo else {"color": colour})
            )
        )

    current = (
        alt.Chart(frame)
        .transform_filter((alt.datum.lam_index == lam) & (alt.datum.kind == kinds[0]))
        .mark_rule(color=TEXT, strokeWidth=2, description="current λ")
        .encode(x)
    )
    # The labels on a white halo, so that a curve under them does not cross the letters.
    chart = (
        alt.layer(lines, minima, labels(halo=True), labels(halo=False), current)
        .resolve_scale(color="independent")
        .add_params(lam)
        .properties(height=height)
    )
    if description is None:
        description = cross_validation_description(frame, picks, lam_index)
    return styled(chart, description)


def dof_chart(frame, lam_index, height=150, description=None):
    """The effective number of parameters df(λ), the trace of the hat matrix, against λ."""
    lam = lam_param(lam_index)
    x = lambda_x()
    y = alt.Y("dof:Q", title="df(λ)")
    line = (
        alt.Chart(frame)
        .mark_line(color=TEXT, strokeWidth=2)
        .encode(x, y, tooltip=[alt.Tooltip("dof:Q", format=".2f")])
    )
    current = (
        alt.Chart(frame)
        .transform_filter(alt.datum.lam_index == lam)
        .mark_point(filled=True, size=80, color=TEXT)
        .encode(x, y)
    )
    chart = alt.layer(line, current).add_params(lam).properties(height=height)
    if description is None:
        dof = frame.sort_values("lam_index")["dof"]
        at = frame.loc[frame["lam_index"] == lam_index, "dof"]
        description = (
            f"The effective number of parameters df(λ) against λ: {dof.iloc[0]:.3g} at λ = 0, "
            f"{dof.iloc[-1]:.3g} at the largest λ"
            + (f", {at.iloc[0]:.3g} at the current λ (a dot)." if len(at) else ".")
        )
    return styled(chart, description)
