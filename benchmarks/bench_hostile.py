"""A hostile class on one server: costly links, wide uploads, clear_cache and λ moves, then the
memory the server keeps after everyone has left (issue 14).

Method
------
A fresh ``streamlit run app.py`` from the project root (so ``.streamlit/config.toml`` applies).
The teacher opens the default page (the server imports the modules); once it has loaded the
server's resident memory is the idle baseline. Then ``--sessions`` tabs
(:class:`~benchmarks.streamlit_client.StreamlitSession`, one asyncio event loop) arrive one
after the other over the first three quarters of ``--duration`` seconds, each in one role of a
fixed mix (per 12 sessions: 2, 2, 2, 3 and 3):

* bias and variance: ``?view=bias-variance&n=1000&degree=30&spacing=random&resamples=200&seed=``
  a new seed (every cache misses);
* cross-validation: ``?view=cross-validation&n=1000&degree=30&seed=`` a new seed;
* descent: ``?n=1000&degree=30&iters=100000&optimizer=momentum&seed=`` a new seed;
* upload: ``?dataset=upload&degree=30``, then a 1,000-column CSV of 10,000,000 bytes ("10 MB"
  as the browser counts; generated in memory, its first value different in each session so
  that no two files are the same) chosen in the uploader as the browser sends it (file URL
  request, multipart ``PUT`` to ``/_stcore/upload_file``, rerun), then an x and a y column
  picked at random (two reruns);
* λ only: the default page.

One session in six (a λ-only and a bias-and-variance one in each 12) sends Streamlit's
``clear_cache`` (``BackMsg.clear_cache``) after its first action, as a client with the menu
item (or a forged message) does; its next rerun carries the widget states the browser holds.
After its first action every session looks at the page ``uniform(2, 6)`` s and moves λ (the
λ control's trigger ``moved`` to a random grid value, what reaches the server when the hand
stops; see ``bench_class``), until ``--duration`` seconds have passed since the first arrival:
the bell. Then every session closes, the teacher's too: a step in flight finishes first
(within ``--timeout``), none starts after the bell (an upload whose page loaded late is not
sent; the steps skipped are counted). Closed-loop: a session waits for each reply.

What is measured
----------------
* Server memory: VmRSS of the server and its children (``/proc``), every second: the idle
  baseline, the peak (and when), a line every 5 s of the load, and every 15 s from the moment
  the last session closed up to ``--after`` seconds (180). Streamlit keeps a closed session
  ``server.disconnectedSessionTTL`` (120 s) for a reconnect, so memory held by sessions can only
  be released after that.
* ``/_stcore/metrics`` (Streamlit's Prometheus text) before the class, at the peak (a scrape
  taken as RSS reaches a new high, one at a time) and at each 15 s mark after the close:
  ``cache_memory_bytes`` by cache (``UploadedFileManager``: bytes of uploaded files the server
  holds; ``st_session_state`` and ``st_cache_resource``: an entry count unless the server runs
  with ``server.enableExpensiveMemoryStats``, which ``--memory-stats`` sets) and
  ``active_sessions``. Streamlit recomputes ``cache_memory_bytes`` at most every 5 s, and
  counts the session state of connected sessions only (not of closed ones it still keeps).
* Server work per message: from sending a rerun request to receiving its ``script_finished``,
  per kind (page load, upload's rerun, column pick, λ move, all), p50 / p95 / max; the upload's
  ``PUT`` separately. On a saturated server this is mostly waiting for the other sessions'
  scripts (one process, one GIL): the server's CPU time per message (mean) is printed beside.
* Exceptions on the page (an exception element, or a run that did not finish successfully),
  those that follow the session's own ``clear_cache`` shown apart; uncaught exceptions in the
  server's log (the page's own message says little when ``client.showErrorDetails`` is off);
  wrong replies (after a λ move the URL does not hold it, or an upload brings no column choice);
  failed sessions (could not connect or load), dropped ones (websocket closed, or a step past
  ``--timeout``); uploads the server refused (HTTP status); client errors (a page this client
  could not read). A session stops at its first error, and closes.
* CPU over the load (server, this load generator, the rest of the machine) and after it.

Goals (PASS / MISS): peak RSS under 800 MB; RSS ``--after`` seconds after the last session
closed within 150 MB of the idle baseline; no exception; no lost (failed or dropped) session.
The benchmark prints its figures and exits 0 whatever they are (also when the server cannot
start: it says why).

``python -m benchmarks.bench_hostile [--sessions N] [--duration S] [--after S] [--seed N]
[--timeout S] [--memory-stats] [--quick]``. The default (60 sessions, 60 s, 180 s after) takes
about 6 minutes on a 2-core machine (a saturated server finishes the last steps after the
bell); ``--quick`` is 12 sessions for 30 s and 45 s after (about 2 minutes), to try it.
``make bench`` (``python -m benchmarks``) runs the default. The server inherits the
environment: ``MALLOC_ARENA_MAX=2 python -m benchmarks.bench_hostile`` measures the app with
glibc's allocator limited to two arenas, for instance.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import re
import time
from dataclasses import dataclass, field

import numpy as np
from websockets.exceptions import ConnectionClosed

from benchmarks.bench_class import (
    ProcessTree,
    add_seed_and_timeout,
    lambda_choices,
    machine_cpu,
    mb,
    ms,
    pct,
    verdict,
)
from benchmarks.streamlit_client import (
    ProtocolError,
    ScriptError,
    StreamlitServer,
    StreamlitSession,
    read_metrics,
)
from regviz.settings import LAMBDA_GRID

APP = "app.py"
SESSIONS, DURATION, AFTER, TIMEOUT = 60, 60.0, 180.0, 180.0
QUICK = {"sessions": 12, "duration": 30.0, "after": 45.0}
RAMP = 0.75  # sessions arrive over this share of --duration
THINK = (2.0, 6.0)  # seconds a student looks at the page before moving λ
MARK = 15.0  # seconds between the after-close samples printed
UPLOAD_BYTES = 10_000_000  # "10 MB" as the browser counts it
UPLOAD_COLUMNS = 1000
TARGET_PEAK = 800e6  # bytes
TARGET_BACK = 150e6  # bytes above the idle baseline, --after seconds after the close

#: role -> (what it is, its link; {seed} is a new seed per session)
ROLES = {
    "bias-variance": (
        "bias and variance, n=1000, degree 30, K=200, random spacing, new seed",
        "view=bias-variance&n=1000&degree=30&spacing=random&resamples=200&seed={seed}",
    ),
    "cross-validation": (
        "cross-validation, n=1000, degree 30, new seed",
        "view=cross-validation&n=1000&degree=30&seed={seed}",
    ),
    "descent": (
        "momentum, 100,000 steps, n=1000, degree 30, new seed",
        "n=1000&degree=30&iters=100000&optimizer=momentum&seed={seed}",
    ),
    "upload": (
        f"upload of a {UPLOAD_COLUMNS:,}-column CSV of {UPLOAD_BYTES:,} bytes, then two "
        "columns picked",
        "dataset=upload&degree=30",
    ),
    "lambda": ("λ moves on the default page", ""),
}
#: The roles of 12 consecutive sessions (2, 2, 2, 3, 3): the mix repeats.
PATTERN = (
    "bias-variance",
    "upload",
    "lambda",
    "cross-validation",
    "descent",
    "lambda",
    "upload",
    "bias-variance",
    "lambda",
    "cross-validation",
    "upload",
    "descent",
)
#: The places in PATTERN whose session sends clear_cache (one in six: a λ-only student early,
#: a bias-and-variance one once its costly page is drawn).
CLEARING = (2, 7)
LOST = (OSError, TimeoutError, ConnectionClosed, ProtocolError)


def drawn(session, key):
    """Whether the session's last run drew a widget with ``key``."""
    return any(widget.key == key for widget in session.widgets.values())


