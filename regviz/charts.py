"""Altair charts: DataFrames in, charts out, no Streamlit.

The λ path is data (every λ of the grid, from one SVD) and the current λ is one Vega parameter,
``lam_index``, that every chart filters or marks by. Changing λ changes one number in each spec,
and binding that parameter to a control in the browser would animate the charts without a rerun.

Building and validating an Altair chart costs tens of milliseconds, more than the rest of a
rerun. So the page compiles each chart once per model (:func:`compile_spec`: a Vega-Lite dict
whose data are named datasets; the data that change with λ are :class:`altair.NamedData`
placeholders) and on each rerun only sets the parameter and those datasets (:func:`with_state`).
"""

from __future__ import annotations

import altair as alt
import pandas as pd

#: One colour per series, the same in every chart.
SERIES = {
    "training points": "#222222",
    "test points": "#9a9a9a",
    "true function": "#2ca02c",
    "closed form": "#1f77b4",
    "gradient descent": "#ff7f0e",
}
LAM_AXIS = alt.Axis(
    title="λ",
    labelExpr="datum.value < -12.5 ? '0' : '1e' + datum.value",
    values=list(range(-13, 5)),
    grid=False,
)


def lam_param(index):
    """The chart parameter holding the current λ's index into the grid."""
    return alt.param(name="lam_index", value=int(index))


def _series_color(names):
    return alt.Color(
        "series:N",
        scale=alt.Scale(domain=list(names), range=[SERIES[n] for n in names]),
        legend=alt.Legend(title=None, orient="bottom", columns=3, labelLimit=200),
    )


def compile_spec(chart):
    """The chart as a validated Vega-Lite dict whose every DataFrame is a named dataset.

    The chart's DataFrames are replaced in place by :class:`altair.NamedData` references
    (``data-0``, ``data-1``, ...), so ``spec["datasets"]`` maps names to the DataFrames
    themselves (Streamlit sends them as Arrow, not JSON). Placeholders the chart was built with
    (``alt.NamedData("descent")``) stay references; :func:`with_state` supplies them. Altair's
    default theme (a 300-pixel view) is dropped, as Streamlit drops it.
    """
    datasets = {}
    parts = chart.layer if isinstance(chart, alt.LayerChart) else [chart]
    for part in [chart, *parts]:
        if isinstance(part.data, pd.DataFrame):
            name = f"data-{len(datasets)}"
            datasets[name] = part.data
            part.data = alt.NamedData(name=name)
    spec = chart.to_dict()  # validates against the Vega-Lite schema
    spec.pop("config", None)  # only the theme's: these charts set no configuration
    spec["datasets"] = {**spec.get("datasets", {}), **datasets}
    return spec


def with_state(spec, lam_index=None, **datasets):
    """A copy of a compiled ``spec`` at ``lam_index``, with named datasets supplied or replaced.

    Only the top level is copied: ``spec`` (a cached template) is never modified.
    """
    spec = dict(spec)
    spec["datasets"] = {**spec.get("datasets", {}), **datasets}
    if lam_index is not None:
        spec["params"] = [
            {**param, "value": int(lam_index)} if param.get("name") == "lam_index" else param
            for param in spec.get("params", [])
        ]
    return spec


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
    color = _series_color(names)
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


def error_chart(errors, lam_index, best_index, descent_points, y_max, height=380):
    """Train and test RMSE of the closed form against λ (Bishop's Figure 1.8).

    Parameters
    ----------
    errors : DataFrame (lam_index, position, lam, rmse, set)
        ``position`` is log10 λ (λ = 0 one decade left of the smallest λ).
    best_index : int or None
        The λ of least test error, marked; None when there are no test points.
    descent_points : DataFrame (position, rmse, set) or altair.NamedData
        Gradient descent's errors at the current λ.
    y_max : float
        Top of the y axis; larger errors are clipped (the page says so).
    """
    lam = lam_param(lam_index)
    color = alt.Color(
        "set:N",
        scale=alt.Scale(domain=["train", "test"], range=["#1f77b4", "#d62728"]),
        legend=alt.Legend(title="closed form", orient="bottom"),
    )
    x = alt.X("position:Q", axis=LAM_AXIS, scale=alt.Scale(domain=[-13, 4], nice=False))
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
    gd = (
        alt.Chart(descent_points)
        .mark_point(shape="diamond", size=140, filled=True, clip=True)
        .encode(
            x,
            y,
            alt.Color(
                "set:N",
                scale=alt.Scale(domain=["train", "test"], range=["#1f77b4", "#d62728"]),
                legend=None,
            ),
            tooltip=["set:N", alt.Tooltip("rmse:Q", format=".4f")],
        )
    )
    return alt.layer(lines, current, best, best_label, gd).add_params(lam).properties(height=height)


def coefficient_path_chart(coefs, lam_index, height=380):
    """Every weight against λ, with ‖w‖ in black and the current λ marked (symlog y axis)."""
    lam = lam_param(lam_index)
    x = alt.X("position:Q", axis=LAM_AXIS, scale=alt.Scale(domain=[-13, 4], nice=False))
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


def descent_chart(frame, quantity, title, height=260):
    """One quantity of a gradient-descent run against the step, log-log."""
    data = frame[frame["quantity"] == quantity]
    colour = SERIES["gradient descent"]
    x = alt.X("step:Q", scale=alt.Scale(type="log"), title="step")
    y = alt.Y("value:Q", scale=alt.Scale(type="log"), title=title)
    tooltip = ["step:Q", alt.Tooltip("value:Q", format=".3e")]
    line = alt.Chart(data).mark_line(color=colour, strokeWidth=2).encode(x, y)
    points = alt.Chart(data).mark_circle(color=colour, size=14).encode(x, y, tooltip=tooltip)
    return alt.layer(line, points).properties(height=height)


def step_size_chart(step_multiple, limit_multiple, height=80):
    """The step size η·L as a bar against the stability limit (a red rule), both in units of 1/L.

    Parameters
    ----------
    step_multiple : float
        η·L.
    limit_multiple : float
        The optimizer's stability limit times L (2 for plain gradient descent); finite.
    """
    top = max(4.2, 1.05 * step_multiple, 1.05 * limit_multiple)
    stable = step_multiple < limit_multiple
    bar = (
        alt.Chart(alt.Data(values=[{"what": "η·L", "value": step_multiple}]))
        .mark_bar(color="#1f77b4" if stable else "#d62728", height=22)
        .encode(
            alt.X("value:Q", title="step size × L", scale=alt.Scale(domain=[0, top], nice=False)),
            alt.Y("what:N", title=None),
            tooltip=[alt.Tooltip("value:Q", title="η·L", format=".3g")],
        )
    )
    limit = (
        alt.Chart(alt.Data(values=[{"value": limit_multiple, "label": "stability limit"}]))
        .mark_rule(color="#d62728", strokeWidth=3)
        .encode(alt.X("value:Q"), tooltip=[alt.Tooltip("value:Q", title="limit", format=".3g")])
    )
    label = limit.mark_text(align="left", dx=4, dy=-14, color="#d62728").encode(text="label:N")
    return alt.layer(bar, limit, label).properties(height=height)
