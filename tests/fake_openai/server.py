"""A scripted, OpenAI-compatible HTTP server for tests.

Starlette app + sse-starlette for streams, served by uvicorn on 127.0.0.1 in a
background thread. Tests enqueue what the "model" answers next; each request to
``/v1/responses`` or ``/v1/chat/completions`` pops the next script and renders it in
that endpoint's wire format (a websocket to ``/v1/responses`` too, see ``responses_ws.py``). The audio endpoints
(``/v1/audio/transcriptions``, ``/v1/audio/speech``) answer from
``server.audio`` (see ``audio.py``). ``POST /v1/conversations`` answers a new conversation id without a script, and
the conversation endpoints the openai client's ``conversations`` / ``conversations.items`` call (items create, list,
delete; conversation delete) keep each conversation's items in memory, as the Conversations API stores them (an id
and a status on each, a message's text content as parts). ``POST /v1/responses/compact`` answers a compacted history
without a script either (``fail_next_compaction`` makes it fail). Every request is recorded.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import uvicorn
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute

from . import wire
from .audio import AudioScripts, speech_endpoint, transcription_endpoint
from .responses_ws import responses_websocket
from .script import Script, StreamGate, ToolCallSpec, Usage, as_tool_call

__all__ = ["FakeOpenAIServer", "RecordedRequest", "refused_base_url"]

# Status codes the openai client retries (408, 409, 429, >= 500).
_RETRYABLE = {408, 409, 429}


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: Any  # parsed JSON (``None`` if the body was empty / not JSON)
    raw_body: bytes

    @property
    def model(self) -> str | None:
        return self.body.get("model") if isinstance(self.body, dict) else None

    @property
    def stream(self) -> bool:
        return bool(self.body.get("stream")) if isinstance(self.body, dict) else False


class FakeOpenAIServer:
    """Scripted OpenAI-compatible server. Use as a context manager or start()/stop()."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port: int | None = None
        self._lock = threading.Lock()
        self._scripts: deque[Script] = deque()
        self._requests: list[RecordedRequest] = []
        self._gates: list[StreamGate] = []
        self._ids = wire.IdMaker()
        self.conversations: dict[str, list[dict[str, Any]]] = {}
        self.item_write_failures: list[int] = []
        """Statuses the next ``conversations.items.create`` calls answer, one each, *after* storing their items: a
        response lost on its way back (the client cannot tell whether the write happened); ``0``: answered as usual."""
        self._compact_errors: deque[tuple[int, str | None]] = deque()
        self.compaction_usage = Usage(input_tokens=120, output_tokens=30)
        """The tokens every ``responses.compact`` answer reports."""
        self.compaction_keeps_user_messages = False
        """``True``: compacted output starts with the input's user messages, as the API's does (see
        ``wire.render_compaction``; the strict ``client`` fixture refuses that shape)."""
        """Each conversation's stored items, oldest first (what ``conversations.items.list(order="asc")`` pages)."""
        self.audio = AudioScripts()
        self.ws_drops: list[int] = []
        """Websocket mode (``responses_ws.py``): the next answer is cut after this many events, the socket closed."""
        self.ws_handshakes: list[dict[str, Any]] = []
        """Websocket mode: each socket's path, query and headers, in the order they were opened."""
        """What ``/v1/audio/transcriptions`` and ``/v1/audio/speech`` answer next (see ``audio.py``)."""
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._started = threading.Event()
        self.app = self._build_app()

    # ------------------------------------------------------------------ addresses

    @property
    def root_url(self) -> str:
        if self.port is None:
            raise RuntimeError("server not started")
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """What to pass as ``base_url`` to ``openai.AsyncOpenAI`` (ends in ``/v1``)."""
        return f"{self.root_url}/v1"

    # ------------------------------------------------------------------ scripting

    def enqueue(
        self,
        text: str | Sequence[str] | None = None,
        *,
        tool_calls: Sequence[ToolCallSpec] = (),
        error: int | None = None,
        error_message: str | None = None,
        error_code: str | None = None,
        headers: Mapping[str, str] | None = None,
        usage: Usage | tuple[int, int] | None = None,
        gate: StreamGate | None = None,
        args_chunk_size: int = 5,
        reasoning: str | None = None,
        reasoning_field: str | None = None,
        thinking_blocks: Sequence[Mapping[str, Any]] | None = None,
        hosted_calls: Sequence[Mapping[str, Any]] = (),
        refusal: str | None = None,
        finish_reason: str | None = None,
        when: Callable[[dict[str, Any]], bool] | None = None,
        annotations: Sequence[Mapping[str, Any]] = (),
        annotations_on: str = "after",
    ) -> Script:
        """Queue the next answer.

        * ``text``: assistant text; a ``str`` is streamed in word-sized deltas, a list of
          strings is streamed as exactly those deltas.
        * ``tool_calls``: ``ToolCall``s or tuples ``(name, arguments)`` /
          ``(name, arguments, call_id)``; ``arguments`` a dict (JSON-encoded) or a raw
          string (sent verbatim - e.g. malformed JSON). Streamed in pieces of
          ``args_chunk_size`` characters.
        * ``error``: HTTP status to answer with instead (OpenAI error envelope). For
          retryable statuses (408/409/429/5xx) the headers ``Retry-After: 0`` and
          ``retry-after-ms: 1`` are added so the openai client retries at once.
          ``headers`` adds/overrides response headers. ``error_code``: the envelope's ``code`` instead of the
          status's usual one (``enqueue_error(400, code="conversation_locked")``).
        * ``usage``: ``Usage(...)`` or ``(input_tokens, output_tokens)``; default (10, 5).
        * ``gate``: a :class:`StreamGate` holding the stream at each delta after the first
          and before the terminal event.
        * ``reasoning``: a reasoning item with this summary first in the output (Responses API); on Chat
          Completions the message's ``reasoning_field`` (``"reasoning_content"`` or ``"reasoning"``) holds it,
          streamed in word-sized deltas before the text. ``thinking_blocks``: Anthropic thinking blocks in the Chat
          Completions message (as LiteLLM passes them on), streamed one block a chunk.
        * ``hosted_calls``: hosted tool call items (``web_search_call``, ...) as the provider returns them, after
          the reasoning item and before the message (Responses API; Chat Completions refuses them). Any other
          output item goes the same way as given: a ``computer_call`` for a ``ComputerTool``.
        * ``refusal``: the model refuses with this text: a ``refusal`` content part after any text part (Responses
          API, streamed as ``response.refusal.delta`` events), the message's ``refusal`` field (Chat Completions,
          streamed as ``delta.refusal`` chunks). Streamed in word-sized deltas.
        * ``finish_reason``: Chat Completions' finish reason instead of the usual one (e.g. ``"content_filter"``).
        * ``when``: this answer is for the first request whose JSON body it returns true for, wherever it stands
          in the queue (concurrent model calls arrive in no fixed order); others take the first answer without one.
        * ``annotations``: the text's annotations in the Responses API's form (a web or file search's sources), in
          its text part and streamed as ``response.output_text.annotation.added`` events; on Chat Completions a
          ``url_citation`` goes in that API's nested form (others as given), streamed where ``annotations_on``
          says (``"after"`` the text one chunk each, ``"with_text"`` on its last delta, ``"before"`` it).
        """
        if isinstance(usage, tuple):
            usage = Usage(input_tokens=usage[0], output_tokens=usage[1])
        script = Script(
            text=text if text is None or isinstance(text, str) else list(text),
            tool_calls=[as_tool_call(spec) for spec in tool_calls],
            error=error,
            error_message=error_message,
            error_code=error_code,
            headers=dict(headers or {}),
            usage=usage or Usage(),
            gate=gate,
            args_chunk_size=args_chunk_size,
            reasoning=reasoning,
            reasoning_field=reasoning_field,
            thinking_blocks=[dict(b) for b in thinking_blocks] if thinking_blocks is not None else None,
            hosted_calls=[dict(call) for call in hosted_calls],
            refusal=refusal,
            finish_reason=finish_reason,
            when=when,
            annotations=[dict(a) for a in annotations],
            annotations_on=annotations_on,
        )
        with self._lock:
            self._scripts.append(script)
            if gate is not None:
                self._gates.append(gate)
        return script

    def enqueue_error(
        self, status: int, message: str | None = None, *, code: str | None = None, **kwargs: Any
    ) -> Script:
        return self.enqueue(error=status, error_message=message, error_code=code, **kwargs)

    def fail_next_compaction(self, status: int, message: str | None = None) -> None:
        """The next ``POST /v1/responses/compact`` answers this HTTP error (compaction needs no script otherwise;
        a retryable status is answered to the client's retries too, one queued failure each)."""
        with self._lock:
            self._compact_errors.append((status, message))

    @property
    def pending(self) -> int:
        """Scripted answers not yet consumed."""
        with self._lock:
            return len(self._scripts)

    def clear(self) -> None:
        """Drop pending scripts and recorded requests."""
        with self._lock:
            self._scripts.clear()
            self._requests.clear()
        self.audio.transcripts.clear()
        self.audio.speech.clear()

    # ------------------------------------------------------------------ recording

    @property
    def requests(self) -> list[RecordedRequest]:
        """Snapshot of every request received so far, in arrival order."""
        with self._lock:
            return list(self._requests)

    def requests_to(self, path: str) -> list[RecordedRequest]:
        """Requests whose path ends with ``path`` (e.g. ``"/responses"``)."""
        return [r for r in self.requests if r.path.endswith(path)]

    @property
    def last_request(self) -> RecordedRequest:
        with self._lock:
            if not self._requests:
                raise AssertionError("fake_openai received no request")
            return self._requests[-1]

    # ------------------------------------------------------------------ client

    def client(self, **kwargs: Any) -> Any:
        """An ``openai.AsyncOpenAI`` for this server (strict response validation on).

        The caller owns it: ``async with server.client() as client: ...``.
        """
        import openai

        kwargs.setdefault("api_key", "test")
        kwargs.setdefault("base_url", self.base_url)
        kwargs.setdefault("_strict_response_validation", True)
        return openai.AsyncOpenAI(**kwargs)

    # ------------------------------------------------------------------ lifecycle

    def start(self, timeout: float = 10.0) -> FakeOpenAIServer:
        if self._thread is not None:
            raise RuntimeError("already started")
        # Bind + listen before uvicorn runs: connections queue in the backlog, so the
        # server is reachable as soon as start() returns.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, 0))
        sock.listen(128)
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app,
            log_level="warning",
            access_log=False,
            lifespan="on",
            timeout_graceful_shutdown=5,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, name=f"fake-openai:{self.port}", daemon=True
        )
        self._thread.start()
        if not self._started.wait(timeout):
            self.stop()
            raise RuntimeError("fake_openai server did not start")
        return self

    def stop(self, timeout: float = 10.0) -> None:
        if self._thread is None or self._server is None:
            return
        with self._lock:
            gates = list(self._gates)
        for gate in gates:
            gate.open()
        self._server.should_exit = True
        self._thread.join(timeout)
        if self._thread.is_alive():
            self._server.force_exit = True
            self._thread.join(timeout)
        if self._thread.is_alive():
            raise RuntimeError("fake_openai server thread did not stop")
        self._thread = None

    def __enter__(self) -> FakeOpenAIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ app

    def _build_app(self) -> Starlette:
        @contextlib.asynccontextmanager
        async def lifespan(app: Starlette) -> AsyncIterator[None]:
            self._started.set()
            yield

        return Starlette(
            routes=[
                Route(
                    "/v1/responses",
                    self._endpoint(wire.render_response, wire.render_response_stream),
                    methods=["POST"],
                ),
                WebSocketRoute("/v1/responses", responses_websocket(self)),
                Route("/v1/responses/compact", self._compact, methods=["POST"]),
                Route(
                    "/v1/chat/completions",
                    self._endpoint(wire.render_chat_completion, wire.render_chat_stream),
                    methods=["POST"],
                ),
                Route("/v1/audio/transcriptions", transcription_endpoint(self.audio, self._keep), methods=["POST"]),
                Route("/v1/audio/speech", speech_endpoint(self.audio, self._keep), methods=["POST"]),
                Route("/v1/conversations", self._create_conversation, methods=["POST"]),
                Route("/v1/conversations/{conversation_id}", self._delete_conversation, methods=["DELETE"]),
                Route("/v1/conversations/{conversation_id}/items", self._add_items, methods=["POST"]),
                Route("/v1/conversations/{conversation_id}/items", self._list_items, methods=["GET"]),
                Route(
                    "/v1/conversations/{conversation_id}/items/{item_id}", self._delete_item, methods=["DELETE"]
                ),
            ],
            lifespan=lifespan,
        )

    async def _record(self, request: Request) -> RecordedRequest:
        raw = await request.body()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        recorded = RecordedRequest(
            method=request.method,
            path=request.url.path,
            headers=dict(request.headers),
            body=body,
            raw_body=raw,
        )
        with self._lock:
            self._requests.append(recorded)
        return recorded

    def _keep(self, request: Request, body: Any, raw: bytes) -> None:
        """Record a request whose body was read elsewhere (the audio endpoints: a form, or JSON)."""
        recorded = RecordedRequest(request.method, request.url.path, dict(request.headers), body, raw)
        with self._lock:
            self._requests.append(recorded)

    def _pop(self, body: Any = None) -> Script | None:
        """The answer for a request with this JSON body: the first script whose ``when`` accepts it, or that has
        no ``when``."""
        with self._lock:
            for script in self._scripts:
                if script.when is None or (isinstance(body, dict) and script.when(body)):
                    self._scripts.remove(script)
                    return script
            return None

    async def _compact(self, request: Request) -> Response:
        """``client.responses.compact(...)``: not scripted; answers a compacted history (``wire.render_compaction``)
        unless a failure was queued with :meth:`fail_next_compaction`."""
        recorded = await self._record(request)
        request_id = f"req_fake{len(self.requests):04d}"
        with self._lock:
            failure = self._compact_errors.popleft() if self._compact_errors else None
        if failure is not None:
            return _error_response(failure[0], failure[1], request_id)
        if not isinstance(recorded.body, dict) or not recorded.body.get("model"):
            return _error_response(400, "fake_openai: responses.compact needs a JSON body with 'model'", request_id)
        with self._lock:
            body = wire.render_compaction(
                recorded.body, self._ids, int(time.time()), self.compaction_usage, self.compaction_keeps_user_messages
            )
        return JSONResponse(body, headers={"x-request-id": request_id})

    async def _create_conversation(self, request: Request) -> Response:
        """``client.conversations.create()``: a new conversation id, not scripted (it consumes no enqueued answer)."""
        recorded = await self._record(request)
        body = recorded.body if isinstance(recorded.body, dict) else {}
        with self._lock:
            conversation_id = self._ids("conv")
            self.conversations[conversation_id] = [self._stored(item) for item in body.get("items") or []]
        return JSONResponse(
            _conversation(conversation_id, body.get("metadata")),
            headers={"x-request-id": f"req_fake{len(self.requests):04d}"},
        )

    def _stored(self, item: dict[str, Any]) -> dict[str, Any]:
        """An input item as the API stores (and lists) it. Called under the lock (it makes ids)."""
        stored = dict(item)
        kind = stored.setdefault("type", "message")
        if kind == "message":
            text_part = "output_text" if stored.get("role") == "assistant" else "input_text"
            content = stored.get("content")
            parts = [{"type": text_part, "text": content}] if isinstance(content, str) else list(content or [])
            stored["content"] = [
                {**part, "annotations": part.get("annotations") or []} if part.get("type") == "output_text" else part
                for part in parts
            ]
        prefixes = {"message": "msg", "function_call": "fc", "function_call_output": "fco", "reasoning": "rs"}
        if not stored.get("id"):
            stored["id"] = self._ids(prefixes.get(kind, "item"))
        if kind in ("message", "function_call", "function_call_output"):
            stored.setdefault("status", "completed")
        return stored

    async def _conversation_items(self, request: Request) -> tuple[RecordedRequest, str, list[dict[str, Any]] | None]:
        recorded = await self._record(request)
        conversation_id = request.path_params["conversation_id"]
        with self._lock:
            return recorded, conversation_id, self.conversations.get(conversation_id)

    async def _add_items(self, request: Request) -> Response:
        """``conversations.items.create``: append, answer the stored items as a list."""
        recorded, conversation_id, items = await self._conversation_items(request)
        if items is None:
            return _error_response(404, f"Conversation with id '{conversation_id}' not found.", "req_fake")
        body = recorded.body if isinstance(recorded.body, dict) else {}
        with self._lock:
            added = [self._stored(item) for item in body.get("items") or []]
            items.extend(added)
            failure = self.item_write_failures.pop(0) if self.item_write_failures else None
        if failure:
            return _error_response(failure, "The write's answer was lost.", "req_fake")
        return JSONResponse(_item_page(added, has_more=False))

    async def _list_items(self, request: Request) -> Response:
        """``conversations.items.list``: ``order`` (default ``desc``, as the API), ``limit`` (1-100, default 20),
        ``after`` an item id; one page at a time, ``has_more`` / ``last_id`` for the client's auto-paging."""
        _, conversation_id, items = await self._conversation_items(request)
        if items is None:
            return _error_response(404, f"Conversation with id '{conversation_id}' not found.", "req_fake")
        query = request.query_params
        limit = int(query.get("limit", "20"))
        if not 1 <= limit <= 100:
            return _error_response(400, f"Invalid 'limit': {limit}; it must be between 1 and 100.", "req_fake")
        with self._lock:
            ordered = list(items) if query.get("order", "desc") == "asc" else list(reversed(items))
        after = query.get("after")
        if after is not None:
            ids = [item["id"] for item in ordered]
            ordered = ordered[ids.index(after) + 1 :] if after in ids else []
        return JSONResponse(_item_page(ordered[:limit], has_more=len(ordered) > limit))

    async def _delete_item(self, request: Request) -> Response:
        """``conversations.items.delete``: answers the conversation."""
        _, conversation_id, items = await self._conversation_items(request)
        item_id = request.path_params["item_id"]
        with self._lock:
            kept = [item for item in items or [] if item["id"] != item_id]
            if items is None or len(kept) == len(items):
                return _error_response(404, f"Item with id '{item_id}' not found.", "req_fake")
            items[:] = kept
        return JSONResponse(_conversation(conversation_id, None))

    async def _delete_conversation(self, request: Request) -> Response:
        _, conversation_id, _items = await self._conversation_items(request)
        with self._lock:
            if self.conversations.pop(conversation_id, None) is None:
                return _error_response(404, f"Conversation with id '{conversation_id}' not found.", "req_fake")
        return JSONResponse({"id": conversation_id, "deleted": True, "object": "conversation.deleted"})

    def _endpoint(
        self,
        render: Callable[[Script, dict[str, Any], wire.IdMaker, int], dict[str, Any]],
        render_stream: Callable[[Script, dict[str, Any], wire.IdMaker, int], list[wire.StreamItem]],
    ) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> Response:
            recorded = await self._record(request)
            request_id = f"req_fake{len(self.requests):04d}"
            if not isinstance(recorded.body, dict):
                return _error_response(400, "fake_openai: request body is not a JSON object", request_id)
            script = self._pop(recorded.body)
            if script is None:
                return _error_response(
                    400,
                    f"fake_openai: no scripted response left for {recorded.path}; call enqueue() first",
                    request_id,
                    {"x-should-retry": "false"},
                )
            if script.error is not None:
                return _error_response(
                    script.error, script.error_message, request_id, script.headers, script.error_code
                )

            created = int(time.time())
            headers = {"x-request-id": request_id, **script.headers}
            if not recorded.stream:
                return JSONResponse(render(script, recorded.body, self._ids, created), headers=headers)
            items = render_stream(script, recorded.body, self._ids, created)
            return EventSourceResponse(_sse(items, script.gate), headers=headers, ping=0, sep="\n")

        return endpoint


