"""The deployment: deploy/nginx.conf in front of two real app replicas.

The main test starts two ``streamlit run app.py`` replicas sharing one cookie secret, and a real
nginx with the shipped ``deploy/nginx.conf`` (only its paths, listen address and upstream
addresses changed, see :func:`render_nginx_conf`). Sixty tabs then go through nginx at once, each
with its own cookie jar: every request of a tab (page, health, websocket, upload) must reach one
replica, the one its ``regviz_route`` cookie hashes to. Then one replica is stopped: its tabs
reconnect as a browser does (new websocket, page reloaded from the URL, which holds the
settings) and must land on the other replica with the same settings; the others keep working.

It needs nginx (``scripts/ensure-nginx.sh``). Without it the test is skipped, except under
``CI=true``, where a skip would hide that it never ran: there it fails.
"""

from __future__ import annotations

import ast
import asyncio
import concurrent.futures
import contextlib
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import connect as ws_connect

from benchmarks.streamlit_client import (
    XSRF_COOKIE,
    ProtocolError,
    StreamlitServer,
    StreamlitSession,
)
from regviz.settings import LAMBDA_GRID, snap_lambda

ROOT = Path(__file__).resolve().parent.parent
NGINX_CONF = ROOT / "deploy" / "nginx.conf"
COMPOSE = ROOT / "deploy" / "compose.yaml"
ROUTE_COOKIE = "regviz_route"
UPSTREAM_HEADER = "X-Regviz-Upstream"
SESSIONS = 60


# ------------------------------------------------------------------------------------------------
# Static checks: the files agree with each other (no nginx needed)
# ------------------------------------------------------------------------------------------------


def _megabytes(size):
    """An nginx size ("12m", "512k", "1g", "1048576") in MB."""
    number, unit = re.fullmatch(r"(\d+)([kKmMgG]?)", size).groups()
    return int(number) * {"": 1 / 2**20, "k": 1 / 1024, "m": 1, "g": 1024}[unit.lower()]


def test_nginx_lets_through_every_upload_streamlit_accepts():
    limit = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["server"][
        "maxUploadSize"
    ]
    conf = NGINX_CONF.read_text()
    block = re.search(r"location /_stcore/upload_file/ \{(.*?)\}", conf, re.S)
    assert block, "deploy/nginx.conf has no location for /_stcore/upload_file/"
    body = re.search(r"client_max_body_size\s+(\S+);", block[1])
    assert body, "the upload location does not set client_max_body_size (nginx's default: 1 MB)"
    # The multipart envelope around the file needs a little more than the file itself.
    assert _megabytes(body[1]) > limit, (
        f"client_max_body_size {body[1]} must exceed server.maxUploadSize = {limit} MB"
    )


def test_compose_runs_every_replica_of_the_nginx_upstream():
    conf = NGINX_CONF.read_text()
    upstream = re.search(r"upstream regviz \{(.*?)\}", conf, re.S)[1]
    servers = re.findall(r"^\s*server\s+([\w.-]+):8501\b", upstream, re.M)
    compose = COMPOSE.read_text()
    services = re.findall(r"^  (\w+):\n    <<: \*app$", compose, re.M)
    assert len(servers) >= 2
    assert sorted(servers) == sorted(services), "nginx.conf's upstream and compose.yaml's apps"


