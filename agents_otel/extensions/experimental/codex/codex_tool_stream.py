"""A Codex tool call's turn, read event by event: each item event becomes one progress record on the tool's span
(``ToolContext.send_progress``), so the trace and the run's stream show Codex's commands, edits and messages as they
happen; the final message, usage and thread id are what the call returns.

Where the SDK opens a custom span per command, this runtime records progress on the tool call's own
``execute_tool`` span: one mechanism for every tool, no span data rewritten after the fact. ``span_data_max_chars``
bounds each string in a record (a command's output can be megabytes).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ....exceptions import UserError
from ....tool_context import ToolContext
from .events import (
    ItemCompletedEvent,
    ItemStartedEvent,
    ItemUpdatedEvent,
    ThreadErrorEvent,
    ThreadEvent,
    ThreadStartedEvent,
    TurnCompletedEvent,
    TurnFailedEvent,
    Usage,
    coerce_thread_event,
)
from .items import is_agent_message_item
from .payloads import _DictLike
from .thread import Thread

logger = logging.getLogger("agents_otel")


@dataclass(frozen=True)
class CodexToolStreamEvent(_DictLike):
    """What ``codex_tool(on_stream=...)`` receives for every event of the turn."""

    event: ThreadEvent
    thread: Thread
    tool_call: Any
    """The model's function call this Codex turn answers."""


StreamHandler = Callable[[CodexToolStreamEvent], Awaitable[None] | None]


@dataclass
class TurnOutcome:
    """Filled in as the turn goes, so a failed or cancelled call still knows the thread id Codex reported."""

    thread_id: str | None
    response: str = ""
    usage: Usage | None = None


def progress_record(event: ItemStartedEvent | ItemUpdatedEvent | ItemCompletedEvent, thread_id: str | None,
                    max_chars: int | None) -> dict[str, Any]:
    """The progress payload for one item event: ``{"type": "item.completed", "thread_id": ..., "item": {...}}``, the
    item as the CLI wrote it with each string cut to ``max_chars``."""
    return {"type": event.type, "thread_id": thread_id, "item": truncate(event.item.as_dict(), max_chars)}


def truncate(value: Any, max_chars: int | None) -> Any:
    if max_chars is None:
        return value
    if isinstance(value, str):
        return truncate_string(value, max_chars)
    if isinstance(value, Mapping):
        return {key: truncate(entry, max_chars) for key, entry in value.items()}
    if isinstance(value, list | tuple):
        return [truncate(entry, max_chars) for entry in value]
    return value


def truncate_string(value: str, max_chars: int) -> str:
    if max_chars <= 0:
        return ""
    if len(value) <= max_chars:
        return value
    suffix = f"... [truncated, {len(value)} chars]"
    keep = max_chars - len(suffix)
    return value[:keep] + suffix if keep > 0 else value[:max_chars]


async def consume_events(
    events: AsyncIterator[ThreadEvent | Mapping[str, Any]],
    ctx: ToolContext[Any],
    thread: Thread,
    on_stream: StreamHandler | None,
    max_chars: int | None,
    outcome: TurnOutcome,
) -> None:
    """Read the turn to its end. A failed turn or stream error is a ``UserError`` (the tool's
    ``failure_error_function`` words it for the model); ``on_stream`` callbacks run in order on a task of their own,
    so a slow one never holds the CLI's output, and those already queued still run when the turn fails."""
    dispatcher = _Dispatcher(on_stream) if on_stream is not None else None
    if outcome.thread_id is None:
        outcome.thread_id = thread.id
    try:
        try:
            async for raw in events:
                _on_event(coerce_thread_event(raw), ctx, thread, dispatcher, max_chars, outcome)
        finally:
            close = getattr(events, "aclose", None)
            if close is not None:
                await close()  # stops (kills) the CLI when the turn ended early
    except asyncio.CancelledError:
        if dispatcher is not None:
            dispatcher.cancel()
        raise
    finally:
        if dispatcher is not None and not dispatcher.cancelled:
            await dispatcher.drain()


def _on_event(
    event: ThreadEvent,
    ctx: ToolContext[Any],
    thread: Thread,
    dispatcher: _Dispatcher | None,
    max_chars: int | None,
    outcome: TurnOutcome,
) -> None:
    if dispatcher is not None:
        dispatcher.put(CodexToolStreamEvent(event=event, thread=thread, tool_call=ctx.tool_call))
    if isinstance(event, ItemStartedEvent | ItemUpdatedEvent | ItemCompletedEvent):
        ctx.send_progress(progress_record(event, outcome.thread_id, max_chars))
        if isinstance(event, ItemCompletedEvent) and is_agent_message_item(event.item):
            outcome.response = event.item.text
    elif isinstance(event, ThreadStartedEvent):
        outcome.thread_id = event.thread_id
    elif isinstance(event, TurnCompletedEvent):
        outcome.usage = event.usage
    elif isinstance(event, TurnFailedEvent):
        message = event.error.message
        raise UserError(f"Codex turn failed{': ' + message if message else ''}")
    elif isinstance(event, ThreadErrorEvent):
        raise UserError(f"Codex stream error: {event.message}")


class _Dispatcher:
    """Runs ``on_stream`` for each queued event, in order; a callback's exception is logged, never the run's."""

    def __init__(self, handler: StreamHandler) -> None:
        self._handler = handler
        self._queue: asyncio.Queue[CodexToolStreamEvent | None] = asyncio.Queue()
        self._task = asyncio.create_task(self._run())
        self.cancelled = False

    def put(self, event: CodexToolStreamEvent) -> None:
        self._queue.put_nowait(event)

    async def drain(self) -> None:
        self._queue.put_nowait(None)
        await self._task

    def cancel(self) -> None:
        self.cancelled = True
        self._task.cancel()

    async def _run(self) -> None:
        while (event := await self._queue.get()) is not None:
            try:
                result = self._handler(event)
                if inspect.isawaitable(result):
                    await result
            except Exception:
                logger.exception("Error while handling a Codex on_stream event")

