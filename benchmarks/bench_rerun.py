"""Rerun latency of the app against a floor app, over Streamlit's websocket, as a browser sees it.

Each contender is a ``streamlit run`` server started from the project root (same
``.streamlit/config.toml``). A :class:`~benchmarks.streamlit_client.StreamlitSession` loads the
page, then moves λ through distinct grid values, as the server hears it: for the app, the λ
control's trigger ``moved`` (sent when the hand stops; it reruns the page's fragment), for the
floor its select_slider. The time of one change is from sending the rerun request to receiving
``script_finished``; the bytes are what the server sends back. The app and the floor app
(``benchmarks/floor_app.py``: one λ select_slider and one 200-point Altair line compiled once)
are measured in alternate turns, so machine noise hits both alike, and reported as a ratio.

Phases: the default settings, then the page opened with ``?degree=20&n=1000&iters=20000`` (the
floor stays as it is); each first visits every λ (fresh servers: gradient descent runs), then
revisits them (``st.cache_resource`` hits). ``runner.postScriptGC`` is compared: every server
runs with ``--runner.postScriptGC true`` (Streamlit's default) and with ``false`` (what
``.streamlit/config.toml`` sets).

Three statistics per side: median, p90 and the mean of the middle 90 %. Prefer the mean for
the ratio: Streamlit's server sends queued messages in cycles 5 ms apart
(``MESSAGE_FLUSH_INTERVAL_SECS``), so a reply comes in one cycle or two, and a rerun of about
5 ms (the floor's) lands in either: its median flips between about 5.5 and 9.5 ms from one run
of the benchmark to the next, and a ratio of medians with it (1.2x to 2x on unchanged code).
The mean weighs both modes as they occur.

A page idles ``--think`` seconds (0.1) before each move, as a user looking at the result does.
A move sent within ~40 ms of the previous reply stalls about 40 ms more: Streamlit's server
socket has ``proto=0``, so asyncio (3.11) does not set ``TCP_NODELAY`` on its connections, and
Nagle holds the reply's small frames until the client's delayed ACK. ``--rapid N`` (10)
times that: each of N moves is sent the moment the previous move's reply has arrived.

``python -m benchmarks.bench_rerun [--changes N] [--post-script-gc both|default|false]
[--think S] [--rapid N]``; ``BENCH_POST_SCRIPT_GC`` sets the default of ``--post-script-gc``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from dataclasses import dataclass, field

import numpy as np

from benchmarks.streamlit_client import StreamlitServer, StreamlitSession
from regviz.settings import LAMBDA_GRID

APP = "app.py"
FLOOR = "benchmarks/floor_app.py"
HEAVY = "degree=20&n=1000&iters=20000"
#: λ values measured: distinct grid values from 1e-8 to 1e2; the warm-up move goes outside them.
LAMBDA_RANGE = (1e-8, 1e2)
WARMUP_LAMBDA = 1e3
#: Seconds a page stays idle before its next λ move (a user looks at the result). Below ~40 ms
#: the reply can stall on Nagle + delayed ACK: see ``--rapid``.
THINK = 0.1
#: Moves sent the moment the previous reply arrived, to show that stall (0: none).
RAPID = 10
#: The share of samples at each end that the mean leaves out.
TRIM = 0.05
GC_CONFIGS = {
    "default": (
        "--runner.postScriptGC true (Streamlit's default)",
        ("--runner.postScriptGC", "true"),
    ),
    "false": ("--runner.postScriptGC false (config.toml)", ("--runner.postScriptGC", "false")),
}


def lambda_indices(count):
    """``count`` distinct indices into LAMBDA_GRID, evenly spread over LAMBDA_RANGE, ascending."""
    low, high = (LAMBDA_GRID.index(v) for v in LAMBDA_RANGE)
    if count > high - low + 1:
        raise ValueError(f"at most {high - low + 1} distinct λ values lie in {LAMBDA_RANGE}")
    return [int(i) for i in np.linspace(low, high, count).round()]


@dataclass
class Contender:
    """One page in one server: the app or the floor, under one GC setting."""

    name: str
    session: StreamlitSession
    checks_url: bool  # the app writes every setting into the URL; the floor writes nothing
    think: float = THINK
    samples: dict = field(default_factory=dict)  # phase -> [seconds]
    traffic: dict = field(default_factory=dict)  # phase -> [bytes received]
    _idle_since: float = 0.0

    async def move(self, phase, index, *, think=None):
        """Set λ to LAMBDA_GRID[index] once the page has been idle ``think`` seconds; check it."""
        think = self.think if think is None else think
        await asyncio.sleep(max(0.0, self._idle_since + think - time.perf_counter()))
        if self.checks_url:  # the app: its λ control sends the index when the hand stops
            seconds = await self.session.trigger("lam", "moved", index)
        else:
            seconds = await self.session.set_widget("lam", index)
        self._idle_since = time.perf_counter()
        expected = f"{LAMBDA_GRID[index]:g}"
        if self.checks_url and self.session.query_params.get("lam") != expected:
            raise AssertionError(
                f"{self.name}: after λ -> {expected} the URL says {self.session.query_string!r}"
            )
        # The floor redraws its chart; the app's charts follow λ in the browser, and its
        # rerun (the page's fragment) redraws the λ control and what the server says at λ.
        expected_kind = "bidi_component" if self.checks_url else "vega_lite_chart"
        if not any(kind == expected_kind for kind, _ in self.session.last.elements):
            raise AssertionError(f"{self.name}: the rerun drew no {expected_kind}")
        if phase is not None:
            self.samples.setdefault(phase, []).append(seconds)
            self.traffic.setdefault(phase, []).append(self.session.last.bytes)
        return seconds


def percentile(values, q):
    return float(np.percentile(values, q))


def trimmed_mean(values, cut=TRIM):
    """The mean of ``values`` without the lowest and highest ``cut`` share of them (a stray
    100 ms pause of the machine moves it no more than a median)."""
    ordered = np.sort(np.asarray(values, dtype=np.float64))
    drop = int(len(ordered) * cut)
    return float(ordered[drop : len(ordered) - drop].mean())


async def interleaved(phase, contenders, indices):
    """Move every contender to each λ in turn; the turn order rotates every round."""
    for round_, index in enumerate(indices):
        shift = round_ % len(contenders)
        for contender in contenders[shift:] + contenders[:shift]:
            await contender.move(phase, index)


async def rapid(phase, contenders, indices):
    """Each measured move is sent the moment the previous move's reply has arrived."""
    for round_, index in enumerate(indices):
        shift = round_ % len(contenders)
        for contender in contenders[shift:] + contenders[:shift]:
            await contender.move(None, index - 1)
            await contender.move(phase, index, think=0.0)


