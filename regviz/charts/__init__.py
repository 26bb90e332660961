"""Altair charts: DataFrames in, charts out, no Streamlit. One module per view; the shared
palette, λ axis and spec compiling in :mod:`regviz.charts.common`."""
