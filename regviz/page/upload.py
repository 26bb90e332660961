"""A student's own CSV file: the uploader, the column choice, and what the page says about it.

The file stays in its session: it is read from memory, never written to disk, and its results
live in the session's own cache (:mod:`regviz.page.cache`). Every string that comes from the
file (its name, its column names, the reader's messages that quote them) reaches the page
through :func:`regviz.text.plain`.

What a session keeps is what it draws: the file is parsed once when it arrives, and the session
holds its column names, its counts and the two chosen columns, at most
:data:`regviz.data.MAX_ROWS` rows of them, a few tens of kilobytes whatever the file (a parsed
10 MB file of 1,000 short columns is about 40 MB). Choosing other columns reads them from the
file again. The uploader's key carries a token drawn once per session: a new session (a reload,
or a server restart, after which Streamlit's uploader would still list a file the server no
longer has) gets an empty uploader, and the page asks for the file again.
"""

from __future__ import annotations

import secrets

import numpy as np
import pandas as pd
import streamlit as st

from regviz import data
from regviz.page import cache, housekeeping
from regviz.text import plain

_STATE = "_upload"  # session state: what this session keeps of its upload
_TOKEN = "_upload_token"  # session state: the uploader's key suffix, one per session
#: The uploader's key (with the session's token appended).
UPLOADER = "upload_file"


def uploader_key():
    """The file uploader's widget key in this session."""
    token = st.session_state.setdefault(_TOKEN, secrets.token_hex(4))
    return f"{UPLOADER}_{token}"


def _sample_rows(n_rows, digest):
    """The rows kept of a table of ``n_rows`` rows: all of them up to MAX_ROWS, else MAX_ROWS
    chosen at random, seeded by the content (the same file keeps the same rows)."""
    if n_rows <= data.MAX_ROWS:
        return np.arange(n_rows)
    rng = np.random.default_rng(int(digest[:16], 16))
    return np.sort(rng.choice(n_rows, data.MAX_ROWS, replace=False))


def read_file(raw):
    """``data.read_csv(raw)`` in one of the process's work slots (:func:`cache.work_slot`): a
    wide 10 MB file takes one or two seconds of CPU and about 60 MB of transient memory (the
    reader converts cells in blocks), so files are read like any costly computation, at most
    :data:`cache.WORKERS` at a time; fifteen students uploading together would otherwise hold
    most of a gigabyte at once. The others wait their turn (a spinner says so)."""
    with st.spinner("Reading your file (one or two at a time on this server)…"), cache.work_slot():
        return data.read_csv(raw)


def _read(raw, digest, name):
    """What this session keeps of a new file (see the module's docstring), and the parsed
    table for this run only (None after an error)."""
    try:
        table = read_file(raw)
    except data.DataError as error:
        return {"digest": digest, "name": name, "error": str(error)}, None
    return {
        "digest": digest,
        "name": name,
        "error": None,
        "columns": list(table.columns),
        "rows_in_file": int(table.attrs.get("rows_in_file", len(table))),
        "rows_dropped": int(table.attrs.get("rows_dropped", 0)),
        "rows_read": len(table),
        "skipped_columns": dict(table.attrs.get("skipped_columns", {})),
        "pair": None,
        "values": None,
    }, table


def _keep_pair(upload, raw, x, y, table=None):
    """Keep the rows used of columns ``x`` and ``y`` (reading the file again when the table is
    not at hand) and nothing else."""
    if upload["pair"] == (x, y):
        return
    if table is None:
        table = read_file(raw)  # the same file: it was read once without an error
    rows = _sample_rows(len(table), upload["digest"])
    upload["pair"] = (x, y)
    upload["values"] = {
        column: table[column].to_numpy(dtype=np.float64)[rows].copy() for column in (x, y)
    }


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
        key=uploader_key(),
        help=f"Comma, semicolon or tab separated; up to {data.MAX_UPLOAD_TEXT}. The file stays "
        "in your session: it is not saved and nobody else sees it.",
    )
    housekeeping.sweep()  # files of sessions that ended (a Streamlit 1.67 leak)
    if file is None:
        st.session_state.pop(_STATE, None)
        return None, (
            "Choose a CSV file in the sidebar: a column for x and one for y, one row per "
            "point (a spreadsheet's *Save as CSV* works). Files are not kept: after a reload "
            "or a server restart, upload it again."
        )
    raw = file.getvalue()
    digest = data.content_digest(raw)
    upload = st.session_state.get(_STATE)
    table = None  # parsed only when the file is new: the session keeps two columns of it
    if upload is None or upload["digest"] != digest:
        upload, table = _read(raw, digest, file.name)
        st.session_state[_STATE] = upload
        cache.session_store().clear()  # results for the previous file are of no use now
    if upload["error"]:
        return None, f"This file could not be used: {plain(upload['error'])}"
    columns = upload["columns"]
    if len(columns) < 2:
        return None, (
            f"This file has one numeric column ({plain(columns[0])}); a fit needs two, one for "
            "x and one for y."
        )
    x = sidebar.selectbox("x column", columns, index=0, key="xcol")
    y = sidebar.selectbox("y column", columns, index=1, key="ycol")
    if x == y:
        return None, "Choose two different columns for x and y."
    _keep_pair(upload, raw, x, y, table)
    return (digest, x, y), None


def table(digest):
    """The rows used of the two chosen columns of this session's upload with content
    ``digest``, as a DataFrame."""
    upload = st.session_state.get(_STATE)
    if upload is None or upload["digest"] != digest:  # the key names the content held
        raise LookupError("this session holds another upload")
    return pd.DataFrame(upload["values"])


def summary():
    """One Markdown line on the current upload (name, rows read, used and dropped, columns
    not offered), or None when there is no usable upload."""
    upload = st.session_state.get(_STATE)
    if not upload or upload.get("error") or upload.get("columns") is None:
        return None
    read, dropped = upload["rows_read"], upload["rows_dropped"]
    counted = "used" if read <= data.MAX_ROWS else "read"
    text = f"**{plain(upload['name'])}**: {read:,} rows {counted}"
    if dropped:
        text += (
            f", {dropped:,} of {upload['rows_in_file']:,} dropped (a missing or non-numeric "
            "value in a numeric column)"
        )
    if read > data.MAX_ROWS:
        text += (
            f"; {data.MAX_ROWS:,} of the {read:,} rows are used, chosen at random: more would "
            "slow the page without changing the lesson"
        )
    skipped = upload["skipped_columns"]
    if skipped:
        listed = "; ".join(f"{plain(name)}: {plain(why)}" for name, why in skipped.items())
        text += f". Columns not offered: {listed}"
    return text + "."
