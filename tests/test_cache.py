"""The page's one cache: bounded by bytes, computed once, frozen, and private where it must be."""

import threading
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from regviz.compute.common import CannotDraw
from regviz.compute.descent import run_descent
from regviz.compute.model import build_model
from regviz.data import synthetic
from regviz.page import cache
from regviz.page.cache import BoundedCache, freeze, share, size_of


@dataclass(frozen=True)
class Key:
    name: str
    private: bool = False


def test_size_counts_arrays_frames_and_containers_once():
    a = np.zeros(1000)
    frame = pd.DataFrame({"x": np.zeros(500)})
    assert size_of(a) == 8000
    assert size_of(frame) >= 4000
    together = size_of({"a": a, "again": a, "frame": frame})
    assert 12000 <= together < 13000  # the repeated array is counted once


def test_the_least_recently_used_values_go_first_when_bytes_run_out():
    store = BoundedCache(max_bytes=30_000)
    for k in range(3):
        store.get(Key(str(k)), lambda: np.zeros(1000))  # 8 kB each
    store.get(Key("0"), lambda: pytest.fail("0 is cached"))  # now the most recently used
    store.get(Key("3"), lambda: np.zeros(1000))  # 32 kB > 30 kB: "1" goes
    assert Key("1") not in store
    assert {Key("0"), Key("2"), Key("3")} <= set(store._values)
    assert store.bytes <= store.max_bytes
    store.get(Key("huge"), lambda: np.zeros(10_000))  # larger than the budget: not kept
    assert Key("huge") not in store
    assert store.bytes <= store.max_bytes


