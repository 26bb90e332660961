"""Coefficients: both fits' weights at the current λ, and every weight against λ."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from regviz.charts.common import with_state
from regviz.compute import captions
from regviz.page.widgets import numbers_table
from regviz.text import format_value


def weights_table(ctx):
    """Closed-form and gradient-descent weights side by side, the free intercept and ‖w‖."""
    path, result, i = ctx.path, ctx.run.result, ctx.lam_index
    names = list(ctx.model.feature_names)
    closed, descent = [path.coefs[i]], [result.coef]
    if ctx.model.fit_intercept:
        names.append("b (free)")
        closed.append([path.intercepts[i]])
        descent.append([result.intercept])
    names.append("‖w‖")
    closed.append([np.linalg.norm(path.coefs[i])])
    descent.append([np.linalg.norm(result.coef)])
    return pd.DataFrame(
        {"closed form": np.concatenate(closed), "gradient descent": np.concatenate(descent)},
        index=names,
    )


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
        captions.coefficients_sentence(ctx.path, captions.fit_facts(ctx.model, ctx.path))
        + " Diamonds: gradient descent's weights at the current λ and step; play the descent "
        "to watch them travel toward the closed form's."
    )
