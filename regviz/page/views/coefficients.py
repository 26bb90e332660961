"""Coefficients: both fits' weights at the current λ, and every weight against λ."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from regviz.charts.common import with_state
from regviz.page.context import lambda_charts
from regviz.page.widgets import table_height
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
        table = weights_table(ctx)
        st.dataframe(table.style.format("{:.4g}"), width="stretch", height=table_height(len(table)))
    with path_col:
        spec = lambda_charts(ctx.model_key).coefficients
        st.vega_lite_chart(with_state(spec, ctx.lam_index), width="stretch")
    st.caption(
        "Notice: without the penalty the weights are huge and of alternating sign; the curve "
        "is the small difference of large terms, so it can swing wildly between points. L2 "
        "shrinks every weight smoothly toward 0, and ‖w‖ (black) never grows with λ."
    )
