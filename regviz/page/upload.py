"""A student's own CSV file: the uploader, the column choice, and what the page says about it.

The file stays in its session: it is read from memory, never written to disk, and its results
live in the session's own cache (:mod:`regviz.page.cache`). Every string that comes from the
file (its name, its column names, the reader's messages that quote them) reaches the page
through :func:`regviz.text.plain`.
"""

from __future__ import annotations

import streamlit as st

from regviz import data
from regviz.page import cache
from regviz.text import plain

_STATE = "_upload"  # session state: digest, parsed table or error, file name


def controls(sidebar):
    """The file uploader and the column choice, in the sidebar.

    Returns
    -------
    upload : tuple (digest, x, y) or None
        What identifies the data: the content's digest and the chosen columns.
    problem : str or None
        What the student should do when there is nothing to fit yet.
    """
    file = sidebar.file_uploader(
        "CSV file",
        type=["csv", "txt", "tsv"],
        key="upload_file",
        help=f"Comma, semicolon or tab separated; up to {data.MAX_BYTES // 2**20} MB. The file "
        "stays in your session: it is not saved and nobody else sees it.",
    )
    if file is None:
        return None, (
            "Choose a CSV file in the sidebar: a column for x and one for y, one row per "
            "point (a spreadsheet's *Save as CSV* works)."
        )
    raw = file.getvalue()
    digest = data.content_digest(raw)
    upload = st.session_state.get(_STATE)
    if upload is None or upload["digest"] != digest:
        try:
            upload = {"digest": digest, "table": data.read_csv(raw), "error": None}
        except data.DataError as error:
            upload = {"digest": digest, "table": None, "error": str(error)}
        upload["name"] = file.name
        st.session_state[_STATE] = upload
        cache.session_store().clear()  # results for the previous file are of no use now
    if upload["error"]:
        return None, f"This file could not be used: {plain(upload['error'])}"
    columns = list(upload["table"].columns)
    if len(columns) < 2:
        return None, (
            f"This file has one numeric column ({plain(columns[0])}); a fit needs two, one for "
            "x and one for y."
        )
    x = sidebar.selectbox("x column", columns, index=0, key="xcol")
    y = sidebar.selectbox("y column", columns, index=1, key="ycol")
    if x == y:
        return None, "Choose two different columns for x and y."
    return (digest, x, y), None


def table(digest):
    """The parsed table of this session's upload with content ``digest``."""
    upload = st.session_state[_STATE]
    if upload["digest"] != digest:  # the key names the content this session holds
        raise LookupError("this session holds another upload")
    return upload["table"]


def summary():
    """One Markdown line on the current upload (name, rows used and dropped, columns not
    offered), or None when there is no usable upload."""
    upload = st.session_state.get(_STATE)
    if not upload or upload.get("table") is None:
        return None
    table = upload["table"]
    kept, dropped = len(table), table.attrs.get("rows_dropped", 0)
    text = f"**{plain(upload['name'])}**: {kept:,} rows used"
    if dropped:
        text += (
            f", {dropped:,} of {table.attrs.get('rows_in_file', kept + dropped):,} dropped "
            "(a missing or non-numeric value in a numeric column)"
        )
    skipped = table.attrs.get("skipped_columns", {})
    if skipped:
        listed = "; ".join(f"{plain(name)}: {plain(why)}" for name, why in skipped.items())
        text += f". Columns not offered: {listed}"
    return text + "."
