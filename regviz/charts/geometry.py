"""The plane of two weights: the data term's contours, the penalty's circle, the ridge path."""

from __future__ import annotations

import altair as alt
import pandas as pd

from regviz.charts.common import (
    LINE_WIDTH,
    LOOKS,
    MARK,
    legend,
    look_scales,
    styled,
    vega_text,
)
from regviz.text import format_value


def geometry_description(frames, wi_name, wj_name):
    """Where the ridge solution and the unpenalised minimum are, in the plane of two weights."""
    solution, centre = frames["solution"].iloc[0], frames["centre"].iloc[0]
    lam = f" at λ = {format_value(solution.lam)}" if "lam" in frames["solution"] else ""
    return (
        f"The plane of the weights {wi_name} and {wj_name}: contours of the data term around its "
        f"minimum ({centre.wi:.3g}, {centre.wj:.3g}), the penalty's circle through the ridge "
        f"solution{lam} at ({solution.wi:.3g}, {solution.wj:.3g}), where a contour touches it, "
        "and the ridge path as λ runs."
    )


def geometry_chart(frames, wi_name, wj_name, show_l1=False, size=430, description=None):
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
    if show_l1:
        names.append("L1 ‖w‖₁ (diamond)")
    colour, dash, _ = look_scales(names, field="what", legend=legend(names, columns=2))

    def curve(frame, what, order, detail=None, **mark):
        encoding = {
            "x": x,
            "y": y,
            "color": colour,
            "strokeDash": dash,
            "order": alt.Order(f"{order}:Q"),
        }
        if detail:
            encoding["detail"] = alt.Detail(f"{detail}:N")
        return (
            alt.Chart(frame)
            .transform_calculate(what=vega_text(what))
            .mark_line(clip=True, **mark)
            .encode(**encoding)
        )

    layers = [
        curve(frames["ellipses"], names[0], "t", detail="level", strokeWidth=1.5),
        curve(frames["circle"], names[1], "t", strokeWidth=LINE_WIDTH),
        curve(frames["path"], names[2], "lam_index", strokeWidth=LINE_WIDTH - 0.5),
    ]
    if show_l1:
        layers.append(curve(frames["diamond"], names[4], "t", strokeWidth=2))
    iterates = frames["iterates"]
    if len(iterates):
        layers.append(curve(iterates, names[3], "step", strokeWidth=2))
        layers.append(
            alt.Chart(iterates)
            .transform_calculate(what=vega_text(names[3]))
            .mark_circle(size=24, clip=True)
            .encode(x, y, colour, tooltip=["step:Q"])
        )
    origin = pd.DataFrame({"wi": [0.0], "wj": [0.0], "label": ["0"]})
    layers.append(alt.Chart(origin).mark_point(shape="cross", size=80, color=MARK).encode(x, y))
    layers.append(
        alt.Chart(frames["centre"].assign(label="no penalty"))
        .mark_point(
            shape="diamond", size=130, filled=True, color=LOOKS["data term (contours)"].colour
        )
        .encode(x, y, tooltip=[alt.Tooltip("label:N", title=""), "wi:Q", "wj:Q"])
    )
    layers.append(
        alt.Chart(frames["solution"].assign(label="ridge at this λ"))
        .mark_point(size=150, filled=True, color=LOOKS["closed form"].colour, clip=True)
        .encode(x, y, tooltip=[alt.Tooltip("label:N", title=""), "wi:Q", "wj:Q"])
    )
    # "pad", not Streamlit's "fit": the plot area stays square, so the circle looks round.
    chart = alt.layer(*layers).properties(
        width=size, height=size, autosize=alt.AutoSizeParams(type="pad")
    )
    if description is None:
        description = geometry_description(frames, wi_name, wj_name)
    return styled(chart, description)
