"""The numbers behind the views: numpy in, arrays and DataFrames out, no Streamlit.

One module per view family (:mod:`model` and :mod:`descent` serve the fit and most views);
:class:`regviz.compute.common.CannotDraw` is the one exception that says a view cannot be drawn
for the settings given.
"""
