"""The deployment: deploy/nginx.conf in front of real app replicas, and the image's scripts.

The main test starts two ``streamlit run app.py`` replicas sharing one cookie secret, and a real
nginx with the shipped ``deploy/nginx.conf`` (only its paths, listen address and upstream
addresses changed, see :func:`render_nginx_conf`). Sixty tabs then go through nginx at once, each
with its own cookie jar: every request of a tab (page, health, websocket, upload) must reach one
replica, the one its ``regviz_route`` cookie hashes to. Then one replica is stopped: its tabs
reconnect as a browser does (new websocket, page reloaded from the URL, which holds the
settings) and must land on the other replica with the same settings; the others keep working.

The hardening tests (issue 14) use the same nginx: security headers on every response and the
page in headless Chromium under its Content-Security-Policy, metrics not public, per-client
limits, route cookies nginx did not issue, a replica down at start, a hung (SIGSTOPped)
replica; and, without nginx, the production settings and the image's entry point and health
check run as scripts. docs/deploy.md ("Hardening", "How this is tested") explains each.

It needs nginx (``scripts/ensure-nginx.sh``). Without it the nginx tests are skipped, except
under ``CI=true``, where a skip would hide that they never ran: there they fail.
"""

from __future__ import annotations

import ast
import asyncio
import base64
import concurrent.futures
import contextlib
import hashlib
import http.client
import http.server
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import InvalidStatus

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


def upstream_servers(conf):
    """The upstream's servers as (address, port, service named in the line's comment)."""
    upstream = re.search(r"upstream regviz \{(.*?)\}", conf, re.S)[1]
    return re.findall(
        r"^\s*server\s+([\w.-]+):(\d+)\b[^;]*;[ \t]*(?:#[ \t]*(\w+))?", upstream, re.M
    )


def compose_apps(compose):
    """compose.yaml's replicas (services built from the x-app anchor): name -> fixed address."""
    blocks = re.findall(r"^  (\w+):\n    <<: \*app\n((?:    .*\n)*)", compose, re.M)
    return {
        name: (re.search(r"ipv4_address:\s*(\S+)", body) or [None, None])[1]
        for name, body in blocks
    }


def test_compose_runs_every_replica_of_the_nginx_upstream():
    servers = upstream_servers(NGINX_CONF.read_text())
    apps = compose_apps(COMPOSE.read_text())
    assert len(servers) >= 2
    assert sorted(name for *_, name in servers) == sorted(apps), "nginx.conf's upstream and compose"
    for address, port, name in servers:
        assert port == "8501"
        assert apps[name] == address, f"{name}: nginx.conf says {address}, compose {apps[name]}"


def test_nginx_does_not_wait_for_every_replica():
    """nginx must start while a replica is down: its upstream names the replicas by their fixed
    addresses (a name that does not resolve at start stops nginx), and compose does not make it
    wait for every replica to be healthy."""
    for address, _, name in upstream_servers(NGINX_CONF.read_text()):
        assert re.fullmatch(r"\d+\.\d+\.\d+\.\d+", address), (
            f"upstream server {address} ({name}) is a name: nginx would refuse to start while it "
            "does not resolve (its replica is down)"
        )
    compose = COMPOSE.read_text()
    nginx = re.search(r"^  nginx:\n((?:    .*\n|\s*\n)*)", compose, re.M)[1]
    assert "service_healthy" not in nginx, "nginx waits for every replica to be healthy"


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


def dockerfile_copies():
    """The sources of the Dockerfile's COPY lines (not --from), as written."""
    sources = []
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if line.startswith("COPY ") and "--from" not in line:
            sources += [s for s in line.split()[1:-1] if not s.startswith("--")]
    return sources


def _docker_glob(pattern):
    """A .dockerignore pattern as a regular expression (Go's filepath.Match, plus ``**``)."""
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out)


def docker_ignores(path, patterns):
    """Whether .dockerignore's ``patterns`` keep ``path`` out of the build context: the last
    pattern that matches the path or one of its parent directories decides (``!`` lets in)."""
    parts = Path(path).parts
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    ignored = False
    for pattern in patterns:
        glob = _docker_glob(pattern.lstrip("!").strip("/"))
        if any(glob.fullmatch(prefix) for prefix in prefixes):
            ignored = not pattern.startswith("!")
    return ignored


def test_build_context_holds_every_file_the_dockerfile_copies():
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    patterns = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    assert docker_ignores("deploy/nginx.conf", patterns), "the check would prove nothing"
    for source in dockerfile_copies():
        assert (ROOT / source).exists(), f"Dockerfile copies {source}, which does not exist"
        files = (
            [source]
            if (ROOT / source).is_file()
            else [str(f.relative_to(ROOT)) for f in (ROOT / source).rglob("*") if f.is_file()]
        )
        assert any(not docker_ignores(f, patterns) for f in files), (
            f"Dockerfile copies {source}, but .dockerignore keeps it out of the build context "
            f"(add a line `!{source}` after the one that excludes it)"
        )


