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


def lam_param(index):
    """The chart parameter holding the current λ's index into the grid."""
    return alt.param(name="lam_index", value=int(index))


def series_color(names):
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
