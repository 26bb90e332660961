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

import json

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


def _text(text):
    """``text`` as a Vega expression string literal (quotes inside it stay text)."""
    return json.dumps(text)


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


# ----------------------------------------------------------------------------------------------
# The intuition views (frames from regviz.lessons)
# ----------------------------------------------------------------------------------------------


def geometry_chart(frames, wi_name, wj_name, show_l1=False, size=430):
    """The plane of two weights: the data term's ellipses, the penalty's circle through the ridge
    solution (where they touch), the ridge path as λ runs, and gradient descent's iterates.

    Parameters
    ----------
    frames : dict of DataFrames
        From :func:`regviz.lessons.geometry`: ellipses, circle, diamond, path, solution, centre,
        iterates, window.
    wi_name, wj_name : str
        The two weights' names (axis titles).
    """
    window = frames["window"].iloc[0]
    x = alt.X(
        "wi:Q",
        title=wi_name,
        scale=alt.Scale(domain=[window.wi_min, window.wi_max], nice=False, zero=False),
    )
    y = alt.Y(
        "wj:Q",
        title=wj_name,
        scale=alt.Scale(domain=[window.wj_min, window.wj_max], nice=False, zero=False),
    )
    names = ["data term (contours)", "penalty ‖w‖² (circle)", "ridge path", "gradient descent"]
    colours = ["#1f77b4", "#d62728", "#444444", SERIES["gradient descent"]]
    if show_l1:
        names.append("L1 ‖w‖₁ (diamond)")
        colours.append("#9467bd")
    colour = alt.Color(
        "what:N",
        scale=alt.Scale(domain=names, range=colours),
        legend=alt.Legend(title=None, orient="bottom", columns=2, labelLimit=240),
    )

    def curve(frame, what, order, detail=None, **mark):
        encoding = {"x": x, "y": y, "color": colour, "order": alt.Order(f"{order}:Q")}
        if detail:
            encoding["detail"] = alt.Detail(f"{detail}:N")
        return (
            alt.Chart(frame)
            .transform_calculate(what=_text(what))
            .mark_line(clip=True, **mark)
            .encode(**encoding)
        )

    layers = [
        curve(frames["ellipses"], names[0], "t", detail="level", strokeWidth=1.2),
        curve(frames["circle"], names[1], "t", strokeWidth=2),
        curve(frames["path"], names[2], "lam_index", strokeDash=[4, 3], strokeWidth=1.5),
    ]
    if show_l1:
        layers.append(curve(frames["diamond"], names[4], "t", strokeDash=[6, 3]))
    iterates = frames["iterates"]
    if len(iterates):
        layers.append(curve(iterates, names[3], "step", strokeWidth=1.5))
        layers.append(
            alt.Chart(iterates)
            .transform_calculate(what=_text(names[3]))
            .mark_circle(size=18, clip=True)
            .encode(x, y, colour, tooltip=["step:Q"])
        )
    origin = pd.DataFrame({"wi": [0.0], "wj": [0.0], "label": ["0"]})
    layers.append(alt.Chart(origin).mark_point(shape="cross", size=80, color="#888").encode(x, y))
    layers.append(
        alt.Chart(frames["centre"].assign(label="no penalty"))
        .mark_point(shape="diamond", size=110, filled=True, color="#1f77b4", clip=True)
        .encode(x, y, tooltip=[alt.Tooltip("label:N", title=""), "wi:Q", "wj:Q"])
    )
    layers.append(
        alt.Chart(frames["solution"].assign(label="ridge at this λ"))
        .mark_point(size=140, filled=True, color="#d62728", clip=True)
        .encode(x, y, tooltip=[alt.Tooltip("label:N", title=""), "wi:Q", "wj:Q"])
    )
    # "pad", not Streamlit's "fit": the plot area stays square, so the circle looks round.
    return alt.layer(*layers).properties(
        width=size, height=size, autosize=alt.AutoSizeParams(type="pad")
    )


def bias_variance_fits_chart(fits, mean, truth, domain, height=340):
    """K fits on resampled training sets at the current λ, their mean and the true function."""
    x = alt.X("x:Q", title="x")
    y = alt.Y("y:Q", title="y", scale=alt.Scale(domain=list(domain), nice=False))
    names = ["one training set's fit", "mean of the fits", "true function"]
    colour = alt.Color(
        "series:N",
        scale=alt.Scale(domain=names, range=["#9ecae1", "#1f77b4", SERIES["true function"]]),
        legend=alt.Legend(title=None, orient="bottom"),
    )
    many = (
        alt.Chart(fits)
        .transform_calculate(series=_text(names[0]))
        .mark_line(strokeWidth=0.8, opacity=0.5, clip=True)
        .encode(x, y, colour, detail="resample:N")
    )
    average = (
        alt.Chart(mean)
        .transform_calculate(series=_text(names[1]))
        .mark_line(strokeWidth=3, clip=True)
        .encode(x, y, colour)
    )
    true = (
        alt.Chart(truth)
        .transform_calculate(series=_text(names[2]))
        .mark_line(strokeDash=[6, 4], strokeWidth=2, clip=True)
        .encode(x, y, colour)
    )
    return alt.layer(many, average, true).properties(height=height)


DECOMPOSITION = ["bias²", "variance", "noise", "bias² + variance + noise", "test error"]


