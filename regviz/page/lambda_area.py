"""The top of the page: the λ control and the descent film, then what follows them in the
browser: the fit (with both fits' errors in its title) and the error against λ, and below them
the sentences about this data and this λ (which the server writes when the hand stops)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from regviz import data
from regviz.charts.common import with_state
from regviz.compute import captions
from regviz.compute.model import degeneracies, leaves_frame
from regviz.page import housekeeping, lambda_control, sidebar, style, upload, url
from regviz.solvers import ILL_CONDITIONED, correct_digits
from regviz.text import format_value


def header():
    style.apply()
    housekeeping.ensure_housekeeping()
    st.title("Why L2 regularization prevents overfitting")
    st.caption(
        "A polynomial fitted two ways, exactly and by gradient descent, on one objective "
        " J(w, b) = Σᵢ (yᵢ − wᵀφ(xᵢ) − b)² + λ‖w‖².  Move λ."
    )


def show_link_notices(settings):
    """The link's notices, and what to notice in the preset the settings come from."""
    for notice in url.link_notices(settings):
        st.warning(f"Link: {notice}", icon="🔗")
    preset = sidebar.active_preset(settings)
    if preset is not None:
        st.caption(f"**Preset {preset.group}, {preset.label}:** {preset.notice}")


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


def warnings_about_the_fit(ctx):
    """The condition number's warning at the current λ."""
    settings = ctx.settings
    kappa = ctx.model.condition_number(settings.lam)
    if kappa > ILL_CONDITIONED:
        st.warning(
            f"The {settings.basis} basis at degree {settings.degree} is ill-conditioned at this "
            f"λ (condition number {kappa:.1e}): the closed-form weights carry at least about "
            f"{correct_digits(kappa)} correct digits, perhaps more. The legendre basis or a "
            "larger λ avoids this."
        )


def fit_caption(ctx):
    """What the fit chart shows along λ (measured on the drawn curves: :mod:`captions`),
    and the curves that leave its frame at the current λ."""
    facts = captions.fit_facts(ctx.model, ctx.path)
    outside = []
    curves = (
        ("closed-form fit", ctx.path.curves[ctx.lam_index]),
        ("gradient-descent fit", ctx.run.curve),
    )
    for name, drawn in curves:
        extreme = leaves_frame(drawn, ctx.domain)
        if extreme is not None:
            outside.append(f"the {name} leaves the frame (it reaches {extreme:.3g})")
    descent = captions.descent_facts(
        ctx.path, ctx.descent_path, ctx.lam_index, float(np.ptp(ctx.model.y_train))
    )
    return (
        captions.descent_fit_sentence(descent)
        + " "
        + captions.fit_sentence(facts, float(ctx.path.lams[-1]))
        + (" Here " + " and ".join(outside) + "." if outside else "")
    )


def error_caption(ctx):
    """What the error chart shows (measured: :func:`captions.error_facts`), how to use it, and
    the test error it clips."""
    path = ctx.path
    facts = captions.error_facts(path)
    worst = int(np.nanargmax(path.test_rmse)) if facts.has_test else None
    top = float(path.test_rmse[worst]) if facts.has_test else 0.0
    clipped = top > ctx.charts.error_y_max
    quiet = captions.quiet_sentence(
        captions.quiet_until(path, float(np.ptp(ctx.model.y_train))), float(path.lams[1])
    )
    return (
        captions.error_sentence(facts, path.lams, path.test_rmse)
        + (" " + quiet if quiet else "")
        + " Diamonds: gradient descent at the current λ and step. Press or drag along this "
        "chart to set λ."
        + (
            f" The test error reaches {top:.3g} at λ = {format_value(path.lams[worst])}, above "
            "the frame."
            if clipped
            else ""
        )
    )


@dataclass(frozen=True)
class Slots:
    """Where the λ area's parts go, top to bottom. The charts are drawn by the full run; what
    follows λ on the server (the control's value, sentences, the views) by the fragment that a
    λ move reruns, into these containers, so a λ move does not send the charts again."""

    control: object
    notes: object  # about the data and the model (the full run's)
    warnings: object  # about the fit at the current λ
    fit: object
    fit_caption: object
    error: object
    error_caption: object
    views: object  # the views' buttons and the open view
    below: object  # after the views


_RUN = "_full_runs"  # the number of full runs of this session
_CALLING = "_fragment_called_by"  # the full run that is calling the fragment now
_DRAWN = "_lambda_area_drawn"  # the full run whose fragment wrote the λ area to its end


def begin():
    """A full run starts; returns its number (what the fragment is called with)."""
    run = st.session_state.get(_RUN, 0) + 1
    st.session_state[_RUN] = run
    return run


def calling(run):
    """The full run ``run`` calls the fragment now (its own call, not a rerun of it)."""
    st.session_state[_CALLING] = run


def require_slots(run):
    """At the fragment's start: run the whole page instead when the last full run did not
    write the λ area to its end.

    A fragment's rerun may write only into containers that it wrote into during the last full
    run (else Streamlit raises ``StreamlitInvalidLayoutContextError``). That run may have
    stopped early (a newer request interrupts a run: on a busy server, a student's next
    click) or drawn no λ area (the data can no longer be fitted). ``run``: the number of the
    full run that registered the fragment (its argument).
    """
    state = st.session_state
    if state.pop(_CALLING, None) == run:
        return  # the full run's own call
    if _RUN not in state:
        # The state was emptied under a live page (a client's "Clear cache"): the page's last
        # full run did draw it, or this fragment would not exist; the λ control keeps the
        # move and runs the whole page again (lambda_control.render).
        return
    if state[_RUN] != run or state.get(_DRAWN) != run:
        st.rerun()


def drawn(run):
    """At the fragment's end: it wrote all its containers for full run ``run``."""
    st.session_state[_DRAWN] = run


def layout():
    """The λ control, then the fit and the error against λ side by side (stacked on a phone,
    the fit first), then the notes about these data: below the charts, so that a note that
    comes or goes with λ never moves them."""
    area = st.container(key="lambda-area")
    control = area.container()
    left, right = area.columns(2)
    left.header("The fit")
    fit, fit_caption = left.container(), left.container()
    right.header("Error against λ")
    # The λ control reads presses and drags on this chart: its container has a key.
    error, error_caption = right.container(key="lam-errors"), right.container()
    notes, warnings = area.container(), area.container()
    views, below = st.container(), st.container()
    return Slots(control, notes, warnings, fit, fit_caption, error, error_caption, views, below)


def draw(ctx, slots):
    """What does not follow λ on the server (the full run only): the fit and the error against
    λ (their specs carry the whole grid), what the error chart shows along λ, and the notes
    about the data and the model."""
    slots.control.html(lambda_control.HIDDEN_BINDINGS)
    slots.fit.vega_lite_chart(with_state(ctx.charts.fit, ctx.chart_start), width="stretch")
    slots.error.vega_lite_chart(with_state(ctx.charts.error, ctx.chart_start), width="stretch")
    slots.error_caption.caption(error_caption(ctx))
    with slots.notes:
        for note in ctx.dataset.notes:
            st.caption(note)
        for _, sentence in degeneracies(ctx.model):
            st.info(sentence)


def render(ctx, slots):
    """What follows λ on the server (the fragment's part): the λ control where the fragment
    runs (``app.py`` calls it inside ``slots.control``: its own container, so a λ move does not
    write into one more container outside it), the rest into ``slots``."""
    lambda_control.render(ctx.settings.lam, ctx.charts.steps, ctx.chart_start)
    with slots.warnings:
        warnings_about_the_fit(ctx)
    slots.fit_caption.caption(fit_caption(ctx))
