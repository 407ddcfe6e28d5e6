"""The events of a Codex turn: one JSON object per line of ``codex exec --experimental-json``.

A turn writes ``thread.started`` (new threads), ``turn.started``, ``item.started`` / ``item.updated`` /
``item.completed`` for each thing Codex does, then ``turn.completed`` (with usage) or ``turn.failed``; ``error`` is a
stream-level failure. An event type this version does not know is kept (``_UnknownThreadEvent``), as in the SDK.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias

from .items import ThreadItem, coerce_thread_item
from .payloads import _DictLike


@dataclass(frozen=True)
class ThreadStartedEvent(_DictLike):
    thread_id: str
    type: Literal["thread.started"] = field(default="thread.started", init=False)


@dataclass(frozen=True)
class TurnStartedEvent(_DictLike):
    type: Literal["turn.started"] = field(default="turn.started", init=False)


@dataclass(frozen=True)
class Usage(_DictLike):
    """Codex's token counts for one turn (the CLI's extra counters are not kept, as in the SDK)."""

    input_tokens: int
    cached_input_tokens: int
    output_tokens: int


@dataclass(frozen=True)
class TurnCompletedEvent(_DictLike):
    usage: Usage | None = None
    type: Literal["turn.completed"] = field(default="turn.completed", init=False)


@dataclass(frozen=True)
class ThreadError(_DictLike):
    message: str


@dataclass(frozen=True)
class TurnFailedEvent(_DictLike):
    error: ThreadError
    type: Literal["turn.failed"] = field(default="turn.failed", init=False)


@dataclass(frozen=True)
class ItemStartedEvent(_DictLike):
    item: ThreadItem
    type: Literal["item.started"] = field(default="item.started", init=False)


@dataclass(frozen=True)
class ItemUpdatedEvent(_DictLike):
    item: ThreadItem
    type: Literal["item.updated"] = field(default="item.updated", init=False)


@dataclass(frozen=True)
class ItemCompletedEvent(_DictLike):
    item: ThreadItem
    type: Literal["item.completed"] = field(default="item.completed", init=False)


@dataclass(frozen=True)
class ThreadErrorEvent(_DictLike):
    message: str
    type: Literal["error"] = field(default="error", init=False)


@dataclass(frozen=True)
class _UnknownThreadEvent(_DictLike):
    type: str
    payload: Mapping[str, Any] = field(default_factory=dict)


ThreadEvent: TypeAlias = (
    ThreadStartedEvent
    | TurnStartedEvent
    | TurnCompletedEvent
    | TurnFailedEvent
    | ItemStartedEvent
    | ItemUpdatedEvent
    | ItemCompletedEvent
    | ThreadErrorEvent
    | _UnknownThreadEvent
)

_ITEM_EVENTS: dict[str, type[ItemStartedEvent | ItemUpdatedEvent | ItemCompletedEvent]] = {
    "item.started": ItemStartedEvent,
    "item.updated": ItemUpdatedEvent,
    "item.completed": ItemCompletedEvent,
}


def coerce_usage(raw: Usage | Mapping[str, Any]) -> Usage:
    if isinstance(raw, Usage):
        return raw
    if not isinstance(raw, Mapping):
        raise TypeError(f"Codex usage must be a mapping, got {type(raw).__name__}")
    return Usage(
        input_tokens=raw["input_tokens"], cached_input_tokens=raw["cached_input_tokens"],
        output_tokens=raw["output_tokens"],
    )


def coerce_thread_event(raw: ThreadEvent | Mapping[str, Any]) -> ThreadEvent:
    """The typed event for one parsed JSONL line (a typed event is returned as it is)."""
    if isinstance(raw, _DictLike):
        return raw
    if not isinstance(raw, Mapping):
        raise TypeError(f"a Codex thread event must be a mapping, got {type(raw).__name__}")
    kind = raw.get("type")
    if kind == "thread.started":
        return ThreadStartedEvent(thread_id=raw["thread_id"])
    if kind == "turn.started":
        return TurnStartedEvent()
    if kind == "turn.completed":
        usage = raw.get("usage")
        return TurnCompletedEvent(usage=coerce_usage(usage) if usage is not None else None)
    if kind == "turn.failed":
        error = raw.get("error")
        if isinstance(error, ThreadError):
            return TurnFailedEvent(error=error)
        if error is not None and not isinstance(error, Mapping):
            raise TypeError(f"a Codex turn.failed error must be a mapping, got {type(error).__name__}")
        return TurnFailedEvent(error=ThreadError(message=(error or {}).get("message", "")))
    if isinstance(kind, str) and kind in _ITEM_EVENTS:
        item = raw.get("item")
        return _ITEM_EVENTS[kind](item=coerce_thread_item(item if item is not None else {"type": "unknown"}))
    if kind == "error":
        return ThreadErrorEvent(message=raw.get("message", ""))
    return _UnknownThreadEvent(type=kind if isinstance(kind, str) else "unknown", payload=dict(raw))