def test_a_key_is_computed_once_however_many_ask_at_once():
    store = BoundedCache(max_bytes=2**20)
    calls = []
    release = threading.Event()

    def compute():
        calls.append(1)
        release.wait(5)
        return np.arange(3.0)

    results = []
    threads = [
        threading.Thread(target=lambda: results.append(store.get(Key("m"), compute)))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    release.set()
    for thread in threads:
        thread.join(10)
    assert len(calls) == 1
    assert len(results) == 8
    assert all(result is results[0] for result in results)


def wait_until(condition, timeout=10.0):
    """Poll ``condition()`` until true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_at_most_workers_computations_run_at_once():
    store = BoundedCache(max_bytes=2**20)
    lock, release = threading.Lock(), threading.Event()
    running, most = [0], [0]

    def compute():
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        release.wait(10)
        with lock:
            running[0] -= 1
        return np.arange(3.0)

    threads = [
        threading.Thread(target=store.get, args=(Key(f"k{i}"), compute))
        for i in range(3 * cache.WORKERS)
    ]
    for thread in threads:
        thread.start()
    wait_until(lambda: running[0] == cache.WORKERS)
    time.sleep(0.3)  # the others had time to start, were they allowed to
    assert running[0] == cache.WORKERS
    release.set()
    for thread in threads:
        thread.join(10)
    assert most[0] == cache.WORKERS == 2
    assert len(store) == 3 * cache.WORKERS


def test_a_computation_inside_another_runs_in_its_slot_and_waiters_lend_theirs():
    """Every slot held by an outer computation that needs a key whose owner waits for a slot:
    the outer ones lend their slots while they wait, so all finish."""
    store = BoundedCache(max_bytes=2**20)
    inside, go = threading.Semaphore(0), threading.Event()

    def outer():
        inside.release()
        go.wait(10)
        return store.get(Key("inner"), lambda: np.arange(2.0)) + 1  # nested: no new slot

    results = {}

    def ask(name, compute):
        results[name] = store.get(Key(name), compute)

    holders = [
        threading.Thread(target=ask, args=(f"outer{i}", outer)) for i in range(cache.WORKERS)
    ]
    for thread in holders:
        thread.start()
    for _ in holders:
        assert inside.acquire(timeout=10)  # every slot is taken
    owner = threading.Thread(target=ask, args=("inner", lambda: np.arange(2.0)))
    owner.start()
    wait_until(lambda: Key("inner") in store._pending)  # its owner waits for a slot
    go.set()
    for thread in [*holders, owner]:
        thread.join(10)
        assert not thread.is_alive(), "deadlock: a waiter kept its slot"
    assert results["inner"].tolist() == [0.0, 1.0]
    assert all(results[f"outer{i}"].tolist() == [1.0, 2.0] for i in range(cache.WORKERS))


def test_an_expected_failure_is_cached_and_raised_again_and_a_bug_is_not_cached():
    store = BoundedCache(max_bytes=2**20)
    calls = []

    def refuse():
        calls.append(1)
        raise CannotDraw("too large.")

    for _ in range(3):
        with pytest.raises(CannotDraw, match="too large"):
            store.get(Key("x"), refuse)
    assert len(calls) == 1

    def broken():
        calls.append(1)
        raise ZeroDivisionError

    for _ in range(2):
        with pytest.raises(ZeroDivisionError):
            store.get(Key("y"), broken)
    assert len(calls) == 3  # a bug is never remembered as an answer


def test_shared_results_cannot_be_changed_by_a_session():
    store = BoundedCache(max_bytes=2**24)
    value = {"array": np.arange(4.0), "frame": pd.DataFrame({"y": np.arange(4.0)})}
    first = share(store.get(Key("v"), lambda: value))
    with pytest.raises(ValueError, match="read-only"):
        first["array"][0] = 99.0
    first["frame"]["y"] = -1.0  # a session's own shallow copy: copied on write
    first["frame"].loc[0, "y"] = 7.0
    first["frame"]["z"] = 1.0
    again = share(store.get(Key("v"), lambda: pytest.fail("cached")))
    np.testing.assert_array_equal(again["frame"]["y"], np.arange(4.0))
    assert list(again["frame"].columns) == ["y"]
    np.testing.assert_array_equal(again["array"], np.arange(4.0))


def test_freeze_reaches_arrays_inside_records():
    model = build_model(synthetic(), 9, "monomial")
    run = freeze(run_descent(model, 1e-3, iters=50))
    with pytest.raises(ValueError, match="read-only"):
        run.result.trace.coef[0, 0] = 1.0
    with pytest.raises(ValueError, match="read-only"):
        run.curve[0] = 1.0


def test_a_descent_run_holds_what_the_page_draws_not_one_number_per_step():
    """100,000 steps cost the cache about what 1,000 do: the per-step loss curve is not kept."""
    model = build_model(synthetic(), 9, "monomial")
    short = size_of(run_descent(model, 1e-6, iters=1000))
    long = size_of(run_descent(model, 1e-6, iters=100_000))
    assert long < 1.5 * short
    assert long < 60_000


def private_and_shared_script():
    """Run under AppTest: one private and one shared key through the page's cache."""
    from dataclasses import dataclass as frozen_record

    import numpy as np
    import streamlit as st

    from regviz.page import cache

    @frozen_record(frozen=True)
    class Probe:
        name: str
        private: bool

    private, shared = Probe("upload-results", True), Probe("class-results", False)
    cache.cached(private, lambda: np.zeros(10))
    cache.cached(shared, lambda: np.zeros(10))
    where = {
        name: (key in cache.session_store(), key in cache.SHARED)
        for name, key in (("private", private), ("shared", shared))
    }
    st.write(str(where))


def test_private_keys_live_in_the_session_and_shared_ones_are_shared():
    """Routing by ``key.private``. (AppTest gives every test one session id, so the isolation
    of two real sessions is tested in Chromium: test_browser_upload.py.)"""
    at = AppTest.from_function(private_and_shared_script).run()
    assert not at.exception
    where = at.markdown[0].value
    assert where == str({"private": (True, False), "shared": (False, True)})
    assert not any(getattr(key, "private", False) for key in cache.SHARED._values)


def test_the_shared_store_survives_streamlits_clear_cache():
    """A client's "clear cache" empties Streamlit's caches; the class's results stay."""
    import streamlit as st

    store = cache.SHARED
    store.get(Key("survivor"), lambda: np.ones(3))
    st.cache_resource.clear()
    st.cache_data.clear()
    assert Key("survivor") in store


def test_expire_drops_only_what_nobody_asked_for_lately():
    now = [0.0]
    store = cache.BoundedCache(10_000_000, clock=lambda: now[0])
    store.get("old", lambda: np.zeros(1000))
    now[0] = 50.0
    store.get("recent", lambda: np.zeros(1000))
    now[0] = 100.0
    store.get("old", lambda: pytest.fail("still kept: not computed again"))  # used at 100
    now[0] = 170.0
    assert store.expire(100.0) == 1  # "recent" last asked for at 50
    assert "recent" not in store
    assert "old" in store
    assert store.bytes == cache.size_of(np.zeros(1000))
    now[0] = 1000.0
    assert store.expire(100.0) == 1
    assert len(store) == 0
    assert store.bytes == 0


def test_an_uploaded_file_is_read_in_a_work_slot():
    """Reading a file is costly work like any computation: with every slot taken it waits."""
    from regviz.page import upload

    taken, release = threading.Semaphore(0), threading.Event()

    def hold():
        with cache.work_slot():
            taken.release()
            release.wait(10)

    holders = [threading.Thread(target=hold) for _ in range(cache.WORKERS)]
    for thread in holders:
        thread.start()
    for _ in holders:
        assert taken.acquire(timeout=10)
    tables = []
    reader = threading.Thread(target=lambda: tables.append(upload.read_file(b"x,y\n1,2\n3,4\n")))
    reader.start()
    reader.join(0.5)
    assert reader.is_alive()
    assert tables == []
    release.set()
    reader.join(10)
    assert tables[0]["y"].tolist() == [2.0, 4.0]


def test_leaving_the_outermost_work_slot_returns_freed_memory(monkeypatch):
    released = []
    monkeypatch.setattr(cache.memory, "release_free_memory", lambda: released.append(1))
    with cache.work_slot():
        with cache.work_slot():  # a computation inside another: the caller's slot
            pass
        assert released == []
    assert released == [1]
