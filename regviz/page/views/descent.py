"""Gradient descent: how the run went (converged, diverged, or stopped early), its progress
against the step, and its step size against the stability limit."""

from __future__ import annotations

import math

import numpy as np
import streamlit as st

from regviz.charts.common import with_state
from regviz.charts.descent import step_size_chart
from regviz.compute import captions
from regviz.compute.descent import decoupled_target
from regviz.solvers import OPTIMIZERS, ridge_path_from_decomposition
from regviz.text import format_number, format_value


def divergence_text(result, step_multiple, limit):
    """What happened to a diverged run, measured on its trace, and what helps: a smaller step
    size on the sidebar (in units of 1/L, as the page sets it)."""
    start, end = result.trace.suboptimality[0], result.trace.suboptimality[-1]
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        growth = end / start
    grew = (
        f"J − J* grew {growth:.3g}-fold in {result.n_iter:,} steps"
        if np.isfinite(growth) and growth > 1
        else f"the iterates overflowed at step {result.n_iter:,}"
    )
    if math.isfinite(limit) and step_multiple > limit:
        return (
            f"Diverged: {grew}. The step size {step_multiple:.4g}/L is past the stability limit "
            f"{limit:.3g}/L, so every step overshoots the minimum along the steepest direction by "
            f"more than it corrects. Lower the step size below {limit:.3g}/L. The last finite "
            "iterate is shown."
        )
    return (
        f"Diverged: {grew}. This step size is unstable for this optimizer and penalty: lower "
        "it. The last finite iterate is shown."
    )


def draw(ctx):
    """The step size against the stability limit (both in units of each λ's 1/L, the same at
    every λ), J − J* and ‖w − w*‖ against the step (they follow λ and the step in the
    browser); the containers above and below them for what the server says at the current λ."""
    above = st.container()
    run = ctx.run
    if math.isfinite(run.limit_multiple):
        st.altair_chart(step_size_chart(run.step_multiple, run.limit_multiple), width="stretch")
    c1, c2 = st.columns(2)
    # The axes say only the symbols (a long title is cut along a 260-pixel axis); the words here.
    c1.markdown(r"**J − J\***: the objective above its minimum")
    c1.vega_lite_chart(with_state(ctx.charts.gap, ctx.chart_start), width="stretch")
    c2.markdown(r"**‖w − w\*‖**: the distance to the closed form's weights")
    c2.vega_lite_chart(with_state(ctx.charts.distance, ctx.chart_start), width="stretch")
    return above, st.container()


def render(ctx, slots):
    """The run at the current λ above the charts, what the charts say below them."""
    above, below = slots
    with above:
        run_summary(ctx)
    optimizer = OPTIMIZERS[ctx.settings.optimizer]
    below.caption(
        captions.descent_sentence(
            optimizer.label,
            ctx.run.limit_multiple,
            ctx.descent_path.condition_number,
            ctx.model.fit_intercept,
        )
    )


def run_summary(ctx):
    """The run at the current λ: its counts and how it ended, with what helps."""
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
    needed = run.steps_needed
    if math.isnan(needed):
        shown, why = (
            "—",
            (
                "Adam has no such count: its steps are scaled by the gradients' running size."
                if optimizer.adaptive
                else "With momentum, decoupled decay converges to the ridge solution at λ(1 − μ), "
                "not at λ: there is no count to this λ's closed form."
            ),
        )
    elif math.isinf(needed):
        shown, why = "∞", "Past the stability limit the error grows: it never gets there."
    else:
        shown, why = (
            format_number(round(needed)),
            (
                "ln 10⁶ / −ln ρ, ρ the spectral radius of this optimizer's iteration at this step "
                "size and momentum (the error's slowest rate per step). The run often arrives "
                "sooner: little of its start may lie along the slowest direction."
            ),
        )
    cols[3].metric("Steps for 10⁻⁶ (slowest rate)", shown, help=why)
    distance = float(result.trace.distance[-1])
    gap = float(result.trace.suboptimality[-1])
    if result.diverged:
        st.error(divergence_text(result, run.step_multiple, limit))
    elif (
        result.converged
        and (target := decoupled_target(run.lam, run.optimizer, settings.penalty)) != run.lam
    ):
        coefs, _ = ridge_path_from_decomposition(ctx.model.decomposition, [target])
        away = float(np.linalg.norm(result.coef - coefs[0]))
        st.info(
            f"Converged after {result.n_iter:,} steps, but to the ridge solution at "
            f"λ(1 − μ) = {format_value(target)}, not at this λ: with momentum, decoupled weight "
            f"decay skips the momentum buffer, so it penalises less (‖w − w(λ(1 − μ))‖ = "
            f"{away:.1e}; ‖w − w*‖ = {distance:.2e} from this λ's closed form)."
        )
    elif result.converged:
        st.success(
            f"Converged after {result.n_iter:,} steps: ‖w − w*‖ = {distance:.1e} from the "
            f"closed form's weights, J − J* = {gap:.1e}."
        )
    elif math.isfinite(limit) and run.step_multiple > limit:
        st.warning(
            f"Not converged after {result.n_iter:,} steps, at step size {run.step_multiple:.4g}/L, "
            f"past the stability limit {limit:.3g}/L: it is diverging (J − J* = {gap:.2e}). "
            f"Lower the step size below {limit:.3g}/L."
        )
    else:
        st.warning(
            f"Not converged after {result.n_iter:,} steps: ‖w − w*‖ = {distance:.2e} from the "
            f"closed form's weights, J − J* = {gap:.2e}. Stopped early, gradient descent is a "
            "regularizer of its own: it has not yet grown the weights along the "
            "low-curvature directions that the closed form uses to fit the noise."
        )
