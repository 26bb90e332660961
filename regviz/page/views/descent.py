"""Gradient descent: how the run went (converged, diverged, or stopped early), its progress
against the step, and its step size against the stability limit."""

from __future__ import annotations

import math

import streamlit as st

from regviz.charts.common import with_state
from regviz.charts.descent import step_size_chart
from regviz.compute import captions
from regviz.compute.descent import steps_needed
from regviz.solvers import OPTIMIZERS
from regviz.text import format_number


def render(ctx):
    settings, run = ctx.settings, ctx.run
    result = run.result
    cols = st.columns(4)
    cols[0].metric("Steps run", f"{result.n_iter:,}")
    limit = run.limit_multiple
    cols[1].metric(
        "Step size η·L",
        f"{run.step_multiple:.3g}",
        help="In units of 1/L. Stable below "
        + (f"{limit:.3g}" if math.isfinite(limit) else "any value for Adam"),
    )
    kappa_label = "Condition number κ (on the range)" if run.singular else "Condition number κ"
    cols[2].metric(
        kappa_label,
        format_number(result.condition_number),
        help="L/μ: the largest curvature of the objective over the smallest"
        + (
            ". The Hessian is singular (λ = 0 and more parameters than the data pin down): "
            "descent from 0 never moves along its null space and goes to the least-norm "
            "minimiser, so κ counts the curvatures it does see."
            if run.singular
            else "."
        ),
    )
    optimizer = OPTIMIZERS[settings.optimizer]
    needed = steps_needed(result.condition_number, 1e-6, settings.optimizer)
    rule = (optimizer.rule_of_thumb or "").replace("ln(1/ε)", "ln 10⁶")
    cols[3].metric(
        f"Steps for 10⁻⁶ (≈ {rule})" if rule else "Steps for 10⁻⁶",
        "—" if needed is None else format_number(round(needed)),
        help="A rule of thumb for step size 1/L; Adam has no such rule."
        if needed is None
        else "A rule of thumb for step size 1/L.",
    )
    distance = float(result.trace.distance[-1])
    gap = float(result.trace.suboptimality[-1])
    if result.diverged:
        if math.isfinite(limit):
            reason = (
                f"the step size {run.step_multiple:.3g}/L is past the stability limit "
                f"{limit:.3g}/L, so every step overshoots the minimum along the steepest "
                "direction by more than it corrects, and the error grows geometrically"
            )
        else:
            reason = "the iterates overflowed: the learning rate is too large for this problem"
        st.error(f"Diverged at step {result.n_iter:,}: {reason}. The last finite iterate is shown.")
    elif result.converged:
        st.success(
            f"Converged after {result.n_iter:,} steps: ‖w − w*‖ = {distance:.1e} from the "
            f"closed form's weights, J − J* = {gap:.1e}."
        )
    else:
        st.warning(
            f"Not converged after {result.n_iter:,} steps: ‖w − w*‖ = {distance:.2e} from the "
            f"closed form's weights, J − J* = {gap:.2e}. Stopped early, gradient descent is a "
            "regularizer of its own: it has not yet grown the weights along the "
            "low-curvature directions that the closed form uses to fit the noise."
        )
    if math.isfinite(limit):
        st.altair_chart(step_size_chart(run.step_multiple, limit), width="stretch")
    c1, c2 = st.columns(2)
    c1.vega_lite_chart(with_state(ctx.charts.gap, ctx.chart_start), width="stretch")
    c2.vega_lite_chart(with_state(ctx.charts.distance, ctx.chart_start), width="stretch")
    st.caption(
        captions.descent_sentence(
            optimizer.label, limit, ctx.descent_path.condition_number, ctx.model.fit_intercept
        )
    )
