"""regviz: why L2 regularization prevents overfitting. Run with ``streamlit run app.py``.

The frame of the page; everything it draws lives in ``regviz.page`` (the only code that imports
Streamlit), each view in its own module registered in ``regviz.page.views.VIEWS``.
"""

import streamlit as st

from regviz.page import context, lambda_area, sidebar, url, views

st.set_page_config(page_title="regviz: L2 regularization", page_icon="📉", layout="wide")

settings = url.current_settings()  # from the link on a session's first run, else the widgets
upload, problem = sidebar.render(settings)
lambda_area.header()
notices = lambda_area.lambda_control()
settings = url.current_settings()  # λ as the slider now holds it
lambda_area.show_link_notices(notices, settings)
url.write(settings)
if not lambda_area.describe_data(settings, problem):
    st.stop()
ctx = context.build(settings, upload)
if ctx is None:  # the data cannot be fitted: the page has said why
    st.stop()
lambda_area.render(ctx)
views.render(ctx)
