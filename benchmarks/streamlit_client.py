"""A headless Streamlit browser tab: drives a real ``streamlit run`` server over its websocket.

The protocol, as Streamlit 1.67's frontend speaks it (``static/js/index.*.js``) and its server
reads it (``web/server/starlette/starlette_websocket.py``):

* The page first GETs ``/_stcore/health``, which sets the ``_streamlit_xsrf`` cookie.
* It opens ``ws://host/_stcore/stream`` with ``Sec-WebSocket-Protocol: streamlit, <token>``
  (the cookie's value, or ``PLACEHOLDER_AUTH_TOKEN``; a third entry would resume a session).
  The server selects the first entry and only uses the token to trust auth cookies.
* Both ways, every frame is one binary protobuf: ``BackMsg`` up, ``ForwardMsg`` down.
* A page load is a ``BackMsg.rerun_script`` (a ``ClientState``) with the URL's query string, no
  widget states and an empty page hash; the server answers ``new_session`` (which names the page's
  script hash), deltas, ``page_info_changed`` when the app writes ``st.query_params``, and
  ``script_finished``.
* A widget change is another ``rerun_script`` carrying the state of *every* widget on the page.
  Each widget registers its value when it mounts, without a rerun: the value the server sent
  (``set_value`` with ``value`` / ``raw_value``), else the value it already held, else the proto's
  default. Widgets that are no longer drawn are dropped after a successful run.
* Widget ids are ``$$ID-<hash>-<key>``: the user key is the suffix.
* Values travel as the frontend holds them: a select_slider as ``string_array_value`` of the
  displayed option labels (``format_func``'s strings, not indices: ``SelectSliderSerde`` in
  ``elements/widgets/select_slider.py``); a selectbox or radio as ``string_value`` of the label;
  a slider as ``double_array_value``; a number input as ``int_value`` or ``double_value``; keyed
  ``st.tabs`` as ``string_value`` of the tab label, sent only once the user has picked a tab.
* A custom component (``st.components.v2``, ``bidi_component``) reports user events as trigger
  values: a ``WidgetState`` whose id is ``$$STREAMLIT_INTERNAL_KEY_<component id>__events`` and
  whose ``json_trigger_value`` is a JSON list of ``{"event": name, "value": value}``
  (``components/v2/bidi_component/main.py``). The page's λ control sends ``moved``.
* A widget drawn inside a fragment (its delta names the fragment) reruns only that fragment: the
  rerun request carries the ``fragment_id``, the server sends that fragment's deltas and finishes
  with ``FINISHED_FRAGMENT_RUN_SUCCESSFULLY``; the rest of the page stays as it was.
* A file upload (``st.file_uploader``) is three steps: a ``BackMsg.file_urls_request`` naming
  the files, answered by a ``file_urls_response`` with a ``file_id`` and an ``upload_url``
  (``/_stcore/upload_file/<session id>/<file id>``) per file; a multipart ``PUT`` of each file
  to its URL, with the XSRF cookie and its value in ``X-Xsrftoken``; then a rerun whose widget
  states carry the uploader's ``file_uploader_state_value`` (the files' ids, names, sizes and
  URLs). The uploader keeps that state while it is drawn. The session id comes in the first
  ``new_session`` (``initialize.session_id``).
* The app menu's "Clear cache" sends ``BackMsg.clear_cache = true`` (a bool in the ``type``
  oneof): the server empties ``st.cache_data`` and ``st.cache_resource`` for every session, and
  this session's state, and answers nothing.
* Spinners and other transient elements arrive as ``delta.new_transient`` (all the transient
  elements at that place); an ``st.spinner`` is sent only once its block has run 0.5 s.
* A ``ForwardMsg`` marked ``cacheable`` (a ``new_element`` of 10 kB or more) is kept by the client,
  whose rerun lists the hashes it holds (``cached_message_hashes``); the server then sends a
  ``ref_hash`` instead of the element. Entries expire after ``max_cached_message_age`` runs.

:class:`StreamlitSession` is one tab (asyncio; run many with ``asyncio.gather``),
:class:`SyncSession` the same for a thread, :class:`StreamlitServer` a ``streamlit run``
subprocess on a free port.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.NumberInput_pb2 import NumberInput
from streamlit.proto.Slider_pb2 import Slider
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import connect as ws_connect

ROOT = Path(__file__).resolve().parent.parent
XSRF_COOKIE = "_streamlit_xsrf"
_WIDGET_ID = re.compile(r"^\$\$ID-[0-9a-f]+-(?P<key>.+)$")
_FINISHED = ForwardMsg.ScriptFinishedStatus
#: Widgets that register a value when drawn (:func:`mount_state`); the rest have no ``set_value``.
_MOUNTED_KINDS = (
    "slider",
    "selectbox",
    "radio",
    "number_input",
    "checkbox",
    "text_input",
    "text_area",
)


class ProtocolError(RuntimeError):
    """The server's answer is not what a successful run looks like."""


