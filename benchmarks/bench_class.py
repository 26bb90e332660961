"""A class of students on one server: λ-change latency, page loads, errors and server memory.

Method
------
A class of 30 opens the shared link within a few seconds and moves sliders together. Each
phase starts a fresh ``streamlit run`` server from the project root (so ``.streamlit/config.toml``
applies). The teacher opens the page first (the server imports the modules: that cold load is
printed, not counted), then ``--sessions`` concurrent
:class:`~benchmarks.streamlit_client.StreamlitSession` tabs in one asyncio event loop arrive. Each
connects at a random moment within the first ``--stagger`` seconds, loads the page, then for
``--duration`` seconds looks at it ``uniform(1, 4)`` s (a student looking at the result) and drags
λ for ``uniform(1, 3)`` s to a random grid value other than the current one (0 or 1e-8 .. 1e2: 102
values). In the app the drag itself is the browser's business (the charts follow the hand with no
message to the server); what reaches the server is the λ control's trigger when the hand stops:
on release, and, in half of the drags, once more midway where the hand rests (a pause of the
control's 350 ms). The floor's select_slider sends one rerun per drag, on release. Each
session's choices come from its own RNG, seeded from ``--seed``, so the sequence of moves is
reproducible; their interleaving in time is not.

The load is closed-loop, as a class is: a student waits for the page before the next move. A
saturated server therefore shows as latency of about sessions x time per rerun, and fewer
changes (``n``) in the same time, rather than as an ever-growing queue.

Phases (fresh server each, one after the other): the app with default settings (the page opened
with no query string), the app with heavy settings (``?degree=20&n=1000&iters=20000``), and the
floor app (``benchmarks/floor_app.py``: the same λ slider and one 200-point Altair line, default
settings only), each with ``--runner.postScriptGC true`` (Streamlit's default) and ``false``
(what ``.streamlit/config.toml`` sets, because of these figures).

What is measured
----------------
* λ change: each message that reaches the server, from sending the rerun request to receiving
  ``script_finished`` (the client's :class:`~benchmarks.streamlit_client.RunStats`): the server
  work per student action as the student waits for it. p50 / p95 / max over all sessions'
  changes, and p95* over the changes sent once the whole class had loaded (the join burst left
  out); bytes received per change.
* Page load: health GET (XSRF cookie) + websocket handshake + first run, p50 / p95.
* Failed sessions (could not connect or load), dropped sessions (websocket closed, or a load or
  change took more than ``--timeout`` s), exceptions on the page (an exception element, or a run
  that did not finish successfully: ``ScriptError``), and wrong replies (the app's rerun drew
  no λ control or the floor's no chart, or the app's URL does not hold the λ just chosen). A
  session stops at its first error.
* Server memory: VmRSS of the server process and its children (``/proc/<pid>/status``), sampled
  every second: at start (after the teacher's page load, before the class arrives), peak, end
  (after the last session finished), and a compact line of samples over time (every 5 s; runs
  longer than 90 s: about 20 samples, 15 s apart or more).
* CPU, to read the latencies by: the server's CPU time over the phase (100 % = one core; a
  Streamlit server runs every session's script in one process, so the GIL serialises the
  Python parts), the load generator's own (client), the rest of the machine (other: from
  ``/proc/stat``; on a shared machine, a busy neighbour slows the server), and the load
  generator's event-loop lag: a late event loop adds to the measured latencies.

Targets are printed beside the figures with PASS / MISS: λ-change p95 < 250 ms with default
settings, < 1 s with heavy settings; no exception or wrong reply; no failed or dropped session;
peak RSS < 500 MB. The app/floor ratio of p95 (default settings) is printed per GC setting. The
benchmark always exits 0.

``--long`` (``--duration`` then defaults to 300) is the memory soak: the app only, sessions churn
(each lives uniform(20, 60) s, then closes and a new one opens in its place), each new session
opens default or heavy settings at random (half each), so the server sees many sessions and
both settings' caches. It prints RSS per minute, first against last minute, and the slope of a
line fitted to the samples of the second half (at least 3 minutes in): bounded caches and
sessions mean a plateau. A closed
session's state is kept ``server.disconnectedSessionTTL`` (120 s) for a reconnect, so the first
two minutes grow while that pool fills; the trend after that is what shows a leak.

Options
-------
``python -m benchmarks.bench_class [--sessions N] [--duration S] [--seed N] [--stagger S]
[--timeout S] [--post-script-gc both|default|false] [--only app-default floor app-heavy]
[--long]``; ``BENCH_POST_SCRIPT_GC`` sets the default of ``--post-script-gc`` (``both``). The
default run (6 phases of about 40 s) takes about 4 minutes; ``make bench`` runs it as is. The
soak: ``python -m benchmarks.bench_class --long`` (about 5 minutes per GC setting;
``--post-script-gc default`` for one).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from websockets.exceptions import ConnectionClosed

from benchmarks.streamlit_client import (
    ProtocolError,
    ScriptError,
    StreamlitServer,
    StreamlitSession,
)
from regviz.settings import LAMBDA_GRID

APP = "app.py"
FLOOR = "benchmarks/floor_app.py"
HEAVY = "degree=20&n=1000&iters=20000"
SETTINGS = {"default": "", "heavy": HEAVY}
#: The phases of the default run, in order: name -> (label, script, settings).
PHASES = {
    "app-default": ("app", APP, "default"),
    "floor": ("floor", FLOOR, "default"),
    "app-heavy": ("app", APP, "heavy"),
}
#: λ values a student picks: 0, and the grid from 1e-8 to 1e2.
LAMBDA_RANGE = (1e-8, 1e2)
THINK = (1.0, 4.0)  # seconds a student looks at the page between drags
DRAG = (1.0, 3.0)  # seconds a drag lasts (the browser redraws; the server hears nothing)
PAUSED_DRAGS = 0.5  # the share of drags where the hand rests midway (λ is sent then too)
LIFETIME = (20.0, 60.0)  # --long: seconds a session lives before a new one replaces it
SESSIONS, DURATION, LONG_DURATION, STAGGER, TIMEOUT = 30, 30.0, 300.0, 3.0, 60.0
TARGET_P95 = {"default": 0.250, "heavy": 1.0}  # seconds
TARGET_RSS = 500e6  # bytes
GC_CONFIGS = {
    "default": (
        "GC on",
        "--runner.postScriptGC true (Streamlit's default)",
        ("--runner.postScriptGC", "true"),
    ),
    "false": (
        "GC off",
        "--runner.postScriptGC false (config.toml)",
        ("--runner.postScriptGC", "false"),
    ),
}
_CLK_TCK = os.sysconf("SC_CLK_TCK")


def lambda_choices():
    """Indices into LAMBDA_GRID a student may pick: λ = 0, then 1e-8 .. 1e2."""
    low, high = (LAMBDA_GRID.index(v) for v in LAMBDA_RANGE)
    return [LAMBDA_GRID.index(0.0), *range(low, high + 1)]


# -- the server process, from /proc -------------------------------------------------------------


class ProcessTree:
    """A process and its descendants, read from ``/proc``: resident memory and CPU time."""

    def __init__(self, pid):
        self.pid = pid

    def pids(self):
        found, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            found.append(pid)
            for task in Path(f"/proc/{pid}/task").glob("*"):
                # OSError: the thread or process is gone, or the kernel has no children file
                with contextlib.suppress(OSError):
                    todo += [int(c) for c in (task / "children").read_text().split()]
        return found

    def rss(self):
        """Bytes resident (VmRSS summed over the tree)."""
        total = 0
        for pid in self.pids():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
            except OSError:
                pass
        return total

    def cpu(self):
        """Seconds of CPU (user + system) used so far by the tree's live processes."""
        total = 0
        for pid in self.pids():
            try:
                stat = Path(f"/proc/{pid}/stat").read_text()
            except OSError:
                continue
            fields_ = stat.rsplit(")", 1)[1].split()  # fields 3.. (the name may hold spaces)
            total += int(fields_[11]) + int(fields_[12])  # utime, stime
        return total / _CLK_TCK


