"""Model-agnostic description of what the fake server answers next."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import json
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias


@dataclass(frozen=True)
class ToolCall:
    """A function/tool call the fake model makes.

    ``arguments`` is either a JSON-serialisable mapping (sent as compact-ish JSON) or a
    raw string sent verbatim - use a string that is not valid JSON to script a
    malformed-arguments call. ``call_id`` defaults to a generated ``call_fakeNNNN``.
    """

    name: str
    arguments: Mapping[str, Any] | str = field(default_factory=dict)
    call_id: str | None = None

    @property
    def arguments_json(self) -> str:
        if isinstance(self.arguments, str):
            return self.arguments
        return json.dumps(self.arguments)


ToolCallSpec: TypeAlias = (
    ToolCall | tuple[str, Mapping[str, Any] | str] | tuple[str, Mapping[str, Any] | str, str | None]
)


def as_tool_call(spec: ToolCallSpec) -> ToolCall:
    if isinstance(spec, ToolCall):
        return spec
    if len(spec) == 2:
        name, arguments = spec
        return ToolCall(name, arguments)
    name, arguments, call_id = spec
    return ToolCall(name, arguments, call_id)


@dataclass(frozen=True)
class Usage:
    input_tokens: int = 10
    output_tokens: int = 5
    cached_tokens: int = 0
    reasoning_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens


class StreamGate:
    """Lets a test hold a streamed answer at chosen points, without sleeps.

    When a script has a gate, the server waits on it before every text/arguments delta
    except the first one, and before the terminal event (``response.completed`` or
    the chat chunk carrying ``finish_reason``). Each wait consumes one permit.

    Thread-safe: the test (any thread / event loop) calls :meth:`release`,
    :meth:`open` and awaits :meth:`wait_paused`; the server thread awaits
    :meth:`_pass`. The fake server opens every gate it knows of when it shuts down,
    so a forgotten gate never hangs teardown.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._permits = 0
        self._open = False
        self._paused = False
        self._pauses = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._event: asyncio.Event | None = None
        self._pause_waiters: list[concurrent.futures.Future[None]] = []

    # ------------------------------------------------------------------ test side

    def release(self, n: int = 1) -> None:
        """Let ``n`` more gated items through."""
        with self._lock:
            self._permits += n
            self._paused = False
            self._wake_locked()

    def open(self) -> None:
        """Stop gating: everything left flows freely."""
        with self._lock:
            self._open = True
            self._paused = False
            self._wake_locked()

    @property
    def paused(self) -> bool:
        """True while the server is blocked on this gate."""
        with self._lock:
            return self._paused

    @property
    def pauses(self) -> int:
        """How many times the server has blocked on this gate so far."""
        with self._lock:
            return self._pauses

    async def wait_paused(self, max_wait: float = 10.0) -> None:
        """Return once the server is blocked on this gate (everything before it sent).

        Raises ``TimeoutError`` after ``max_wait`` seconds (a safety net against a
        hanging test, not a synchronisation tool).
        """
        with self._lock:
            if self._paused:
                return
            future: concurrent.futures.Future[None] = concurrent.futures.Future()
            self._pause_waiters.append(future)
        await asyncio.wait_for(asyncio.wrap_future(future), max_wait)

    # ------------------------------------------------------------------ server side

    def _wake_locked(self) -> None:
        loop, event = self._loop, self._event
        if loop is not None and event is not None:
            with contextlib.suppress(RuntimeError):  # server loop already closed
                loop.call_soon_threadsafe(event.set)

    async def _pass(self) -> None:
        while True:
            with self._lock:
                if self._open:
                    return
                if self._permits > 0:
                    self._permits -= 1
                    return
                if not self._paused:
                    self._paused = True
                    self._pauses += 1
                    waiters, self._pause_waiters = self._pause_waiters, []
                    for waiter in waiters:
                        if waiter.set_running_or_notify_cancel():
                            waiter.set_result(None)
                loop = asyncio.get_running_loop()
                if self._loop is not loop or self._event is None:
                    self._loop, self._event = loop, asyncio.Event()
                event = self._event
                event.clear()
            await event.wait()


@dataclass
class Script:
    """One scripted answer. Rendered in the format of whichever endpoint is called."""

    text: str | Sequence[str] | None = None
    tool_calls: list[ToolCall] = field(default_factory=list)
    error: int | None = None
    error_message: str | None = None
    error_code: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    usage: Usage = field(default_factory=Usage)
    gate: StreamGate | None = None
    args_chunk_size: int = 5
    reasoning: str | None = None
    """A reasoning item's summary, rendered as the first output item (Responses API, as from a reasoning model;
    streamed as one summary part in word-ish deltas); on Chat Completions only with ``reasoning_field``."""
    reasoning_field: str | None = None
    """Chat Completions: the message field ``reasoning`` is sent in (``"reasoning_content"``, DeepSeek's, or
    ``"reasoning"``, OpenRouter's), streamed in word-sized deltas of that field before the text; ``None``: not sent."""
    thinking_blocks: list[dict[str, Any]] | None = None
    """Chat Completions: Anthropic thinking blocks (as LiteLLM passes them on) in the message's ``thinking_blocks``;
    streamed as one ``thinking_blocks`` delta per block before the text."""
    hosted_calls: list[dict[str, Any]] = field(default_factory=list)
    """Hosted tool call output items (``{"type": "web_search_call", "id": ..., "status": ..., "action": ...}``),
    rendered as given after the reasoning item and before the message (Responses API only); any output item the
    model makes goes this way, a ``computer_call`` too."""
    finish_reason: str | None = None
    """Chat Completions' ``finish_reason`` in place of the usual one (``"content_filter"``, ``"length"``)."""
    when: Callable[[dict[str, Any]], bool] | None = None
    """Answer only a request whose JSON body this returns true for (the first such script in the queue answers it);
    ``None``: the next request. For programs making concurrent model calls (an agent and its input guardrail's
    agent, parallel runs), whose arrival order is not fixed."""
    refusal: str | None = None
    """The model refuses with this text: a ``refusal`` part of the message (after its text part, if any) on the
    Responses API, the message's ``refusal`` field on Chat Completions."""
    annotations: list[dict[str, Any]] = field(default_factory=list)
    """The text's annotations in the Responses API's form (``{"type": "url_citation", "start_index", "end_index",
    "url", "title"}``, ``file_citation``, ...): in the text part, streamed as ``response.output_text.annotation.added``
    events after its deltas. On Chat Completions a ``url_citation`` is sent in that API's form (``{"type":
    "url_citation", "url_citation": {...}}``) and any other entry as given (to script shapes a client must skip)."""
    annotations_on: str = "after"
    """Chat Completions streams: where the annotations travel: ``"after"`` one chunk each after the text,
    ``"with_text"`` all on the last text delta, ``"before"`` all on one chunk before any text."""

    def __post_init__(self) -> None:
        if (
            self.error is None
            and self.text is None
            and self.refusal is None
            and not self.tool_calls
            and not self.hosted_calls
            and self.finish_reason is None
            and self.reasoning is None
            and not self.thinking_blocks
        ):
            raise ValueError("a scripted response needs text, refusal, tool_calls, hosted_calls or error")
        if self.args_chunk_size < 1:
            raise ValueError("args_chunk_size must be >= 1")