def test_image_checks_its_secret_and_restarts_when_hung():
    """The image's entry point checks the cookie secret, under tini (so that a healthcheck can
    kill a hung Streamlit); its HEALTHCHECK is deploy/healthcheck.py; compose does not replace
    either."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert {"deploy/entrypoint.sh", "deploy/healthcheck.py"} <= set(dockerfile_copies())
    entry = re.search(r"^ENTRYPOINT\s+(\[.*\])$", dockerfile, re.M)
    assert entry, "the Dockerfile has no ENTRYPOINT (exec form)"
    command = ast.literal_eval(entry[1])
    assert Path(command[0]).name == "tini", command
    assert Path(command[-1]).name == "entrypoint.sh", command
    health = re.search(r"^HEALTHCHECK\b(.*?)CMD\s+(\[.*\])$", dockerfile, re.M | re.S)
    assert health, "the Dockerfile has no HEALTHCHECK (exec form)"
    assert "healthcheck.py" in health[2], "HEALTHCHECK does not run healthcheck.py"
    options = dict(re.findall(r"--([\w-]+)=(\S+)", health[1]))
    timeout = float(options["timeout"].rstrip("s"))
    # healthcheck.py must see its own timeout (8 s) expire, or Docker kills it uncounted.
    assert timeout > 8, f"HEALTHCHECK --timeout={options['timeout']} must exceed healthcheck.py's"
    compose = COMPOSE.read_text()
    for key in ("entrypoint:", "healthcheck:", "command:"):
        app = re.search(r"^x-app: &app\n((?:  .*\n|\s*\n)*)", compose, re.M)[1]
        assert key not in app, f"compose.yaml's replicas override the image's {key[:-1]}"
    assert "restart: unless-stopped" in compose


def test_production_config_shows_no_error_details_and_watches_no_files():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"
    assert config["server"]["fileWatcherType"] == "none"
    assert config["server"]["runOnSave"] is False


def csp_of(conf):
    """The Content-Security-Policy that deploy/nginx.conf sends, as {directive: [sources]}."""
    (value,) = re.findall(r'^\s*add_header\s+Content-Security-Policy\s+"([^"]+)"', conf, re.M)
    policy = {}
    for directive in filter(None, (d.strip() for d in value.split(";"))):
        name, *sources = directive.split()
        policy[name] = sources
    return policy


def test_the_csp_allows_exactly_streamlits_inline_scripts():
    """Streamlit's index.html has an inline <script>; the policy allows it by its hash, so a new
    Streamlit with another inline script shows up here, not as a blank page for a class."""
    import streamlit

    index = Path(streamlit.__file__).parent / "static" / "index.html"
    inline = re.findall(r"<script>(.*?)</script>", index.read_text(), re.S)
    assert inline, "Streamlit's page has no inline script any more: drop its hash from the CSP"
    wanted = {
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
        for s in inline
    }
    script_src = csp_of(NGINX_CONF.read_text())["script-src"]
    hashes = {s for s in script_src if s.startswith("'sha256-")}
    assert hashes == wanted, f"deploy/nginx.conf's script-src should hold exactly {wanted}"
    assert "'unsafe-inline'" not in script_src
    assert "'unsafe-eval'" not in script_src


def test_no_location_drops_the_security_headers():
    """nginx drops every add_header of the server block in a location that has one of its own:
    the headers must stay in the server block only."""
    conf = NGINX_CONF.read_text()
    for block in re.findall(r"^\s*location\b[^{]*\{(.*?)^\s*\}", conf, re.M | re.S):
        assert "add_header" not in block, block


# ------------------------------------------------------------------------------------------------
# The image's entry point and health check, run here as scripts
# ------------------------------------------------------------------------------------------------

ENTRYPOINT = ROOT / "deploy" / "entrypoint.sh"
HEALTHCHECK = ROOT / "deploy" / "healthcheck.py"


def example_secret():
    text = (ROOT / "deploy" / "regviz.env.example").read_text()
    return re.search(r"^STREAMLIT_SERVER_COOKIE_SECRET=(.*)$", text, re.M)[1].strip()


def run_entrypoint(tmp_path, secret, *command):
    """deploy/entrypoint.sh under /bin/sh (as the image runs it), with only ``secret`` set (None:
    unset): (exit status, stdout, stderr)."""
    env = {"PATH": os.environ["PATH"], "REGVIZ_PIDFILE": str(tmp_path / "app.pid")}
    env["REGVIZ_HEALTH_STATE"] = str(tmp_path / "failures")
    if secret is not None:
        env["STREAMLIT_SERVER_COOKIE_SECRET"] = secret
    done = subprocess.run(
        ["/bin/sh", str(ENTRYPOINT), *command],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    return done.returncode, done.stdout, done.stderr


@pytest.mark.parametrize(
    ("secret", "why"),
    [
        (None, "is not set"),
        ("", "is empty"),
        ("   ", "is empty"),
        ("placeholder", "placeholder"),
        ("0123456789abcdef", "shorter than 32"),
    ],
)
def test_the_container_refuses_to_start_without_a_real_secret(tmp_path, secret, why):
    if secret == "placeholder":
        secret = example_secret()
    status, out, err = run_entrypoint(tmp_path, secret, "sh", "-c", "echo started")
    assert status != 0
    assert "started" not in out, "the command ran"
    assert "STREAMLIT_SERVER_COOKIE_SECRET" in err
    assert why in err, err
    assert "secrets.token_hex(32)" in err, "the message says how to make a secret"
    assert not (tmp_path / "app.pid").exists()


def test_the_container_starts_with_a_real_secret(tmp_path):
    (tmp_path / "failures").write_text("3\n")  # from before a restart: starts again from 0
    secret = secrets.token_hex(32)
    status, out, err = run_entrypoint(tmp_path, secret, "sh", "-c", "echo $$; exit 3")
    assert status == 3, err  # the command's own status: it was exec'd, not wrapped
    assert out.split() == [(tmp_path / "app.pid").read_text().strip()], "exec keeps the pid"
    assert not (tmp_path / "failures").exists()
    assert len(example_secret()) >= 8, "the example's placeholder as the check knows it"
    assert f'PLACEHOLDER="{example_secret()}"' in ENTRYPOINT.read_text()


class HungServer:
    """A stand-in for a hung replica: it listens (the kernel accepts connections into its
    backlog, as for a SIGSTOPped Streamlit) and never answers."""

    def __enter__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/_stcore/health"
        return self

    def __exit__(self, *exc):
        self.sock.close()


def run_healthcheck(tmp_path, url, **settings):
    env = {
        "PATH": os.environ["PATH"],
        "REGVIZ_HEALTH_URL": url,
        "REGVIZ_HEALTH_TIMEOUT": "0.5",
        "REGVIZ_HEALTH_MAX_FAILURES": "3",
        "REGVIZ_HEALTH_GRACE": "0",
        "REGVIZ_HEALTH_STATE": str(tmp_path / "failures"),
        "REGVIZ_PIDFILE": str(tmp_path / "app.pid"),
    } | {f"REGVIZ_HEALTH_{k.upper()}": str(v) for k, v in settings.items()}
    done = subprocess.run(
        [sys.executable, str(HEALTHCHECK)],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    return done.returncode, done.stderr


@pytest.fixture
def stand_in_app(tmp_path):
    """A process in the role of the replica's Streamlit, its pid where entrypoint.sh notes it."""
    process = subprocess.Popen(["sleep", "300"])
    (tmp_path / "app.pid").write_text(f"{process.pid}\n")
    yield process
    process.kill()
    process.wait()


