"""The page's own styles: a compact top so that at 1280x720 the λ control, the fit and the error
against λ are on screen without scrolling (a projector, a laptop), and on a phone the λ control
and the fit together; the accessibility rules (visible focus, contrast) from
``accessibility.css``.

Streamlit documents ``st.html`` with only ``<style>`` in its body as the way to add CSS: it goes
to the page without taking space. The selectors name Streamlit's ``data-testid`` attributes
and ``st-key-*`` classes (an element with a key gets that class); the browser tests check the
layout they give at 1280x720 and 390x844 with the pinned Streamlit.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

_HERE = Path(__file__).resolve().parent

LAYOUT = """
/* Streamlit's default leaves 6rem above the title: a quarter of a 720 px screen. */
[data-testid="stMainBlockContainer"] { padding-top: 1.75rem; padding-bottom: 3rem; }
/* On a phone the header bar (the sidebar's toggle) sits over the top 3.75rem. */
@media (max-width: 640px) {
  [data-testid="stMainBlockContainer"] { padding-top: 4.25rem; }
  /* On a phone the tour's button says enough; the λ control and the fit come first. */
  .st-key-tour [data-testid="stCaptionContainer"] { display: none; }
}
/* The title on one line at 1280 px, three at most on a phone. */
[data-testid="stMainBlockContainer"] h1 {
  font-size: clamp(1.45rem, 1.1rem + 1.4vw, 2.1rem); padding: 0 0 0.25rem 0; line-height: 1.2;
}
/* The charts' headings (h2 under the title's h1): labels, not chapter titles. */
.st-key-lambda-area h2 { font-size: 1.25rem; padding: 0; }
/* A long formula in a caption wraps on a phone instead of running off the screen. */
[data-testid="stCaptionContainer"] { overflow-wrap: anywhere; }
/* A chart that keeps its own width (the geometry's square plane) scrolls inside its box. */
.st-key-geometry-chart { overflow-x: auto; }
/* A preset or a tour step that opens a view scrolls it to the top, under the header bar. */
.st-key-views { scroll-margin-top: 4rem; }
/* The sidebar's toggle says what it opens (the bare arrow is unlabelled on a phone). */
[data-testid="stExpandSidebarButton"]::after {
  content: "Settings & presets"; font-size: 0.95rem; font-weight: 600; margin-left: 0.35rem;
  color: #262730; white-space: nowrap;
}
[data-testid="stExpandSidebarButton"] { width: auto; padding-right: 0.6rem; }
"""


def _accessibility_css():
    path = _HERE / "accessibility.css"
    return path.read_text(encoding="utf-8") if path.exists() else ""


def apply():
    """Add the page's styles (once per run, before anything is drawn)."""
    st.html(f"<style>{LAYOUT}\n{_accessibility_css()}</style>")
