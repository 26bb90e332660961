"""The "Start here" tour on the page: one button while it is off; while it is on, one short row
(the step's number, Back, Next, End: one line on a phone too) and the step's title and
sentences, in a box of fixed least height (fixed height on a phone, scrolling inside) so that
the page does not jump from step to step.

A step's button applies its settings in a callback (like a preset: before the next run draws
the controls) and opens its view. The current step lives in the session (:data:`STATE`). The
tour does not end when the student moves a control: the sentences describe the step's own
picture and name its λ; when the settings are no longer the step's, the page says so and
"Again" brings them back.
"""

from __future__ import annotations

import streamlit as st

from regviz.compute.degree import error_against_degree
from regviz.page import cache, context, url
from regviz.page.views import VIEWS_BY_SLUG
from regviz.page.views.degree import DegreeErrors
from regviz.tour import STEPS, Sources, step_text

#: The session's step (an index into :data:`regviz.tour.STEPS`), absent while the tour is off.
STATE = "_tour_step"


def _degree_errors(settings, dataset):
    """The "Error against degree" view's frame, from the cache it shares with the view."""
    key = DegreeErrors(settings.data_key(), settings.basis, settings.intercept, settings.lam)
    return cache.cached(
        key, lambda: error_against_degree(dataset, key.basis, key.intercept, key.lam)
    )


#: The page's cached computations: a step's numbers are those its charts and views draw.
SOURCES = Sources(
    model_and_path=context.model_and_path,
    descent_run=context.descent_run,
    dataset=context.dataset,
    degree_errors=_degree_errors,
)

STYLE = """<style>
/* The step's sentences: room for three lines at 1280 px, so that stepping does not move the
   page below; on a phone a box of five lines that scrolls inside (the λ control and the fit
   stay near the top). */
.st-key-tour-text { min-height: 4.3rem; }
.st-key-tour-text p { font-size: 0.95rem; line-height: 1.45; margin-bottom: 0; }
@media (max-width: 640px) {
  .st-key-tour-text { min-height: 7.3rem; max-height: 7.3rem; overflow-y: auto; }
}
</style>"""


def go(k):
    """Open step ``k`` (a button's callback): its settings, its view, its number."""
    step = STEPS[k]
    url.apply(step.settings(SOURCES))
    if step.view:
        st.session_state["view"] = VIEWS_BY_SLUG[step.view].label
    st.session_state[STATE] = k


def end():
    st.session_state.pop(STATE, None)


def render(settings):
    """The tour's row (``settings``: the page's current settings, to say when they are no
    longer the step's). Call it in the full run, above the λ control, never in a fragment: its
    buttons change controls of the whole page."""
    k = st.session_state.get(STATE)
    if k is not None and not 0 <= k < len(STEPS):
        k = None
        end()
    n = len(STEPS)
    with st.container(key="tour", gap="xsmall"):
        row = st.container(horizontal=True, vertical_alignment="center", gap="small")
        if k is None:
            row.button(
                f"Start here: a {n}-step tour",
                key="_tour_start",
                icon=":material/play_arrow:",
                type="primary",
                on_click=go,
                args=(0,),
            )
            row.caption(
                "Overfitting, the best λ, underfitting, descent, L2: each step sets the page.",
                width="content",
            )
            return
        st.html(STYLE)
        step = STEPS[k]
        row.markdown(f"**Step {k + 1} of {n}**", width="content")
        row.button(
            "Back",
            key="_tour_back",
            icon=":material/arrow_back:",
            disabled=k == 0,
            on_click=go,
            args=(k - 1,),
        )
        if k + 1 < n:
            row.button(
                "Next",
                key="_tour_next",
                icon=":material/arrow_forward:",
                type="primary",
                on_click=go,
                args=(k + 1,),
            )
        ours = step.settings(SOURCES)
        if settings != ours:
            row.button("Again", key="_tour_again", icon=":material/replay:", on_click=go, args=(k,))
        row.button(
            "End" if k + 1 < n else "Finish",
            key="_tour_end",
            icon=":material/close:" if k + 1 < n else ":material/check:",
            on_click=end,
        )
        with st.container(key="tour-text"):
            if settings != ours:
                st.caption(
                    f"You have changed the settings since step {k + 1}; **Again** shows its "
                    "picture, which this says:"
                )
            st.markdown(f"**{step.title}.** {step_text(step, SOURCES)}")


__all__ = ["SOURCES", "STATE", "end", "go", "render"]
