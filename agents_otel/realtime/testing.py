"""The SDK's ``agents.realtime.testing``: ``ScriptedRealtimeModel``, a realtime transport in memory that expects the
session's sends in a scripted order and answers each with the model events a test chose.

Why a script of sends: a realtime session's behaviour is what it sends the model in answer to what the model said
(a tool output after a function call, a cancel after a tripped guardrail). A step names the send it expects (an
equal event, an event class, or a predicate) and what the model says back; a send the script did not expect is an
``UnexpectedRealtimeSend`` at once (``strict=False``: recorded and left unanswered), a step never reached is an
``UnconsumedRealtimeSteps`` from ``assert_complete()``.

Delivery is ordered: events go to the listeners in the order their sends were made; a send a listener makes while
it handles an event (a synchronous tool call answering the model) is answered after the current delivery, never in
the middle of it. A step's ``error`` is raised to the sender. What is recorded (``sent_events``,
``connect_calls``) is a copy, so a test reads what was sent then, and a connection's URL is kept without
credentials or query.
"""

from __future__ import annotations

import asyncio
import copy
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Required, TypeAlias
from urllib.parse import urlsplit, urlunsplit

from typing_extensions import TypedDict

from .config import RealtimeSessionModelSettings
from .model import ListenerList, RealtimeModel, RealtimeModelConfig, RealtimeModelListener, RealtimePlaybackTracker
from .model_events import RealtimeModelEvent, RealtimeModelExceptionEvent
from .model_inputs import RealtimeModelSendEvent, RealtimeModelSendSessionUpdate


class RealtimeScriptError(Exception):
    """A script that does not fit what happened: used while disconnected, an unexpected send, steps left over."""


class UnexpectedRealtimeSend(RealtimeScriptError):
    def __init__(self, message: str, *, actual: RealtimeModelSendEvent, expected: RealtimeSendMatcher | None) -> None:
        super().__init__(message)
        self.actual = actual
        self.expected = expected
        """The next step's expectation (``None``: the script had no step left)."""


class UnconsumedRealtimeSteps(RealtimeScriptError):
    def __init__(self, message: str, *, remaining_steps: int) -> None:
        super().__init__(message)
        self.remaining_steps = remaining_steps


RealtimeSendMatcher: TypeAlias = (
    RealtimeModelSendEvent | type[RealtimeModelSendEvent] | Callable[[RealtimeModelSendEvent], bool]
)


@dataclass(frozen=True)
class RealtimeStep:
    """The send expected next, and what the model says back (``emit``) or the error the send raises (``error``),
    not both."""

    expect: RealtimeSendMatcher
    emit: Sequence[RealtimeModelEvent] = field(default_factory=tuple)
    error: Exception | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "emit", tuple(self.emit))
        if self.emit and self.error is not None:
            raise ValueError("A RealtimeStep either emits events or raises an error, not both")


class RealtimeConnectCall(TypedDict, total=False):
    """One ``connect``, without its credentials: only whether an API key or headers were given."""

    api_key_provided: Required[bool]
    headers_provided: Required[bool]
    url: str
    initial_model_settings: RealtimeSessionModelSettings
    playback_tracker: RealtimePlaybackTracker
    call_id: str


def _url_without_secrets(url: object) -> str:
    try:
        parts = urlsplit(str(url))
    except ValueError:
        return ""
    return urlunsplit((parts.scheme, parts.netloc.rsplit("@", 1)[-1], parts.path, "", ""))


def _settings_copy(settings: RealtimeSessionModelSettings) -> RealtimeSessionModelSettings:
    """A deep copy, except the tools and handoffs themselves (functions and agents are not data)."""
    copied: Any = copy.deepcopy({k: v for k, v in settings.items() if k not in ("tools", "handoffs")})
    for key in ("tools", "handoffs"):
        if key in settings:
            copied[key] = list(settings[key])
    return copied  # type: ignore[no-any-return]


def _sent_copy(event: RealtimeModelSendEvent) -> RealtimeModelSendEvent:
    if isinstance(event, RealtimeModelSendSessionUpdate):
        return RealtimeModelSendSessionUpdate(session_settings=_settings_copy(event.session_settings))
    return copy.deepcopy(event)


def _event_copy(event: RealtimeModelEvent) -> RealtimeModelEvent:
    if isinstance(event, RealtimeModelExceptionEvent):  # the exception itself, so a test can match it by identity
        return RealtimeModelExceptionEvent(exception=event.exception, context=copy.deepcopy(event.context))
    if getattr(event, "type", None) == "error" and isinstance(getattr(event, "error", None), BaseException):
        return event
    return copy.deepcopy(event)


def _expectation_copy(expect: RealtimeSendMatcher) -> RealtimeSendMatcher:
    return expect if isinstance(expect, type) or callable(expect) else _sent_copy(expect)


def _matches(expect: RealtimeSendMatcher, event: RealtimeModelSendEvent) -> bool:
    if isinstance(expect, type):
        return isinstance(event, expect)
    if callable(expect):
        return bool(expect(_sent_copy(event)))
    return bool(event == expect)


