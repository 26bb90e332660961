"""The floor for ``bench_rerun``: the least a λ slider and one chart cost a Streamlit rerun.

One select_slider over the app's λ grid (same key) and one 200-point Altair line that moves with λ.
"""

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from regviz.settings import LAMBDA_GRID

lam = st.select_slider("λ", LAMBDA_GRID, key="lam")
x = np.linspace(0, 2 * np.pi, 200)
line = pd.DataFrame({"x": x, "y": np.sin(x) * np.exp(-lam)})
st.altair_chart(alt.Chart(line).mark_line().encode(x="x", y="y"))