async def open_page(url, query="", *, check=None):
    session = StreamlitSession(url, query)
    await session.connect()
    seconds = await session.run()
    if check is not None:
        params = session.query_params
        for name, value in check.items():
            if params.get(name) != value:
                raise AssertionError(f"{url}?{query}: URL has {name}={params.get(name)!r}")
    return session, seconds


async def measure(servers, changes, think, rapid_changes):
    """All phases on live servers: {gc: (app server, floor server)}. Returns results by phase."""
    indices = lambda_indices(changes)
    warmup = LAMBDA_GRID.index(WARMUP_LAMBDA)
    apps, floors, loads = {}, {}, {}
    for gc, (app_server, floor_server) in servers.items():
        session, loads[gc, "app"] = await open_page(app_server.url)
        apps[gc] = Contender(f"app [{gc}]", session, checks_url=True, think=think)
        session, loads[gc, "floor"] = await open_page(floor_server.url)
        floors[gc] = Contender(f"floor [{gc}]", session, checks_url=False, think=think)
    contenders = [c for gc in servers for c in (apps[gc], floors[gc])]
    for contender in contenders:  # the first move pays one-time costs: not measured
        await contender.move(None, warmup)

    await interleaved("default settings, first visit", contenders, indices)
    await interleaved("default settings, revisit", contenders, indices)
    if rapid_changes:
        some = indices[:: max(1, len(indices) // rapid_changes)][:rapid_changes]
        await rapid("default, revisit, sent on the reply (no idle)", contenders, some)

    for gc, (app_server, _) in servers.items():
        await apps[gc].session.close()
        heavy = {"degree": "20", "n": "1000", "iters": "20000"}
        session, loads[gc, f"app ?{HEAVY}"] = await open_page(app_server.url, HEAVY, check=heavy)
        apps[gc].session = session
        await apps[gc].move(None, warmup)
    await interleaved(f"?{HEAVY}, first visit", contenders, indices)
    await interleaved(f"?{HEAVY}, revisit", contenders, indices)
    for contender in contenders:
        await contender.session.close()
    return apps, floors, loads


def report(apps, floors, loads, changes, think):
    print(
        f"\nRerun latency over the websocket (rerun request -> script_finished), {changes} λ "
        f"changes per phase, app and floor app in alternate turns, {think * 1e3:.0f} ms idle "
        "before each"
    )
    for gc in apps:
        app, floor = apps[gc], floors[gc]
        print(f"  {GC_CONFIGS[gc][0]}")
        print(f"    {'':<46} {'app':>23} {'floor':>23} {'app/floor':>19} {'received':>12}")
        print(
            f"    {'':<46} {'median   p90  mean':>23} {'median   p90  mean':>23}"
            f" {'median  p90  mean':>19} {'app / floor':>12}"
        )
        for phase, samples in app.samples.items():
            a, f = samples, floor.samples[phase]
            a50, a90, f50, f90 = (percentile(v, q) for v in (a, f) for q in (50, 90))
            a_mean, f_mean = trimmed_mean(a), trimmed_mean(f)
            a_kb, f_kb = (statistics.median(c.traffic[phase]) / 1e3 for c in (app, floor))
            print(
                f"    {phase:<46} {a50 * 1e3:6.1f} {a90 * 1e3:5.1f} {a_mean * 1e3:5.1f} ms"
                f" {f50 * 1e3:6.1f} {f90 * 1e3:5.1f} {f_mean * 1e3:5.1f} ms"
                f" {a50 / f50:5.1f}x {a90 / f90:4.1f}x {a_mean / f_mean:4.1f}x"
                f" {a_kb:5.0f} /{f_kb:3.0f} kB"
            )
        print(
            "    page loads, one each (a server's first imports the modules): "
            + ", ".join(f"{name} {s * 1e3:.0f} ms" for (g, name), s in loads.items() if g == gc)
        )
    if len(apps) == 2:
        print("  postScriptGC on against off, medians: app on/off ratio; time the GC adds")
        for phase in apps["default"].samples:
            app_on, app_off, floor_on, floor_off = (
                statistics.median(c.samples[phase])
                for c in (apps["default"], apps["false"], floors["default"], floors["false"])
            )
            app_gc, floor_gc = (app_on - app_off) * 1e3, (floor_on - floor_off) * 1e3
            print(
                f"    {phase:<46} app {app_on / app_off:4.2f}x, +{app_gc:3.0f} ms;"
                f" floor +{floor_gc:3.0f} ms"
            )


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench_rerun",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--changes", type=int, default=40, help="λ changes per phase (>= 1)")
    parser.add_argument(
        "--post-script-gc",
        choices=("both", *GC_CONFIGS),
        default=os.environ.get("BENCH_POST_SCRIPT_GC", "both"),
        help="server runner.postScriptGC: as configured, false, or both side by side "
        "(default: $BENCH_POST_SCRIPT_GC, else both)",
    )
    parser.add_argument(
        "--think",
        type=float,
        default=THINK,
        help=f"seconds a page is idle before its next move (default {THINK:g})",
    )
    parser.add_argument(
        "--rapid",
        type=int,
        default=RAPID,
        metavar="N",
        help=f"also time N moves sent the moment the previous reply arrived (default {RAPID})",
    )
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    start = time.perf_counter()
    gcs = list(GC_CONFIGS) if args.post_script_gc == "both" else [args.post_script_gc]
    servers = {}
    try:
        for gc in gcs:
            extra = GC_CONFIGS[gc][1]
            servers[gc] = (StreamlitServer(APP, *extra), StreamlitServer(FLOOR, *extra))
            for server in servers[gc]:
                server.start()
        for pair in servers.values():
            for server in pair:
                server.wait_healthy()
        apps, floors, loads = asyncio.run(measure(servers, args.changes, args.think, args.rapid))
    finally:
        for pair in servers.values():
            for server in pair:
                server.stop()
    report(apps, floors, loads, args.changes, args.think)
    print(f"  ({time.perf_counter() - start:.0f} s, servers included)")


if __name__ == "__main__":
    main()
