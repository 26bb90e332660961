"""Coefficients: both fits' weights at the current λ, and every weight against λ."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from regviz.charts.common import with_state
from regviz.page.widgets import numbers_table
from regviz.text import format_value


def weights_table(ctx):
    """Closed-form and gradient-descent weights side by side, the free intercept and ‖w‖."""
    path, result, i = ctx.path, ctx.run.result, ctx.lam_index
    table = pd.DataFrame(
        {"closed form": path.coefs[i], "gradient descent": result.coef},
        index=list(ctx.model.feature_names),
    )
    if ctx.model.fit_intercept:
        table.loc["b (free)"] = [path.intercepts[i], result.intercept]
    table.loc["‖w‖"] = [np.linalg.norm(path.coefs[i]), np.linalg.norm(result.coef)]
    return table


def render(ctx):
    settings = ctx.settings
    table_col, path_col = st.columns([2, 3])
    with table_col:
        st.markdown(
            f"**Weights at λ = {format_value(settings.lam)}**, {settings.basis} basis "
            "(the penalty acts on these numbers)"
        )
        numbers_table(st, weights_table(ctx))
    with path_col:
        st.vega_lite_chart(with_state(ctx.charts.coefficients, ctx.chart_start), width="stretch")
    st.caption(
        "Notice: without the penalty the weights are huge and of alternating sign; the curve "
        "is the small difference of large terms, so it can swing wildly between points. L2 "
        "shrinks every weight smoothly toward 0, and ‖w‖ (black) never grows with λ. "
        "Diamonds: gradient descent's weights at the current λ and step; play the descent to "
        "watch them travel toward the closed form's."
    )
