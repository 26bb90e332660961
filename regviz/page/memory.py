"""Give memory that the server's sessions freed back to the system, and keep it where it can be.

A Streamlit server runs every session's script in its own thread, and glibc's allocator gives
threads their own arenas. Large NumPy and pandas buffers freed by a session that ended stay in
those arenas: the process's resident memory stays near its peak long after a class has gone
(measured with ``benchmarks/bench_hostile.py``). ``malloc_trim(0)`` returns the free pages of
every arena to the system; the housekeeping thread of :mod:`housekeeping` calls it after each
sweep. On a system without glibc (macOS, musl) it does nothing.

:func:`configure` (called once when the page is imported) puts the rest where that reaches it:
at most :data:`ARENAS` glibc arenas (``mallopt(M_ARENA_MAX)``, as ``MALLOC_ARENA_MAX`` would), a
fixed mmap threshold of :data:`MMAP_THRESHOLD` (``MALLOC_MMAP_THRESHOLD_``), and Arrow's buffers
(Streamlit sends every chart's data as Arrow; the CSV reader parses through pandas' Arrow
strings) in the system allocator instead of Arrow's default mimalloc pool, which keeps freed
memory for itself. The Dockerfile sets the same as environment variables. Measured with
``benchmarks/bench_hostile.py`` (60 sessions; glibc's own counts taken in the server): with glibc's
default threshold the arenas grew to 1.3 GB of which 0.9 GB was free space still resident; with
the fixed threshold they stayed at 0.4 GB with 0.1 GB free, and the peak fell from 1,244 MB to
842 MB.
"""

from __future__ import annotations

import ctypes
import ctypes.util

import pyarrow as pa

#: glibc arenas for the whole server (its default is 8 per core, one per busy thread).
ARENAS = 2
#: Blocks at least this large get their own pages from the system, which go back the moment
#: the block is freed. glibc's default starts at 128 KiB but rises to the size of each large
#: block freed (up to 32 MiB): after the first 10 MB upload or 16 MB decomposition, such blocks
#: come from the arenas, where freed space stays resident. A fixed value stops that rise.
MMAP_THRESHOLD = 2**20
_M_MMAP_THRESHOLD = -3  # glibc's malloc.h
_M_ARENA_MAX = -8

_LIBC = None
_LOOKED = False


def _libc():
    global _LIBC, _LOOKED
    if not _LOOKED:
        _LOOKED = True
        name = ctypes.util.find_library("c")
        try:
            libc = ctypes.CDLL(name) if name else None
            _LIBC = libc if libc is not None and hasattr(libc, "malloc_trim") else None
        except OSError:
            _LIBC = None
    return _LIBC


def release_free_memory():
    """Return freed heap memory to the system (glibc ``malloc_trim``). True when it could."""
    libc = _libc()
    if libc is None:
        return False
    libc.malloc_trim(0)
    return True


def configure():
    """Limit glibc's arenas and move Arrow's allocations to the system allocator (see the
    module's docstring). True when glibc took the arena limit."""
    pa.set_memory_pool(pa.system_memory_pool())
    libc = _libc()
    if libc is None or not hasattr(libc, "mallopt"):
        return False
    mapped = libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)
    return bool(libc.mallopt(_M_ARENA_MAX, ARENAS)) and bool(mapped)
