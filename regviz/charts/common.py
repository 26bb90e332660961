"""What every chart shares: one palette, the λ axis, and compiling a chart once.

Charts are the layer between the numbers and the page: DataFrames in, Altair charts out, no
Streamlit. The λ path is data (every λ of the grid, from one SVD) and the current λ is one Vega
parameter, ``lam_index``, that every λ chart filters or marks by.

Building and validating an Altair chart costs tens of milliseconds, more than the rest of a
rerun. So the page compiles a chart once per model (:func:`compile_spec`: a Vega-Lite dict whose
data are named datasets; data that change between reruns are :class:`altair.NamedData`
placeholders) and on each rerun only sets the parameter and those datasets (:func:`with_state`).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import altair as alt
import pandas as pd
import pyarrow as pa

from regviz.compute.common import lambda_position
from regviz.settings import LAMBDA_GRID
from regviz.text import format_value

#: Solid, and the dashes of the strokes that mean something (the legends draw them).
SOLID = (1, 0)
DASHED = (8, 4)
DOTTED = (2, 3)
DASH_DOT = (10, 3, 2, 3)
SHORT_DASH = (4, 3)


@dataclass(frozen=True)
class Look:
    """How one series is drawn on every chart: a colour (Okabe and Ito's colour-blind-safe set,
    some darkened to 3:1 on white), a stroke dash, and the legend symbol or point shape
    ("stroke" for a line)."""

    colour: str
    dash: tuple = SOLID
    shape: str = "stroke"


BLACK, ORANGE, SKY, GREEN, BLUE, VERMILLION, PURPLE = (
    "#000000",
    "#A86E00",  # Okabe-Ito orange #E69F00, darkened to 4.3:1 on white
    "#3A9AD9",  # Okabe-Ito sky blue #56B4E9, darkened to 3.1:1
    "#009E73",
    "#0072B2",
    "#D55E00",
    "#CC79A7",
)
#: Text, rules and marks that are no series: 12.6:1 and 7.5:1 on white.
TEXT, MARK = "#333333", "#555555"

#: One meaning, one look, on every chart. The page's five series keep their colours for
#: themselves (black is training, purple test, green the truth, blue the closed form, vermillion
#: gradient descent); the other meanings live in views of their own.
LOOKS = {
    "training points": Look(BLACK, SOLID, "circle"),
    "test points": Look(PURPLE, SOLID, "square"),
    "true function": Look(GREEN, DOTTED),
    "closed form": Look(BLUE, SOLID),
    "gradient descent": Look(VERMILLION, DASHED),
    "train": Look(BLACK, SOLID),
    "test": Look(PURPLE, SOLID),
    "test error": Look(PURPLE, SOLID),
    "leave-one-out": Look(ORANGE, DASH_DOT),
    "k-fold": Look(SKY, SHORT_DASH),
    "one training set's fit": Look(MARK, SOLID),
    "mean of the fits": Look(BLUE, SOLID),
    "bias²": Look(ORANGE, SOLID),
    "variance": Look(SKY, SOLID),
    "noise": Look(MARK, DOTTED),
    "bias² + variance + noise": Look(TEXT, DASHED),
    "data term (contours)": Look(SKY, SOLID),
    "penalty ‖w‖² (circle)": Look(TEXT, SOLID),
    "L1 ‖w‖₁ (diamond)": Look(TEXT, SHORT_DASH),
    "ridge path": Look(BLUE, SHORT_DASH),
    "current λ": Look(TEXT, SOLID, "circle"),
    "λ = 0": Look(TEXT, DASHED, "square"),
    "ridge at matching λ": Look(BLUE, SOLID),
    "gradient descent at step t": Look(VERMILLION, DASHED),
}
#: Each series' colour (what the charts used before the looks had dashes and shapes).
SERIES = {name: look.colour for name, look in LOOKS.items()}

#: Chart text: every size at least 13 px, dark on white (WCAG AA for text, 4.5:1).
FONT_SIZE, TITLE_SIZE = 14, 15
LINE_WIDTH = 3  # the closed form, descent and the truth: visible from the back of a room


def luminance(colour):
    """The relative luminance of ``#rrggbb`` (WCAG 2)."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(colour, background="#ffffff"):
    """The WCAG contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    light, dark = sorted((luminance(colour), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def text_colour(colour, ratio=4.5):
    """``colour`` darkened (its hue kept) until text in it reads at ``ratio`` on white."""
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    shade = colour
    for step in range(101):
        shade = "#" + "".join(f"{round(c * (1 - step / 100)):02x}" for c in rgb)
        if contrast(shade) >= ratio:
            break
    return shade


def look_scales(names, field="series", legend=None):
    """Colour, stroke dash and shape encodings of ``field`` for the series ``names`` with their
    :data:`LOOKS`: one legend (when ``legend`` is given) that draws each line's stroke and dash
    and each point series' shape."""
    looks = [LOOKS[name] for name in names]
    domain = list(names)
    colour = alt.Color(
        f"{field}:N",
        scale=alt.Scale(domain=domain, range=[look.colour for look in looks]),
        legend=legend,
    )
    dash = alt.StrokeDash(
        f"{field}:N",
        scale=alt.Scale(domain=domain, range=[list(look.dash) for look in looks]),
        legend=legend,
    )
    shape = alt.Shape(
        f"{field}:N",
        scale=alt.Scale(domain=domain, range=[look.shape for look in looks]),
        legend=legend,
    )
    return colour, dash, shape


