"""The address bar: settings from a link on a session's first run, and every setting written back
on every run, so that a copied link reopens what the student sees.

A URL is untrusted: :func:`regviz.settings.parse` clamps or ignores what it cannot use, and the
page shows its notices (which name parameters, never echo their values) until the student
changes a setting.
"""

from __future__ import annotations

import streamlit as st

from regviz import settings as protocol
from regviz.page import lambda_control
from regviz.page.views import VIEWS, find_view

_STARTED = "_started"
_LAST = "_settings"  # the settings of the last run: the base for controls hidden on this one
_LINK = "_link"  # (settings the link opened, its notices)
_CHART_START = "_chart_start"  # (descent path key, λ index) the λ-linked charts start at
#: Where each setting lives in the session: its widget's key, but λ, whose control (key
#: ``lam``) is a component that reports moves; the session's λ is kept beside it.
STATE_KEYS = {name: name for name in protocol.KEYS} | {"lam": lambda_control.STATE}
_MISSING = object()


def current_settings():
    """The session's settings, validated, with every widget's value set to match.

    On a session's first run they come from the URL; after that from the widgets, whose keys
    are the settings' names (λ: :data:`STATE_KEYS`). Controls not drawn on a run (the
    generator's, for real data) keep their last values.
    """
    state = st.session_state
    widgets = {}  # the settings' widgets as they are, by setting name
    if _STARTED not in state:
        query = st.query_params.to_dict()
        raw_view = query.pop("view", None)
        settings, notices = protocol.parse(query)
        view = VIEWS[0] if raw_view is None else find_view(raw_view)
        if view is None:
            slugs = ", ".join(v.slug for v in VIEWS)
            notices.append(f"`view`: not one of {slugs}; using {VIEWS[0].slug}.")
            view = VIEWS[0]
        state["view"] = view.label
        state[_STARTED] = True
        # The link's notices stay until the student changes a setting, then they are history.
        state[_LINK] = (settings, notices)
    else:
        last = state.get(_LAST, protocol.DEFAULTS)
        for name, key in STATE_KEYS.items():  # one read each: a λ move runs this
            value = state.get(key, _MISSING)
            if value is not _MISSING:
                widgets[name] = value
        if widgets == protocol.as_dict(last):  # nothing moved since the last run
            return last
        settings, _ = protocol.parse(widgets, base=last)
    for name, value in protocol.as_dict(settings).items():
        if widgets.get(name, _MISSING) != value:
            state[STATE_KEYS[name]] = value
    state[_LAST] = settings
    return settings


def apply(settings):
    """Set every control to ``settings`` (in a callback: before the next run draws them)."""
    for name, value in protocol.as_dict(settings).items():
        st.session_state[STATE_KEYS[name]] = value


def chart_start(settings, upload=None):
    """The λ index that the λ-linked charts start at: the current λ when they are first drawn
    (a new model, new descent settings), then unchanged, so that a λ move does not change
    their specs (the browser keeps them, and Streamlit sends them as a reference)."""
    key = settings.descent_path_key(upload)
    saved = st.session_state.get(_CHART_START)
    if saved is None or saved[0] != key:
        saved = (key, settings.lam_index)
        st.session_state[_CHART_START] = saved
    return saved[1]


def link_notices(settings):
    """The link's notices while the settings are still the link's, else none."""
    linked, notices = st.session_state.get(_LINK, (None, []))
    return notices if settings == linked else []


def current_view():
    """The open view (the tabs' key holds its label)."""
    return find_view(st.session_state.get("view", VIEWS[0].label)) or VIEWS[0]


def write(settings):
    """Every setting and the open view's slug into the address bar."""
    st.query_params.from_dict(protocol.to_query(settings) | {"view": current_view().slug})


__all__ = [
    "apply",
    "chart_start",
    "current_settings",
    "current_view",
    "link_notices",
    "write",
]
