"""Cross-validation: leave-one-out and k-fold error against λ beside the test error, df(λ), and a
button that moves λ to the leave-one-out pick."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from regviz.charts.cross_validation import cross_validation_chart, dof_chart
from regviz.compute import captions
from regviz.compute.cross_validation import cross_validation
from regviz.page.context import LAMBDAS, model_and_path
from regviz.page.lambda_control import set_lambda
from regviz.settings import INT_BOUNDS, CacheKey, ModelKey
from regviz.text import format_value


@dataclass(frozen=True)
class CrossValidation(CacheKey):
    """Leave-one-out and k-fold error of one model along the λ grid."""

    model: ModelKey
    folds: int
    seed: int  # of the folds


def render(ctx):
    st.slider("k of k-fold", *INT_BOUNDS["folds"], key="folds")
    key = CrossValidation(ctx.model_key, st.session_state["folds"], ctx.settings.seed)
    frame, picks, dof = ctx.cached(
        key,
        lambda: cross_validation(model_and_path(key.model)[0], LAMBDAS, key.folds, key.seed),
    )
    if frame.empty:
        st.info("Cross-validation needs more training points.")
        return
    i = ctx.lam_index
    pick = picks.set_index("kind")
    y_max = 1.3 * max(
        float(frame.loc[frame.lam_index == len(LAMBDAS) - 1, "rmse"].max()),
        float(pick["rmse"].max()),
    )
    cols = st.columns(len(pick) + 1)
    for col, (kind, row) in zip(cols, pick.iterrows(), strict=False):
        label = "λ of least test error" if kind == "test" else f"λ picked by {kind}"
        col.metric(label, format_value(row["lam"]), help=f"RMSE {row['rmse']:.4f}")
    cols[-1].metric("df(λ) here", f"{dof.dof.iloc[i]:.2f}")
    if "leave-one-out" in pick.index:
        chosen = float(pick.loc["leave-one-out", "lam"])
        st.button(
            f"Move λ to the leave-one-out pick ({format_value(chosen)})",
            on_click=set_lambda,
            args=(chosen,),
            disabled=chosen == ctx.settings.lam,
        )
    st.altair_chart(cross_validation_chart(frame, i, picks, y_max), width="stretch")
    st.altair_chart(dof_chart(dof, i), width="stretch")
    st.caption(
        captions.cross_validation_sentence(picks) + " " + captions.dof_sentence(dof, ctx.model)
    )
