"""Bishop's figures: Table 1.2 as printed in PRML beside the weights computed here."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from regviz.compute.bishop import comparison_sentence, his_targets_sentence, table_1_2
from regviz.page.widgets import table_height
from regviz.settings import CacheKey


@dataclass(frozen=True)
class Table12(CacheKey):
    """Bishop's setting with one noise seed."""

    seed: int


@dataclass(frozen=True)
class HisTargets(CacheKey):
    """The ln λ that reproduce Bishop's columns from his own targets (no settings)."""


def render(ctx, slots):
    """Nothing here follows λ: :func:`draw` drew it all."""


def draw(ctx):
    """Table 1.2 beside the weights computed here, and what they say (the same at every λ)."""
    seed = ctx.settings.seed
    st.markdown(
        "Bishop's data (*Pattern Recognition and Machine Learning*, section 1.1): ten "
        "evenly spaced points of sin 2πx with noise σ = 0.3, the raw basis xᵏ, w₀ penalised. "
        "Open a figure's setting with the buttons in the sidebar's **Presets**."
    )
    table = ctx.cached(Table12(seed), lambda: table_1_2(seed))
    st.markdown(f"**Table 1.2, M = 9** (here: seed {seed})")
    st.dataframe(table.style.format("{:.2f}"), width="stretch", height=table_height(11))
    st.caption(comparison_sentence(table))
    st.caption(ctx.cached(HisTargets(), his_targets_sentence))
