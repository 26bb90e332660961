"""The housekeeping thread sweeps ended sessions' uploads, drops shared results nobody has
asked for lately, and gives freed memory back to the system (:mod:`regviz.page.memory`). What
that returns is a benchmark figure (``benchmarks/bench_hostile.py``: resident memory after a
class has left), not a test: how much glibc can release depends on how the freed buffers lie
in its heaps."""

from __future__ import annotations

import sys

import pytest

from regviz.page import cache, memory, upload_release


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc: Linux only")
def test_malloc_trim_is_found_on_linux():
    assert memory.release_free_memory() is True


def test_each_housekeeping_period_sweeps_then_releases(monkeypatch):
    calls = []

    class Stop(Exception):
        pass

    def sleep(seconds):
        calls.append(("sleep", seconds))
        if len(calls) > 1:
            raise Stop

    monkeypatch.setattr(upload_release.time, "sleep", sleep)
    monkeypatch.setattr(upload_release, "sweep", lambda: calls.append("sweep"))
    monkeypatch.setattr(memory, "release_free_memory", lambda: calls.append("release"))
    monkeypatch.setattr(cache.SHARED, "expire", lambda idle: calls.append(("expire", idle)))
    with pytest.raises(Stop):
        upload_release._every_period()
    assert calls == [
        ("sleep", upload_release.PERIOD),
        "sweep",
        ("expire", cache.SHARED_IDLE_SECONDS),
        "release",
        ("sleep", upload_release.PERIOD),
    ]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc: Linux only")
def test_the_page_puts_arrow_in_the_system_allocator():
    import pyarrow as pa

    import regviz.page  # noqa: F401  (configures on import)

    assert pa.default_memory_pool().backend_name == "system"
    assert memory.configure() is True
