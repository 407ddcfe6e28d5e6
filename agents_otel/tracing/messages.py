"""Conversation content in the GenAI conventions' JSON shapes, for opt-in content capture only.

``gen_ai.input.messages`` / ``gen_ai.output.messages`` are lists of ``{"role", "parts": [...]}`` where a part is
``{"type": "text", "content"}``, ``{"type": "tool_call", "id", "name", "arguments"}`` or
``{"type": "tool_call_response", "id", "response"}``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pydantic_core

from ..items import AssistantMessage, ConversationItem, FunctionCall, UserMessage
from ..models.interface import ToolSpec


def _part(item: ConversationItem) -> tuple[str, dict[str, Any]]:
    if isinstance(item, UserMessage):
        return "user", {"type": "text", "content": item.content}
    if isinstance(item, AssistantMessage):
        return "assistant", {"type": "text", "content": item.content}
    if isinstance(item, FunctionCall):
        return "assistant", {
            "type": "tool_call",
            "id": item.call_id,
            "name": item.name,
            "arguments": item.arguments,
        }
    return "tool", {"type": "tool_call_response", "id": item.call_id, "response": item.output}


def messages_json(items: Iterable[ConversationItem], finish_reason: str | None = None) -> str:
    messages: list[dict[str, Any]] = []
    for item in items:
        role, part = _part(item)
        if messages and messages[-1]["role"] == role and role != "tool":
            messages[-1]["parts"].append(part)
        else:
            messages.append({"role": role, "parts": [part]})
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
