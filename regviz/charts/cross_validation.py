"""Cross-validation error against λ beside the test error, and df(λ)."""

from __future__ import annotations

import altair as alt

from regviz.charts.common import lam_param, lambda_x

CV_KINDS = ["leave-one-out", "k-fold", "test"]


def cross_validation_chart(frame, lam_index, picks, y_max, height=340):
    """Cross-validation error against λ (leave-one-out from the closed form, k-fold) beside the
    test error, with the current λ and each curve's minimum marked.

    Parameters
    ----------
    frame : DataFrame (lam_index, position, kind, rmse)
    picks : DataFrame (position, kind)
        Where each kind of error is smallest.
    """
    lam = lam_param(lam_index)
    x = lambda_x()
    y = alt.Y("rmse:Q", title="RMSE", scale=alt.Scale(domain=[0, y_max], nice=False))
    kinds = alt.Scale(domain=CV_KINDS, range=["#2ca02c", "#9467bd", "#d62728"])
    colour = alt.Color("kind:N", scale=kinds, legend=alt.Legend(title=None, orient="bottom"))
    tooltip = ["kind:N", alt.Tooltip("rmse:Q", format=".4f")]
    lines = (
        alt.Chart(frame).mark_line(strokeWidth=2, clip=True).encode(x, y, colour, tooltip=tooltip)
    )
    minima = (
        alt.Chart(picks)
        .mark_rule(strokeDash=[4, 3])
        .encode(x, alt.Color("kind:N", scale=kinds, legend=None))
    )
    current = (
        alt.Chart(frame)
        .transform_filter((alt.datum.lam_index == lam) & (alt.datum.kind == "leave-one-out"))
        .mark_rule(color="#444", strokeWidth=1.5)
        .encode(x)
    )
    return alt.layer(lines, minima, current).add_params(lam).properties(height=height)


def dof_chart(frame, lam_index, height=150):
    """The effective number of parameters df(λ), the trace of the hat matrix, against λ."""
    lam = lam_param(lam_index)
    x = lambda_x()
    y = alt.Y("dof:Q", title="df(λ)")
    line = (
        alt.Chart(frame)
        .mark_line(color="#444")
        .encode(x, y, tooltip=[alt.Tooltip("dof:Q", format=".2f")])
    )
    current = (
        alt.Chart(frame)
        .transform_filter(alt.datum.lam_index == lam)
        .mark_point(filled=True, size=80, color="#444")
        .encode(x, y)
    )
    return alt.layer(line, current).add_params(lam).properties(height=height)