def test_the_healthcheck_kills_a_replica_that_stays_hung(tmp_path, stand_in_app):
    """Docker never restarts an unhealthy container; healthcheck.py kills the hung app after
    3 (here; 4 in the image) failed checks in a row, so that the container exits and its
    restart policy starts it again. One answer in between starts the count again."""
    with (
        HungServer() as hung,
        http.server.ThreadingHTTPServer(("127.0.0.1", 0), HealthyHandler) as healthy,
    ):
        threading.Thread(target=healthy.serve_forever, daemon=True).start()
        healthy_url = f"http://127.0.0.1:{healthy.server_port}/_stcore/health"
        try:
            assert run_healthcheck(tmp_path, healthy_url)[0] == 0
            for expected in ("1 of 3", "2 of 3"):
                status, err = run_healthcheck(tmp_path, hung.url)
                assert status == 1
                assert expected in err, err
            assert run_healthcheck(tmp_path, healthy_url)[0] == 0  # answered: count from 0
            for _ in range(2):
                assert run_healthcheck(tmp_path, hung.url)[0] == 1
            assert stand_in_app.poll() is None, "killed before 3 failures in a row"
            status, err = run_healthcheck(tmp_path, hung.url)
            assert status == 1
            assert "killing" in err, err
            assert stand_in_app.wait(timeout=10) == -signal.SIGKILL
        finally:
            healthy.shutdown()


def test_the_healthcheck_spares_a_replica_that_is_starting(tmp_path, stand_in_app):
    with HungServer() as hung:
        for _ in range(4):
            status, err = run_healthcheck(tmp_path, hung.url, grace=60)
            assert status == 1
            assert "not counted" in err, err
    assert stand_in_app.poll() is None


class HealthyHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


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
    server = re.compile(r"^(\s*)server\s+\S+((?:\s+[^;\s]+)*);[^\n]*\n", re.M)
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
            # A browser never pings: the server pings it (every 30 s) and it answers. With the
            # library's own keepalive (a ping every 20 s, closed when no pong within 20 s) a
            # replica busy with a class's first loads under a loaded machine could have this
            # tab closed ("keepalive ping timeout"), which no browser would do.
            ping_interval=None,
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