class ScriptError(ProtocolError):
    """The script raised: the page shows an exception, or it did not finish successfully."""


@dataclass
class Widget:
    """A widget as the page holds it: its proto (the last one received) and current value."""

    id: str
    kind: str  # the Element field ("slider", "selectbox", ...), or "tabs" for keyed st.tabs
    proto: object
    state: WidgetState | None = None
    labels: list = field(default_factory=list)  # tabs: the tab labels, in order
    path: tuple = ()  # tabs: the container's delta path
    fragment_id: str = ""  # drawn inside a fragment: its changes rerun only that fragment

    @property
    def key(self):
        match = _WIDGET_ID.match(self.id)
        return match["key"] if match else None

    @property
    def options(self):
        return self.labels if self.kind == "tabs" else list(getattr(self.proto, "options", ()))

    @property
    def is_select_slider(self):
        return self.kind == "slider" and self.proto.type == Slider.Type.SELECT_SLIDER


@dataclass
class RunStats:
    """What one rerun cost the client: seconds from sending to ``script_finished``, and traffic."""

    elapsed: float = 0.0
    messages: int = 0
    bytes: int = 0
    cache_hits: int = 0
    elements: list = field(default_factory=list)  # (kind, element proto) in arrival order
    transients: list = field(default_factory=list)  # (kind, element proto): spinners, ...


@dataclass
class UploadStats:
    """What one file upload cost: the ``PUT`` (seconds, status, bytes sent) and the rerun after."""

    name: str = ""
    bytes: int = 0
    status: int = 0
    put_seconds: float = 0.0
    rerun: RunStats = field(default_factory=RunStats)


def _has(proto, name):
    try:
        return proto.HasField(name)
    except ValueError:  # not an optional field: present when not the default
        return bool(getattr(proto, name))


def mount_state(widget, previous):
    """The ``WidgetState`` the frontend registers when ``widget`` is drawn, or None.

    ``previous`` is the state the page already holds for this id (None on first mount). Mirrors
    each component's getCurrStateFromProto / getStateFromWidgetMgr / getDefaultStateFromProto.
    """
    proto, kind = widget.proto, widget.kind
    if kind in ("tabs", "file_uploader"):  # registered once the user picks a tab or a file
        return previous
    if kind not in _MOUNTED_KINDS:  # buttons (triggers) and the rest: nothing until the user acts
        return None
    if not proto.set_value and previous is not None:
        return previous
    state = WidgetState(id=widget.id)
    if kind == "slider":
        if widget.is_select_slider:
            if proto.set_value and proto.raw_value:
                labels = list(proto.raw_value)
            else:
                labels = [proto.options[int(i)] for i in proto.default]
            state.string_array_value.data[:] = labels
        else:
            values = proto.value if proto.set_value else proto.default
            state.double_array_value.data[:] = list(values)
    elif kind in ("selectbox", "radio"):
        if proto.set_value:
            if not _has(proto, "raw_value"):
                return None
            state.string_value = proto.raw_value
        elif _has(proto, "default") and proto.options:
            state.string_value = proto.options[proto.default]
        else:
            return None
    elif kind == "number_input":
        if proto.set_value and _has(proto, "value"):
            value = proto.value
        elif _has(proto, "default"):
            value = proto.default
        else:
            return None
        if proto.data_type == NumberInput.DataType.INT:
            state.int_value = round(value)
        else:
            state.double_value = value
    elif kind in ("checkbox",):
        state.bool_value = proto.value if proto.set_value else proto.default
    elif kind in ("text_input", "text_area"):
        if proto.set_value and _has(proto, "value"):
            state.string_value = proto.value
        elif _has(proto, "default"):
            state.string_value = proto.default
        else:
            return None
    else:  # buttons (triggers) and the rest register nothing until the user acts
        return None
    return state


