"""Small helpers for the page's widgets and tables."""

from __future__ import annotations

import pyarrow as pa
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


#: The header of a numbers table's first column, which holds the row names.
ROW_NAMES = "term"


def numbers_table(container, frame, digits=4):
    """``frame`` (a DataFrame, row names in its index; or a pair ``(row names, {column:
    values})``) as a table of numbers shown to ``digits`` significant digits, formatted in the
    browser (a pandas Styler would send every cell twice, as a number and as its text). Sent
    as an Arrow table: a tenth of the time pandas' conversion takes. The pair skips pandas:
    the coefficients' table is built on every λ move."""
    if isinstance(frame, tuple):
        names, columns = frame
    else:
        names, columns = frame.index, frame.to_dict("list")
    config = {column: st.column_config.NumberColumn(format=f"%.{digits}g") for column in columns}
    # The row names' column: a header of its own (an empty one reads "_index", and screen
    # readers announce an unnamed column).
    config[ROW_NAMES] = st.column_config.TextColumn(ROW_NAMES)
    table = pa.table({ROW_NAMES: [str(name) for name in names], **columns})
    container.dataframe(
        table,
        column_config=config,
        width="stretch",
        height=table_height(len(names)),
        hide_index=True,
    )
