"""Error against degree: training and test error for degree 0 to 20, at λ = 0 and at the current
λ (Bishop's Figure 1.5)."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from regviz.charts.degree import degree_chart
from regviz.compute import captions
from regviz.compute.degree import error_against_degree
from regviz.page.context import dataset
from regviz.settings import CacheKey


@dataclass(frozen=True)
class DegreeErrors(CacheKey):
    """Every degree's fit on these data at λ (the model's own degree plays no part)."""

    data: object  # a data key of regviz.settings
    basis: str
    intercept: str
    lam: float


def render(ctx):
    settings = ctx.settings
    key = DegreeErrors(ctx.data_key, settings.basis, settings.intercept, settings.lam)
    frame = ctx.cached(
        key,
        lambda: error_against_degree(dataset(key.data), key.basis, key.intercept, key.lam),
    )
    top = frame.loc[frame["set"] == "train", "rmse"].max()
    y_max = 2.5 * max(top, 1e-3)
    st.altair_chart(degree_chart(frame, y_max, settings.degree), width="stretch")
    st.caption(captions.degree_sentence(frame))