def bias_variance_chart(decomposition, lam_index, y_max, height=340):
    """Squared bias, variance, noise and their sum against λ, beside the measured test error
    (Bishop's Figure 3.6)."""
    lam = lam_param(lam_index)
    x = alt.X("position:Q", axis=LAM_AXIS, scale=alt.Scale(domain=[-13, 4], nice=False))
    y = alt.Y("value:Q", title="squared error", scale=alt.Scale(domain=[0, y_max], nice=False))
    colour = alt.Color(
        "quantity:N",
        scale=alt.Scale(
            domain=DECOMPOSITION, range=["#1f77b4", "#d62728", "#7f7f7f", "#9467bd", "#222222"]
        ),
        legend=alt.Legend(title=None, orient="bottom", columns=3),
    )
    dash = alt.StrokeDash(
        "quantity:N",
        scale=alt.Scale(domain=DECOMPOSITION, range=[[1, 0], [1, 0], [2, 2], [1, 0], [5, 3]]),
        legend=None,
    )
    tooltip = ["quantity:N", alt.Tooltip("value:Q", format=".4f")]
    lines = (
        alt.Chart(decomposition)
        .mark_line(strokeWidth=2, clip=True)
        .encode(x, y, colour, dash, tooltip=tooltip)
    )
    current = (
        alt.Chart(decomposition)
        .transform_filter((alt.datum.lam_index == lam) & (alt.datum.quantity == "noise"))
        .mark_rule(color="#444")
        .encode(x)
    )
    return alt.layer(lines, current).add_params(lam).properties(height=height)


def degree_chart(frame, y_max, degree, height=340):
    """Train and test RMSE against the degree, at the current λ and at λ = 0 (Bishop's Figure
    1.5), the current degree marked."""
    x = alt.X("degree:Q", title="degree M", scale=alt.Scale(domain=[0, frame.degree.max()]))
    y = alt.Y("rmse:Q", title="RMSE", scale=alt.Scale(domain=[0, y_max], nice=False))
    colour = alt.Color(
        "set:N",
        scale=alt.Scale(domain=["train", "test"], range=["#1f77b4", "#d62728"]),
        legend=alt.Legend(title=None, orient="bottom"),
    )
    dash = alt.StrokeDash(
        "lam_label:N",
        scale=alt.Scale(domain=["current λ", "λ = 0"], range=[[1, 0], [5, 3]]),
        legend=alt.Legend(title=None, orient="bottom"),
    )
    tooltip = ["degree:Q", "set:N", "lam_label:N", alt.Tooltip("rmse:Q", format=".4f")]
    lines = (
        alt.Chart(frame)
        .mark_line(point=True, clip=True)
        .encode(x, y, colour, dash, tooltip=tooltip)
    )
    rule = alt.Chart(pd.DataFrame({"degree": [degree]})).mark_rule(color="#444").encode(x)
    return alt.layer(lines, rule).properties(height=height)


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
    x = alt.X("position:Q", axis=LAM_AXIS, scale=alt.Scale(domain=[-13, 4], nice=False))
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
    x = alt.X("position:Q", axis=LAM_AXIS, scale=alt.Scale(domain=[-13, 4], nice=False))
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


def early_stopping_chart(matches, step, height=300):
    """Which ridge λ the gradient-descent iterate is nearest to, against the step (log axes)."""
    x = alt.X("step:Q", scale=alt.Scale(type="log"), title="step t")
    y = alt.Y("position:Q", axis=LAM_AXIS, scale=alt.Scale(domain=[-13, 4], nice=False))
    tooltip = [
        "step:Q",
        alt.Tooltip("lam:Q", title="nearest ridge λ", format=".2e"),
        alt.Tooltip("relative_distance:Q", title="relative distance", format=".2e"),
    ]
    line = (
        alt.Chart(matches)
        .mark_line(
            color=SERIES["gradient descent"],
            point=alt.OverlayMarkDef(color=SERIES["gradient descent"], size=20),
        )
        .encode(x, y, tooltip=tooltip)
    )
    rule = alt.Chart(pd.DataFrame({"step": [max(step, 1)]})).mark_rule(color="#444").encode(x)
    return alt.layer(line, rule).properties(height=height)


def early_stopping_fit_chart(curves, points, domain, height=300):
    """Gradient descent's fit at step t beside the ridge fit at the λ it is nearest to."""
    x = alt.X("x:Q", title="x")
    y = alt.Y("y:Q", title="y", scale=alt.Scale(domain=list(domain), nice=False))
    series = list(dict.fromkeys(curves["series"]))
    colour = alt.Color(
        "series:N",
        scale=alt.Scale(
            domain=[*series, "training points"],
            range=[SERIES["gradient descent"], SERIES["closed form"], SERIES["training points"]],
        ),
        legend=alt.Legend(title=None, orient="bottom", columns=2, labelLimit=260),
    )
    dash = alt.StrokeDash(
        "series:N", scale=alt.Scale(domain=series, range=[[1, 0], [5, 3]]), legend=None
    )
    lines = alt.Chart(curves).mark_line(strokeWidth=2.5, clip=True).encode(x, y, colour, dash)
    dots = (
        alt.Chart(points.assign(series="training points"))
        .mark_circle(size=60, clip=True)
        .encode(x, y, colour)
    )
    return alt.layer(lines, dots).properties(height=height)