#: The prefix of a custom component's trigger widget (streamlit.runtime.state.session_state).
_INTERNAL_KEY = "$$STREAMLIT_INTERNAL_KEY"


def trigger_state(widget, event, value):
    """The ``WidgetState`` a custom component sends when its JavaScript calls
    ``setTriggerValue(event, value)``."""
    state = WidgetState(id=f"{_INTERNAL_KEY}_{widget.id}__events")
    state.json_trigger_value = json.dumps([{"event": event, "value": value}])
    return state


def user_state(widget, value):
    """The ``WidgetState`` the frontend sends when the user sets ``widget`` to ``value``.

    Option widgets (select_slider, selectbox, radio, keyed tabs) take the option's label as
    displayed, or its index (an int); sliders a number or a (low, high) pair; number inputs a
    number.
    """
    state = WidgetState(id=widget.id)
    if widget.kind in ("selectbox", "radio", "tabs") or widget.is_select_slider:
        values = value if isinstance(value, (list, tuple)) else [value]
        labels = []
        for v in values:
            if isinstance(v, int):
                labels.append(widget.options[v])
            elif v in widget.options:
                labels.append(v)
            else:
                raise ValueError(f"{v!r} is not an option of {widget.key or widget.id}")
        if widget.kind == "slider":
            state.string_array_value.data[:] = labels
        else:
            (state.string_value,) = labels
    elif widget.kind == "slider":
        values = value if isinstance(value, (list, tuple)) else [value]
        state.double_array_value.data[:] = [float(v) for v in values]
    elif widget.kind == "number_input":
        if widget.proto.data_type == NumberInput.DataType.INT:
            state.int_value = int(value)
        else:
            state.double_value = float(value)
    elif widget.kind == "checkbox":
        state.bool_value = bool(value)
    elif widget.kind in ("text_input", "text_area"):
        state.string_value = str(value)
    else:
        raise NotImplementedError(f"setting a {widget.kind} is not supported")
    return state


