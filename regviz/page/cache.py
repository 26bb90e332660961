"""One cache for everything the page computes: keyed on small frozen settings, bounded by bytes.

Two stores, one rule: a key whose data are private to a session (an upload, ``key.private``)
is computed into that session's own store, which Streamlit drops when the session ends
(``st.cache_resource(scope="session")``); every other key goes to the store that all sessions
share. Both are least-recently-used caches bounded by the bytes they hold (:func:`size_of`), not
only by their number of entries, and a key is computed once however many sessions ask for it
at the same moment.

At most :data:`WORKERS` computations (and uploaded files being read) run at once in the process
(:func:`work_slot`); the others wait their turn. A server has few cores, so running more at once
would not finish them sooner, only hold the transient memory of each at the same time (a
bias-and-variance decomposition at n = 1000 and degree 30 passes through about 45 MB, reading a
10 MB upload about 60 MB). When a job leaves its slot, the memory its temporaries held goes
back to the system at once (:func:`regviz.page.memory.release_free_memory`), not at the next
housekeeping sweep: under a class's load the freed space of finished jobs otherwise sits in
the allocator's arenas beside the next jobs' (measured with ``benchmarks/bench_hostile.py``).

Shared results are frozen (:func:`freeze`: every NumPy array read-only) and handed out through
:func:`share` (every DataFrame a shallow copy, which pandas copies on write), so no session can
change another's numbers. An expected failure (:class:`~regviz.compute.common.CannotDraw`,
:class:`~regviz.data.DataError`) is cached like a result and raised again on each hit.

The shared store is a plain object of this module, not ``st.cache_resource``: a client's
"clear cache" message empties Streamlit's caches, and must not make a whole class wait.
"""

from __future__ import annotations

import contextlib
import dataclasses
import sys
import threading
import time
from collections import OrderedDict

import numpy as np
import pandas as pd
import streamlit as st

from regviz.compute.common import CannotDraw
from regviz.data import DataError
from regviz.page import memory

#: What all sessions' results may hold together, and what one session's private results may.
#: A model at n = 1000 and degree 30 with its descent along λ, charts and one costly view is
#: about 5-6 MB (an upload's at 2,000 rows likewise): 128 MiB keeps about twenty such models at
#: once, and a class on one page shares a few MB; 8 MiB keeps a session's current upload model
#: and what its views add.
SHARED_BYTES = 128 * 2**20
SESSION_BYTES = 8 * 2**20
#: Costly jobs (computations, uploaded files being read) that may run at once in this process
#: (see :func:`work_slot`).
WORKERS = 2
#: Failures that are an answer ("this cannot be drawn, because ...") and are cached as one.
EXPECTED = (CannotDraw, DataError)


def size_of(value, _seen=None):
    """Bytes held by ``value``: its arrays, frames, strings and containers, each counted once.

    An estimate from above for what the cache must budget (NumPy's ``nbytes``, pandas'
    ``memory_usage(deep=True)``, ``sys.getsizeof`` for the rest); shared objects are counted once.
    """
    seen = set() if _seen is None else _seen
    if id(value) in seen:
        return 0
    seen.add(id(value))
    if isinstance(value, np.ndarray):
        base = value.base if isinstance(value.base, np.ndarray) else None
        if base is not None and id(base) in seen:
            return 0
        return int(value.nbytes)
    if isinstance(value, pd.DataFrame | pd.Series):
        return int(np.sum(value.memory_usage(deep=True)))
    if isinstance(value, str | bytes | int | float | bool | type(None)):
        return sys.getsizeof(value)
    if isinstance(value, dict):
        items = [*value.keys(), *value.values()]
    elif isinstance(value, list | tuple | set | frozenset):
        items = list(value)
    elif dataclasses.is_dataclass(value):
        items = [getattr(value, f.name) for f in dataclasses.fields(value)]
    elif isinstance(value, BaseException):
        items = [str(value)]
    else:
        items = list(getattr(value, "__dict__", {}).values())
    return sys.getsizeof(value) + sum(size_of(item, seen) for item in items)


def freeze(value):
    """Make every NumPy array reachable from ``value`` read-only, in place; return ``value``."""
    if isinstance(value, np.ndarray):
        value.setflags(write=False)
    elif isinstance(value, dict):
        for item in value.values():
            freeze(item)
    elif isinstance(value, list | tuple):
        for item in value:
            freeze(item)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            freeze(getattr(value, field.name))
    return value


