"""The page: the only code that imports Streamlit.

``app.py`` is its frame; :mod:`url` (the address bar), :mod:`sidebar`, :mod:`lambda_area` (λ,
the fit, error against λ), :mod:`views` (one module per view, in one registry), :mod:`context`
(what every view receives) and :mod:`cache` (one cache for everything computed).
"""
