"""The floor for the benchmarks: the least a λ control and one chart cost a Streamlit rerun.

One select_slider over the app's λ grid (same key, ``lam``) and one 200-point Altair line that
moves with λ, compiled once (as the app compiles its charts once per model): a rerun sets one
parameter in a cached spec. The same ``.streamlit/config.toml`` applies.
"""

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from regviz.charts.common import as_arrow, compile_spec, with_state
from regviz.settings import LAMBDA_GRID


@st.cache_resource
def compiled_line():
    x = np.linspace(0, 2 * np.pi, 200)
    line = pd.DataFrame({"x": x, "y": np.sin(x)})
    lam = alt.param(name="lam_index", value=0)
    chart = (
        alt.Chart(line)
        .transform_calculate(y=f"datum.y * exp(-lam_index / {len(LAMBDA_GRID)})")
        .mark_line()
        .encode(x="x:Q", y="y:Q")
        .add_params(lam)
    )
    return as_arrow(compile_spec(chart))


lam = st.select_slider("λ", LAMBDA_GRID, key="lam")
st.vega_lite_chart(with_state(compiled_line(), LAMBDA_GRID.index(lam)), width="stretch")
