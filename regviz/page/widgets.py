"""Small helpers for the page's widgets and tables."""

from __future__ import annotations

import streamlit as st

from regviz.settings import CHOICE_LABELS


def choice(container, label, name, radio=False, **kwargs):
    """A selectbox (or horizontal radio) over the options of setting ``name``, labelled with
    the words of :data:`regviz.settings.CHOICE_LABELS`; its key is the setting's name."""
    widget = container.radio if radio else container.selectbox
    if radio:
        kwargs["horizontal"] = True
    labels = CHOICE_LABELS[name]
    return widget(label, tuple(labels), key=name, format_func=labels.get, **kwargs)


def table_height(rows):
    """Pixels that show ``rows`` rows and the header without scrolling, up to 20 rows."""
    return 35 * (min(rows, 20) + 1) + 3


def numbers_table(container, frame, digits=4):
    """``frame`` as a table of numbers shown to ``digits`` significant digits, formatted in the
    browser (a pandas Styler would send every cell twice, as a number and as its text)."""
    config = {
        column: st.column_config.NumberColumn(format=f"%.{digits}g") for column in frame.columns
    }
    container.dataframe(
        frame, column_config=config, width="stretch", height=table_height(len(frame))
    )
