"""Conversation content in the GenAI conventions' JSON shapes, for opt-in content capture only.

``gen_ai.input.messages`` / ``gen_ai.output.messages`` are lists of ``{"role", "parts": [...]}`` where a part is
``{"type": "text", "content"}``, ``{"type": "tool_call", "id", "name", "arguments"}`` or
``{"type": "tool_call_response", "id", "response"}``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pydantic_core

from ..items import AssistantMessage, ConversationItem, FunctionCall, FunctionCallOutput, SystemMessage, UserMessage
from ..models.interface import ToolSpec


def _part(item: ConversationItem) -> tuple[str, list[dict[str, Any]]]:
    if isinstance(item, UserMessage):
        return "user", _content_parts(item.content)
    if isinstance(item, SystemMessage):
        return item.role, _content_parts(item.content)
    if isinstance(item, AssistantMessage):
        return "assistant", [{"type": "text", "content": item.content}]
    if isinstance(item, FunctionCall):
        return "assistant", [{"type": "tool_call", "id": item.call_id, "name": item.name, "arguments": item.arguments}]
    if isinstance(item, FunctionCallOutput):
        return "tool", [{"type": "tool_call_response", "id": item.call_id, "response": item.output}]
    # An item passed through untouched: a generic part named by its type, so the trace shows it was sent.
    role = item.data.get("role")
    return (role if isinstance(role, str) else "assistant"), [{"type": str(item.data.get("type", "unknown"))}]


def _content_parts(content: str | list[dict[str, Any]]) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [{"type": "text", "content": content}]
    parts: list[dict[str, Any]] = []
    for part in content:
        kind = part.get("type")
        if kind in ("input_text", "text"):
            parts.append({"type": "text", "content": part.get("text", "")})
        elif kind == "input_image" and isinstance(part.get("image_url"), str) and part["image_url"].startswith("http"):
            parts.append({"type": "uri", "modality": "image", "uri": part["image_url"]})
        else:  # inline data and file ids are not copied into the trace; the part's kind is
            parts.append({"type": str(kind)})
    return parts


def messages_json(items: Iterable[ConversationItem], finish_reason: str | None = None) -> str:
    messages: list[dict[str, Any]] = []
    for item in items:
        role, parts = _part(item)
        if messages and messages[-1]["role"] == role and role != "tool":
            messages[-1]["parts"].extend(parts)
        else:
            messages.append({"role": role, "parts": parts})
    if finish_reason is not None:
        for message in messages:
            message["finish_reason"] = finish_reason
    return pydantic_core.to_json(messages).decode()


def system_instructions_json(instructions: str) -> str:
    return pydantic_core.to_json([{"type": "text", "content": instructions}]).decode()


def tool_definitions_json(tools: Iterable[ToolSpec]) -> str:
    return pydantic_core.to_json(
        [{"type": "function", "name": t.name, "description": t.description, "parameters": t.parameters} for t in tools]
    ).decode()


__all__ = ["messages_json", "system_instructions_json", "tool_definitions_json"]
