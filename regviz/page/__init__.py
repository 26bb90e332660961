"""The page: the only code that imports Streamlit.

``app.py`` is its frame; :mod:`url` (the address bar), :mod:`sidebar`, :mod:`lambda_area` (λ,
the fit, error against λ), :mod:`views` (one module per view, in one registry), :mod:`context`
(what every view receives) and :mod:`cache` (one cache for everything computed).

One setting for the whole server process, made when the page is first imported: BLAS uses one
thread. A Streamlit server runs every student's script in one process; the matrices here are
small (at most 1,000 x 31), and BLAS threads competing with each other and with other sessions
on a busy machine made a batched SVD 26 times slower than one thread (bias and variance at
n = 1000, degree 30, K = 200: 55.6 s against 1.3 s, measured with the machine's two cores
shared). The benchmarks (``make bench``) print the figures side by side.
"""

from threadpoolctl import threadpool_limits

from regviz.page import memory

#: The BLAS thread limit of this server process (see the module's docstring).
BLAS_THREADS = 1
threadpool_limits(limits=BLAS_THREADS, user_api="blas")

# Freed memory where the housekeeping thread can give it back (regviz.page.memory).
memory.configure()