def legend(names=(), title=None, columns=None, orient="bottom", **options):
    """A legend of the series ``names`` (merged from their colour, dash and shape encodings):
    strokes with their dashes, points with their shapes, labels never cut."""
    extra = {"columns": columns} if columns else {}
    return alt.Legend(
        title=title,
        orient=orient,
        symbolStrokeWidth=LINE_WIDTH,
        symbolSize=150,
        symbolOpacity=1,
        rowPadding=1,
        offset=12,
        labelLimit=1000,
        **extra,
        **options,
    )


def styled(chart, description):
    """``chart`` with the text sizes and colours every chart shares (at least 13 px, 4.5:1) and
    its text alternative: Vega-Lite's ``description``, which Vega puts as the ``aria-label`` of
    the drawing."""
    text = {"labelColor": TEXT, "titleColor": TEXT, "titleFontSize": FONT_SIZE, "titleLimit": 1000}
    return (
        chart.properties(description=description)
        .configure_axis(
            labelFontSize=FONT_SIZE - 1, domainColor=MARK, tickColor=MARK, labelLimit=400, **text
        )
        .configure_legend(
            labelFontSize=FONT_SIZE, labelLimit=1000, symbolStrokeWidth=LINE_WIDTH, **text
        )
        .configure_title(fontSize=TITLE_SIZE, color=TEXT)
        .configure_text(fontSize=FONT_SIZE, color=TEXT)
        .configure_line(strokeWidth=2)
        .configure_rule(color=TEXT)
    )


#: Where the λ grid sits on the charts' λ axis (log10 λ; λ = 0 one decade left of the smallest).
LAM_DOMAIN = [float(lambda_position(LAMBDA_GRID).min()), float(lambda_position(LAMBDA_GRID).max())]
#: The λ scale reaches a little past the grid, so that λ = 0 (and a rule there) is off the axis.
LAM_PAD = (0.5, 0.3)
LAM_SCALE = alt.Scale(domain=[LAM_DOMAIN[0] - LAM_PAD[0], LAM_DOMAIN[1] + LAM_PAD[1]], nice=False)
LAM_AXIS = alt.Axis(
    title="λ",
    # The leftmost tick is λ = 0; the others are decades.
    labelExpr=f"datum.value < {LAM_DOMAIN[0] + 0.5} ? '0' : '1e' + datum.value",
    values=list(range(math.ceil(LAM_DOMAIN[0]), math.floor(LAM_DOMAIN[1]) + 1)),
    grid=False,
)


def lambda_x(field="position"):
    """The x encoding of a chart against λ: ``field`` holds :func:`lambda_position`."""
    return alt.X(f"{field}:Q", axis=LAM_AXIS, scale=LAM_SCALE)


def vega_text(text):
    """``text`` as a Vega expression string literal (quotes inside it stay text)."""
    return json.dumps(text)


#: The two chart parameters that the λ control and the descent film set in the browser.
LAM_PARAM = "lam_index"
STEP_PARAM = "step_index"
#: Where a λ chart keeps its numbers at every λ for its text alternative (:func:`with_state`).
AT_LAMBDA = "description_at_lambda"


def lam_param(index):
    """The current λ's index into the grid, as a chart parameter.

    It is bound to a range input that the page hides (``.vega-bindings``): the page's λ control
    (``regviz/page/lambda_control.js``) sets that input in every chart at every move, so all of
    them redraw in the browser without asking the server. ``index`` is only where a newly drawn
    chart starts.
    """
    binding = alt.binding_range(min=0, max=len(LAMBDA_GRID) - 1, step=1, name=LAM_PARAM)
    return alt.param(name=LAM_PARAM, value=int(index), bind=binding)


def step_param(index, n_steps):
    """The descent film's checkpoint (an index into the run's checkpoint steps), bound like
    :func:`lam_param` to a hidden input that the film's controls set."""
    binding = alt.binding_range(min=0, max=max(n_steps - 1, 0), step=1, name=STEP_PARAM)
    return alt.param(name=STEP_PARAM, value=int(index), bind=binding)