def require_nginx():
    binary = nginx_binary()
    if binary is None:
        reason = "no nginx (./scripts/ensure-nginx.sh, or apt-get install -y nginx)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"deploy test cannot run under CI=true: {reason}")
        pytest.skip(reason)
    return binary


@contextlib.contextmanager
def app_replicas(count=2):
    """``count`` replicas of the app sharing one cookie secret, as deploy/regviz.env gives them:
    {"127.0.0.1:port": StreamlitServer}."""
    servers = [StreamlitServer("app.py", "--server.address", "127.0.0.1") for _ in range(count)]
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("STREAMLIT_SERVER_COOKIE_SECRET", secrets.token_hex(32))
            for server in servers:
                server.start()
        for server in servers:
            server.wait_healthy()
        yield {f"127.0.0.1:{server.port}": server for server in servers}
    finally:
        for server in servers:
            server.stop()


@contextlib.contextmanager
def running_nginx(upstreams):
    """A fresh nginx (its limits' counters empty) with deploy/nginx.conf in front of
    ``upstreams``, in that order (the first replaces the upstream's first server, ...)."""
    nginx = Nginx(require_nginx(), list(upstreams)).start()
    try:
        yield nginx
    finally:
        nginx.stop()


@pytest.fixture
def deployment():
    """Two replicas of their own behind nginx, for a test that stops or hangs one."""
    require_nginx()
    with app_replicas() as replicas, running_nginx(replicas) as nginx:
        yield Deployment(nginx.url, replicas, nginx)


@pytest.fixture(scope="module")
def replicas():
    """Two replicas shared by the tests that leave them running (each starts its own nginx)."""
    require_nginx()
    with app_replicas() as servers:
        yield servers


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
    assert not re.search(r"\[(crit|alert|emerg)\]", log), log
    # A class of 60 from one address (as behind a school's NAT) stays within every limit.
    assert "limiting" not in log, "nginx limited a class of 60 tabs from one address"


# ------------------------------------------------------------------------------------------------
# Hardening: headers, metrics, limits, route cookies, replicas down or hung
# ------------------------------------------------------------------------------------------------


def raw_request(url, method="GET", path="/", headers=None, body=None, source=None, timeout=60):
    """(status, headers) of one request sent as written (http.client: the path is not
    normalized), from the address ``source`` if given."""
    host, port = url.split("://", 1)[1].rsplit(":", 1)
    connection = http.client.HTTPConnection(
        host, int(port), timeout=timeout, source_address=(source, 0) if source else None
    )
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        response.read()
        return response.status, response.headers
    finally:
        connection.close()


def other_client_address():
    """A second loopback address for a second client (Linux routes all of 127/8), or None."""
    try:
        with socket.socket() as sock:
            sock.bind(("127.0.0.3", 0))
    except OSError:
        return None
    return "127.0.0.3"


def security_headers(conf):
    """The headers deploy/nginx.conf adds to every response, but the route cookie and the
    diagnostic: {name: value}."""
    found = re.findall(r'^\s*add_header\s+([\w-]+)\s+("[^"]*"|\S+)\s+always;', conf, re.M)
    skip = {"Set-Cookie", UPSTREAM_HEADER}
    return {name: value.strip('"') for name, value in found if name not in skip}


@pytest.mark.deploy
def test_every_response_carries_the_security_headers(replicas):
    conf = NGINX_CONF.read_text()
    expected = security_headers(conf)
    assert {
        "Content-Security-Policy",
        "X-Frame-Options",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "Permissions-Policy",
    } <= set(expected)
    policy = csp_of(conf)
    assert policy["default-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert not any("'unsafe-eval'" in sources for sources in policy.values())
    assert not any("*" in source for sources in policy.values() for source in sources)
    assert expected["X-Frame-Options"] == "SAMEORIGIN"
    assert expected["X-Content-Type-Options"] == "nosniff"
    assert expected["Referrer-Policy"] in {"same-origin", "no-referrer", "strict-origin"}
    assert "camera=()" in expected["Permissions-Policy"]

    import streamlit

    index = (Path(streamlit.__file__).parent / "static" / "index.html").read_text()
    script = re.search(r'src="\./(static/js/index\.[^"]+\.js)"', index)[1]
    requests = [
        ("GET", "/", 200),
        ("GET", "/?degree=3", 200),
        ("GET", f"/{script}", 200),
        ("GET", "/_stcore/health", 200),
        ("GET", "/_stcore/host-config", 200),
        ("GET", "/favicon.png", 200),
        ("GET", "/_stcore/metrics", 404),  # nginx's own answer
        ("PUT", "/_stcore/upload_file/0/0", None),  # the replica refuses it
        ("HEAD", "/", 200),
    ]
    with running_nginx(replicas) as nginx:
        for method, path, status in requests:
            got, headers = raw_request(nginx.url, method, path)
            if status is not None:
                assert got == status, (method, path)
            for name, value in expected.items():
                assert headers.get_all(name) == [value], f"{method} {path}: {name}"
            # HSTS belongs to a TLS server only: this one is plain HTTP.
            assert headers.get("Strict-Transport-Security") is None


@pytest.mark.deploy
def test_the_metrics_are_not_public(replicas):
    """Streamlit's /_stcore/metrics (sessions, cache and upload bytes) is for the operator: nginx
    answers 404 itself, whatever the spelling; the health check stays public."""
    some = next(iter(replicas))
    assert raw_request(f"http://{some}", path="/_stcore/metrics")[0] == 200, "the path is right"
    spellings = [
        "/_stcore/metrics",
        "/_stcore/metrics/",
        "/_stcore/metrics?format=json",
        "//_stcore/metrics",
        "/_stcore//metrics",
        "/_stcore/./metrics",
        "/static/../_stcore/metrics",
        "/_stcore/%6Detrics",
        "/_stcore%2Fmetrics",
    ]
    with running_nginx(replicas) as nginx:
        for path in spellings:
            for method in ("GET", "OPTIONS", "HEAD"):
                status, headers = raw_request(nginx.url, method, path)
                assert status in {400, 404}, f"{method} {path}: {status}"
                assert headers.get(UPSTREAM_HEADER) is None, f"{method} {path} reached a replica"
        status, headers = raw_request(nginx.url, path="/_stcore/health")
        assert status == 200
        assert headers.get(UPSTREAM_HEADER) in replicas


VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => window.__violations.push(
  `${e.effectiveDirective} blocked ${e.blockedURI} (${e.sourceFile}:${e.lineNumber})`));