class StreamlitSession:
    """One browser tab on a Streamlit server, over ``/_stcore/stream`` (asyncio).

    >>> async def visit(url):  # doctest: +SKIP
    ...     async with StreamlitSession(url, "degree=20") as tab:
    ...         await tab.run()  # the page load
    ...         return await tab.set_widget("lam", 20)  # option 20 of the λ slider, in seconds

    One coroutine at a time per session; sessions are independent, so 30 of them may run
    concurrently in one event loop (``asyncio.gather``).
    """

    def __init__(self, base_url, query_string="", *, timeout=120.0):
        self.base_url = base_url.rstrip("/")
        self.query_string = query_string.lstrip("?")
        self.timeout = timeout
        self.page_script_hash = ""
        self.max_cached_message_age = 2
        self.widgets = {}  # widget id -> Widget, as drawn by the last run
        self.last = RunStats()
        self.last_upload = None  # UploadStats of the last upload_file
        self.session_id = None  # the server's id for this session (the first new_session's)
        self._token = None  # the XSRF cookie's value
        self._ws = None
        self._cache = {}  # hash -> [ForwardMsg, script run count when last used]
        self._run_count = 0

    # -- connection -----------------------------------------------------------------------------

    async def connect(self):
        token = self._token = await asyncio.to_thread(self._xsrf_token)
        host = self.base_url.split("://", 1)[1]
        self._ws = await ws_connect(
            f"ws://{host}/_stcore/stream",
            subprotocols=["streamlit", token or "PLACEHOLDER_AUTH_TOKEN"],
            additional_headers={"Cookie": f"{XSRF_COOKIE}={token}"} if token else None,
            origin=self.base_url,
            max_size=None,
            proxy=None,
            open_timeout=self.timeout,
        )
        if self._ws.subprotocol != "streamlit":
            raise ProtocolError(f"server chose subprotocol {self._ws.subprotocol!r}")
        return self

    def _xsrf_token(self):
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(f"{self.base_url}/_stcore/health", timeout=self.timeout) as response:
            for header in response.headers.get_all("Set-Cookie") or ():
                name, _, rest = header.partition("=")
                if name.strip() == XSRF_COOKIE:
                    return rest.split(";", 1)[0]
        return None

    async def close(self):
        if self._ws is not None:
            await self._ws.close()
            self._ws = None

    async def __aenter__(self):
        return await self.connect()

    async def __aexit__(self, *exc):
        await self.close()

    # -- what a user does -----------------------------------------------------------------------

    async def run(self, fragment_id=""):
        """Load (or reload) the page: a rerun with the URL and the widget states the page holds.

        The first call is the initial page load, with no widget states. With ``fragment_id``,
        only that fragment reruns (what a widget inside it does). Returns the seconds from
        sending the request to ``script_finished``.
        """
        states = [w.state for w in self.widgets.values() if w.state is not None]
        return await self._rerun(states, fragment_id)

    async def set_widget(self, key, value):
        """Set the widget whose key is ``key`` (see :func:`user_state`) and wait for the rerun
        (of its fragment, if it is in one).

        Sends the state of every widget on the page, as the frontend does. Returns seconds.
        """
        widget = self.widget(key)
        widget.state = user_state(widget, value)
        return await self.run(widget.fragment_id)

    async def trigger(self, key, event, value):
        """What a custom component's ``setTriggerValue(event, value)`` sends: the state of every
        widget on the page and the trigger, then the rerun it starts (of its fragment, if it is
        in one). Returns seconds."""
        widget = self.widget(key)
        states = [w.state for w in self.widgets.values() if w.state is not None]
        states.append(trigger_state(widget, event, value))
        return await self._rerun(states, widget.fragment_id)

    async def clear_cache(self, *, rerun=True):
        """What the app menu's "Clear cache" sends: ``BackMsg.clear_cache``. The server answers
        nothing; with ``rerun`` (the default) a rerun follows on the same websocket, so that when
        this returns the server has handled the message (a session's messages are handled in
        order). Returns the rerun's seconds, or 0.0."""
        if self._ws is None:
            await self.connect()
        msg = BackMsg()
        msg.clear_cache = True
        await self._ws.send(msg.SerializeToString())
        return await self.run() if rerun else 0.0

    async def upload_file(self, key, name, data, content_type="text/csv"):
        """Choose the file ``name`` holding ``data`` (bytes) in the uploader whose key is
        ``key`` (None: the page's first file uploader), as the browser does: ask for an upload
        URL, ``PUT`` the file, rerun with the uploader's new state. Returns the rerun's seconds;
        :attr:`last_upload` has the rest. Raises :class:`ProtocolError` when the server refuses
        the file (the HTTP status)."""
        if key is None:
            uploaders = [w for w in self.widgets.values() if w.kind == "file_uploader"]
            if not uploaders:
                raise KeyError(f"no file uploader on the page (keys: {self.keys()})")
            widget = uploaders[0]
        else:
            widget = self.widget(key)
        if widget.kind != "file_uploader":
            raise ValueError(f"{key!r} is a {widget.kind}, not a file uploader")
        urls = await self.request_upload_urls([name])
        stats = UploadStats(name=name, bytes=len(data))
        start = time.perf_counter()
        stats.status = await asyncio.to_thread(
            self._put_file, urls.upload_url, name, data, content_type
        )
        stats.put_seconds = time.perf_counter() - start
        self.last_upload = stats
        if stats.status // 100 != 2:
            raise ProtocolError(f"upload of {name} ({len(data):,} bytes): HTTP {stats.status}")
        state = WidgetState(id=widget.id)
        info = state.file_uploader_state_value.uploaded_file_info.add()
        info.file_id, info.name, info.size = urls.file_id, name, len(data)
        info.file_urls.CopyFrom(urls)
        widget.state = state
        await self.run(widget.fragment_id)
        stats.rerun = self.last
        return stats.rerun.elapsed

    async def request_upload_urls(self, file_names):
        """``BackMsg.file_urls_request`` for ``file_names``: the server's ``FileURLs`` for the
        first (a file id, an upload URL and a delete URL, relative to the server)."""
        if self._ws is None:
            await self.connect()
        if self.session_id is None:
            raise ProtocolError("no session id yet: load the page (run()) before uploading")
        msg = BackMsg()
        request = msg.file_urls_request
        request.request_id = uuid.uuid4().hex
        request.file_names.extend(file_names)
        request.session_id = self.session_id
        await self._ws.send(msg.SerializeToString())
        async with asyncio.timeout(self.timeout):
            while True:
                reply = ForwardMsg()
                reply.ParseFromString(await self._ws.recv())
                if reply.WhichOneof("type") != "file_urls_response":
                    continue
                response = reply.file_urls_response
                if response.response_id != request.request_id:
                    continue
                if response.error_msg or not response.file_urls:
                    raise ProtocolError(f"file_urls_response: {response.error_msg or 'no URLs'}")
                return response.file_urls[0]

    def _put_file(self, upload_url, name, data, content_type):
        """The browser's multipart ``PUT`` of one file; the HTTP status (4xx/5xx too)."""
        boundary = uuid.uuid4().hex
        # As browsers encode a file name in a form (WHATWG): ", CR and LF percent-encoded.
        quoted = name.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")
        head = (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="file"; filename="{quoted}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n"
        ).encode()
        body = head + data + f"\r\n--{boundary}--\r\n".encode()
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        if self._token:
            headers["X-Xsrftoken"] = self._token
            headers["Cookie"] = f"{XSRF_COOKIE}={self._token}"
        url = upload_url if "://" in upload_url else self.base_url + upload_url
        request = urllib.request.Request(url, data=body, headers=headers, method="PUT")
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(request, timeout=self.timeout) as response:
                response.read()
                return response.status
        except urllib.error.HTTPError as error:
            with error:
                error.read()
                return error.code

    def widget(self, key):
        """The widget drawn with ``key=key`` in the last run."""
        for widget in self.widgets.values():
            if widget.key == key:
                return widget
        raise KeyError(f"no widget with key {key!r} on the page (keys: {self.keys()})")

    def keys(self):
        return [w.key for w in self.widgets.values() if w.key is not None]

    @property
    def query_params(self):
        """The page URL's query parameters (the last ``page_info_changed`` wins)."""
        return dict(urllib.parse.parse_qsl(self.query_string, keep_blank_values=True))

    # -- the rerun ------------------------------------------------------------------------------

    def _back_msg(self, states, fragment_id=""):
        msg = BackMsg()
        client = msg.rerun_script
        client.fragment_id = fragment_id
        client.query_string = self.query_string
        client.page_script_hash = self.page_script_hash
        client.page_name = ""
        client.widget_states.widgets.extend(states)
        client.cached_message_hashes.extend(self._cache)
        info = client.context_info
        info.timezone, info.timezone_offset, info.locale = "UTC", 0, "en-US"
        info.url = f"{self.base_url}/" + (f"?{self.query_string}" if self.query_string else "")
        info.is_embedded, info.color_scheme = False, "light"
        return msg.SerializeToString()

    async def _rerun(self, states, fragment_id=""):
        if self._ws is None:
            await self.connect()
        payload = self._back_msg(states, fragment_id)
        stats = RunStats()
        drawn = {}
        start = time.perf_counter()
        await self._ws.send(payload)
        async with asyncio.timeout(self.timeout):
            while True:
                data = await self._ws.recv()
                stats.messages += 1
                stats.bytes += len(data)
                msg = ForwardMsg()
                msg.ParseFromString(data)
                kind = msg.WhichOneof("type")
                if kind == "ref_hash":
                    msg = self._cached(msg.ref_hash)
                    stats.cache_hits += 1
                    kind = "delta"
                elif msg.metadata.cacheable:
                    self._cache[msg.hash] = [msg, self._run_count]
                if kind == "delta":
                    self._on_delta(msg, drawn, stats)
                elif kind == "new_session":
                    if msg.new_session.HasField("initialize"):
                        self.session_id = msg.new_session.initialize.session_id or self.session_id
                    self.page_script_hash = msg.new_session.page_script_hash
                    self.max_cached_message_age = msg.new_session.config.max_cached_message_age
                elif kind == "page_info_changed":
                    self.query_string = msg.page_info_changed.query_string
                elif kind == "script_finished":
                    if msg.script_finished == _FINISHED.FINISHED_EARLY_FOR_RERUN:
                        # The page called st.rerun(): the whole page runs again at once, as
                        # in the browser; its finish ends this request.
                        drawn, fragment_id = {}, ""
                        continue
                    stats.elapsed = time.perf_counter() - start
                    self._on_finished(msg.script_finished, drawn, fragment_id)
                    break
        self.last = stats
        return stats.elapsed

    def _cached(self, ref_hash):
        entry = self._cache.get(ref_hash)
        if entry is None:
            raise ProtocolError(f"ref_hash {ref_hash} is not in the client's message cache")
        entry[1] = self._run_count
        return entry[0]

    def _on_delta(self, msg, drawn, stats):
        delta = msg.delta
        if delta.WhichOneof("type") == "new_transient":
            for element in delta.new_transient.elements:
                kind = element.WhichOneof("type")
                stats.transients.append((kind, getattr(element, kind)))
            return
        if delta.WhichOneof("type") == "add_block":
            path = tuple(msg.metadata.delta_path)
            self._on_block(delta.add_block, path, drawn, delta.fragment_id)
            return
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        kind = element.WhichOneof("type")
        proto = getattr(element, kind)
        if kind == "exception":
            raise ScriptError(f"the page shows an exception: {proto.type}: {proto.message}")
        stats.elements.append((kind, proto))
        widget_id = getattr(proto, "id", "")
        if widget_id and kind not in ("vega_lite_chart", "dataframe", "plotly_chart"):
            old = self.widgets.get(widget_id)
            widget = Widget(widget_id, kind, proto, fragment_id=delta.fragment_id)
            widget.state = mount_state(widget, old.state if old else None)
            drawn[widget_id] = widget

    def _on_block(self, block, path, drawn, fragment_id=""):
        """Keyed ``st.tabs`` are widgets: the container has the id, its tabs the labels."""
        if block.WhichOneof("type") == "tab_container" and block.tab_container.id:
            widget_id = block.tab_container.id
            old = self.widgets.get(widget_id)
            widget = Widget(
                widget_id, "tabs", block.tab_container, path=path, fragment_id=fragment_id
            )
            widget.state = mount_state(widget, old.state if old else None)
            drawn[widget_id] = widget
        elif block.WhichOneof("type") == "tab":
            for widget in drawn.values():
                if widget.kind == "tabs" and widget.path == path[:-1]:
                    widget.labels.append(block.tab.label)

    def _on_finished(self, status, drawn, fragment_id=""):
        expected = (
            _FINISHED.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
            if fragment_id
            else _FINISHED.FINISHED_SUCCESSFULLY
        )
        if status != expected:
            raise ScriptError(f"script finished with {_FINISHED.Name(status)}")
        if fragment_id:  # the rest of the page stays: only the fragment's widgets are redrawn
            kept = {k: w for k, w in self.widgets.items() if w.fragment_id != fragment_id}
            drawn = kept | drawn
        self.widgets = drawn  # widgets that were not drawn are dropped from the page's state
        self._run_count += 1
        age = self.max_cached_message_age
        for key in [k for k, (_, used) in self._cache.items() if self._run_count - used > age]:
            del self._cache[key]