def test_image_copies_every_local_module_the_app_imports():
    """A module of the repository that app.py imports must be in the image (Dockerfile COPY)."""
    tree = ast.parse((ROOT / "app.py").read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    local = {n for n in names if (ROOT / n).is_dir() or (ROOT / f"{n}.py").is_file()}
    copied = set()
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if line.startswith("COPY ") and "--from" not in line:
            copied |= {Path(source).parts[0] for source in line.split()[1:-1]}
    assert local, "app.py imports no local module? (the check would prove nothing)"
    assert local <= {Path(c).stem for c in copied}, f"Dockerfile copies {copied}, app needs {local}"
    assert {"app.py", "data", ".streamlit", "requirements.txt"} <= copied


# ------------------------------------------------------------------------------------------------
# nginx with the shipped configuration
# ------------------------------------------------------------------------------------------------


def nginx_binary():
    for candidate in (
        os.environ.get("REGVIZ_NGINX"),
        "/usr/sbin/nginx",
        shutil.which("nginx"),
    ):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def _substitute(pattern, replace, text, what, count=1):
    new, found = re.subn(pattern, replace, text, flags=re.M)
    if found != count:
        raise AssertionError(f"deploy/nginx.conf: expected {count} {what}, found {found}")
    return new


def render_nginx_conf(template, *, listen, upstreams, directory):
    """``template`` (deploy/nginx.conf) for a test run: everything identical but its paths (pid,
    logs, temp files under ``directory``), its listen address (``listen``, "host:port") and the
    upstream's addresses (``upstreams``, each keeping the parameters of the server it replaces;
    servers beyond them are dropped)."""
    d = Path(directory)
    text = _substitute(r"^(\s*)pid\s+\S+;", rf"\1pid {d}/nginx.pid;", template, "pid")
    text = _substitute(
        r"^(\s*)error_log\s+\S+(\s+\w+)?;", rf"\1error_log {d}/error.log\2;", text, "error_log"
    )
    text = _substitute(
        r"^(\s*)access_log\s+\S+(\s+\w+)?;", rf"\1access_log {d}/access.log\2;", text, "access_log"
    )
    text = _substitute(r"^(\s*)listen\s+80;", rf"\1listen {listen};", text, "listen 80")
    temp_paths = "".join(
        f"\n    {kind}_temp_path {d}/{kind}_temp;"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    text = _substitute(r"^(http\s*\{)", lambda m: m[1] + temp_paths, text, "http block")

    block = re.search(r"^\s*upstream\s+\w+\s*\{.*?^\s*\}", text, re.M | re.S)
    assert block, "deploy/nginx.conf: no upstream block"
    server = re.compile(r"^(\s*)server\s+\S+((?:\s+[^;\s]+)*);\n", re.M)
    lines = list(server.finditer(block[0]))
    assert len(lines) >= len(upstreams), "deploy/nginx.conf: fewer upstream servers than replicas"
    addresses = iter(upstreams)

    def replace(match):
        address = next(addresses, None)
        return "" if address is None else f"{match[1]}server {address}{match[2]};\n"

    upstream = server.sub(replace, block[0])
    return text[: block.start()] + upstream + text[block.end() :]


def free_port(host="127.0.0.1"):
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def public_looking_loopback():
    """A loopback address that Streamlit does not trust as "localhost" (Linux routes 127/8).

    Streamlit accepts a websocket whose Origin does not match its Host only from localhost,
    127.0.0.1 and the machine's own addresses. Through 127.0.0.2 the tabs are treated like
    browsers on a real host name: if nginx passed the wrong Host, they would get the 403 a class
    would get. Elsewhere (macOS has only 127.0.0.1) the test still runs, without that check.
    """
    try:
        free_port("127.0.0.2")
    except OSError:
        return "127.0.0.1"
    return "127.0.0.2"


class Nginx:
    """nginx as a foreground subprocess with a rendered copy of deploy/nginx.conf."""

    def __init__(self, binary, upstreams):
        # Under root nginx's workers run as nobody: they must be able to enter this directory.
        self.directory = Path(tempfile.mkdtemp(prefix="regviz-nginx-"))
        self.directory.chmod(0o755)
        self.host = public_looking_loopback()
        self.port = free_port(self.host)
        self.conf = self.directory / "nginx.conf"
        self.conf.write_text(
            render_nginx_conf(
                NGINX_CONF.read_text(),
                listen=f"{self.host}:{self.port}",
                upstreams=upstreams,
                directory=self.directory,
            )
        )
        self.binary = binary
        self.process = None

    @property
    def url(self):
        return f"http://{self.host}:{self.port}"

    def start(self, timeout=15.0):
        d = self.directory
        command = [self.binary, "-p", str(d), "-e", str(d / "error.log"), "-c", str(self.conf)]
        self.process = subprocess.Popen(
            [*command, "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited ({self.process.returncode}):\n{self.log()}")
            with contextlib.suppress(OSError), socket.create_connection((self.host, self.port)):
                return self
            time.sleep(0.05)
        raise TimeoutError(f"nginx did not listen in {timeout:g} s:\n{self.log()}")

    def log(self):
        path = self.directory / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.directory, ignore_errors=True)


# ------------------------------------------------------------------------------------------------
# A browser tab behind nginx
# ------------------------------------------------------------------------------------------------


def http_request(method, url, headers, body=None, timeout=60.0):
    """(status, headers) of one request, without proxies and without raising on 4xx/5xx."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    request = urllib.request.Request(url, data=body, headers=headers, method=method)
    try:
        with opener.open(request, timeout=timeout) as response:
            response.read()
            return response.status, response.headers
    except urllib.error.HTTPError as error:
        with error:
            error.read()
            return error.code, error.headers


class _SessionIdTap:
    """A tab's websocket that notes the session id from ``new_session`` (uploads need it)."""

    def __init__(self, ws, tab):
        self.ws, self.tab = ws, tab

    async def send(self, data):
        await self.ws.send(data)

    async def recv(self):
        data = await self.ws.recv()
        if self.tab.session_id is None:
            msg = ForwardMsg()
            msg.ParseFromString(data)
            if msg.WhichOneof("type") == "new_session":
                self.tab.session_id = msg.new_session.initialize.session_id
        return data

    async def close(self):
        await self.ws.close()


@dataclass
class Served:
    """One request of a tab and the replicas nginx tried for it (``X-Regviz-Upstream``)."""

    what: str
    tried: list = field(default_factory=list)

    @property
    def replica(self):
        return self.tried[-1] if self.tried else None


class RoutedTab(StreamlitSession):
    """A :class:`StreamlitSession` behind nginx, with a browser's cookie jar.

    ``connect`` does what a browser does: load the page, ask ``/_stcore/health`` (which sets the
    XSRF cookie) and open the websocket, sending the jar's cookies each time. Every response's
    ``X-Regviz-Upstream`` is kept in ``served``; ``route_cookies`` lists the route cookies nginx
    set, as (request, value): one, on the first response, is right.
    """

    def __init__(self, base_url, query_string="", *, cookies=None, **kwargs):
        super().__init__(base_url, query_string, **kwargs)
        self.cookies = dict(cookies or {})
        self.route_cookies = []
        self.served = []
        self.session_id = None

    def cookie_header(self):
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def _note(self, what, headers):
        tried = headers.get(UPSTREAM_HEADER, "")
        self.served.append(Served(what, [a.strip() for a in tried.split(",") if a.strip()]))
        for header in headers.get_all("Set-Cookie") or ():
            name, _, value = header.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value
            if name.strip() == ROUTE_COOKIE:
                self.route_cookies.append((what, value))

    def request(self, what, method, path, body=None, headers=None):
        headers = {"Cookie": self.cookie_header(), **(headers or {})}
        status, response = http_request(method, self.base_url + path, headers, body, self.timeout)
        self._note(what, response)
        return status

    async def connect(self):
        page = "/" + (f"?{self.query_string}" if self.query_string else "")
        for what, path in (("page", page), ("health", "/_stcore/health")):
            status = await asyncio.to_thread(self.request, what, "GET", path)
            if status != 200:
                raise ProtocolError(f"GET {path} through nginx: {status}")
        token = self.cookies.get(XSRF_COOKIE)
        self.session_id = None
        ws = await ws_connect(
            self.base_url.replace("http://", "ws://", 1) + "/_stcore/stream",
            subprotocols=["streamlit", token or "PLACEHOLDER_AUTH_TOKEN"],
            additional_headers={"Cookie": self.cookie_header()},
            origin=self.base_url,
            max_size=None,
            proxy=None,
            open_timeout=self.timeout,
        )
        self._note("websocket", ws.response.headers)
        if ws.subprotocol != "streamlit":
            await ws.close()
            raise ProtocolError(f"server chose subprotocol {ws.subprotocol!r}")
        self._ws = _SessionIdTap(ws, self)
        return self

    async def wait_closed(self):
        """Until the server has closed the websocket (as a browser notices a dead replica)."""
        await self._ws.ws.wait_closed()

    def upload(self, content, name="points.csv"):
        """PUT a file as st.file_uploader does, into this tab's session; the HTTP status."""
        boundary = uuid.uuid4().hex
        body = (
            (
                f"--{boundary}\r\n"
                f'Content-Disposition: form-data; name="uploadedFile"; filename="{name}"\r\n'
                "Content-Type: text/csv\r\n\r\n"
            ).encode()
            + content
            + f"\r\n--{boundary}--\r\n".encode()
        )
        headers = {
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "X-Xsrftoken": self.cookies.get(XSRF_COOKIE, ""),
        }
        path = f"/_stcore/upload_file/{self.session_id}/{uuid.uuid4()}"
        return self.request("upload", "PUT", path, body, headers)

    @property
    def replicas(self):
        """The replicas that answered this tab's requests (one, if sessions are sticky)."""
        return {served.replica for served in self.served}


# ------------------------------------------------------------------------------------------------
# Two replicas behind nginx
# ------------------------------------------------------------------------------------------------


@dataclass
class Deployment:
    url: str
    replicas: dict  # "127.0.0.1:port" -> StreamlitServer
    nginx: Nginx


@pytest.fixture
def deployment(monkeypatch):
    binary = nginx_binary()
    if binary is None:
        reason = "no nginx (./scripts/ensure-nginx.sh, or apt-get install -y nginx)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"deploy test cannot run under CI=true: {reason}")
        pytest.skip(reason)
    # One secret for all replicas, as deploy/regviz.env gives them.
    monkeypatch.setenv("STREAMLIT_SERVER_COOKIE_SECRET", secrets.token_hex(32))
    servers = [StreamlitServer("app.py", "--server.address", "127.0.0.1") for _ in range(2)]
    nginx = None
    try:
        for server in servers:
            server.start()
        for server in servers:
            server.wait_healthy()
        replicas = {f"127.0.0.1:{server.port}": server for server in servers}
        nginx = Nginx(binary, list(replicas)).start()
        yield Deployment(nginx.url, replicas, nginx)
    finally:
        if nginx is not None:
            nginx.stop()
        for server in servers:
            server.stop()


# ------------------------------------------------------------------------------------------------
# The test
# ------------------------------------------------------------------------------------------------


@dataclass
class Visit:
    """One tab of the class: its link's settings and the λ it moved to."""

    k: int
    degree: int
    seed: int
    lam_index: int
    tab: RoutedTab | None = None

    @property
    def query(self):
        return f"degree={self.degree}&lam={LAMBDA_GRID[self.lam_index]:g}&seed={self.seed}"


def lam_of(tab):
    """The λ the tab shows, as an index of LAMBDA_GRID (the λ control is a component that
    reports moves; the session's λ is in the address the server writes)."""
    return LAMBDA_GRID.index(snap_lambda(float(tab.query_params["lam"])))


def degree_of(tab):
    (value,) = tab.widget("degree").state.double_array_value.data
    return int(value)


async def open_tab(url, visit):
    """Open the link, check it, move λ twice; upload a small file into the session."""
    tab = visit.tab = RoutedTab(url, visit.query)
    await tab.connect()
    await tab.run()
    params = tab.query_params
    assert (params["degree"], params["seed"]) == (str(visit.degree), str(visit.seed))
    assert params["lam"] == f"{LAMBDA_GRID[visit.lam_index]:g}"
    assert (degree_of(tab), lam_of(tab)) == (visit.degree, visit.lam_index)
    for step in (11, 23):
        visit.lam_index = (visit.lam_index + step) % len(LAMBDA_GRID)
        await tab.trigger("lam", "moved", visit.lam_index)
        assert tab.query_params["lam"] == f"{LAMBDA_GRID[visit.lam_index]:g}"
    status = await asyncio.to_thread(tab.upload, f"x,y\n{visit.k},1\n2,3\n".encode())
    assert status == 204, f"upload into tab {visit.k}'s session: {status}"
    return visit


async def reopen_tab(url, old):
    """After its replica died: reconnect as the browser does, with the same cookies and URL."""
    await asyncio.wait_for(old.wait_closed(), timeout=30)
    start = time.perf_counter()
    tab = RoutedTab(url, old.query_string, cookies=old.cookies)
    await tab.connect()
    connected = time.perf_counter()
    await tab.run()
    seconds = (connected - start, time.perf_counter() - start)
    status = await asyncio.to_thread(tab.upload, b"x,y\n1,2\n3,4\n")
    assert status == 204, f"upload after failover: {status}"
    return tab, seconds


async def keep_working(url, visit):
    """A tab whose replica lives: one more λ, and its page still loads from the same replica."""
    tab = visit.tab
    visit.lam_index = (visit.lam_index + 5) % len(LAMBDA_GRID)
    await tab.trigger("lam", "moved", visit.lam_index)
    assert tab.query_params["lam"] == f"{LAMBDA_GRID[visit.lam_index]:g}"
    page = "/?" + tab.query_string
    assert await asyncio.to_thread(tab.request, "page again", "GET", page) == 200


async def class_and_failover(deployment, report):
    url = deployment.url
    start = time.perf_counter()
    visits = [
        Visit(k, degree=1 + k % 12, seed=1000 + k, lam_index=10 + (7 * k) % 140)
        for k in range(SESSIONS)
    ]
    try:
        await asyncio.gather(*(open_tab(url, visit) for visit in visits))
        report["class"] = time.perf_counter() - start

        # Sticky: each tab's page, health, websocket and upload reached one replica, the one its
        # route cookie (set once, on its first response) hashes to; both replicas have tabs.
        for visit in visits:
            tab = visit.tab
            assert [what for what, _ in tab.route_cookies] == ["page"], tab.route_cookies
            assert len(tab.replicas) == 1, f"tab {visit.k} was served by {tab.served}"
        by_replica = {address: [] for address in deployment.replicas}
        for visit in visits:
            (address,) = visit.tab.replicas
            by_replica[address].append(visit)
        report["tabs per replica"] = [len(v) for v in by_replica.values()]
        assert all(by_replica.values()), f"a replica got no tab: {report['tabs per replica']}"

        # An upload as large as Streamlit allows passes nginx too (client_max_body_size).
        big = b"x,y\n" + b"1,2\n" * ((10 * 2**20 - 64 * 1024) // 4)
        assert await asyncio.to_thread(visits[0].tab.upload, big, "big.csv") == 204

        # One replica dies.
        dead, live = list(deployment.replicas)
        moved, stayed = by_replica[dead], by_replica[live]
        before = {v.k: (v.tab.query_params, degree_of(v.tab), lam_of(v.tab)) for v in moved}
        stop = time.perf_counter()
        await asyncio.to_thread(deployment.replicas[dead].stop)
        report["replica stop"] = time.perf_counter() - stop

        failover = time.perf_counter()
        results = await asyncio.gather(
            *(reopen_tab(url, visit.tab) for visit in moved),
            *(keep_working(url, visit) for visit in stayed),
        )
        report["failover"] = time.perf_counter() - failover
        reopened = results[: len(moved)]
        for i, name in enumerate(("websocket open again", "page reloaded")):
            seconds = sorted(s[i] for _, s in reopened)
            middle = seconds[len(seconds) // 2]
            report[f"{name}, s (min/median/max)"] = (seconds[0], middle, seconds[-1])

        for visit, (tab, _) in zip(moved, reopened, strict=True):
            try:
                assert tab.replicas == {live}, f"tab {visit.k} after failover: {tab.served}"
                assert tab.route_cookies == [], "the browser kept its route cookie"
                assert (tab.query_params, degree_of(tab), lam_of(tab)) == before[visit.k]
            finally:
                await tab.close()
        # nginx found out by trying: some request went to the dead replica, then to the live one.
        retried = sum(len(s.tried) > 1 for tab, _ in reopened for s in tab.served)
        report["requests that tried the dead replica first"] = retried
        assert retried >= 1, "no request of a moved tab was retried (proxy_next_upstream)"
        for visit in stayed:
            assert visit.tab.replicas == {live}, f"tab {visit.k} moved: {visit.tab.served}"
    finally:
        for visit in visits:
            if visit.tab is not None:
                with contextlib.suppress(Exception):
                    await visit.tab.close()


@pytest.mark.slow
@pytest.mark.deploy
def test_sticky_sessions_and_failover_behind_nginx(deployment):
    report = {}
    # In its own thread: Playwright's sync API (the browser tests, same pytest session) keeps an
    # event loop running in the main thread, where asyncio.run refuses to start another.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, class_and_failover(deployment, report)).result()
    log = deployment.nginx.log()
    report["nginx: refused connections logged"] = log.count("connect() failed")
    report["nginx: replica marked down"] = log.count("upstream server temporarily disabled")
    print(f"\ndeploy test: {SESSIONS} tabs through nginx, two replicas:", file=sys.stderr)
    for name, value in report.items():
        shown = (
            "/".join(f"{v:.2f}" for v in value)
            if isinstance(value, tuple)
            else f"{value:.2f}"
            if isinstance(value, float)
            else value
        )
        print(f"  {name}: {shown}", file=sys.stderr)
    # Refused connections to the dead replica are logged as [error]/[warn]: expected. Worse is not.
    assert not re.search(r"\[(crit|alert|emerg)\]", deployment.nginx.log()), deployment.nginx.log()