"""
TITLE = "Why L2 regularization prevents overfitting"
VEGA_DRAWN = ", ".join(
    f"{chart} {mark}"
    for chart in ("[data-testid=stVegaLiteChart]", ".stVegaLiteChart")
    for mark in ("svg.marks", "canvas")
)
LAM = ".st-key-lam #lam"
LAM_VALUE = ".st-key-lam #lam-value"


def poll(probe, timeout=30.0):
    """``probe()``'s first true value within ``timeout`` seconds (else its last value)."""
    deadline = time.monotonic() + timeout
    while not (value := probe()) and time.monotonic() < deadline:
        time.sleep(0.1)
    return value


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.deploy
def test_the_page_works_under_the_security_headers(browser, replicas):
    """Headless Chromium through nginx: the page draws its title, its Vega charts and the λ
    control (a custom component whose script the policy must allow), λ moves, the film plays,
    a CSV uploads; and Chromium reports no policy violation and no console error."""
    idle = "[data-testid=stApp][data-test-script-state=notRunning]"
    with running_nginx(replicas) as nginx:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        problems = []
        page.on(
            "console",
            lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None,
        )
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        page.add_init_script(VIOLATIONS)
        try:
            response = page.goto(f"{nginx.url}/?degree=9&seed=19")
            assert response.status == 200
            assert "frame-ancestors 'self'" in response.headers["content-security-policy"]
            page.wait_for_selector(idle, timeout=60_000)
            assert page.get_by_text(TITLE, exact=True).count() == 1
            page.wait_for_selector(VEGA_DRAWN, timeout=30_000)
            # The component's own script ran (from the blob: URL the policy allows): it wrote λ.
            assert poll(lambda: page.locator(LAM_VALUE).inner_text().strip()), "no λ readout"
            page.locator(LAM).focus()
            page.keyboard.press("End")
            # The control told the server, which wrote the new λ into the address.
            page.wait_for_function(
                "() => new URLSearchParams(location.search).get('lam') === '10000'",
                timeout=30_000,
            )
            page.wait_for_selector(idle, timeout=60_000)
            page.locator(".st-key-lam #play").click()
            page.wait_for_timeout(1_500)
            page.locator(".st-key-lam #play").click()
            # An upload through nginx (a PUT with the XSRF header, under the Referrer-Policy).
            page.goto(f"{nginx.url}/?dataset=upload")
            page.wait_for_selector(idle, timeout=60_000)
            rows = "\n".join(f"{x},{(x * 7) % 5}" for x in range(30))
            page.locator("[data-testid=stFileUploader] input[type=file]").set_input_files(
                {"name": "class.csv", "mimeType": "text/csv", "buffer": f"x,y\n{rows}\n".encode()}
            )
            page.get_by_text("rows used").first.wait_for(timeout=60_000)
            page.wait_for_selector(idle, timeout=60_000)
            page.wait_for_selector(VEGA_DRAWN, timeout=30_000)
            assert page.get_by_test_id("stException").count() == 0
            page.wait_for_timeout(1_000)  # late violations (charts, fonts) reach the listener
            violations = page.evaluate("window.__violations")
        finally:
            context.close()
    assert violations == []
    assert problems == []


def route_cookies_set(headers):
    return [
        header.split(";", 1)[0].partition("=")[2]
        for header in headers.get_all("Set-Cookie") or ()
        if header.startswith(f"{ROUTE_COOKIE}=")
    ]