# -- the file a careless (or hostile) student uploads -------------------------------------------


class WideCsv:
    """A numeric CSV of ``columns`` columns just under ``limit`` bytes, built once; each
    :meth:`variant` differs in its first value (a new file for the server, the same size)."""

    def __init__(self, columns=UPLOAD_COLUMNS, limit=UPLOAD_BYTES, seed=0):
        rng = np.random.default_rng(seed)
        self.columns = columns
        self.header = (",".join(f"c{j}" for j in range(columns)) + "\n").encode()
        budget = limit - len(self.header) - 64  # room for a variant's longer first value
        block = rng.normal(size=(64, columns))
        rows, size = [], 0
        while True:
            for values in block:
                row = (",".join(f"{v:.5f}" for v in values) + "\n").encode()
                if size + len(row) > budget:
                    self.first, *rest = rows
                    self.rest = b"".join(rest)
                    return
                rows.append(row)
                size += len(row)
            block = rng.normal(size=(64, columns))

    def variant(self, k):
        """The file of session ``k``: its first value replaced by ``k``."""
        _, tail = self.first.split(b",", 1)
        return self.header + f"{k}.5".encode() + b"," + tail + self.rest


# -- one run ------------------------------------------------------------------------------------


@dataclass
class Result:
    sessions: int = 0
    roles: dict = field(default_factory=dict)  # role -> sessions
    clearing: int = 0  # sessions that send clear_cache
    upload_bytes: int = 0
    work: dict = field(default_factory=dict)  # kind -> [seconds]
    puts: list = field(default_factory=list)  # seconds of each upload's PUT
    failed: list = field(default_factory=list)
    dropped: list = field(default_factory=list)
    exceptions: list = field(default_factory=list)  # (after its own clear_cache, text)
    wrong: list = field(default_factory=list)
    refused: list = field(default_factory=list)
    client: list = field(default_factory=list)  # this client's own errors (a page it misread)
    unstarted: dict = field(default_factory=dict)  # step -> times the bell rang before it
    baseline: int = 0
    cold_load: float = 0.0
    rss: list = field(default_factory=list)  # (seconds since the first arrival, bytes)
    after: list = field(default_factory=list)  # (seconds since the last close, bytes, metrics)
    metrics_before: list | None = None
    metrics_peak: tuple | None = None  # (seconds, RSS bytes when taken, metrics)
    closed: float = 0.0  # seconds from the first arrival to the last session closed
    load_cpu: tuple = (0.0, 0.0, 0.0)  # server, client, other: seconds over the load
    after_cpu: float = 0.0  # server CPU seconds after the close
    log_exceptions: list = field(default_factory=list)


