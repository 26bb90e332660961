"""Small helpers for the page's widgets and tables."""

from __future__ import annotations

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
