"""Geometry: the plane of two weights, where a contour of the data term touches the penalty's
circle."""

from __future__ import annotations

import streamlit as st

from regviz.charts.geometry import geometry_chart
from regviz.compute.common import CannotDraw
from regviz.compute.geometry import geometry


def render(ctx):
    model = ctx.model
    n_weights = model.n_features
    if n_weights < 2:
        raise CannotDraw(
            "the geometry needs two weights: choose a degree of 2 or more (or 1 with a "
            "penalised intercept)."
        )
    labels = list(model.feature_names)
    state = st.session_state
    # The weights chosen for a higher degree may not exist at this one.
    state["wi"] = min(state["wi"], n_weights - 1)
    state["wj"] = min(state["wj"], n_weights - 1)
    if state["wi"] == state["wj"]:
        state["wj"] = (state["wi"] + 1) % n_weights
    left_col, right_col = st.columns([1, 3])
    with left_col:
        options = list(range(n_weights))
        st.selectbox("Horizontal weight", options, key="wi", format_func=labels.__getitem__)
        st.selectbox("Vertical weight", options, key="wj", format_func=labels.__getitem__)
        show_l1 = st.toggle("Show the L1 diamond", key="_l1")
        st.caption(
            "The other weights are held at their ridge values for this λ. The ellipses: the "
            "data term's contours, centred on its minimum (◆). The circle: the penalty, "
            "through the ridge solution (●). The ridge path runs from 0 (at ◆) to large λ "
            "(toward 0)."
        )
    wi, wj = state["wi"], state["wj"]
    with right_col:
        if wi == wj:
            st.info("Choose two different weights.")
        else:
            # The page's own descent run: the same settings, already computed.
            frames = geometry(model, ctx.path, ctx.lam_index, wi, wj, ctx.run.result.trace)
            # A square plane (equal scales); on a phone it scrolls inside its own box.
            with st.container(key="geometry-chart"):
                st.altair_chart(
                    geometry_chart(frames, labels[wi], labels[wj], show_l1), width="content"
                )
    st.caption(
        "Notice: the ridge solution is where a data contour just touches the penalty's "
        "circle. The circle pulls every weight toward 0 in proportion to its size, so "
        "L2 shrinks all weights smoothly and rarely makes one exactly 0 (the L1 "
        "diamond's corners do)."
    )