class HostileClass:
    def __init__(self, server, args):
        self.server, self.args = server, args
        self.result = Result()
        self.tree = ProcessTree(server.process.pid)
        self.choices = lambda_choices()
        self.csv = WideCsv()
        self.t0 = 0.0
        self.running = True
        self._scraping = None
        self._last_scrape = -1e9

    def now(self):
        return time.perf_counter() - self.t0

    async def metrics(self):
        try:
            return await asyncio.to_thread(read_metrics, self.server.url, self.args.timeout)
        except OSError as error:
            return [("error", {"error": f"{type(error).__name__}: {error}"}, float("nan"))]

    async def run(self):
        args, result = self.args, self.result
        master = random.Random(args.seed)
        result.upload_bytes = len(self.csv.variant(0))
        teacher = StreamlitSession(self.server.url, timeout=args.timeout)
        start = time.perf_counter()
        await teacher.connect()
        await teacher.run()
        result.cold_load = time.perf_counter() - start
        await asyncio.sleep(2.0)  # the first run's garbage settles
        samples = []
        for _ in range(3):
            samples.append(self.tree.rss())
            await asyncio.sleep(0.5)
        result.baseline = int(np.median(samples))
        result.metrics_before = await self.metrics()

        self.t0 = time.perf_counter()
        cpu0, client0, machine0 = self.tree.cpu(), time.process_time(), machine_cpu()
        sampler = asyncio.create_task(self._sample())
        plans = []
        for k in range(args.sessions):
            role = PATTERN[k % len(PATTERN)]
            result.roles[role] = result.roles.get(role, 0) + 1
            clears = k % len(PATTERN) in CLEARING
            result.clearing += clears
            plans.append((k, role, clears, random.Random(master.getrandbits(64))))
        closes = await asyncio.gather(*(self._student(*plan) for plan in plans))
        with contextlib.suppress(*LOST):
            await teacher.close()
        closes.append(self.now())
        result.sessions = len(plans)
        result.closed = max(closes)
        server_cpu = self.tree.cpu() - cpu0
        client_cpu = time.process_time() - client0
        other = machine_cpu() - machine0 - server_cpu - client_cpu
        result.load_cpu = (server_cpu, client_cpu, max(0.0, other))
        self.running = False
        sampler.cancel()
        await asyncio.gather(sampler, return_exceptions=True)
        if self._scraping is not None:
            await asyncio.gather(self._scraping, return_exceptions=True)

        # After everyone has left: every MARK seconds up to --after.
        closed_at, cpu1 = time.perf_counter(), self.tree.cpu()
        mark = 0.0
        while mark <= args.after + 1e-9:
            await asyncio.sleep(max(0.0, closed_at + mark - time.perf_counter()))
            rss = self.tree.rss()
            result.rss.append((self.now(), rss))
            result.after.append((mark, rss, await self.metrics()))
            mark += MARK
        result.after_cpu = self.tree.cpu() - cpu1
        return result

    async def _sample(self):
        """RSS every second; a metrics scrape as RSS reaches a new high (one at a time)."""
        peak = 0
        while self.running:
            rss = self.tree.rss()
            self.result.rss.append((self.now(), rss))
            if rss > peak:
                peak = rss
                if self._scraping is None and self.now() - self._last_scrape >= 1.0:
                    self._last_scrape = self.now()
                    self._scraping = asyncio.create_task(self._scrape_peak(self.now(), rss))
            await asyncio.sleep(1.0 - self.now() % 1.0)

    async def _scrape_peak(self, t, rss):
        try:
            metrics = await self.metrics()
            best = self.result.metrics_peak
            if best is None or rss >= best[1]:
                self.result.metrics_peak = (t, rss, metrics)
        finally:
            self._scraping = None

    def _work(self, kind, seconds):
        self.result.work.setdefault(kind, []).append(seconds)

    async def _student(self, k, role, clears, rng):
        """One tab: arrive, its first action, λ moves until the end, close. When it closed."""
        args = self.args
        ramp = RAMP * args.duration
        await asyncio.sleep(k * ramp / args.sessions + rng.uniform(0.0, ramp / args.sessions))
        query = ROLES[role][1].format(seed=rng.randrange(1, 2**31 - 1))
        label = f"#{k} {role}" + (" (clears)" if clears else "")
        session = StreamlitSession(self.server.url, query, timeout=args.timeout)
        try:
            await self._visit(session, k, role, clears, rng, label)
        except Exception as error:  # the page is not what this client expects: say so, go on
            self.result.client.append(f"{label}: {type(error).__name__}: {error}")
        finally:
            with contextlib.suppress(*LOST):
                await session.close()
        return self.now()

    def _rang(self, step):
        """Whether the bell has rung (``--duration`` passed): no new step then. Counts it."""
        if self.now() < self.args.duration:
            return False
        self.result.unstarted[step] = self.result.unstarted.get(step, 0) + 1
        return True

    async def _visit(self, session, k, role, clears, rng, label):
        result, cleared = self.result, False
        step = "load"
        try:
            async with asyncio.timeout(self.args.timeout):
                await session.connect()
                await session.run()
        except ScriptError as error:
            result.exceptions.append((False, f"{label} load: {error}"))
            return
        except LOST as error:
            result.failed.append(f"{label} load: {lost(error, self.args.timeout)}")
            return
        self._work("page load", session.last.elapsed)
        try:
            if role == "upload":
                step = "upload"
                if self._rang(step):
                    return
                try:
                    seconds = await session.upload_file(None, f"wide-{k}.csv", self.csv.variant(k))
                except ProtocolError as error:
                    if session.last_upload is not None and session.last_upload.status // 100 != 2:
                        result.refused.append(f"{label}: {error}")
                        return
                    raise
                result.puts.append(session.last_upload.put_seconds)
                self._work("upload's rerun", seconds)
                step = "column pick"
                if not drawn(session, "xcol"):
                    result.wrong.append(f"{label}: no column choice after the upload")
                    return
                columns = session.widget("xcol").options
                x, y = rng.sample(range(len(columns)), 2)
                for key, index in (("xcol", x), ("ycol", y)):
                    if self._rang(step):
                        return
                    if not drawn(session, key):
                        result.wrong.append(f"{label}: no {key} after picking a column")
                        return
                    self._work("column pick", await session.set_widget(key, columns[index]))
            if clears:
                step = "clear_cache"
                if self._rang(step):
                    return
                await session.clear_cache(rerun=False)
                cleared = True
            current = LAMBDA_GRID.index(float(session.query_params.get("lam", "0")))
            while True:
                think = rng.uniform(*THINK)
                if self.now() + think > self.args.duration:
                    return
                await asyncio.sleep(think)
                if not drawn(session, "lam"):  # nothing to fit (yet): the student only looks
                    continue
                index = rng.choice([i for i in self.choices if i != current])
                step = "λ move"
                self._work("λ move", await session.trigger("lam", "moved", index))
                expected = f"{LAMBDA_GRID[index]:g}"
                if session.query_params.get("lam") != expected:
                    result.wrong.append(f"{label}: after λ -> {expected} the URL says lam=")
                    result.wrong[-1] += repr(session.query_params.get("lam"))
                    return
                current = index
        except ScriptError as error:
            result.exceptions.append((cleared, f"{label} {step}: {error}"))
        except LOST as error:
            result.dropped.append(f"{label} {step}: {lost(error, self.args.timeout)}")


