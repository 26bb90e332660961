"""Take it home: the page's fit at this λ as code for scikit-learn, PyTorch and Keras.

The programs come from :func:`regviz.compute.reproduce.snippets`; here they are shown with
``st.code`` (literal text with a copy button: a column name in them is never read as Markdown),
each under one sentence with the numbers it should print: the page's own.

The panel and its tabs track their state (``on_change="rerun"``): a closed panel computes and
sends nothing, an open one only its open tab. The full run draws the panel (:func:`panel`);
the page's fragment fills it at the current λ (:func:`render`). The programs carry the data
(7 kB each at the defaults) and follow λ: drawn always, the three were 23 of the 31 kB that a
λ move sent (measured with ``benchmarks/bench_rerun.py``).
"""

from __future__ import annotations

import math

import streamlit as st

from regviz.compute.reproduce import snippets
from regviz.solvers import OPTIMIZERS
from regviz.text import lambda_label

TITLE = "Reproduce in Python"
TABS = ("scikit-learn", "PyTorch", "Keras")
#: Session-state keys of the panel (open or not) and of its open tab (a label of TABS).
PANEL_KEY = "reproduce"
TAB_KEY = "reproduce-tab"


def _errors(train, test):
    """The numbers as the programs print them (``.6g``)."""
    if math.isnan(test):
        return f"train RMSE {train:.6g} (no test points)"
    return f"train RMSE {train:.6g}, test RMSE {test:.6g}"


def panel():
    """The expander (opening or closing it reruns the page); None while it is closed, else the
    container that :func:`render` fills."""
    box = st.expander(TITLE, key=PANEL_KEY, on_change="rerun")
    return box if box.open else None


def render(ctx, panel):
    """The programs for the page's settings at its λ into the open ``panel`` (only the open
    tab's program); nothing while it is closed (``panel`` None)."""
    if panel is None:
        return
    code = snippets(ctx.settings, ctx.dataset, ctx.model, ctx.path, ctx.run)
    settings = ctx.settings
    rule = OPTIMIZERS[settings.optimizer]
    lam = lambda_label(settings.lam)
    run = f"the page's {rule.label}: {code.steps:,} steps at learning rate {code.learning_rate:.6g}"
    descent = _errors(code.descent_train, code.descent_test)
    with panel:
        st.caption(
            "Self-contained programs for the settings on this page, the data included: copy one "
            "(the button at its top right) and run it."
        )
        sklearn_tab, torch_tab, keras_tab = st.tabs(list(TABS), key=TAB_KEY, on_change="rerun")
    if sklearn_tab.open:
        with sklearn_tab:
            st.caption(
                f"Ridge(alpha=λ) on the same basis. It prints "
                f"{_errors(code.closed_train, code.closed_test)}: the page's closed form at "
                f"λ = {lam}."
            )
            st.code(code.sklearn, language="python")
    if torch_tab.open:
        with torch_tab:
            st.caption(
                f"{run[0].upper()}{run[1:]}, weight_decay translated. It should print "
                f"{descent}, the page's descent at λ = {lam} (float64; the last digits may "
                "differ: PyTorch rounds in another order)."
            )
            st.code(code.pytorch, language="python")
    if keras_tab.open:
        with keras_tab:
            close = "close to " if rule.adaptive else ""
            st.caption(
                f"{run[0].upper()}{run[1:]}, with loss='mse' and the L2 weight translated. It "
                f"should print {close}{descent}, the page's descent at λ = {lam}."
            )
            st.code(code.keras, language="python")
