"""Release the uploaded files of sessions that have ended: a workaround for a Streamlit 1.67 leak.

Streamlit keeps each uploaded file in its ``MemoryUploadedFileManager`` until the owning
``AppSession.shutdown()``. A session whose browser goes away is kept for a reconnect
(``server.disconnectedSessionTTL``, 120 s) in a ``TTLCache`` (``MemorySessionStorage``); when
that entry expires it is dropped without ``shutdown()``, so its files stay in memory for the
life of the server (measured before this module: 119.9 MB of uploads still counted 150 s after
the tabs closed; two files held 18 minutes).

:func:`sweep` removes the files of every session the runtime no longer knows (neither connected
nor kept for a reconnect). The upload controls call it on each run, and a daemon thread calls
it every :data:`PERIOD` seconds, so memory comes back after a class ends without anyone
uploading again; after each sweep that thread also drops the shared results nobody has asked
for in :data:`regviz.page.cache.SHARED_IDLE_SECONDS` and gives freed memory back to the system
(:mod:`regviz.page.memory`).

This touches Streamlit internals (``Runtime.instance()``, its ``_session_mgr.get_session_info``,
the upload manager's ``file_storage`` and ``remove_session_files``): the one module of the app
that does, pinned by ``tests/test_upload_release.py``, which fails when an upgrade changes them.
If they are missing it does nothing (the app keeps working; only the leak returns) and logs once.
"""

from __future__ import annotations

import logging
import threading
import time

from streamlit.runtime import Runtime

from regviz.page import cache, memory

#: Seconds between sweeps of the background thread.
PERIOD = 30.0

_LOG = logging.getLogger(__name__)
_started = threading.Lock()
_thread = None
_warned = False


def _parts():
    runtime = Runtime.instance()
    return runtime._session_mgr, runtime.uploaded_file_mgr


def sweep():
    """Remove the uploaded files of sessions that have ended; return how many sessions' files
    were removed (0 when there were none, or when Streamlit's internals are not as expected)."""
    global _warned
    try:
        sessions, uploads = _parts()
        owners = list(uploads.file_storage)
        ended = [owner for owner in owners if sessions.get_session_info(owner) is None]
        for owner in ended:
            uploads.remove_session_files(owner)
    except (AttributeError, RuntimeError) as error:
        # AttributeError: internals renamed; RuntimeError: no runtime (a bare script), or the
        # dict changed while it was listed (the next sweep retries).
        if not _warned and isinstance(error, AttributeError):
            _LOG.warning("regviz: uploaded files of ended sessions are not released: %s", error)
            _warned = True
        return 0
    _ensure_thread()
    return len(ended)


def _ensure_thread():
    global _thread
    with _started:
        if _thread is not None and _thread.is_alive():
            return
        _thread = threading.Thread(target=_every_period, name="regviz-upload-release", daemon=True)
        _thread.start()


def ensure_housekeeping():
    """Start the thread that sweeps ended sessions' files and returns freed memory to the
    system every :data:`PERIOD` seconds (once per server process; cheap to call each run)."""
    _ensure_thread()


def _every_period():
    while True:
        time.sleep(PERIOD)
        sweep()
        cache.SHARED.expire(cache.SHARED_IDLE_SECONDS)
        memory.release_free_memory()
