"""regviz: the closed-form ridge fit and gradient descent on Bishop's sine data.

Run with ``streamlit run app.py``.
"""

import warnings

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from regviz import GradientDescentRegressor, PolynomialBasis, RidgeRegression
from regviz.data import sine_data

st.set_page_config(page_title="regviz: L2 regularization", layout="wide")
st.title("Why L2 regularization prevents overfitting")

degree = st.sidebar.slider("Polynomial degree", 1, 20, 9, key="degree")
ln_lam = st.sidebar.slider("ln λ", -30.0, 5.0, -18.0, 0.5, key="ln_lam")
lam = float(np.exp(ln_lam))

x, y, _, _ = sine_data()
basis = PolynomialBasis(degree=degree).fit(x[:, None])
grid = np.linspace(0, 1, 200)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    ridge = RidgeRegression(alpha=lam).fit(basis.transform(x[:, None]), y)
    gd = GradientDescentRegressor(alpha=lam, max_iter=2000).fit(basis.transform(x[:, None]), y)

Phi = basis.transform(grid[:, None])
curves = pd.DataFrame(
    {
        "x": np.tile(grid, 3),
        "y": np.r_[np.sin(2 * np.pi * grid), ridge.predict(Phi), gd.predict(Phi)],
        "curve": np.repeat(["sin 2πx", "ridge (closed form)", "gradient descent"], len(grid)),
    }
)
lines = (
    alt.Chart(curves)
    .mark_line()
    .encode(x="x", y=alt.Y("y", scale=alt.Scale(domain=[-2, 2], clamp=True)), color="curve")
)
points = alt.Chart(pd.DataFrame({"x": x, "y": y})).mark_circle(size=80, color="black")
st.altair_chart(lines + points, use_container_width=True)
st.caption(f"λ = {lam:.2e}; gradient descent ran {gd.n_iter_} steps.")
