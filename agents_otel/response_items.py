"""Conversation items as the OpenAI Responses API's input-item dicts, the format the SDK stores in sessions.

Sessions keep plain JSON so a history written by one process (or by the SDK) is read by another. ``to_response_items``
writes the SDK's shapes: ``{"role": "user", "content": ...}``, an assistant ``message`` with ``output_text``
content, ``function_call`` and ``function_call_output``. ``from_response_items`` reads those back, and also
``{"role": "assistant", "content": "..."}`` and content-part lists; any other item type is a ``UserError``, never
silently dropped.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .exceptions import UserError
from .items import AssistantMessage, ConversationItem, FunctionCall, FunctionCallOutput, UserMessage


def to_response_item(item: ConversationItem) -> dict[str, Any]:
    if isinstance(item, UserMessage):
        return {"role": "user", "content": item.content}
    if isinstance(item, AssistantMessage):
        return {
            "type": "message",
            "role": "assistant",
            "status": "completed",
            "content": [{"type": "output_text", "text": item.content, "annotations": []}],
        }
    if isinstance(item, FunctionCall):
        return {"type": "function_call", "call_id": item.call_id, "name": item.name, "arguments": item.arguments}
    if isinstance(item, FunctionCallOutput):
        return {"type": "function_call_output", "call_id": item.call_id, "output": item.output}
    if isinstance(item, dict):
        return item
    raise UserError(f"Not a conversation item: {item!r}")


def to_response_items(items: Iterable[ConversationItem]) -> list[dict[str, Any]]:
    return [to_response_item(i) for i in items]


def from_response_item(item: Any) -> ConversationItem:
    if not isinstance(item, dict):
        if isinstance(item, UserMessage | AssistantMessage | FunctionCall | FunctionCallOutput):
            return item
        raise UserError(f"Not an input item: {item!r}")
    kind = item.get("type")
    if kind == "function_call":
        return FunctionCall(item["name"], item.get("arguments") or "", item["call_id"])
    if kind == "function_call_output":
        output = item.get("output")
        return FunctionCallOutput(item["call_id"], output if isinstance(output, str) else _text(output))
    role = item.get("role")
    if kind in (None, "message") and role == "user":
        return UserMessage(_text(item.get("content")))
    if kind in (None, "message") and role == "assistant":
        return AssistantMessage(_text(item.get("content")))
    raise UserError(f"Input item of type {kind or role!r} is not supported here: {item!r}")


def from_response_items(items: Iterable[Any]) -> list[ConversationItem]:
    return [from_response_item(i) for i in items]


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return "" if content is None else str(content)
