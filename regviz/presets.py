"""Named settings a teacher opens in one click: Bishop's figures and three classroom views.

Each preset is validated like a URL (:func:`regviz.settings.parse`), and names the view it opens
by its slug (the page's registry, ``regviz.page.views.VIEWS``; a test checks every slug).
"""

from __future__ import annotations

from dataclasses import dataclass

from regviz.settings import parse, to_query

#: Bishop's data (PRML section 1.1) as Bishop fitted it: the raw basis xᵏ with w₀ penalised.
_BISHOP = {"dataset": "synthetic", "fn": "sin", "n": 10, "noise": 0.3, "spacing": "even",
           "ntest": 100, "basis": "raw", "intercept": "penalised"}  # fmt: skip


@dataclass(frozen=True)
class Preset:
    """A named view: settings that differ from the defaults, and what to notice in it."""

    group: str
    label: str
    changes: dict
    notice: str
    view: str | None = None  # the slug of the view to open, if not the current one

    def settings(self):
        """The preset's settings: the defaults with its changes, validated like a URL."""
        settings, notices = parse({k: str(v) for k, v in self.changes.items()})
        if notices:
            raise ValueError(f"preset {self.label!r}: {notices}")
        return settings

    def query(self, view):
        """The URL query parameters that open this preset (``view``: the current view's slug)."""
        return to_query(self.settings()) | {"view": self.view or view}


PRESETS = (
    Preset(
        "Bishop, Figure 1.4",
        "M = 0",
        {**_BISHOP, "degree": 0, "lam": 0},
        "A constant: far too simple (underfits).",
    ),
    Preset(
        "Bishop, Figure 1.4",
        "M = 1",
        {**_BISHOP, "degree": 1, "lam": 0},
        "A line: still too simple.",
    ),
    Preset(
        "Bishop, Figure 1.4",
        "M = 3",
        {**_BISHOP, "degree": 3, "lam": 0},
        "A cubic: close to sin 2πx without any penalty.",
    ),
    Preset(
        "Bishop, Figure 1.4",
        "M = 9",
        {**_BISHOP, "degree": 9, "lam": 0},
        "Ten weights for ten points: through every point, wild between them.",
    ),
    Preset(
        "Bishop, Figure 1.7",
        "ln λ = −18",
        {**_BISHOP, "degree": 9, "lam": 1.58489319246e-08},
        "M = 9 with a tiny penalty (λ on the grid nearest e^−18): the wiggles are gone.",
    ),
    Preset(
        "Bishop, Figure 1.7",
        "ln λ = 0",
        {**_BISHOP, "degree": 9, "lam": 1.0},
        "M = 9 with λ = 1: too much penalty: the curve is pulled toward a constant and misses "
        "the sine (underfits).",
    ),
    Preset(
        "Bishop, Table 1.2",
        "Table 1.2",
        {**_BISHOP, "degree": 9, "lam": 0},
        "The weights for ln λ = −∞, −18 and 0 beside the ones Bishop printed.",
        view="bishop",
    ),
    Preset(
        "Classroom",
        "underfit",
        {"degree": 9, "lam": 100.0},
        "Degree 9 but λ = 100: the penalty wins, the fit is almost flat, both errors high.",
    ),
    Preset(
        "Classroom",
        "overfit",
        {"degree": 9, "lam": 0},
        "Degree 9, no penalty: zero training error, large test error.",
    ),
    Preset(
        "Classroom",
        "just right",
        {"degree": 9, "lam": 0.0063095734448},
        "Degree 9 with the λ of least test error on the default data: smooth and close.",
    ),
)
