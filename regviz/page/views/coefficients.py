"""Coefficients: both fits' weights at the current λ, and every weight against λ."""

from __future__ import annotations

import numpy as np
import streamlit as st

from regviz.charts.common import with_state
from regviz.compute import captions
from regviz.page.widgets import numbers_table
from regviz.text import format_value


def weights_table(ctx):
    """Closed-form and gradient-descent weights side by side, the free intercept and ‖w‖:
    ``(row names, {column: values})`` for :func:`numbers_table`."""
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
    return names, {
        "closed form": np.concatenate(closed),
        "gradient descent": np.concatenate(descent),
    }


def draw(ctx):
    """The coefficient path (it follows λ and the step in the browser) and what it shows; the
    column the weights at the current λ go into."""
    table_col, path_col = st.columns([2, 3])
    with path_col:
        st.vega_lite_chart(with_state(ctx.charts.coefficients, ctx.chart_start), width="stretch")
    st.caption(
        captions.coefficients_sentence(ctx.path, captions.fit_facts(ctx.model, ctx.path))
        + " Diamonds: gradient descent's weights at the current λ and step; play the descent "
        "to watch them travel toward the closed form's."
    )
    return table_col


def render(ctx, table_col):
    """Both fits' weights at the current λ, beside the path."""
    settings = ctx.settings
    with table_col:
        st.markdown(
            f"**Weights at λ = {format_value(settings.lam)}**, {settings.basis} basis "
            "(the penalty acts on these numbers)"
        )
        numbers_table(st, weights_table(ctx))