class ScriptedRealtimeModel(ListenerList, RealtimeModel):
    def __init__(
        self,
        steps: Iterable[RealtimeStep] = (),
        *,
        connect_events: Iterable[RealtimeModelEvent] = (),
        connect_error: Exception | None = None,
        close_error: Exception | None = None,
        strict: bool = True,
    ) -> None:
        on_connect = tuple(connect_events)
        if on_connect and connect_error is not None:
            raise ValueError("A ScriptedRealtimeModel either emits connect events or fails to connect, not both")
        self._steps = [RealtimeStep(_expectation_copy(s.expect), [_event_copy(e) for e in s.emit], s.error)
                       for s in steps]
        self._connect_events = tuple(_event_copy(e) for e in on_connect)
        self._connect_error = connect_error
        self._close_error = close_error
        self._strict = strict
        self._listeners: list[RealtimeModelListener] = []
        self._connect_calls: list[RealtimeConnectCall] = []
        self._sent: list[RealtimeModelSendEvent] = []
        self._lock = asyncio.Lock()
        self._delivering: asyncio.Task[Any] | None = None
        self._later: deque[tuple[tuple[RealtimeModelEvent, ...], Exception | None]] = deque()
        self.connected = False
        self.closed = False
        self.close_calls = 0

    @property
    def listeners(self) -> tuple[RealtimeModelListener, ...]:
        return tuple(self._listeners)

    @property
    def connect_calls(self) -> tuple[RealtimeConnectCall, ...]:
        return tuple(copy.copy(call) for call in self._connect_calls)

    @property
    def sent_events(self) -> tuple[RealtimeModelSendEvent, ...]:
        return tuple(_sent_copy(event) for event in self._sent)

    @property
    def remaining_steps(self) -> int:
        return len(self._steps)

    async def connect(self, options: RealtimeModelConfig) -> None:
        if self.connected or self._delivering is not None:
            raise RealtimeScriptError("ScriptedRealtimeModel is already connected")
        call: RealtimeConnectCall = {"api_key_provided": "api_key" in options,
                                     "headers_provided": "headers" in options}
        if "url" in options:
            call["url"] = _url_without_secrets(options["url"])
        if "initial_model_settings" in options:
            call["initial_model_settings"] = _settings_copy(options["initial_model_settings"])
        if "playback_tracker" in options:
            call["playback_tracker"] = options["playback_tracker"]
        if "call_id" in options:
            call["call_id"] = options["call_id"]
        self._connect_calls.append(call)
        if self._connect_error is not None:
            raise self._connect_error
        self.connected, self.closed = True, False
        try:
            await self._deliver(self._connect_events, None)
        except BaseException:
            self.connected, self.closed = False, True
            raise

    async def send_event(self, event: RealtimeModelSendEvent) -> None:
        await self._deliver(*self._commit(event))

    async def send_event_if(self, event: RealtimeModelSendEvent, send_if: Callable[[], bool]) -> bool:
        """Send only if ``send_if()`` holds when the send is made (nothing runs between the check and the send)."""
        self._require_connection("send")
        if not send_if():
            return False
        await self._deliver(*self._commit(event))
        return True

    async def emit(self, *events: RealtimeModelEvent) -> None:
        """The model says ``events`` unprompted (a server event not answering a send)."""
        self._require_connection("emit events")
        await self._deliver(tuple(_event_copy(e) for e in events), None)

    async def close(self) -> None:
        self.close_calls += 1
        if self.closed:
            return
        self.connected, self.closed = False, True
        if self._close_error is not None:
            raise self._close_error

    def assert_complete(self) -> None:
        if self._steps:
            raise UnconsumedRealtimeSteps(
                f"{len(self._steps)} scripted realtime step(s) were never sent", remaining_steps=len(self._steps)
            )

    def _require_connection(self, what: str) -> None:
        if not self.connected or self.closed:
            raise RealtimeScriptError(f"ScriptedRealtimeModel cannot {what} while disconnected")

    def _commit(self, event: RealtimeModelSendEvent) -> tuple[tuple[RealtimeModelEvent, ...], Exception | None]:
        """Match the send against the next step and record it, with no await: sends commit in the order made."""
        self._require_connection("send")
        sent = _sent_copy(event)
        step = self._steps[0] if self._steps else None
        if step is None or not _matches(step.expect, event):
            if self._strict:
                why = "no scripted step is left" if step is None else "it does not match the next scripted step"
                raise UnexpectedRealtimeSend(f"Unexpected realtime send ({type(event).__name__}): {why}",
                                             actual=sent, expected=None if step is None else step.expect)
            self._sent.append(sent)
            return (), None
        self._steps.pop(0)
        self._sent.append(sent)
        return tuple(step.emit), step.error

    async def _deliver(self, events: tuple[RealtimeModelEvent, ...], error: Exception | None) -> None:
        if self._delivering is not None and self._delivering is asyncio.current_task():
            self._later.append((events, error))  # a listener's own send: answered after this delivery
            return
        closes = self.close_calls
        async with self._lock:
            self._delivering = asyncio.current_task()
            self._later.append((events, error))
            failure: BaseException | None = None
            try:
                while self._later:
                    batch, raised = self._later.popleft()
                    if failure is not None:
                        continue
                    try:
                        if raised is not None:
                            raise raised
                        await self._broadcast(batch, closes)
                    except Exception as exc:
                        failure = exc
            finally:
                self._later.clear()
                self._delivering = None
        if failure is not None:
            raise failure

    async def _broadcast(self, events: tuple[RealtimeModelEvent, ...], closes: int) -> None:
        for event in events:
            for listener in list(self._listeners):
                if self.closed or self.close_calls != closes:
                    return
                await listener.on_event(event)


__all__ = [
    "RealtimeConnectCall",
    "RealtimeScriptError",
    "RealtimeSendMatcher",
    "RealtimeStep",
    "ScriptedRealtimeModel",
    "UnconsumedRealtimeSteps",
    "UnexpectedRealtimeSend",
]
