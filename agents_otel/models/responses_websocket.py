"""``OpenAIResponsesWSModel``: the OpenAI Responses API over a websocket, the SDK's websocket transport.

Why: a socket kept open across a run's turns saves a connection setup per model call (the API's "websocket mode").
The request is the HTTP request's body, built by the same code (``OpenAIResponsesModel.request_params``), sent as
one ``response.create`` message; the answer is the stream events the HTTP stream carries, read by the same code
(``OpenAIResponsesModel.stream_response``). So the ``ModelResponse``, the run's stream events and the ``chat`` span
are the HTTP path's; the span adds ``network.protocol.name="websocket"``. Only the transport lives here.

A model holds one connection, opened on first use on the running loop and opened again when it has closed, when
the loop changed or when the URL or headers did. The API answers one response at a time per connection, so calls
on one model take turns (a lock); parallel runs want models of their own. A response cut short (an error, a
cancellation, a consumer that stops reading) drops the connection: the rest of it must never be read as the next
answer. Failures are the runtime's typed model errors: the server's ``error`` event is a ``ResponsesWebSocketError``,
a dropped socket or a refused connection a ``ModelConnectionError`` (a refused upgrade a ``ModelHTTPError``), a
server that goes silent a ``ModelTimeoutError`` after the client's timeout. After the request was sent, an error of a
stateful request (``previous_response_id``, a conversation) or of a response that had begun is unsafe to replay.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import weakref
from collections.abc import AsyncGenerator, Awaitable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import openai
from openai._models import construct_type
from openai.types.responses import ResponseStreamEvent

from ..exceptions import (
    ModelConnectionError,
    ModelError,
    ModelHTTPError,
    ModelRateLimitError,
    ModelTimeoutError,
    UserError,
)
from ._openai_errors import CONNECTION_ERROR, STREAM_ERROR, TIMEOUT
from .interface import ModelRequest, ModelResponse
from .openai_responses import OpenAIResponsesModel

if TYPE_CHECKING:
    from . import OpenAIResponsesWebSocketOptions

T = TypeVar("T")

_TERMINAL = frozenset({"response.completed", "response.failed", "response.incomplete"})
_REQUEST_OPTIONS = ("extra_headers", "extra_query", "extra_body", "timeout")
"""``extra_args`` that shape the HTTP request, not its body: here the handshake (headers, query), the message
(``extra_body``, merged in) and the waits (``timeout``)."""


class ResponsesWebSocketError(ModelError):
    """The server's ``error`` event on the Responses websocket, as the SDK's error of that name: ``code``,
    ``error_message``, ``request_id``, ``event_type`` and the whole ``payload``; ``status_code`` is the event's HTTP
    status when it has one. ``error_type`` stays the ``chat`` span's ``error.type`` (the status, else the code)."""

    def __init__(self, payload: Mapping[str, Any]) -> None:
        error = payload.get("error")
        details: Mapping[str, Any] = error if isinstance(error, Mapping) else {}
        status = payload.get("status")
        self.payload = dict(payload)
        self.event_type = str(payload.get("type") or "error")
        self.code: str | None = _text(details.get("code"))
        self.error_message: str | None = _text(details.get("message"))
        self.request_id: str | None = _text(payload.get("request_id") or details.get("request_id"))
        status_code = status if isinstance(status, int) else None
        error_type = str(status_code) if status_code is not None else (self.code or STREAM_ERROR)
        super().__init__(
            f"Responses websocket error: {json.dumps(self.payload, default=str)}",
            error_type=error_type,
            status_code=status_code,
        )


