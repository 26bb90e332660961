"""regviz: why L2 regularization prevents overfitting. Run with ``streamlit run app.py``.

The frame of the page; everything it draws lives in ``regviz.page`` (the only code that imports
Streamlit), each view in its own module registered in ``regviz.page.views.VIEWS``.
"""

import streamlit as st

from regviz.page import context, lambda_area, sidebar, url, views

st.set_page_config(page_title="regviz: L2 regularization", page_icon="📉", layout="wide")


@st.fragment
def body(upload, problem):
    """Everything that follows λ and the views. A λ move or a view's own control reruns only
    this: the sidebar and the header stay as they are, and are not sent again."""
    settings = url.current_settings()
    lambda_area.show_link_notices(settings)
    url.write(settings)
    if not lambda_area.describe_data(settings, problem):
        return
    ctx = context.build(settings, upload, url.chart_start(settings, upload))
    if ctx is not None:  # else the data cannot be fitted, and the page has said why
        lambda_area.render(ctx)
        views.render(ctx)


settings = url.current_settings()  # from the link on a session's first run, else the session
upload, problem = sidebar.render(settings)
lambda_area.header()
body(upload, problem)
