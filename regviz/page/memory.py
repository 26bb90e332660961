"""Give memory that the server's sessions freed back to the system.

A Streamlit server runs every session's script in its own thread, and glibc's allocator gives
threads their own arenas. Large NumPy and pandas buffers freed by a session that ended stay in
those arenas: the process's resident memory stays near its peak long after a class has gone
(measured with ``benchmarks/bench_hostile.py``). ``malloc_trim(0)`` returns the free pages of
every arena to the system; the housekeeping thread of :mod:`upload_release` calls it after each
sweep. On a system without glibc (macOS, musl) it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util

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
