"""regviz: why L2 regularization prevents overfitting. Run with ``streamlit run app.py``.

The frame of the page; everything it draws lives in ``regviz.page`` (the only code that imports
Streamlit), each view in its own module registered in ``regviz.page.views.VIEWS``.
"""

import streamlit as st

from regviz.page import context, lambda_area, reproduce, sidebar, tour, url, views

st.set_page_config(page_title="regviz: L2 regularization", page_icon="📉", layout="wide")


@st.fragment
def follow_lambda(ctx, slots, opened, panel, run):
    """What the server writes for the current λ: a λ move (or a view's own control) reruns only
    this. The charts follow λ in the browser; they, the sidebar and the views' buttons stay."""
    lambda_area.require_slots(run)
    settings = url.current_settings()
    url.write(settings)
    lambda_area.show_link_notices(settings)
    ctx = ctx.at(settings)
    lambda_area.render(ctx, slots)
    views.render(ctx, opened)
    reproduce.render(ctx, panel)
    lambda_area.drawn(run)


run = lambda_area.begin()  # this full run's number (the fragment is called with it)
settings = url.current_settings()  # from the link on a session's first run, else the session
upload, problem = sidebar.render(settings)
lambda_area.header()
tour.render(settings)
url.write(settings)
if lambda_area.describe_data(settings, problem):
    ctx = context.build(settings, upload, url.chart_start(settings, upload))
    if ctx is not None:  # else the data cannot be fitted, and the page has said why
        slots = lambda_area.layout()
        lambda_area.draw(ctx, slots)
        with slots.views:
            opened = views.frame(ctx)
        with slots.below:
            panel = reproduce.panel()
        lambda_area.calling(run)
        with slots.control:  # the fragment's own place: the λ control is drawn there
            follow_lambda(ctx, slots, opened, panel, run)
