"""The top of the page: the λ control, then what follows λ: the metrics, the fit and the error
against λ, with the sentences that say what is unusual about this data and this λ."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import streamlit as st

from regviz import data
from regviz.charts.common import with_state
from regviz.charts.lambda_area import DESCENT
from regviz.compute.common import lambda_position
from regviz.compute.model import degeneracies, leaves_frame
from regviz.page import upload, url
from regviz.page.context import lambda_charts
from regviz.settings import LAMBDA_GRID
from regviz.text import format_rmse, format_value, lambda_label

#: Past this condition number the closed-form weights lose digits worth a warning.
ILL_CONDITIONED = 1e12


def header():
    st.title("Why L2 regularization prevents overfitting")
    st.caption(
        "A polynomial fitted to noisy points two ways: the exact ridge solution and gradient "
        "descent on the same objective  J(w, b) = Σᵢ (yᵢ − wᵀφ(xᵢ) − b)² + λ‖w‖².  Move λ."
    )


def lambda_control():
    """The λ slider; its key is ``lam``, its values the grid."""
    notices = st.container()
    st.select_slider(
        "λ, the weight of the penalty", LAMBDA_GRID, key="lam", format_func=lambda_label
    )
    return notices


def show_link_notices(box, settings):
    for notice in url.link_notices(settings):
        box.warning(f"Link: {notice}", icon="🔗")


def describe_data(settings, problem):
    """What the data are (a bundled dataset's story, an upload's rows); False when there is
    nothing to fit yet (the reason is on the page)."""
    if settings.dataset in data.BUNDLED:
        about = data.BUNDLED[settings.dataset]
        st.markdown(f"**{about.title}.** {about.about} (Sources: data/README.md.)")
    elif settings.dataset == "upload":
        summary = upload.summary()
        if summary:
            st.markdown(summary)
    if problem:
        st.info(problem, icon="📄")
        return False
    return True


def metrics(ctx):
    path, run, i = ctx.path, ctx.run, ctx.lam_index
    best = path.best_test_index
    columns = st.columns(5)
    columns[0].metric("Closed form: train RMSE", format_rmse(path.train_rmse[i]))
    columns[1].metric("Closed form: test RMSE", format_rmse(path.test_rmse[i]))
    flag = " (diverged)" if run.result.diverged else ""
    columns[2].metric("Gradient descent: train RMSE", format_rmse(run.train_rmse) + flag)
    columns[3].metric("Gradient descent: test RMSE", format_rmse(run.test_rmse) + flag)
    columns[4].metric(
        "Best test λ",
        "no test points" if best is None else format_value(path.lams[best]),
        help=None if best is None else f"test RMSE {path.test_rmse[best]:.4f}",
    )


def warnings_about_the_fit(ctx):
    settings = ctx.settings
    kappa = ctx.model.condition_number(settings.lam)
    if kappa > ILL_CONDITIONED:
        digits = max(0, int(16 - math.log10(kappa)))
        st.warning(
            f"The {settings.basis} basis at degree {settings.degree} is ill-conditioned at this "
            f"λ (condition number {kappa:.1e}): the closed-form weights carry about {digits} "
            "correct digits, though the fitted curve is still accurate. The legendre basis or a "
            "larger λ avoids this."
        )
    for kind, sentence in degeneracies(ctx.model):
        if kind != "interpolates" or settings.lam == 0:
            st.info(sentence)


def fit_and_error(ctx):
    settings, path, run, model = ctx.settings, ctx.path, ctx.run, ctx.model
    i = ctx.lam_index
    charts = lambda_charts(ctx.model_key)
    left, right = st.columns(2)
    with left:
        st.subheader("The fit")
        curve = pd.DataFrame({"x": model.x_grid, "y": run.curve})
        st.vega_lite_chart(with_state(charts.fit, i, **{DESCENT: curve}), width="stretch")
        outside = []
        for name, drawn in (
            ("closed-form fit", path.curves[i]),
            ("gradient-descent fit", run.curve),
        ):
            extreme = leaves_frame(drawn, ctx.domain)
            if extreme is not None:
                outside.append(f"the {name} leaves the frame (it reaches {extreme:.3g})")
        st.caption(
            "Notice: with small λ the degree-"
            f"{settings.degree} curve bends to pass near every training point and swings "
            "between them; as λ grows it smooths out, and at large λ it flattens toward the mean."
            + (" Here " + " and ".join(outside) + "." if outside else "")
        )
    with right:
        st.subheader("Error against λ")
        position = float(lambda_position(LAMBDA_GRID)[i])
        points = pd.DataFrame(
            {
                "position": [position, position],
                "rmse": [run.train_rmse, run.test_rmse],
                "set": ["train", "test"],
            }
        ).dropna()  # no test points: no test diamond
        st.vega_lite_chart(with_state(charts.error, i, **{DESCENT: points}), width="stretch")
        clipped = (
            path.best_test_index is not None and np.nanmax(path.test_rmse) > charts.error_y_max
        )
        st.caption(
            "Notice: training error only grows with λ, test error falls and then rises: too "
            "little penalty overfits, too much underfits (Bishop's Figure 1.8). Diamonds: "
            "gradient descent at the current λ."
            + (
                f" The test error reaches {np.nanmax(path.test_rmse):.3g} at small λ, above the "
                "frame."
                if clipped
                else ""
            )
        )


def render(ctx):
    for note in ctx.dataset.notes:
        st.caption(note)
    metrics(ctx)
    warnings_about_the_fit(ctx)
    fit_and_error(ctx)