def lost(error, timeout):
    """What became of a lost step, in words."""
    if isinstance(error, TimeoutError):
        return f"no reply within {timeout:g} s"
    return f"{type(error).__name__}: {error}"


def run(args):
    extra = ["--server.enableExpensiveMemoryStats", "true"] if args.memory_stats else []
    with StreamlitServer(APP, *extra) as server:
        result = asyncio.run(HostileClass(server, args).run())
        result.log_exceptions = log_exceptions(server.log())
    return result


def log_exceptions(log):
    """The last line of each uncaught exception's traceback in the server's log."""
    found = []
    for block in log.split("Uncaught app execution")[1:]:
        lines = [line for line in block.splitlines() if line.strip()]
        errors = [line for line in lines if re.match(r"^[A-Za-z_][\w.]*(Error|Exception)\b", line)]
        found.append(errors[-1] if errors else (lines[-1] if lines else "?"))
    return found


# -- the report ---------------------------------------------------------------------------------


def cache_figures(metrics):
    """``cache_memory_bytes`` summed by cache (``type`` or ``type: name``), and active
    sessions, from one scrape."""
    figures = {}
    for name, labels, value in metrics or ():
        if name == "cache_memory_bytes":
            kind = labels.get("cache_type", "?")
            cache = labels.get("cache", "")
            key = f"{kind}: {cache}" if cache else kind
            figures[key] = figures.get(key, 0.0) + value
        elif name == "active_sessions":
            figures["active sessions"] = value
        elif name == "error":
            figures["scrape failed"] = labels["error"]
    return figures


