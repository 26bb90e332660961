"""Bias and variance: many training sets from the same source, fitted at the current λ, and the
decomposition of the test error against λ (Bishop's Figures 3.5 and 3.6)."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from regviz.charts.bias_variance import (
    DECOMPOSITION,
    bias_variance_chart,
    bias_variance_fits_chart,
)
from regviz.compute import captions
from regviz.compute.bias_variance import (
    WORK_BUDGET,
    bias_variance,
    fits_at,
    resamples_within_budget,
)
from regviz.compute.common import CannotDraw
from regviz.page.context import LAMBDAS
from regviz.settings import INT_BOUNDS, CacheKey, ModelKey


@dataclass(frozen=True)
class Decomposition(CacheKey):
    """The λ-free part of the view: K fits along the whole λ grid, once per model and K."""

    model: ModelKey
    resamples: int


def render(ctx):
    settings = ctx.settings
    if not settings.synthetic:
        raise CannotDraw(
            "bias and variance need the true function and fresh training sets from the same "
            "source: choose the synthetic dataset."
        )
    st.slider("Training sets K", *INT_BOUNDS["resamples"], key="resamples")
    asked = st.session_state["resamples"]
    resamples = resamples_within_budget(asked, settings.n, settings.degree)
    if resamples < asked:
        st.info(
            f"{resamples} training sets are used instead of {asked}: with {settings.n} points "
            f"and degree {settings.degree} more would keep the server busy for everyone "
            f"(K·N·(degree + 1) is kept below {WORK_BUDGET:,}). The estimates are a little "
            "noisier; fewer points or a lower degree allow more sets."
        )
    data = ctx.data_key
    key = Decomposition(ctx.model_key, resamples)
    with st.spinner(f"Fitting {resamples} training sets at every λ…"):
        result = ctx.cached(
            key,
            lambda: bias_variance(
                data.fn,
                data.n,
                data.noise,
                data.seed,
                data.spacing,
                settings.degree,
                settings.basis,
                settings.intercept,
                LAMBDAS,
                k=resamples,
            ),
        )
    at = result.values_at(ctx.lam_index)
    cols = st.columns(5)
    for col, name in zip(cols, DECOMPOSITION, strict=True):
        col.metric(name, f"{at[name]:.4f}")
    fits = fits_at(result, ctx.lam_index)
    fit_col, curve_col = st.columns(2)
    with fit_col:
        st.altair_chart(
            bias_variance_fits_chart(fits["fits"], fits["mean"], fits["truth"], ctx.domain),
            width="stretch",
        )
    with curve_col:
        frame = result.decomposition
        top = frame.loc[frame.quantity == "test error", "value"].min()
        y_max = max(1.0, 3.0 * max(top, settings.noise**2, 1e-3))
        st.altair_chart(bias_variance_chart(frame, ctx.lam_index, y_max), width="stretch")
    st.caption(captions.bias_variance_sentence(result.decomposition, resamples, settings.n))