def lambda_position_expr(index):
    """A Vega expression for :func:`lambda_position` of ``LAMBDA_GRID[index]``: the grid's
    decades are exact, so the position of grid index ``k >= 1`` is a straight line in ``k``."""
    positions = lambda_position(LAMBDA_GRID)
    zero, first = float(positions[0]), float(positions[1])
    slope = (float(positions[-1]) - first) / (len(positions) - 2)
    return f"({index} == 0 ? {zero!r} : {first!r} + ({index} - 1) * {slope!r})"


def film_key_expr(n_steps):
    """A Vega expression for the film row of the current λ and step."""
    return f"{LAM_PARAM} * {int(n_steps)} + {STEP_PARAM}"


def series_scale(names):
    """The palette's colours for the series ``names``, in that order."""
    return alt.Scale(domain=list(names), range=[SERIES[n] for n in names])


def compile_spec(chart, datasets=None):
    """The chart as a validated Vega-Lite dict whose every DataFrame is a named dataset.

    The chart's DataFrames are replaced in place by :class:`altair.NamedData` references
    (``data-0``, ``data-1``, ...), so ``spec["datasets"]`` maps names to the DataFrames
    themselves (Streamlit sends them as Arrow, not JSON). Layers built on
    ``alt.NamedData(name)`` read ``datasets[name]`` (given here) or a dataset that
    :func:`with_state` supplies. Altair's default theme (a 300-pixel view) is dropped, as
    Streamlit drops it; the chart's own configuration (:func:`styled`) is kept.
    """
    found = {}
    parts = chart.layer if isinstance(chart, alt.LayerChart) else [chart]
    for part in [chart, *parts]:
        if isinstance(part.data, pd.DataFrame):
            name = f"data-{len(found)}"
            found[name] = part.data
            part.data = alt.NamedData(name=name)
    spec = chart.to_dict()  # validates against the Vega-Lite schema
    view = spec.get("config", {}).get("view", {})
    for key in ("continuousWidth", "continuousHeight"):  # the theme's
        view.pop(key, None)
    if "view" in spec.get("config", {}) and not view:
        del spec["config"]["view"]
    if not spec.get("config"):
        spec.pop("config", None)
    spec["datasets"] = {**spec.get("datasets", {}), **found, **(datasets or {})}
    return spec


def with_state(spec, lam_index=None, step_index=None, description=None, **datasets):
    """A copy of a compiled ``spec`` starting at ``lam_index`` (and ``step_index``), with named
    datasets supplied or replaced.

    The chart's text alternative (``description``, the ``aria-label`` of the drawing) is
    ``description`` if given; otherwise the compiled one (what holds at every λ) followed by
    the λ the chart starts at.

    Only the top level is copied: ``spec`` (a cached template) is never modified.
    """
    spec = dict(spec)
    if description is not None:
        spec["description"] = str(description)
    elif lam_index is not None and spec.get("description"):
        spec["description"] = f"{spec['description']} {describe_at(spec, lam_index)}"
    spec["datasets"] = {**spec.get("datasets", {}), **datasets}
    values = {LAM_PARAM: lam_index, STEP_PARAM: step_index}
    spec["params"] = [
        {**param, "value": int(values[param["name"]])}
        if values.get(param.get("name")) is not None
        else param
        for param in spec.get("params", [])
    ]
    return spec


def with_descriptions_at(spec, sentences):
    """``spec`` carrying one sentence per λ of the grid (its numbers there), which
    :func:`with_state` adds to the chart's text alternative at the λ the chart starts at."""
    if len(sentences) != len(LAMBDA_GRID):
        raise ValueError(f"one sentence per λ: {len(LAMBDA_GRID)}, got {len(sentences)}")
    usermeta = dict(spec.get("usermeta", {}))
    usermeta[AT_LAMBDA] = [str(sentence) for sentence in sentences]
    return spec | {"usermeta": usermeta}


def describe_at(spec, lam_index):
    """The sentence of ``spec`` (:func:`with_descriptions_at`) at ``lam_index``, or where it
    starts."""
    sentences = spec.get("usermeta", {}).get(AT_LAMBDA)
    lam = format_value(LAMBDA_GRID[int(lam_index)])
    head = f"Drawn at λ = {lam}; the λ control moves it."
    return f"{head} {sentences[int(lam_index)]}" if sentences else head


def as_arrow(spec):
    """``spec`` with its DataFrames as Arrow tables. Streamlit serialises a table in a fraction
    of the time a DataFrame takes (0.2 ms against 11 ms for the fit chart's 162 curves); both are
    what ``st.vega_lite_chart`` documents as data."""
    tables = {
        name: pa.Table.from_pandas(frame, preserve_index=False)
        if isinstance(frame, pd.DataFrame)
        else frame
        for name, frame in spec.get("datasets", {}).items()
    }
    return spec | {"datasets": tables}