#: Caches whose ``cache_memory_bytes`` Streamlit reports as an entry count unless the server
#: runs with ``server.enableExpensiveMemoryStats`` (any other cache: bytes).
COUNTED = ("st_session_state", "st_cache_resource")


def figure(key, value, memory_stats):
    if value is None:
        return "-"
    if isinstance(value, str):
        return value[:40]
    if key == "active sessions":
        return f"{value:.0f}"
    if key.startswith(COUNTED) and not memory_stats:
        return f"{value:.0f} items"
    return f"{value / 1e6:.1f} MB"


def report(result, args, elapsed):
    print(
        f"\nHostile class: {result.sessions} sessions arriving over {RAMP * args.duration:.0f} s, "
        f"moving λ every U{THINK} s until {args.duration:g} s, then all closed; fresh "
        f"server (seed {args.seed})"
    )
    print(f"  the mix ({result.clearing} of them send clear_cache after their first action):")
    for role, n in result.roles.items():
        print(f"    {n:>3} {ROLES[role][0]}")
    print(f"  each upload: {result.upload_bytes:,} bytes, {UPLOAD_COLUMNS:,} columns")

    peak_t, peak = max(result.rss, key=lambda s: s[1]) if result.rss else (0.0, 0)
    print(
        f"  server RSS: idle baseline {mb(result.baseline)} MB (after the first page load; the "
        f"teacher's cold load {ms(result.cold_load)} ms); peak {mb(peak)} MB at {peak_t:.0f} s; "
        f"last session closed at {result.closed:.0f} s"
    )
    during = [rss for t, rss in result.rss if t <= result.closed]
    marks, line = [], []
    for t, rss in result.rss:
        if t > result.closed:
            break
        if not marks or t >= marks[-1] + 5.0 - 0.5:
            marks.append(t)
            line.append(mb(rss))
    if during:
        print(f"  RSS during the load, MB, every 5 s: {' '.join(line)}")
    after = " | ".join(f"+{mark:.0f} s {mb(rss)}" for mark, rss, _ in result.after)
    print(f"  RSS after the last session closed, MB: {after}")

    scrapes = [("before", result.metrics_before)]
    if result.metrics_peak is not None:
        t, rss, metrics = result.metrics_peak
        scrapes.append((f"peak {t:.0f}s", metrics))
    shown = [a for a in result.after if a[0] % 60 < 1 or a is result.after[-1]]
    scrapes += [(f"+{mark:.0f} s", metrics) for mark, _, metrics in shown]
    tables = [(name, cache_figures(metrics)) for name, metrics in scrapes]
    keys = []
    for _, figures in tables:
        keys += [k for k in figures if k not in keys]
    keys.sort(key=lambda k: (k != "active sessions", not k.startswith("UploadedFileManager"), k))
    units = (
        "bytes (server.enableExpensiveMemoryStats on)"
        if args.memory_stats
        else "uploads in bytes; st_session_state and st_cache_resource as entry counts "
        "(Streamlit sizes them only with server.enableExpensiveMemoryStats: --memory-stats)"
    )
    print(f"  /_stcore/metrics, cache_memory_bytes by cache: {units}")
    if result.metrics_peak is not None:
        print(
            f"    (the peak scrape was taken at RSS {mb(result.metrics_peak[1])} MB; "
            "st_session_state counts connected sessions only)"
        )
    width = max([len(k) for k in keys] + [10])
    print(f"    {'':<{width}} " + " ".join(f"{name:>10}" for name, _ in tables))
    for key in keys:
        cells = [figure(key, figures.get(key), args.memory_stats) for _, figures in tables]
        print(f"    {key:<{width}} " + " ".join(f"{cell:>10}" for cell in cells))
    uploads = []
    for mark, _, metrics in result.after:
        held = cache_figures(metrics).get("UploadedFileManager", 0.0)
        uploads.append(f"+{mark:.0f} s {held / 1e6:.1f}" if isinstance(held, float) else "?")
    print(f"    upload bytes held after the last close, MB: {' | '.join(uploads)}")

    print("  server work per message (rerun request -> script_finished), ms:")
    print(f"    {'':<16} {'n':>5} {'p50':>7} {'p95':>7} {'max':>7}")
    kinds = ["page load", "upload's rerun", "column pick", "λ move"]
    everything = [s for kind in kinds for s in result.work.get(kind, ())]
    for kind, values in [*((k, result.work.get(k, [])) for k in kinds), ("all", everything)]:
        print(
            f"    {kind:<16} {len(values):>5} {ms(pct(values, 50)):>7} {ms(pct(values, 95)):>7}"
            f" {ms(max(values, default=float('nan'))):>7}"
        )
    server_cpu = result.load_cpu[0]
    if everything:
        print(
            f"    server CPU per message, mean over the load: "
            f"{ms(server_cpu / len(everything))} ms ({server_cpu:.0f} CPU-s / "
            f"{len(everything)} messages)"
        )
    if result.puts:
        print(
            f"    upload PUT: n {len(result.puts)}, p50 {ms(pct(result.puts, 50))} ms, "
            f"p95 {ms(pct(result.puts, 95))} ms"
        )

    own = sum(cleared for cleared, _ in result.exceptions)
    lost = len(result.failed) + len(result.dropped)
    if result.unstarted:
        skipped = ", ".join(f"{step} {n}" for step, n in result.unstarted.items())
        print(f"  steps not started because the bell had rung (sessions then close): {skipped}")
    print(
        f"  sessions: {result.sessions} opened, {len(result.failed)} failed, "
        f"{len(result.dropped)} dropped; exceptions on the page {len(result.exceptions)} "
        f"({own} after the session's own clear_cache); wrong replies {len(result.wrong)}; "
        f"uploads refused {len(result.refused)}; uncaught exceptions in the server log "
        f"{len(result.log_exceptions)}; client errors {len(result.client)}"
    )
    server_cpu, client_cpu, other = result.load_cpu
    wall = max(result.closed, 1e-9)
    after_wall = result.after[-1][0] if result.after else 0.0
    print(
        f"  CPU, % of a core, over the load: server {100 * server_cpu / wall:.0f}%, this client "
        f"{100 * client_cpu / wall:.0f}%, rest of the machine {100 * other / wall:.0f}%; "
        f"server after the close {100 * result.after_cpu / max(after_wall, 1e-9):.0f}%"
    )
    problems = [
        *(("failed", line) for line in result.failed),
        *(("dropped", line) for line in result.dropped),
        *(
            ("exception" + (" after own clear_cache" if cleared else ""), line)
            for cleared, line in result.exceptions
        ),
        *(("wrong reply", line) for line in result.wrong),
        *(("upload refused", line) for line in result.refused),
        *(("client error", line) for line in result.client),
    ]
    if problems:
        print(f"  errors ({len(problems)}; the first 10):")
        for kind, line in problems[:10]:
            print(f"    {kind}: {line[:200]}")
    if result.log_exceptions:
        distinct = sorted(set(result.log_exceptions))
        print(f"  server log, uncaught ({len(distinct)} distinct; the first 5):")
        for line in distinct[:5]:
            print(f"    {line[:200]}")

    end = result.after[-1] if result.after else (0.0, 0, None)
    back = end[1] - result.baseline
    errors = len(result.exceptions) + len(result.wrong)
    print("  goals:")
    print(f"    peak RSS {mb(peak)} < {mb(TARGET_PEAK)} MB {verdict(peak < TARGET_PEAK)}")
    print(
        f"    RSS {end[0]:.0f} s after the last close {mb(end[1])} MB = baseline "
        f"{back / 1e6:+.0f} MB, within {mb(TARGET_BACK)} MB {verdict(back < TARGET_BACK)}"
        + ("" if end[0] >= AFTER else f" (only {end[0]:.0f} s waited: the goal is {AFTER:g} s)")
    )
    print(f"    exceptions {errors} = 0 {verdict(errors == 0)}")
    print(f"    lost sessions (failed + dropped) {lost} = 0 {verdict(lost == 0)}")
    print(f"  ({elapsed:.0f} s, server included)")