@pytest.mark.deploy
def test_a_route_cookie_nginx_did_not_issue_is_replaced(replicas):
    """Only a value of the form nginx issues (32 hex digits) routes: a crafted one is replaced by
    a fresh random key, so it neither picks a replica nor stays in the browser. A well-formed
    value does pick one (harmless: docs/deploy.md, and the per-client limits below)."""
    crafted = [
        "0",
        "x" * 32,
        "0" * 31 + "g",
        "0" * 33,
        "A" * 32,
        "../../_stcore/metrics",
        "0" * 32 + "%00",
        "a" * 4000,
    ]
    served = set()
    with running_nginx(replicas) as nginx:
        for value in crafted:
            for _ in range(8):
                status, headers = raw_request(
                    nginx.url, path="/_stcore/health", headers={"Cookie": f"{ROUTE_COOKIE}={value}"}
                )
                assert status == 200
                (fresh,) = route_cookies_set(headers)
                assert re.fullmatch(r"[0-9a-f]{32}", fresh), fresh
                served.add(headers[UPSTREAM_HEADER])
        # 64 requests with crafted values went where random keys go: to both replicas.
        assert served == set(replicas)
        for value in ("0" * 32, "f" * 32, "0123456789abcdef" * 2):
            answers = [
                raw_request(nginx.url, path="/", headers={"Cookie": f"{ROUTE_COOKIE}={value}"})
                for _ in range(6)
            ]
            assert {status for status, _ in answers} == {200}
            assert all(route_cookies_set(headers) == [] for _, headers in answers)
            assert len({headers[UPSTREAM_HEADER] for _, headers in answers}) == 1


def limits(conf):
    """deploy/nginx.conf's limits: ({location: (zone, rate per second, burst)}, connections)."""
    rates = dict(re.findall(r"limit_req_zone\s+\S+\s+zone=(\w+):\S+\s+rate=(\d+)r/s;", conf))
    by_location = {}
    for where, block in re.findall(r"^\s*location\s+(\S+)\s*\{(.*?)^\s*\}", conf, re.M | re.S):
        found = re.search(r"limit_req\s+zone=(\w+)\s+burst=(\d+)", block)
        if found:
            by_location[where] = (found[1], int(rates[found[1]]), int(found[2]))
    connections = re.findall(r"^\s*limit_conn\s+\w+\s+(\d+);", conf, re.M)
    return by_location, int(connections[0]) if connections else None


async def open_websockets(url, count, cookies, token, source=None):
    """``count`` websockets to Streamlit through nginx at once, from one client: each an open
    connection or the HTTP status that refused it."""
    extra = {"local_addr": (source, 0)} if source else {}

    async def one():
        try:
            return await ws_connect(
                url.replace("http://", "ws://", 1) + "/_stcore/stream",
                subprotocols=["streamlit", token],
                additional_headers={"Cookie": cookies},
                origin=url,
                proxy=None,
                open_timeout=60,
                ping_interval=None,
                **extra,
            )
        except InvalidStatus as error:
            return error.response.status_code

    return await asyncio.gather(*(one() for _ in range(count)))


async def websockets_past_the_limit(url, limit, report):
    # One client, one route cookie (it chose a replica): all its tabs go to one replica.
    cookies = f"{ROUTE_COOKIE}={'0' * 32}"
    status, headers = raw_request(url, path="/_stcore/health", headers={"Cookie": cookies})
    assert status == 200
    token = re.search(rf"{XSRF_COOKIE}=([^;]+)", headers["Set-Cookie"])[1]
    cookies += f"; {XSRF_COOKIE}={token}"
    held = []
    try:
        start = time.perf_counter()
        for _ in range(0, limit, 50):
            opened = await open_websockets(url, min(50, limit - len(held)), cookies, token)
            assert all(not isinstance(o, int) for o in opened), opened
            held += opened
        report["websockets open"] = (len(held), time.perf_counter() - start)
        over = await open_websockets(url, 10, cookies, token)
        assert over == [429] * 10, f"past {limit} open websockets: {over}"
        # A limit on what is open at once: closing ten lets ten more in.
        for ws in held[:10]:
            await ws.close()
        held = held[10:]
        again = await open_websockets(url, 10, cookies, token)
        assert all(not isinstance(o, int) for o in again), again
        held += again
        # Per client: another address is not refused meanwhile.
        other = other_client_address()
        if other is not None:
            (theirs,) = await open_websockets(url, 1, cookies, token, source=other)
            assert not isinstance(theirs, int), f"another client refused: {theirs}"
            held.append(theirs)
    finally:
        await asyncio.gather(*(ws.close() for ws in held), return_exceptions=True)


