"""What the server does every :data:`PERIOD` seconds, apart from any session: close the sessions
whose reconnect window has passed, release their uploaded files, drop the shared results nobody
has asked for lately, and give the freed memory back to the system. Workarounds for two
Streamlit 1.67 leaks live here.

Streamlit keeps a session whose browser went away for a reconnect
(``server.disconnectedSessionTTL``, 120 s) in a ``TTLCache`` (``MemorySessionStorage``). When
that time has passed the entry reads as absent but stays in the cache, with the whole session
(its state, its last run's frames and charts), until something next writes to the cache; and
when it is finally dropped, ``AppSession.shutdown()`` is never called, so its uploaded files
stay in the ``MemoryUploadedFileManager`` for the life of the server. Measured with
``benchmarks/bench_hostile.py`` before this module: all 61 sessions of a class alive 180 s
after the last tab closed, and 119.9 MB of uploads still counted 150 s after (two files held
18 minutes on another server).

:func:`close_expired_sessions` reaps those entries (``TTLCache.expire()``) and shuts each
session down on the runtime's event loop, as Streamlit's own ``close_session`` does for a
session it still knows. :func:`sweep` removes the files of any session the runtime no longer
knows; the upload controls call it on each run too.

This is the one module of the app that touches Streamlit internals (``Runtime.instance()``,
its ``_session_mgr`` with ``_session_storage._cache`` and ``_storage_lock``, the runtime's event
loop, the upload manager's ``file_storage`` and ``remove_session_files``), pinned by
``tests/test_memory.py`` (which fails when an upgrade changes them) and
``tests/test_browser_upload_lifetime.py``. If they are missing it does nothing (the app keeps
working; only the leaks return) and logs once.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import gc
import logging
import threading
import time

from streamlit.runtime import Runtime

from regviz.page import cache, memory

#: Seconds between the housekeeping thread's rounds.
PERIOD = 30.0
#: Seconds a round waits for the event loop to close expired sessions.
CLOSE_TIMEOUT = 10.0

_LOG = logging.getLogger(__name__)
_started = threading.Lock()
_thread = None
_warned = set()


def _warn_once(what, error):
    if what not in _warned:
        _warned.add(what)
        _LOG.warning("regviz: %s: Streamlit's internals changed: %s", what, error)


def _parts():
    runtime = Runtime.instance()
    return runtime._session_mgr, runtime.uploaded_file_mgr


def sweep():
    """Remove the uploaded files of sessions that have ended; return how many sessions' files
    were removed (0 when there were none, or when Streamlit's internals are not as expected)."""
    try:
        sessions, uploads = _parts()
        owners = list(uploads.file_storage)
        ended = [owner for owner in owners if sessions.get_session_info(owner) is None]
        for owner in ended:
            uploads.remove_session_files(owner)
    except (AttributeError, RuntimeError) as error:
        # AttributeError: internals renamed; RuntimeError: no runtime (a bare script), or the
        # dict changed while it was listed (the next sweep retries).
        if isinstance(error, AttributeError):
            _warn_once("uploaded files of ended sessions are not released", error)
        return 0
    _ensure_thread()
    return len(ended)


def _shut_down_expired(manager):
    """On the event loop: drop the stored sessions whose reconnect window has passed, and shut
    each down (its files, caches and script thread). Return how many."""
    with manager._storage_lock:
        expired = manager._session_storage._cache.expire()
    for session_id, info in expired:
        try:
            info.session.shutdown()
        except (RuntimeError, AttributeError):  # a closed loop, or internals changed: go on
            # One session's failure must not keep the others alive; the log keeps the cause.
            _LOG.exception("regviz: could not shut down expired session %s", session_id)
    return len(expired)


def close_expired_sessions(timeout=CLOSE_TIMEOUT):
    """Close the sessions kept for a reconnect that can no longer come (see the module's
    docstring); return how many were closed (0 also when the internals are not as expected, or
    when the event loop did not get to it within ``timeout`` seconds: the next round retries)."""
    try:
        runtime = Runtime.instance()
        manager = runtime._session_mgr
        manager._session_storage._cache.expire  # noqa: B018 - fail here, not on the loop
        loop = runtime._get_async_objs().eventloop
    except AttributeError as error:
        _warn_once("sessions past their reconnect window are not closed", error)
        return 0
    except RuntimeError:  # no runtime, or not started: nothing to close
        return 0

    async def on_loop():
        return _shut_down_expired(manager)

    try:
        return asyncio.run_coroutine_threadsafe(on_loop(), loop).result(timeout)
    except (concurrent.futures.TimeoutError, RuntimeError):  # a busy or closed loop
        return 0


def _ensure_thread():
    global _thread
    with _started:
        if _thread is not None and _thread.is_alive():
            return
        _thread = threading.Thread(target=_every_period, name="regviz-housekeeping", daemon=True)
        _thread.start()


def ensure_housekeeping():
    """Start the housekeeping thread (once per server process; cheap to call each run)."""
    _ensure_thread()


def housekeeping_round():
    """One round: close expired sessions, sweep their files, drop idle shared results, collect
    the sessions' reference cycles (a closed session is a web of them) and give freed memory
    back to the system."""
    closed = close_expired_sessions()
    sweep()
    cache.SHARED.expire(cache.SHARED_IDLE_SECONDS)
    if closed:
        gc.collect()
    memory.release_free_memory()
    return closed


def _every_period():
    while True:
        time.sleep(PERIOD)
        housekeeping_round()
