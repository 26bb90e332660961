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

import altair as alt
import pandas as pd
import pyarrow as pa

from regviz.compute.common import lambda_position
from regviz.settings import LAMBDA_GRID

SERIES = {
    "training points": "#222222",
    "test points": "#9a9a9a",
    "true function": "#2ca02c",
    "closed form": "#1f77b4",
    "gradient descent": "#ff7f0e",
}

#: Where the λ grid sits on the charts' λ axis (log10 λ; λ = 0 one decade left of the smallest).
LAM_DOMAIN = [float(lambda_position(LAMBDA_GRID).min()), float(lambda_position(LAMBDA_GRID).max())]
LAM_SCALE = alt.Scale(domain=LAM_DOMAIN, nice=False)
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


def series_color(names):
    return alt.Color(
        "series:N",
        scale=series_scale(names),
        legend=alt.Legend(title=None, orient="bottom", columns=3, labelLimit=200),
    )


def compile_spec(chart, datasets=None):
    """The chart as a validated Vega-Lite dict whose every DataFrame is a named dataset.

    The chart's DataFrames are replaced in place by :class:`altair.NamedData` references
    (``data-0``, ``data-1``, ...), so ``spec["datasets"]`` maps names to the DataFrames
    themselves (Streamlit sends them as Arrow, not JSON). Layers built on
    ``alt.NamedData(name)`` read ``datasets[name]`` (given here) or a dataset that
    :func:`with_state` supplies. Altair's default theme (a 300-pixel view) is dropped, as
    Streamlit drops it.
    """
    found = {}
    parts = chart.layer if isinstance(chart, alt.LayerChart) else [chart]
    for part in [chart, *parts]:
        if isinstance(part.data, pd.DataFrame):
            name = f"data-{len(found)}"
            found[name] = part.data
            part.data = alt.NamedData(name=name)
    spec = chart.to_dict()  # validates against the Vega-Lite schema
    spec.pop("config", None)  # only the theme's: these charts set no configuration
    spec["datasets"] = {**spec.get("datasets", {}), **found, **(datasets or {})}
    return spec


def with_state(spec, lam_index=None, step_index=None, **datasets):
    """A copy of a compiled ``spec`` starting at ``lam_index`` (and ``step_index``), with named
    datasets supplied or replaced.

    Only the top level is copied: ``spec`` (a cached template) is never modified.
    """
    spec = dict(spec)
    spec["datasets"] = {**spec.get("datasets", {}), **datasets}
    values = {LAM_PARAM: lam_index, STEP_PARAM: step_index}
    spec["params"] = [
        {**param, "value": int(values[param["name"]])}
        if values.get(param.get("name")) is not None
        else param
        for param in spec.get("params", [])
    ]
    return spec


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