class OpenAIResponsesWSModel(OpenAIResponsesModel):
    """``OpenAIResponsesWSModel("gpt-4.1", openai_client=client, websocket_options={"ping_interval": 20.0})``.

    Connects to the client's ``websocket_base_url`` (else its ``base_url``, ``http`` → ``ws``) plus ``/responses``,
    with the client's auth and default headers and query; ``extra_args`` ``extra_headers`` / ``extra_query`` go to
    the handshake, ``extra_body`` into the message, ``timeout`` (else the client's) bounds the connect and each wait
    for an event. Always streams on the wire; ``get_response`` reads the stream to its end. ``close()`` closes the
    connection.
    """

    network_protocol_name = "websocket"

    def __init__(
        self,
        model: str,
        openai_client: openai.AsyncOpenAI | None = None,
        *,
        model_is_explicit: bool = True,
        websocket_options: OpenAIResponsesWebSocketOptions | None = None,
    ) -> None:
        from . import _websockets  # noqa: F401  # a missing websockets fails here, naming the extra

        super().__init__(model, openai_client, model_is_explicit=model_is_explicit)
        self._options: dict[str, Any] = dict(websocket_options or {})
        self._connection: Any = None
        self._identity: tuple[str, tuple[tuple[str, str], ...]] | None = None
        self._connection_loop: weakref.ref[asyncio.AbstractEventLoop] | None = None
        self._locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = weakref.WeakKeyDictionary()

    async def get_response(self, request: ModelRequest) -> ModelResponse:
        """The streamed answer read to its end: the ``ModelResponse`` that is the stream's last event."""
        async for event in self.stream_response(request):
            if isinstance(event, ModelResponse):
                return event
        raise ModelError("The Responses websocket stream ended without a response")  # stream_response never does

    async def stream_events(self, request: ModelRequest) -> AsyncGenerator[Any]:
        from ._websockets import ConnectionClosed

        client = self.client
        frame, extra_headers, query, timeout = _request_parts(self.request_params(request))
        headers, url = handshake_headers(client, extra_headers), websocket_url(client, query)
        connect_timeout, read_timeout = _timeouts(timeout if timeout is not None else client.timeout)
        message = json.dumps(frame, default=_json_default)
        stateful = request.previous_response_id is not None or request.conversation_id is not None
        lock = self._lock()
        await lock.acquire()
        sent = started = finished = False
        try:
            try:
                connection, fresh = await self._connect(url, headers, connect_timeout)
                try:
                    await connection.send(message)
                except ConnectionClosed:
                    if fresh:
                        raise
                    # the kept connection closed since its last answer, so the message never left: once more, anew
                    self._drop()
                    connection, _ = await self._connect(url, headers, connect_timeout)
                    await connection.send(message)
                sent = True
                while True:
                    payload = _payload(await _within(connection.recv(), read_timeout, "receive"))
                    kind = payload.get("type")
                    if kind == "error":
                        raise ResponsesWebSocketError(payload)
                    started = True
                    yield construct_type(type_=ResponseStreamEvent, value=payload)
                    if kind in _TERMINAL:
                        finished = True
                        return
            except Exception as exc:
                error = _model_error(exc)
                if sent and (started or stateful) and isinstance(error, ModelError):
                    error.unsafe_to_replay = True  # type: ignore[attr-defined]  # read by model_retry
                if error is exc:
                    raise
                raise error from exc
        finally:
            if not finished:
                self._drop()
            lock.release()

    async def close(self) -> None:
        """Close the connection, if one is open; one in use by a call is dropped (that call fails)."""
        connection = self._connection
        lock = self._locks.get(asyncio.get_running_loop())
        if connection is None or (lock is not None and lock.locked()) or not self._on_this_loop():
            self._drop()
            return
        self._connection = self._identity = self._connection_loop = None
        try:
            await connection.close()
        except Exception:
            _abort(connection)

    def _lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        lock = self._locks.get(loop)
        if lock is None:
            lock = self._locks[loop] = asyncio.Lock()
        return lock

    def _on_this_loop(self) -> bool:
        return self._connection_loop is not None and self._connection_loop() is asyncio.get_running_loop()

    async def _connect(self, url: str, headers: dict[str, str], seconds: float | None) -> tuple[Any, bool]:
        """The kept connection when it is usable for this URL and these headers, else a new one (``True``)."""
        from ._websockets import State, connect

        identity = (url, tuple(sorted((k.lower(), v) for k, v in headers.items())))
        connection = self._connection
        if connection is not None and self._identity == identity and self._on_this_loop() and _open(connection, State):
            return connection, False
        self._drop()
        options: dict[str, Any] = {"additional_headers": headers, "user_agent_header": None, "max_size": None}
        options.update(self._options)
        connection = await _within(connect(url, open_timeout=None, **options), seconds, "connect")
        self._connection, self._identity = connection, identity
        self._connection_loop = weakref.ref(asyncio.get_running_loop())
        return connection, True

    def _drop(self) -> None:
        """Forget the connection and abort it without a closing handshake (it may be mid-answer, or another loop's)."""
        connection = self._connection
        self._connection = self._identity = self._connection_loop = None
        if connection is not None:
            _abort(connection)


def _open(connection: Any, state: Any) -> bool:
    return bool(connection.state is state.OPEN)


def _abort(connection: Any) -> None:
    transport = getattr(connection, "transport", None)
    if transport is not None:
        with contextlib.suppress(Exception):
            transport.abort()


