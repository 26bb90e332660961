"""The views below the fit: one module each, registered in :data:`VIEWS`, the one list that the
page's tabs, the ``view`` URL parameter, the README's table and the tests read.

A view is a module with ``render(ctx)`` (``ctx``: a :class:`regviz.page.context.ViewContext`),
which draws what the server computes at the current λ: a λ move reruns it (the page's fragment).
A view with parts that do not change with λ (charts whose specs carry the whole λ grid and
follow it in the browser, formulas, a printed table) also has ``draw(ctx)``: the full run calls
it once, it draws those parts and returns the containers that its ``render(ctx, slots)`` writes
into, so that a λ move does not send them again.
Either raises :class:`regviz.compute.common.CannotDraw` (from the computations) where its
numbers cannot be computed for these settings; this module turns that, and nothing broader,
into a sentence.

To add a view: write ``regviz/page/views/<name>.py`` with ``render(ctx)`` and add one
``View(...)`` line below.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

import streamlit as st

from regviz.compute.common import CannotDraw
from regviz.page.views import (
    bias_variance,
    bishop,
    coefficients,
    cross_validation,
    degree,
    descent,
    early_stopping,
    geometry,
    where_l2,
)
from regviz.text import plain


@dataclass(frozen=True)
class View:
    """One view: its stable URL slug, its tab label, and the module that draws it.

    ``aliases`` are other values of the ``view`` URL parameter that open it (labels of links
    shared before the slugs, so that old links keep working).
    """

    slug: str
    label: str
    module: ModuleType
    aliases: tuple = ()

    def accepts(self, value):
        return value == self.slug or value == self.label or value in self.aliases


VIEWS = (
    View("coefficients", "Coefficients", coefficients),
    View("descent", "Gradient descent", descent),
    View("l2", "Where is L2 added?", where_l2),
    View("geometry", "Geometry", geometry),
    View("bias-variance", "Bias and variance", bias_variance),
    View("degree", "Error against degree", degree),
    View("cross-validation", "Cross-validation", cross_validation),
    View("early-stopping", "Early stopping", early_stopping),
    View("bishop", "Bishop's figures", bishop),
)
VIEWS_BY_SLUG = {view.slug: view for view in VIEWS}


def find_view(value):
    """The view a ``view`` URL parameter (or tab label) names, or None."""
    text = str(value).strip()
    for view in VIEWS:
        if view.accepts(text) or view.slug == text.lower():
            return view
    return None


@dataclass(frozen=True)
class Opened:
    """The open view as the full run drew it: where its λ part goes, and what its ``draw``
    returned (None for a view without one, or one that could not be drawn)."""

    view: View
    box: object  # the container of the view's λ part
    slots: object = None  # what its draw returned
    refused: bool = False  # its draw raised CannotDraw: the sentence is on the page


def _refuse(reason):
    st.info(f"This view cannot be drawn for these settings: {plain(reason)}")


def frame(ctx):
    """The views' navigation (buttons that wrap onto more lines on a narrow screen: all nine
    visible at every width), then what the open view draws once per model (the full run's
    part); only the open view is computed and drawn. Choosing a view reruns the page."""
    with st.container(key="views"):
        label = st.pills(
            "More views",
            [view.label for view in VIEWS],
            required=True,
            key="view",
            width="stretch",
        )
        view = find_view(label) or VIEWS[0]
        with st.container(key=f"view-{view.slug}"):
            box = st.container()
            draw = getattr(view.module, "draw", None)
            if draw is None:
                return Opened(view, box)
            try:
                return Opened(view, box, draw(ctx))
            except CannotDraw as reason:
                _refuse(reason)
                return Opened(view, box, refused=True)


def render(ctx, opened):
    """The open view's part at the current λ (the fragment's part), into ``opened.box``."""
    if opened.refused:
        return
    with opened.box:
        try:
            if hasattr(opened.view.module, "draw"):
                opened.view.module.render(ctx, opened.slots)
            else:
                opened.view.module.render(ctx)
        except CannotDraw as reason:
            _refuse(reason)
