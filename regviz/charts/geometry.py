"""The plane of two weights: the data term's contours, the penalty's circle, the ridge path."""

from __future__ import annotations

import altair as alt
import pandas as pd

from regviz.charts.common import SERIES, vega_text


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
            .transform_calculate(what=vega_text(what))
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
            .transform_calculate(what=vega_text(names[3]))
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