def _request_parts(
    params: dict[str, Any],
) -> tuple[dict[str, Any], dict[str, str], dict[str, Any], Any]:
    """The ``response.create`` message, the handshake's extra headers and query, and the request's timeout."""
    body = {k: v for k, v in params.items() if k not in _REQUEST_OPTIONS and not _omitted(v)}
    extra = {k: params.get(k) for k in _REQUEST_OPTIONS}
    for name in ("extra_headers", "extra_query", "extra_body"):
        value = extra[name]
        if value is not None and not _omitted(value) and not isinstance(value, Mapping):
            raise UserError(f"Responses websocket {name} must be a mapping, got {type(value).__name__}")
    extra_body: Mapping[str, Any] = extra["extra_body"] if isinstance(extra["extra_body"], Mapping) else {}
    frame = {**body, **{k: v for k, v in extra_body.items() if not _omitted(v)}, "type": "response.create"}
    frame.pop("stream", None)  # implicit on a websocket: the API reference says not to send it
    headers = extra["extra_headers"] if isinstance(extra["extra_headers"], Mapping) else {}
    query = extra["extra_query"] if isinstance(extra["extra_query"], Mapping) else {}
    timeout = extra["timeout"] if not _omitted(extra["timeout"]) else None
    return frame, dict(headers), dict(query), timeout


def handshake_headers(client: openai.AsyncOpenAI, extra: Mapping[str, Any]) -> dict[str, str]:
    """The client's auth and default headers, then ``extra`` (case-insensitively replacing; ``Omit`` removes)."""
    headers: dict[str, str] = {}
    for source in (client.auth_headers, client.default_headers, extra):
        for key, value in source.items():
            if isinstance(value, openai.NotGiven):
                continue
            for existing in [k for k in headers if k.lower() == str(key).lower()]:
                del headers[existing]
            if not isinstance(value, openai.Omit):
                headers[str(key)] = str(value)
    return headers


def websocket_url(client: openai.AsyncOpenAI, extra_query: Mapping[str, Any]) -> str:
    """``<websocket_base_url or base_url>/responses``, ``http(s)`` as ``ws(s)``, with the client's default query and
    ``extra_query`` (``Omit`` removes a parameter)."""
    base = client.websocket_base_url if client.websocket_base_url is not None else client.base_url
    parts = urlsplit(str(base))
    scheme = {"http": "ws", "https": "wss"}.get(parts.scheme, parts.scheme)
    query: dict[str, Any] = dict(parse_qsl(parts.query))
    for source in (client.default_query or {}, extra_query):
        for key, value in source.items():
            if isinstance(value, openai.Omit):
                query.pop(str(key), None)
            elif not isinstance(value, openai.NotGiven):
                query[str(key)] = value
    return urlunsplit((scheme, parts.netloc, parts.path.rstrip("/") + "/responses", urlencode(query), ""))


def _timeouts(timeout: Any) -> tuple[float | None, float | None]:
    """(connect, read) seconds from a number or an httpx-style ``Timeout``; ``None``: no limit."""
    if isinstance(timeout, int | float):
        return float(timeout), float(timeout)
    connect, read = getattr(timeout, "connect", None), getattr(timeout, "read", None)
    return (
        float(connect) if isinstance(connect, int | float) else None,
        float(read) if isinstance(read, int | float) else None,
    )


async def _within(awaitable: Awaitable[T], seconds: float | None, phase: str) -> T:
    try:
        async with asyncio.timeout(seconds):
            return await awaitable
    except TimeoutError as exc:
        raise ModelTimeoutError(
            seconds, message=f"Responses websocket {phase} timed out after {seconds} seconds", error_type=TIMEOUT
        ) from exc


def _payload(message: str | bytes) -> dict[str, Any]:
    try:
        payload = json.loads(message)
    except ValueError as exc:
        raise ModelError(f"The Responses websocket sent a message that is not JSON: {exc}") from exc
    if not isinstance(payload, dict):
        raise ModelError(f"The Responses websocket sent a message that is not an event: {payload!r}")
    return payload


def _model_error(exc: Exception) -> Exception:
    """The runtime's typed error for a transport failure (a ``ModelError`` or ``UserError`` passes as it is)."""
    from ._websockets import ConnectionClosed, InvalidHandshake, InvalidStatus, InvalidURI

    if isinstance(exc, ModelError | UserError):
        return exc
    if isinstance(exc, ConnectionClosed):
        return ModelConnectionError(
            f"Responses websocket connection closed before a terminal response event: {exc}",
            error_type=CONNECTION_ERROR,
        )
    if isinstance(exc, InvalidStatus):
        status = exc.response.status_code
        cls = ModelRateLimitError if status == 429 else ModelHTTPError
        return cls(f"HTTP {status} refusing the Responses websocket: {exc}", error_type=str(status), status_code=status)
    if isinstance(exc, InvalidURI):
        return UserError(f"Responses websocket URL is not valid: {exc}")
    if isinstance(exc, OSError | InvalidHandshake | EOFError):
        return ModelConnectionError(
            f"Could not reach the Responses websocket ({type(exc).__name__}: {exc})", error_type=CONNECTION_ERROR
        )
    return exc


def _omitted(value: Any) -> bool:
    return isinstance(value, openai.Omit | openai.NotGiven)


def _json_default(value: Any) -> Any:
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        return dump(mode="json", exclude_unset=True)
    raise UserError(f"Responses websocket request has a value that is not JSON: {type(value).__name__}")


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None