@pytest.mark.slow
@pytest.mark.deploy
def test_open_websockets_per_client_are_limited(replicas):
    """More websockets than limit_conn allows from one address (a class behind one NAT needs
    ~60): the excess is refused with 429 and nginx says why, even when the client routes them
    all to one replica; another address is not affected."""
    _, limit = limits(NGINX_CONF.read_text())
    limit = limit or 200  # none configured: what the test asks for
    assert limit >= 120, "a class of 60 behind one address must fit, with reloads"
    report = {}
    with running_nginx(replicas) as nginx:
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, websockets_past_the_limit(nginx.url, limit, report)).result()
        log = nginx.log()
    assert 'limiting connections by zone "regviz_conn"' in log
    assert "limiting requests" not in log, "the handshakes hit limit_req instead"
    count, seconds = report["websockets open"]
    print(f"\n{count} websockets opened through nginx in {seconds:.1f} s", file=sys.stderr)


@pytest.mark.deploy
@pytest.mark.parametrize(
    ("location", "method", "path"),
    [
        ("/", "GET", "/"),
        ("/", "GET", "/_stcore/health"),
        ("/_stcore/upload_file/", "PUT", "/_stcore/upload_file/0/0"),
    ],
)
def test_requests_per_client_are_limited(replicas, location, method, path):
    """Past the burst, requests from one address are refused with 429 at once (nodelay), at
    most `rate` more per second are served; another address is not affected."""
    by_location, _ = limits(NGINX_CONF.read_text())
    # None configured: what the test asks for (a class of 60 opening the page at once).
    zone, rate, burst = by_location.get(location, ("regviz_req", 10, 300))
    assert burst >= 5 * 60 or zone != "regviz_req", "a class of 60 opening the page at once"
    count = burst + 100
    with running_nginx(replicas) as nginx:
        start = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(32) as pool:
            statuses = list(
                pool.map(lambda _: raw_request(nginx.url, method, path)[0], range(count))
            )
        elapsed = time.perf_counter() - start
        other = other_client_address()
        if other is not None:
            assert raw_request(nginx.url, method, path, source=other)[0] != 429
        log = nginx.log()
    refused = statuses.count(429)
    served = count - refused
    assert refused > 0, f"{count} requests in {elapsed:.1f} s, none refused"
    assert burst <= served <= burst + 1 + rate * elapsed + 1, (served, elapsed)
    assert f"limiting requests, excess: {burst}" in log or "limiting requests" in log
    assert f'zone "{zone}"' in log


@pytest.mark.deploy
def test_nginx_serves_while_a_replica_is_down(replicas):
    """nginx starts with a replica that does not run (a free port in its place) and serves every
    new browser from the one that does, whichever replica its route cookie names."""
    live = next(iter(replicas))
    down = f"127.0.0.1:{free_port()}"

    async def browsers(url):
        tabs = [RoutedTab(url, f"seed={k}") for k in range(12)]
        try:
            for tab in tabs:
                await tab.connect()
                await tab.run()
            return tabs
        finally:
            for tab in tabs:
                await tab.close()

    with running_nginx([down, live]) as nginx:
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            tabs = pool.submit(asyncio.run, browsers(nginx.url)).result()
        log = nginx.log()
    for tab in tabs:
        assert tab.replicas == {live}, tab.served
    assert any(down in served.tried for tab in tabs for served in tab.served), (
        "no request tried the replica that is down: the test proves nothing"
    )
    assert "connect() failed" in log
    assert not re.search(r"\[(crit|alert|emerg)\]", log), log


def test_an_exception_shows_students_no_details(tmp_path):
    """With the repository's .streamlit/config.toml (showErrorDetails = "none") an exception
    reaches the browser as a generic notice: no message, no type, no traceback."""
    script = tmp_path / "broken.py"
    script.write_text(
        "import streamlit as st\n"
        "st.write('before')\n"
        "raise ValueError('secret-detail-from-the-server')\n"
    )

    async def exceptions_shown(url):
        """The exception elements of the page's first run, as the browser receives them."""
        ws = await ws_connect(
            url.replace("http://", "ws://", 1) + "/_stcore/stream",
            subprotocols=["streamlit", "PLACEHOLDER_AUTH_TOKEN"],
            origin=url,
            proxy=None,
            max_size=None,
            ping_interval=None,
        )
        back = BackMsg()
        back.rerun_script.query_string = ""
        back.rerun_script.page_script_hash = ""
        found = []
        try:
            await ws.send(back.SerializeToString())
            async with asyncio.timeout(60):
                while True:
                    msg = ForwardMsg()
                    msg.ParseFromString(await ws.recv())
                    if msg.WhichOneof("type") == "script_finished":
                        return found
                    element = msg.delta.new_element
                    if msg.HasField("delta") and element.WhichOneof("type") == "exception":
                        found.append(element.exception)
        finally:
            await ws.close()

    with (
        StreamlitServer(script, "--server.address", "127.0.0.1", cwd=ROOT) as server,
        concurrent.futures.ThreadPoolExecutor(1) as pool,
    ):
        shown = pool.submit(asyncio.run, exceptions_shown(server.url)).result()
        log = server.log()
    (exception,) = shown
    assert "secret-detail-from-the-server" not in str(exception), exception
    assert "ValueError" not in str(exception), exception
    assert not exception.stack_trace
    assert "secret-detail-from-the-server" in log, "the details stay in the server's log"


