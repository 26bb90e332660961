"""Early stopping: the ridge λ that each step of plain gradient descent from zero is nearest to,
and one step's fit beside its match. Stopping early regularizes too."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from regviz.charts.early_stopping import early_stopping_chart, early_stopping_fit_chart
from regviz.compute import captions
from regviz.compute.early_stopping import early_stopping, early_stopping_fit
from regviz.page.context import LAMBDAS, model_and_path
from regviz.settings import ITERS, CacheKey, ModelKey


@dataclass(frozen=True)
class EarlyStopping(CacheKey):
    """One long run of plain descent at λ = 0 on a model, matched to the ridge path."""

    model: ModelKey


def render(ctx):
    key = EarlyStopping(ctx.model_key)
    stopping = ctx.cached(
        key, lambda: early_stopping(model_and_path(key.model)[0], LAMBDAS, iters=ITERS[-1])
    )
    st.select_slider("Step t", ITERS, key="stop", format_func="{:,}".format)
    step = st.session_state["stop"]
    curves, chosen = early_stopping_fit(ctx.model, ctx.path, stopping["learning_rate"], step)
    match_col, fit_col = st.columns(2)
    with match_col:
        chart = early_stopping_chart(stopping["matches"], stopping["rule_of_thumb"], chosen["step"])
        st.altair_chart(chart, width="stretch")
    with fit_col:
        points = pd.DataFrame({"x": ctx.dataset.x_train, "y": ctx.dataset.y_train})
        st.altair_chart(early_stopping_fit_chart(curves, points, ctx.domain), width="stretch")
    st.caption(captions.early_stopping_sentence(stopping["matches"], chosen))