def _conversation(conversation_id: str, metadata: Any) -> dict[str, Any]:
    return {"id": conversation_id, "object": "conversation", "created_at": int(time.time()), "metadata": metadata or {}}


def _item_page(items: list[dict[str, Any]], *, has_more: bool) -> dict[str, Any]:
    return {
        "object": "list",
        "data": items,
        "first_id": items[0]["id"] if items else "",
        "last_id": items[-1]["id"] if items else "",
        "has_more": has_more,
    }


async def _sse(items: list[wire.StreamItem], gate: StreamGate | None) -> AsyncIterator[ServerSentEvent]:
    for item in items:
        if item.gated and gate is not None:
            await gate._pass()
        data = item.data if isinstance(item.data, str) else json.dumps(item.data, separators=(",", ":"))
        yield ServerSentEvent(data=data, event=item.event, sep="\n")


def _error_response(
    status: int,
    message: str | None,
    request_id: str,
    extra_headers: Mapping[str, str] | None = None,
    code: str | None = None,
) -> JSONResponse:
    headers = {"x-request-id": request_id}
    if status in _RETRYABLE or status >= 500:
        # openai-python ignores ``Retry-After: 0`` (only 0 < delay <= 120 s is honoured,
        # otherwise it backs off ~0.5 s); ``retry-after-ms`` takes precedence, so 1 ms
        # makes the retry practically immediate.
        headers["retry-after"] = "0"
        headers["retry-after-ms"] = "1"
    headers.update(extra_headers or {})
    return JSONResponse(wire.render_error(status, message, code), status_code=status, headers=headers)


@contextlib.contextmanager
def refused_base_url(host: str = "127.0.0.1") -> Iterator[str]:
    """Yield a ``base_url`` whose port refuses connections.

    The port stays bound (but not listening) for the duration, so nothing else can
    grab it: connecting gets ECONNREFUSED.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind((host, 0))
        yield f"http://{host}:{sock.getsockname()[1]}/v1"
    finally:
        sock.close()