def holds_frames(value):
    """Whether a DataFrame is reachable from ``value`` (only then does :func:`share` copy)."""
    if isinstance(value, pd.DataFrame | pd.Series):
        return True
    if isinstance(value, dict):
        return any(holds_frames(item) for item in value.values())
    if isinstance(value, list | tuple):
        return any(holds_frames(item) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return any(holds_frames(getattr(value, f.name)) for f in dataclasses.fields(value))
    return False


def share(value):
    """``value`` as one session may hold it: DataFrames shallow-copied, containers rebuilt around
    them, everything else (read-only arrays, frozen records without frames) the same object."""
    if isinstance(value, pd.DataFrame | pd.Series):
        return value.copy(deep=False)
    if isinstance(value, dict):
        return {key: share(item) for key, item in value.items()}
    if isinstance(value, list):
        return [share(item) for item in value]
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        return tuple(share(item) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changed = {}
        for field in dataclasses.fields(value):
            item = getattr(value, field.name)
            copy = share(item)
            if copy is not item:
                changed[field.name] = copy
        return dataclasses.replace(value, **changed) if changed else value
    return value


class _Shared:
    """A kept value, and whether handing it out needs :func:`share` (it holds DataFrames)."""

    __slots__ = ("copies", "value")

    def __init__(self, value):
        self.value = value
        self.copies = holds_frames(value)

    def hand_out(self):
        return share(self.value) if self.copies else self.value


class _Failure:
    """An expected exception, cached in place of a result."""

    def __init__(self, error):
        self.error = error


_UNSET = object()
_SLOTS = threading.BoundedSemaphore(WORKERS)
_slot = threading.local()  # .depth: how many computations this thread runs inside its slot


@contextlib.contextmanager
def work_slot():
    """Run a computation in one of the :data:`WORKERS` slots, waiting for one if all are taken.

    A computation inside another (a chart that needs the model) runs in its caller's slot.
    Leaving the outermost slot returns the freed memory to the system: ``malloc_trim`` took
    1.7 ms with nothing to return and 25 ms after 400 MB were freed among 400 MB still live
    (measured on this machine), after a job of tenths of a second or more.
    """
    depth = getattr(_slot, "depth", 0)
    if not depth:
        _SLOTS.acquire()
    _slot.depth = depth + 1
    try:
        yield
    finally:
        _slot.depth = depth
        if not depth:
            _SLOTS.release()
            memory.release_free_memory()


@contextlib.contextmanager
def slot_given_up():
    """While this thread waits for another's computation, lend its slot (if it holds one): the
    other may be waiting for a slot itself, and two slots held by two waiters would be held
    for ever."""
    depth = getattr(_slot, "depth", 0)
    if depth:
        _slot.depth = 0
        _SLOTS.release()
    try:
        yield
    finally:
        if depth:
            _SLOTS.acquire()
            _slot.depth = depth


class _Pending:
    """A key being computed: later askers wait for it instead of computing it again."""

    def __init__(self):
        self.done = threading.Event()
        self.value = _UNSET


class BoundedCache:
    """A thread-safe least-recently-used cache bounded by the bytes its values hold.

    ``get(key, compute)`` returns the cached value of ``key``, or computes it once (callers
    asking for the same key meanwhile wait for that computation), freezes it and keeps it,
    dropping the least recently used values until the total is within ``max_bytes``. A value
    larger than ``max_bytes`` on its own is returned but not kept. Values are handed out
    through :func:`share` when they hold DataFrames, as they are otherwise.
    """

    def __init__(self, max_bytes, clock=time.monotonic):
        self.max_bytes = int(max_bytes)
        self._clock = clock
        self._values = OrderedDict()  # key -> (value, bytes)
        self._used = {}  # key -> when it was last handed out (clock seconds)
        self._pending = {}
        self._lock = threading.Lock()
        self.bytes = 0
        self.hits = self.misses = 0

    def __len__(self):
        return len(self._values)

    def __contains__(self, key):
        return key in self._values

    def get(self, key, compute):
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                self._used[key] = self._clock()
                self.hits += 1
                return self._unwrap(self._values[key][0])
            pending = self._pending.get(key)
            owner = pending is None
            if owner:
                pending = self._pending[key] = _Pending()
                self.misses += 1
        if not owner:
            with slot_given_up():
                pending.done.wait()
            if pending.value is _UNSET:  # the computation failed unexpectedly: try ourselves
                return self.get(key, compute)
            return self._unwrap(pending.value)
        try:
            try:
                with work_slot():
                    value = _Shared(freeze(compute()))
            except EXPECTED as error:
                value = _Failure(error)
            pending.value = value
            self._keep(key, value)
        finally:
            with self._lock:
                del self._pending[key]
            pending.done.set()
        return self._unwrap(value)

    def _keep(self, key, value):
        size = size_of(value.value if isinstance(value, _Shared) else value)
        if size > self.max_bytes:
            return
        with self._lock:
            self._values[key] = (value, size)
            self._used[key] = self._clock()
            self.bytes += size
            while self.bytes > self.max_bytes:
                old, (_, dropped) = self._values.popitem(last=False)
                self._used.pop(old, None)
                self.bytes -= dropped

    def expire(self, idle_seconds):
        """Drop the values nobody has asked for in ``idle_seconds``; return how many. After a
        class has left, the memory its results held goes back (the housekeeping thread calls
        this); a value in use is asked for again at every rerun, so it stays."""
        with self._lock:
            cutoff = self._clock() - idle_seconds
            stale = [key for key, used in self._used.items() if used < cutoff]
            for key in stale:
                _, size = self._values.pop(key)
                del self._used[key]
                self.bytes -= size
        return len(stale)

    @staticmethod
    def _unwrap(value):
        if isinstance(value, _Failure):
            raise value.error
        return value.hand_out()

    def clear(self):
        with self._lock:
            self._values.clear()
            self._used.clear()
            self.bytes = 0


#: Results every session may see: the synthetic and bundled data, and all computed from them.
SHARED = BoundedCache(SHARED_BYTES)
#: Seconds a shared result is kept after it was last asked for (the housekeeping thread drops
#: older ones): a class that leaves gives its memory back within minutes, not at the next
#: class's evictions. As long as Streamlit keeps a closed session for a reconnect.
SHARED_IDLE_SECONDS = 120.0


@st.cache_resource(scope="session", max_entries=1, show_spinner=False)
def session_store():
    """This session's own store (its upload's results); Streamlit drops it when the session ends."""
    return BoundedCache(SESSION_BYTES)


def store_for(key):
    """The store that may hold ``key``: the session's own for private data, else the shared one."""
    return session_store() if key.private else SHARED


def holds(key):
    """Whether ``key``'s value is at hand (no computation needed)."""
    return key in store_for(key)


def cached(key, compute):
    """``compute()``, remembered under ``key`` (a small frozen dataclass with ``.private``)."""
    return store_for(key).get(key, compute)