#: How long a new browser may wait for the page and its websocket while a replica hangs: nginx
#: gives a replica 5 s to answer (proxy_read_timeout), then asks the next one.
HUNG_BOUND = 10.0
#: How long the tabs of a hung replica keep a dead websocket: nginx cuts it after 75 s without
#: a byte from the replica (which pings every 30 s while it lives).
CUT_BOUND = 90.0


async def hung_replica(deployment, report):
    url = deployment.url
    hung_address, live_address = list(deployment.replicas)
    hung = deployment.replicas[hung_address]
    # Tabs open before the replica hangs: one on it, one on the other (it must outlive the
    # 75 s cut, idle: the live replica's pings keep it open).
    old, idle, others = None, None, []
    for k in range(40):
        tab = RoutedTab(url, f"degree=3&seed={k}")
        await tab.connect()
        await tab.run()
        (replica,) = tab.replicas
        if replica == hung_address and old is None:
            old = tab
        elif replica == live_address and idle is None:
            idle = tab
        else:
            others.append(tab)
        if old and idle:
            break
    for tab in others:
        await tab.close()
    assert old is not None
    assert idle is not None
    idle_since = time.perf_counter()

    os.kill(hung.process.pid, signal.SIGSTOP)
    stopped = time.perf_counter()
    try:
        # New students keep arriving, one a second for 25 s: past fail_timeout (10 s), when
        # nginx tries the hung replica again and moves on again.
        async def arrive(k):
            await asyncio.sleep(k)
            tab = RoutedTab(url, f"seed={100 + k}")
            start = time.perf_counter()
            try:
                await tab.connect()
                connected = time.perf_counter() - start
                await tab.run()
                return tab, connected, time.perf_counter() - start
            finally:
                await tab.close()

        arrivals = await asyncio.gather(*(arrive(k) for k in range(25)))
        for tab, connected, _ in arrivals:
            assert {served.replica for served in tab.served} == {live_address}, tab.served
            assert connected <= HUNG_BOUND, f"page and websocket took {connected:.1f} s"
        waited = sorted(connected for _, connected, _ in arrivals)
        report["new browsers: page + websocket, s (median/max)"] = (waited[12], waited[-1])
        report["new browsers: page drawn, s (max)"] = max(loaded for *_, loaded in arrivals)
        first_tries = [s.tried[0] for tab, *_ in arrivals for s in tab.served if s.tried]
        report["requests that tried the hung replica first"] = first_tries.count(hung_address)
        assert hung_address in first_tries, "no request tried the hung replica: proves nothing"

        # The tab on the hung replica: nginx cuts its websocket, the browser reconnects (same
        # cookies, same address) and lands on the live replica with its settings.
        await asyncio.wait_for(old.wait_closed(), timeout=CUT_BOUND)
        report["old tab's websocket cut after, s"] = time.perf_counter() - stopped
        again = RoutedTab(url, old.query_string, cookies=old.cookies)
        start = time.perf_counter()
        await again.connect()
        report["old tab reconnected in, s"] = time.perf_counter() - start
        assert time.perf_counter() - start <= HUNG_BOUND
        await again.run()
        assert again.replicas == {live_address}, again.served
        assert again.query_params["seed"] == old.query_params["seed"]
        await again.close()

        # The idle tab on the live replica outlived the cut: still open, and it works.
        await asyncio.sleep(max(0.0, 80 - (time.perf_counter() - idle_since)))
        report["idle tab on the live replica, s without a message"] = (
            time.perf_counter() - idle_since
        )
        await idle.trigger("lam", "moved", 40)
        assert idle.query_params["lam"] == f"{LAMBDA_GRID[40]:g}"
    finally:
        os.kill(hung.process.pid, signal.SIGCONT)
        for tab in (old, idle):
            with contextlib.suppress(Exception):
                await tab.close()


@pytest.mark.slow
@pytest.mark.deploy
def test_a_hung_replica_leaves_rotation(deployment):
    """One replica stops answering (SIGSTOP: the kernel still accepts its connections). New
    browsers get the page and a websocket within 10 s from the other replica, also when nginx
    tries the hung one again; the hung replica's tabs are cut within 90 s and reconnect to the
    other; an idle tab on the live replica is not cut."""
    report = {}
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, hung_replica(deployment, report)).result()
    log = deployment.nginx.log()
    report["nginx: timeouts logged"] = log.count("timed out")
    print("\nhung replica behind nginx:", file=sys.stderr)
    for name, value in report.items():
        shown = "/".join(f"{v:.1f}" for v in value) if isinstance(value, tuple) else value
        shown = f"{value:.1f}" if isinstance(value, float) else shown
        print(f"  {name}: {shown}", file=sys.stderr)
    assert not re.search(r"\[(crit|alert|emerg)\]", log), log