# -- main ---------------------------------------------------------------------------------------


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench_hostile",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true", help="12 sessions, 30 s, 45 s after")
    parser.add_argument("--sessions", type=int, help=f"sessions (default {SESSIONS})")
    parser.add_argument(
        "--duration", type=float, help=f"seconds from the first arrival (default {DURATION:g})"
    )
    parser.add_argument(
        "--after", type=float, help=f"seconds watched after the last close (default {AFTER:g})"
    )
    add_seed_and_timeout(parser, TIMEOUT, "a step")
    parser.add_argument(
        "--memory-stats",
        action="store_true",
        help="server.enableExpensiveMemoryStats: the metrics size caches and session state in "
        "bytes (each scrape then walks them: it costs the server time)",
    )
    args = parser.parse_args(argv)
    defaults = QUICK if args.quick else {"sessions": SESSIONS, "duration": DURATION}
    defaults = {"after": AFTER} | defaults
    for name, value in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    args.sessions = max(1, args.sessions)
    return args


def main(argv=None):
    args = parse_args(argv)
    start = time.perf_counter()
    print(
        f"\nHostile-class benchmark: {args.sessions} sessions, {args.duration:g} s, then "
        f"{args.after:g} s watched after the close",
        flush=True,
    )
    try:
        result = run(args)
    except Exception as error:  # a benchmark reports; it never fails the run
        print(f"  the benchmark could not run: {type(error).__name__}: {error}")
        return
    report(result, args, time.perf_counter() - start)


if __name__ == "__main__":
    main()
