"""The housekeeping thread sweeps ended sessions' uploads, drops shared results nobody has
asked for lately, and gives freed memory back to the system (:mod:`regviz.page.memory`). What
that returns is a benchmark figure (``benchmarks/bench_hostile.py``: resident memory after a
class has left), not a test: how much glibc can release depends on how the freed buffers lie
in its heaps."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from regviz.page import cache, housekeeping, memory

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc: Linux only")
def test_malloc_trim_is_found_on_linux():
    assert memory.release_free_memory() is True


def test_each_housekeeping_round_closes_sweeps_expires_collects_then_releases(monkeypatch):
    calls = []

    class Stop(Exception):
        pass

    def sleep(seconds):
        calls.append(("sleep", seconds))
        if len(calls) > 1:
            raise Stop

    monkeypatch.setattr(housekeeping.time, "sleep", sleep)
    monkeypatch.setattr(housekeeping, "close_expired_sessions", lambda: calls.append("close") or 3)
    monkeypatch.setattr(housekeeping, "sweep", lambda: calls.append("sweep"))
    monkeypatch.setattr(housekeeping.gc, "collect", lambda: calls.append("collect"))
    monkeypatch.setattr(memory, "release_free_memory", lambda: calls.append("release"))
    monkeypatch.setattr(cache.SHARED, "expire", lambda idle: calls.append(("expire", idle)))
    with pytest.raises(Stop):
        housekeeping._every_period()
    assert calls == [
        ("sleep", housekeeping.PERIOD),
        "close",
        "sweep",
        ("expire", cache.SHARED_IDLE_SECONDS),
        "collect",  # sessions were closed: their reference cycles go now, not some day
        "release",
        ("sleep", housekeeping.PERIOD),
    ]


class FakeSession:
    """What the session manager stores: an id, and a shutdown that is counted."""

    def __init__(self, session_id, fail=False):
        self.id = session_id
        self.fail = fail
        self.shutdowns = 0

    def shutdown(self):
        self.shutdowns += 1
        if self.fail:
            raise RuntimeError("a session that cannot shut down")


@pytest.fixture
def stored_sessions(monkeypatch):
    """Streamlit's own session manager and reconnect store (TTL 120 s, on a clock the test
    moves), inside a stand-in runtime whose event loop runs in a thread."""
    from types import SimpleNamespace

    from streamlit.runtime.memory_session_storage import MemorySessionStorage
    from streamlit.runtime.session_manager import SessionInfo
    from streamlit.runtime.websocket_session_manager import WebsocketSessionManager

    now = [1000.0]
    storage = MemorySessionStorage(ttl_seconds=120)
    storage._cache._timer = lambda: now[0]
    manager = WebsocketSessionManager(storage, None, None, None)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    runtime = SimpleNamespace(
        _session_mgr=manager, _get_async_objs=lambda: SimpleNamespace(eventloop=loop)
    )
    monkeypatch.setattr(housekeeping.Runtime, "instance", lambda: runtime)

    def store(session, at):
        now[0] = at
        storage.save(SessionInfo(client=None, session=session))

    yield SimpleNamespace(store=store, now=now, storage=storage, manager=manager)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)
    loop.close()


def test_sessions_past_their_reconnect_window_are_shut_down_and_dropped(stored_sessions):
    """Streamlit reads an expired session as gone but keeps it (and its memory) until its store
    is next written, and never shuts it down; the housekeeping round does both."""
    early, late = FakeSession("early"), FakeSession("late")
    failing = FakeSession("failing", fail=True)
    stored_sessions.store(early, at=1000.0)
    stored_sessions.store(failing, at=1001.0)
    stored_sessions.store(late, at=1100.0)
    stored_sessions.now[0] = 1130.0  # early and failing: 129-130 s ago; late: 30 s
    assert stored_sessions.manager.get_session_info("early") is None  # reads as gone...
    assert len(stored_sessions.storage._cache._data) == 3  # ...but is still held

    assert housekeeping.close_expired_sessions() == 2
    assert (early.shutdowns, failing.shutdowns, late.shutdowns) == (1, 1, 0)
    assert list(stored_sessions.storage._cache._data) == ["late"]
    assert stored_sessions.manager.get_session_info("late").session is late

    assert housekeeping.close_expired_sessions() == 0  # nothing twice
    assert early.shutdowns == 1


def test_without_a_runtime_closing_expired_sessions_does_nothing():
    assert housekeeping.close_expired_sessions() == 0


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc: Linux only")
def test_the_page_puts_arrow_in_the_system_allocator():
    import pyarrow as pa

    import regviz.page  # noqa: F401  (configures on import)

    assert pa.default_memory_pool().backend_name == "system"
    assert memory.configure() is True


#: Run in a fresh interpreter (mallopt is process-wide): after a 20 MB block is freed, is a
#: 4 MB block still given its own pages (counted in mallinfo2's ``hblks``)?
_MAPPED_AFTER_A_LARGE_FREE = """
import ctypes, sys
import numpy as np
configure = sys.argv[1] == "configure"
if configure:
    from regviz.page import memory
    assert memory.configure() is True

class Info(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in ("arena", "ordblks", "smblks", "hblks",
                "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]

libc = ctypes.CDLL("libc.so.6")
libc.mallinfo2.restype = Info
large = np.ones(20_000_000 // 8)
del large
before = libc.mallinfo2().hblks
block = np.ones(4_000_000 // 8)
print(libc.mallinfo2().hblks - before)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc: Linux only")
@pytest.mark.parametrize(("how", "mapped"), [("configure", "1"), ("default", "0")])
def test_large_blocks_keep_their_own_pages_after_a_larger_one_is_freed(how, mapped):
    """glibc's default raises its mmap threshold to the size of each large block freed, so the
    next large blocks come from its arenas (and stay resident once freed); the page fixes it."""
    result = subprocess.run(
        [sys.executable, "-c", _MAPPED_AFTER_A_LARGE_FREE, how],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
    )
    assert result.stdout.strip() == mapped
