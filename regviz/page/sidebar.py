"""The sidebar: presets, the data, the model and gradient descent's settings (everything but λ).

Each widget's key is its URL parameter (:mod:`regviz.settings`), so the widgets, the session's
settings and the address hold the same values.
"""

from __future__ import annotations

import streamlit as st

from regviz import settings as protocol
from regviz.page import lambda_control, upload, url
from regviz.page.views import VIEWS_BY_SLUG
from regviz.page.widgets import choice
from regviz.presets import PRESETS
from regviz.solvers import OPTIMIZERS


def on_optimizer_change():
    """A new optimizer starts at its own default learning rate (1/L, or Adam's 1e-2).

    After a client's "Clear cache" (which empties this session's state) the browser's next
    rerun reports every widget as changed before any is drawn: then there is no optimizer in
    the state yet, and the run reads the settings from the URL instead.
    """
    optimizer = st.session_state.get("optimizer")
    if optimizer in OPTIMIZERS:
        st.session_state["lr"] = protocol.default_learning_rate(optimizer)


def on_dataset_change():
    """A dataset opens at its own degree, basis and split (where a bundled one's test error
    against λ is a U: data/README.md); the synthetic data and uploads at the defaults. Without
    a dataset in the state (the rerun after a "Clear cache", as above) nothing is set."""
    dataset = st.session_state.get("dataset")
    if dataset in protocol.CHOICES["dataset"]:
        defaults = protocol.dataset_defaults(dataset)
        for name in protocol.DATASET_SETTINGS:
            st.session_state[name] = getattr(defaults, name)


PRESET = "_preset"  # the index of the preset applied last


def apply_preset(k):
    """Set every control to preset ``k``'s settings (a callback: runs before the next run); a
    preset that opens a view brings it into sight."""
    preset = PRESETS[k]
    url.apply(preset.settings())
    st.session_state[PRESET] = k
    if preset.view:
        st.session_state["view"] = VIEWS_BY_SLUG[preset.view].label
        lambda_control.show_views()


def active_preset(settings):
    """The preset applied last while the settings are still its own (λ included), else None."""
    k = st.session_state.get(PRESET)
    if k is None or not 0 <= k < len(PRESETS) or PRESETS[k].settings() != settings:
        return None
    return PRESETS[k]


def presets(sidebar):
    """The presets, each with what to notice in it written under its button (a tooltip is
    never seen on a touch screen)."""
    with sidebar.expander("Presets: Bishop's figures and classroom views"):
        group = None
        for k, preset in enumerate(PRESETS):
            if preset.group != group:
                group = preset.group
                st.markdown(f"**{group}**")
            st.button(preset.label, key=f"_preset_{k}", on_click=apply_preset, args=(k,))
            st.caption(preset.notice)


def render(settings):
    """Every control but λ. Returns ``(upload, problem)`` as :func:`upload.controls` does (both
    None for data that need no file)."""
    sidebar = st.sidebar
    presets(sidebar)
    sidebar.header("Data")
    choice(
        sidebar,
        "Dataset",
        "dataset",
        help="synthetic: a known true function plus noise. cars, Seattle and motorcycle: real "
        "measurements (data/README.md). upload: a CSV file of your own.",
        on_change=on_dataset_change,
    )
    upload_key, problem = None, None
    if settings.synthetic:
        choice(sidebar, "True function", "fn", help="t = 2x − 1 is x scaled to [−1, 1].")
        sidebar.number_input("Training points N", *protocol.INT_BOUNDS["n"], step=1, key="n")
        sidebar.slider("Noise σ", *protocol.REAL_BOUNDS["noise"], step=0.05, key="noise")
        sidebar.number_input("Seed", *protocol.INT_BOUNDS["seed"], step=1, key="seed")
        choice(sidebar, "x spacing", "spacing", radio=True)
        sidebar.number_input("Test points", *protocol.INT_BOUNDS["ntest"], step=10, key="ntest")
    else:
        if settings.dataset == "upload":
            upload_key, problem = upload.controls(sidebar)
        sidebar.slider(
            "Test fraction",
            *protocol.REAL_BOUNDS["testfrac"],
            step=0.05,
            key="testfrac",
            help="The share of rows held out, at random, to measure the test error. A large "
            "share leaves few training points: that is when a high degree overfits.",
        )
        sidebar.number_input(
            "Seed of the split",
            *protocol.INT_BOUNDS["seed"],
            step=1,
            key="seed",
            help="Which rows are test points (and which are used when a file has too many rows).",
        )
    sidebar.header("Model")
    sidebar.slider("Polynomial degree", *protocol.INT_BOUNDS["degree"], key="degree")
    choice(
        sidebar,
        "Basis",
        "basis",
        help="monomial: tᵏ with x scaled to t in [−1, 1]; Legendre: orthonormal polynomials "
        "(best conditioned); raw: xᵏ, Bishop's (badly conditioned). The penalty acts on the "
        "weights of this basis, so the basis changes the fit at every λ > 0.",
    )
    choice(
        sidebar,
        "Intercept",
        "intercept",
        radio=True,
        help="free: b is not penalised (scikit-learn). penalised: w0 is a weight like the "
        "others (Bishop).",
    )
    sidebar.header("Gradient descent")
    choice(sidebar, "Optimizer", "optimizer", on_change=on_optimizer_change)
    choice(sidebar, "L2 added to", "penalty", radio=True)
    rates = protocol.learning_rates(settings.optimizer)
    if OPTIMIZERS[settings.optimizer].adaptive:
        sidebar.select_slider("Learning rate η", rates, key="lr", format_func="{:g}".format)
    else:
        sidebar.select_slider(
            "Step size η, in units of 1/L",
            rates,
            key="lr",
            format_func="{:g}/L".format,
            help="L is the largest curvature of the objective. Plain gradient "
            "descent is stable below 2/L.",
        )
    sidebar.select_slider("Steps", protocol.ITERS, key="iters", format_func="{:,}".format)
    return upload_key, problem