def machine_cpu():
    """Seconds of CPU the whole machine has been busy (all cores), from ``/proc/stat``."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = (
        int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]
    )
    return (user + nice + system + irq + softirq + steal) / _CLK_TCK


# -- one phase ----------------------------------------------------------------------------------


@dataclass
class Phase:
    name: str  # "app default", "app heavy", "floor default", "app soak"
    script: str
    settings: tuple  # names in SETTINGS; a session opens one of them at random
    gc: str
    is_app: bool  # the app writes λ into the URL; the floor does not

    @property
    def label(self):
        return f"{self.name} [{GC_CONFIGS[self.gc][0]}]"


@dataclass
class Result:
    phase: Phase
    changes: dict = field(default_factory=dict)  # settings -> [(sent at, seconds)]
    traffic: list = field(default_factory=list)  # bytes received per change
    loads: dict = field(default_factory=dict)  # settings -> [seconds]
    opened: int = 0
    failed: list = field(default_factory=list)
    dropped: list = field(default_factory=list)
    exceptions: list = field(default_factory=list)
    wrong: list = field(default_factory=list)
    rss: list = field(default_factory=list)  # (seconds since the phase began, bytes)
    rss_start: int | None = None
    cold_load: float = 0.0  # the teacher's page load on the fresh server (imports the modules)
    rss_end: int = 0
    wall: float = 0.0
    server_cpu: float = 0.0  # seconds
    client_cpu: float = 0.0  # seconds
    other_cpu: float = 0.0  # seconds: the rest of the machine (other engineers' jobs, ...)
    loop_lag: list = field(default_factory=list)  # seconds late, per 50 ms tick
    settled: int = 0  # page loads finished (or failed)
    joined: float | None = None  # when the last of the first --sessions loads finished

    def seconds(self, settings=None, *, joined=False):
        """λ-change times (all settings by default); ``joined``: those sent after the join."""
        after = (self.joined if self.joined is not None else float("inf")) if joined else 0.0
        names = self.changes if settings is None else [settings]
        return [s for name in names for sent, s in self.changes.get(name, ()) if sent >= after]


class Class:
    """The students of one phase, on a live server."""

    def __init__(self, phase, server, args):
        self.phase, self.server, self.args = phase, server, args
        self.result = Result(phase)
        self.tree = ProcessTree(server.process.pid)
        self.choices = lambda_choices()
        self.t0 = 0.0
        self.running = True

    def now(self):
        return time.perf_counter() - self.t0

    async def run(self):
        args, result = self.args, self.result
        master = random.Random(args.seed)
        seeds = [master.getrandbits(64) for _ in range(args.sessions)]
        # The teacher opens the page first (the server imports the modules): not in the figures.
        teacher = StreamlitSession(self.server.url, timeout=args.timeout)
        start = time.perf_counter()
        await teacher.connect()
        await teacher.run()
        result.cold_load = time.perf_counter() - start
        result.rss_start = self.tree.rss()
        cpu0, client0, machine0 = self.tree.cpu(), time.process_time(), machine_cpu()
        self.t0 = time.perf_counter()
        monitors = [asyncio.create_task(self._sample_rss()), asyncio.create_task(self._lag())]
        await asyncio.gather(*(self._slot(random.Random(seed)) for seed in seeds))
        result.wall = self.now()
        result.server_cpu = self.tree.cpu() - cpu0
        result.client_cpu = time.process_time() - client0
        result.other_cpu = machine_cpu() - machine0 - result.server_cpu - result.client_cpu
        result.rss_end = self.tree.rss()
        result.rss.append((result.wall, result.rss_end))
        self.running = False
        for task in monitors:
            task.cancel()
        await asyncio.gather(*monitors, return_exceptions=True)
        await teacher.close()
        return result

    async def _sample_rss(self):
        while self.running:
            self.result.rss.append((self.now(), self.tree.rss()))
            await asyncio.sleep(1.0 - self.now() % 1.0)

    async def _lag(self):
        tick = 0.05
        while self.running:
            start = time.perf_counter()
            await asyncio.sleep(tick)
            self.result.loop_lag.append(time.perf_counter() - start - tick)

    async def _slot(self, rng):
        """One seat in the class: a student, and in ``--long`` the ones who take the seat after."""
        args = self.args
        await asyncio.sleep(rng.uniform(0.0, args.stagger))
        while True:
            if args.long:
                lifetime = min(rng.uniform(*LIFETIME), args.duration - self.now())
                if lifetime < THINK[0]:
                    return
            else:
                lifetime = args.duration
            await self._student(rng, rng.choice(self.phase.settings), lifetime)
            if not args.long:
                return

    async def _student(self, rng, settings, lifetime):
        result, label = self.result, f"{self.phase.label} ?{SETTINGS[settings]}"
        result.opened += 1
        session = StreamlitSession(self.server.url, SETTINGS[settings], timeout=self.args.timeout)
        try:
            await self._visit(session, rng, settings, lifetime, label)
        finally:
            with contextlib.suppress(OSError, ConnectionClosed):
                await session.close()

    def _settle(self):
        result = self.result
        result.settled += 1
        if result.settled == self.args.sessions:
            result.joined = self.now()

    async def _visit(self, session, rng, settings, lifetime, label):
        result = self.result
        start = time.perf_counter()
        try:
            async with asyncio.timeout(self.args.timeout):
                await session.connect()
                await session.run()
        except ScriptError as error:
            result.exceptions.append(f"{label} load: {error}")
            self._settle()
            return
        except (OSError, TimeoutError, ConnectionClosed, ProtocolError) as error:
            result.failed.append(f"{label} load: {type(error).__name__}: {error}")
            self._settle()
            return
        self._settle()
        loaded = time.perf_counter()
        result.loads.setdefault(settings, []).append(loaded - start)
        current = self._current(session)
        end = loaded + lifetime
        while True:
            think, drag = rng.uniform(*THINK), rng.uniform(*DRAG)
            if time.perf_counter() + think + drag > end:
                return
            await asyncio.sleep(think)
            index = rng.choice([i for i in self.choices if i != current])
            stops = [index]
            if self.phase.is_app and rng.random() < PAUSED_DRAGS:  # the hand rests midway
                stops.insert(0, rng.choice([i for i in self.choices if i not in (current, index)]))
            for k, stop in enumerate(stops):
                await asyncio.sleep(drag / len(stops) if k else drag / (len(stops) + 1))
                sent = self.now()
                try:
                    seconds = await self._send(session, stop)
                except ScriptError as error:
                    result.exceptions.append(f"{label} λ change: {error}")
                    return
                except (OSError, TimeoutError, ConnectionClosed, ProtocolError) as error:
                    result.dropped.append(f"{label} λ change: {type(error).__name__}: {error}")
                    return
                result.changes.setdefault(settings, []).append((sent, seconds))
                result.traffic.append(session.last.bytes)
                problem = self._check(session, stop)
                if problem:
                    result.wrong.append(f"{label}: {problem}")
                    return
            current = index

    def _current(self, session):
        """The λ index the page opened at: the app's URL, or the floor's slider."""
        if self.phase.is_app:
            return LAMBDA_GRID.index(float(session.query_params.get("lam", "0")))
        slider = session.widget("lam")
        if len(slider.options) != len(LAMBDA_GRID):
            raise AssertionError(f"the λ slider has {len(slider.options)} options")
        return slider.options.index(slider.state.string_array_value.data[0])

    async def _send(self, session, index):
        """What reaches the server when the hand stops at λ index ``index``."""
        if self.phase.is_app:  # the λ control's trigger: it reruns the page's fragment
            return await session.trigger("lam", "moved", index)
        return await session.set_widget("lam", index)

    def _check(self, session, index):
        # The floor redraws its chart; the app's charts follow λ in the browser, and its rerun
        # (the page's fragment) redraws the λ control and what the server says at λ.
        expected_kind = "bidi_component" if self.phase.is_app else "vega_lite_chart"
        if not any(kind == expected_kind for kind, _ in session.last.elements):
            return f"the rerun drew no {expected_kind}"
        expected = f"{LAMBDA_GRID[index]:g}"
        if self.phase.is_app and session.query_params.get("lam") != expected:
            return f"after λ -> {expected} the URL says {session.query_string!r}"
        return None


def run_phase(phase, args):
    print(f"  ... {phase.label}", flush=True)
    with StreamlitServer(phase.script, *GC_CONFIGS[phase.gc][2]) as server:
        return asyncio.run(Class(phase, server, args).run())


# -- the report ---------------------------------------------------------------------------------


def pct(values, q):
    return float(np.percentile(values, q)) if values else float("nan")


def ms(seconds):
    return f"{seconds * 1e3:.0f}" if seconds == seconds else "-"


def mb(nbytes):
    return f"{nbytes / 1e6:.0f}" if nbytes is not None else "-"


def verdict(ok):
    return "PASS" if ok else "MISS"


def rows(result):
    """(row label, settings name, λ-change times, of them after the join, page loads)."""
    for settings in result.phase.settings:
        label = result.phase.label
        if len(result.phase.settings) > 1:
            label += f" ?{settings}"
        yield (
            label,
            settings,
            result.seconds(settings),
            result.seconds(settings, joined=True),
            result.loads.get(settings, []),
        )


def memory_line(result, every):
    samples, next_mark = [], 0.0
    for t, rss in result.rss:
        if t >= next_mark - 0.5:
            samples.append(rss)
            next_mark += every
    return " ".join(mb(s) for s in samples)


def report(results, args, elapsed):
    mode = (
        f"churn: each session lives U{LIFETIME} s then a new one takes its seat, default or heavy "
        "settings at random"
        if args.long
        else (f"each dragging λ for U{DRAG} s after looking U{THINK} s, for {args.duration:g} s")
    )
    print(
        f"\nClass benchmark: {args.sessions} sessions joining over {args.stagger:g} s, {mode} "
        f"(seed {args.seed}, {args.duration:g} s); λ change = what reaches the server when the "
        "hand stops, rerun request -> script_finished"
    )
    header = (
        f"  {'':<28} {'λ changes, ms':>31} {'kB':>4}  {'page load ms':>12}  {'sessions':>21}"
        f"  {'server RSS, MB':>16}  {'CPU, % of a core':>22}  {'loop lag':>8}"
    )
    print(header)
    print(
        f"  {'phase':<28} {'n':>5} {'p50':>5} {'p95':>6} {'max':>6} {'p95*':>6} {'p50':>4}"
        f"  {'p50':>5} {'p95':>6}"
        f"  {'open':>4} {'fail':>4} {'drop':>4} {'exc':>3} {'bad':>3}"
        f"  {'start':>5} {'peak':>5} {'end':>4}  {'server':>7} {'client':>7} {'other':>6}"
        f"  {'p99':>3} {'max':>4}"
    )
    for result in results:
        peak = max(rss for _, rss in result.rss)
        for i, (label, _, changes, joined, loads) in enumerate(rows(result)):
            line = (
                f"  {label:<28} {len(changes):>5} {ms(pct(changes, 50)):>5} "
                f"{ms(pct(changes, 95)):>6} {ms(max(changes, default=float('nan'))):>6}"
                f" {ms(pct(joined, 95)):>6} {pct(result.traffic, 50) / 1e3:>4.1f}"
                f"  {ms(pct(loads, 50)):>5} {ms(pct(loads, 95)):>6}"
            )
            if i == 0:
                line += (
                    f"  {result.opened:>4} {len(result.failed):>4} {len(result.dropped):>4}"
                    f" {len(result.exceptions):>3} {len(result.wrong):>3}"
                    f"  {mb(result.rss_start):>5} {mb(peak):>5} {mb(result.rss_end):>4}"
                    f"  {100 * result.server_cpu / result.wall:>6.0f}%"
                    f" {100 * result.client_cpu / result.wall:>6.0f}%"
                    f" {100 * max(0.0, result.other_cpu) / result.wall:>5.0f}%"
                    f"  {ms(pct(result.loop_lag, 99)):>3} {ms(max(result.loop_lag)):>4}"
                )
            print(line)
    print(
        "  p95*: λ changes sent after the whole class had loaded (the join burst left out).\n"
        "  kB: bytes the server sends back per λ change (median).\n"
        "  page load: health GET + websocket + first run; the teacher's cold first load of each\n"
        "    fresh server (it imports the modules; not in the figures): "
        + ", ".join(f"{ms(r.cold_load)}" for r in results)
        + " ms\n"
        "  CPU: the server; this load generator (client); the rest of the machine (other: a busy\n"
        "    machine slows the server). Loop lag: ms this load generator's event loop ran late\n"
        "    (50 ms ticks): it adds to the measured times.\n"
        "  " + "; ".join(f"{short} = {long}" for short, long, _ in GC_CONFIGS.values())
    )

    wall = max(r.wall for r in results)
    every = 5 if wall <= 90 else max(15, 15 * round(wall / 20 / 15))  # about 20 samples
    print(f"  server RSS over time, MB, every {every} s from the class's arrival:")
    for result in results:
        print(f"    {result.phase.label:<26} {memory_line(result, every)}")

    problems = [
        (kind, line)
        for r in results
        for kind, lines in (
            ("failed", r.failed),
            ("dropped", r.dropped),
            ("exception", r.exceptions),
            ("wrong reply", r.wrong),
        )
        for line in lines
    ]
    if problems:
        print(f"  errors ({len(problems)}; the first 10):")
        for kind, line in problems[:10]:
            print(f"    {kind}: {line[:160]}")

    print("  targets:")
    for result in results:
        checks = []
        if result.phase.is_app:
            for _, settings, changes, _, _ in rows(result):
                p95 = pct(changes, 95)
                target = TARGET_P95[settings]
                prefix = f"{settings} " if len(result.phase.settings) > 1 else ""
                checks.append(
                    f"{prefix}p95 {ms(p95)} < {ms(target)} ms {verdict(bool(p95 < target))}"
                )
        errors = len(result.exceptions) + len(result.wrong)
        lost = len(result.failed) + len(result.dropped)
        peak = max(rss for _, rss in result.rss)
        checks += [
            f"exceptions {errors} {verdict(errors == 0)}",
            f"failed+dropped {lost} {verdict(lost == 0)}",
            f"peak RSS {mb(peak)} < {mb(TARGET_RSS)} MB {verdict(peak < TARGET_RSS)}",
        ]
        print(f"    {result.phase.label:<26} " + "; ".join(checks))

    by_gc = {}
    for result in results:
        by_gc.setdefault(result.phase.gc, {})[result.phase.name] = result
    ratios = []
    for gc, phases in by_gc.items():
        if "app default" in phases and "floor default" in phases:
            app, floor = (pct(phases[n].seconds(), 95) for n in ("app default", "floor default"))
            ratios.append(f"{GC_CONFIGS[gc][0]} {ms(app)} / {ms(floor)} ms = {app / floor:.1f}x")
    if ratios:
        print("  app / floor app, λ-change p95, default settings: " + "; ".join(ratios))

    if args.long:
        for result in results:
            soak_trend(result)
    print(f"  ({elapsed:.0f} s, servers included)")


def soak_trend(result):
    """RSS per minute, and first against last minute (means of the 1 s samples)."""
    minutes = {}
    for t, rss in result.rss:
        minutes.setdefault(int(t // 60), []).append(rss)
    means = [np.mean(v) for _, v in sorted(minutes.items()) if len(v) >= 30]
    if len(means) < 2:
        return
    first, last = means[0], means[-1]
    # Past the disconnected-session TTL (120 s) and, in longer runs, the caches' filling too.
    since = max(180.0, result.wall / 2)
    tail = [(t, rss) for t, rss in result.rss if t >= since]
    slope = ""
    if len(tail) >= 60:
        t, y = zip(*tail, strict=True)
        per_min = np.polyfit(np.array(t) / 60, np.array(y) / 1e6, 1)[0]
        slope = f"; from {since / 60:.1f} min on {per_min:+.1f} MB/min (linear fit)"
    print(
        f"  RSS trend, {result.phase.label}, {result.opened} sessions opened: per minute "
        + " ".join(mb(m) for m in means)
        + f" MB; first minute {mb(first)}, last {mb(last)} MB ({(last - first) / 1e6:+.0f} MB)"
        + slope
    )


# -- main ---------------------------------------------------------------------------------------


def add_seed_and_timeout(parser, timeout, step):
    """The options every load benchmark has: ``--seed`` and ``--timeout`` (seconds before
    ``step`` counts as lost)."""
    parser.add_argument("--seed", type=int, default=0, help="RNG seed (default 0)")
    parser.add_argument(
        "--timeout",
        type=float,
        default=timeout,
        help=f"seconds before {step} counts as lost (default {timeout:g})",
    )


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench_class",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--sessions", type=int, default=SESSIONS, help="students (default 30)")
    parser.add_argument(
        "--duration",
        type=float,
        default=None,
        help=f"seconds each session moves λ; --long: seconds of churn "
        f"(default {DURATION:g}; --long: {LONG_DURATION:g})",
    )
    add_seed_and_timeout(parser, TIMEOUT, "a load or λ change")
    parser.add_argument(
        "--stagger",
        type=float,
        default=STAGGER,
        help=f"sessions connect within this many seconds (default {STAGGER:g})",
    )
    parser.add_argument(
        "--post-script-gc",
        choices=("both", *GC_CONFIGS),
        default=os.environ.get("BENCH_POST_SCRIPT_GC", "both"),
        help="server runner.postScriptGC: as configured, false, or both one after the other "
        "(default: $BENCH_POST_SCRIPT_GC, else both)",
    )
    parser.add_argument(
        "--long",
        action="store_true",
        help="memory soak: the app only, sessions churning, default and heavy settings mixed",
    )
    parser.add_argument(
        "--only",
        nargs="+",
        choices=PHASES,
        default=list(PHASES),
        help="run only these phases (not with --long; default: all)",
    )
    args = parser.parse_args(argv)
    if args.duration is None:
        args.duration = LONG_DURATION if args.long else DURATION
    return args


def phases(args):
    gcs = list(GC_CONFIGS) if args.post_script_gc == "both" else [args.post_script_gc]
    if args.long:
        return [Phase("app soak", APP, ("default", "heavy"), gc, True) for gc in gcs]
    return [
        Phase(f"{script_name} {settings}", script, (settings,), gc, script == APP)
        for name, (script_name, script, settings) in PHASES.items()
        if name in args.only
        for gc in gcs
    ]


def main(argv=None):
    args = parse_args(argv)
    start = time.perf_counter()
    print(
        f"\nClass benchmark: {args.sessions} concurrent sessions, fresh server per phase",
        flush=True,
    )
    results = [run_phase(phase, args) for phase in phases(args)]
    report(results, args, time.perf_counter() - start)


if __name__ == "__main__":
    main()