class SyncSession:
    """:class:`StreamlitSession` for synchronous code: each instance runs its own event loop in
    its own thread, so it works beside another loop of the calling thread (Playwright's sync
    API runs one, in the same pytest process as the browser tests)."""

    def __init__(self, base_url, query_string="", **kwargs):
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="streamlit-client", daemon=True
        )
        self._thread.start()
        self.session = StreamlitSession(base_url, query_string, **kwargs)

    def _call(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()

    def __getattr__(self, name):
        return getattr(self.session, name)

    def connect(self):
        self._call(self.session.connect())
        return self

    def run(self):
        return self._call(self.session.run())

    def set_widget(self, key, value):
        return self._call(self.session.set_widget(key, value))

    def trigger(self, key, event, value):
        return self._call(self.session.trigger(key, event, value))

    def clear_cache(self, *, rerun=True):
        return self._call(self.session.clear_cache(rerun=rerun))

    def upload_file(self, key, name, data, content_type="text/csv"):
        return self._call(self.session.upload_file(key, name, data, content_type))

    def close(self):
        try:
            self._call(self.session.close())
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
            self._loop.close()

    def __enter__(self):
        return self.connect()

    def __exit__(self, *exc):
        self.close()


def read_metrics(base_url, timeout=30.0):
    """``/_stcore/metrics`` (Prometheus text) as ``[(name, labels dict, value)]``."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    request = urllib.request.Request(
        f"{base_url.rstrip('/')}/_stcore/metrics", headers={"Accept": "text/plain"}
    )
    with opener.open(request, timeout=timeout) as response:
        text = response.read().decode()
    samples = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        series, _, value = line.rpartition(" ")
        name, _, labels = series.partition("{")
        pairs = re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', labels)
        samples.append((name, dict(pairs), float(value)))
    return samples


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class StreamlitServer:
    """``streamlit run script`` in a subprocess on a free port, from the project root (so it reads
    ``.streamlit/config.toml``). A context manager: started and healthy inside, stopped after.
    """

    def __init__(self, script, *extra_args, cwd=ROOT, startup_timeout=60.0):
        self.script = str(script)
        self.extra_args = [str(a) for a in extra_args]
        self.cwd = cwd
        self.startup_timeout = startup_timeout
        self.port = None
        self.process = None
        self._log = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        self.port = free_port()
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 - the server's log, closed in stop()
        command = [sys.executable, "-m", "streamlit", "run", self.script]
        command += ["--server.port", str(self.port), "--server.headless", "true"]
        command += self.extra_args
        env = os.environ | {"PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            command, cwd=self.cwd, stdout=self._log, stderr=subprocess.STDOUT, env=env
        )
        return self

    def wait_healthy(self):
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited ({self.process.returncode}):\n{self.log()}")
            with (
                contextlib.suppress(OSError),
                opener.open(f"{self.url}/_stcore/health", timeout=2) as response,
            ):
                if response.status == 200:
                    return self
            time.sleep(0.1)
        self.stop()
        raise TimeoutError(
            f"{self.script} not healthy in {self.startup_timeout:g} s:\n{self.log()}"
        )

    def log(self):
        if self._log is None:
            return ""
        self._log.seek(0)
        return self._log.read().decode(errors="replace")

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self):
        try:
            return self.start().wait_healthy()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc):
        self.stop()
