"""Conversation content in the GenAI conventions' JSON shapes, for opt-in content capture only.

``gen_ai.input.messages`` / ``gen_ai.output.messages`` follow the published schemas
(semantic-conventions-genai ``model/gen-ai/gen-ai-input-messages.json`` and ``gen-ai-output-messages.json``;
``tests/test_trace_conventions.py`` validates against them): lists of ``{"role", "parts": [...]}`` where a part is
``{"type": "text", "content"}``, ``{"type": "tool_call", "id", "name", "arguments"}``,
``{"type": "tool_call_response", "id", "response"}`` or, for a hosted tool's call that the provider ran (web
search, ...), ``{"type": "server_tool_call", "id", "name", "server_tool_call"}``. A model's refusal is the schema's
``GenericPart`` ``{"type": "refusal", "content"}``: the conventions have no part of their own for it, and as a text
part it would read as the answer. Tool-call ``arguments`` are the
decoded JSON object the model sent (the schema's ``arguments`` is any value, and a string holding JSON nested in
JSON helps nobody); arguments that are not valid JSON stay the string the model sent. Output messages carry no
``finish_reason``: the newest schema deprecates it in favour of ``gen_ai.response.finish_reasons``, whose values
:func:`finish_reason_of` maps onto the schema's ``FinishReason`` vocabulary.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, Final

import pydantic_core

from ..hosted_tools import hosted_tool_name
from ..items import AssistantMessage, ConversationItem, FunctionCall, FunctionCallOutput, SystemMessage, UserMessage
from ..models.interface import ToolSpec

FINISH_REASONS: Final = ("stop", "length", "content_filter", "tool_call", "compaction", "error")
"""The schema's ``FinishReason`` values (gen-ai-output-messages.json)."""
_PROVIDER_FINISH_REASONS: Final = {
    "tool_calls": "tool_call",  # OpenAI Chat Completions
    "function_call": "tool_call",  # its deprecated predecessor
    "max_tokens": "length",
    "max_output_tokens": "length",  # OpenAI Responses incomplete_details.reason
}


def finish_reason_of(provider_reason: str) -> str:
    """A provider's finish reason in the conventions' vocabulary (unknown reasons pass through unchanged)."""
    return _PROVIDER_FINISH_REASONS.get(provider_reason, provider_reason)


def _arguments(raw: str) -> Any:
    try:
        return json.loads(raw) if raw else {}
    except ValueError:
        return raw


def _part(item: ConversationItem) -> tuple[str, list[dict[str, Any]]]:
    if isinstance(item, UserMessage):
        return "user", _content_parts(item.content)
    if isinstance(item, SystemMessage):
        return item.role, _content_parts(item.content)
    if isinstance(item, AssistantMessage):
        if not item.refusal:
            return "assistant", [{"type": "text", "content": item.content}]
        parts = [{"type": "text", "content": item.content}] if item.content else []
        return "assistant", [*parts, {"type": "refusal", "content": item.refusal}]
    if isinstance(item, FunctionCall):
        part = {"type": "tool_call", "id": item.call_id, "name": item.name, "arguments": _arguments(item.arguments)}
        return "assistant", [part]
    if isinstance(item, FunctionCallOutput):
        output = item.output  # a structured output's parts as the other messages' parts (no inline data)
        response = output if isinstance(output, str) else _content_parts(output)
        return "tool", [{"type": "tool_call_response", "id": item.call_id, "response": response}]
    name = hosted_tool_name(item.data)
    if name is not None:
        return "assistant", [_server_tool_call(name, item.data)]
    kind, call_id = item.data.get("type"), item.data.get("call_id")
    if kind == "computer_call":  # run by this process, as a function call is (its actions are the arguments)
        actions = item.data.get("actions") or [item.data.get("action")]
        return "assistant", [{"type": "tool_call", "id": call_id, "name": "computer", "arguments": actions}]
    if kind == "computer_call_output":  # the screenshot is inline image data: not copied into the trace
        return "tool", [{"type": "tool_call_response", "id": call_id, "response": "[screenshot]"}]
    # An item passed through untouched: a generic part named by its type, so the trace shows it was sent.
    role = item.data.get("role")
    return (role if isinstance(role, str) else "assistant"), [{"type": str(item.data.get("type", "unknown"))}]


_INLINE_DATA = frozenset(("result",))
"""Fields of a hosted call not copied into the trace: an image generation's ``result`` is the image, base64."""


def _server_tool_call(name: str, data: dict[str, Any]) -> dict[str, Any]:
    """A hosted tool's call as the schema's ``ServerToolCallPart``: the provider ran it, and ``server_tool_call``
    holds the Responses API item (its query, code, results) without inline image data."""
    details = {k: v for k, v in data.items() if k not in _INLINE_DATA and k != "id"}
    part: dict[str, Any] = {"type": "server_tool_call", "name": name, "server_tool_call": details}
    if isinstance(data.get("id"), str):
        part["id"] = data["id"]
    return part


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


def messages_json(items: Iterable[ConversationItem]) -> str:
    """Consecutive items of one role become the parts of one message (tool results stay one message each)."""
    messages: list[dict[str, Any]] = []
    for item in items:
        role, parts = _part(item)
        if messages and messages[-1]["role"] == role and role != "tool":
            messages[-1]["parts"].extend(parts)
        else:
            messages.append({"role": role, "parts": parts})
    return pydantic_core.to_json(messages).decode()


def system_instructions_json(instructions: str) -> str:
    return pydantic_core.to_json([{"type": "text", "content": instructions}]).decode()


def tool_definitions_json(tools: Iterable[ToolSpec]) -> str:
    return pydantic_core.to_json(
        [{"type": "function", "name": t.name, "description": t.description, "parameters": t.parameters} for t in tools]
    ).decode()


__all__ = ["FINISH_REASONS", "finish_reason_of", "messages_json", "system_instructions_json", "tool_definitions_json"]
