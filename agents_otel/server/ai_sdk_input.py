"""The AI SDK's chat request (``DefaultChatTransport``: ``{id, messages, trigger, messageId?, ...}``) as the
conversation a run continues.

Open models: the request and each UI message may carry more than we read (a transport's ``body`` option adds
fields, messages carry ``metadata``), so only the shapes we rely on are checked. Parts become conversation items
in order: text; a tool part (``tool-{name}`` or ``dynamic-tool``) with a result becomes the call and its output.
Parts that are UI state rather than conversation (``step-start``, ``reasoning``, ``data-*`` such as our own
``data-tool-progress``, sources) are skipped, as are tool calls that never got a result (an aborted run; the
model requires every call it sees to be answered) and calls an agent used as a tool made (``toolMetadata``
``parentToolCallId``: the outer model only saw the outer call's result). ``system`` messages and files are
refused with a clear error, not dropped.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..items import AssistantMessage, ConversationItem, FunctionCall, FunctionCallOutput, UserMessage
from .errors import InvalidRunInputError
from .request_json import parse_body

_SKIPPED_PARTS = frozenset({"step-start", "reasoning", "source-url", "source-document"})


class UIMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str = ""
    role: Literal["system", "user", "assistant"]
    parts: list[dict[str, Any]] = Field(default_factory=list)


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str = Field(min_length=1)
    messages: list[UIMessage] = Field(min_length=1)
    trigger: str | None = None


def parse_chat_request(raw: bytes) -> ChatRequest:
    return parse_body(
        ChatRequest,
        raw,
        not_json="the body must be an AI SDK chat request (JSON)",
        invalid="not an AI SDK chat request: ",
    )


def conversation(request: ChatRequest) -> list[ConversationItem]:
    items: list[ConversationItem] = []
    for index, message in enumerate(request.messages):
        where = f"messages[{index}]"
        if message.role == "system":
            raise InvalidRunInputError(
                f"{where}: system messages are not supported; the agent's instructions are its system prompt"
            )
        for number, part in enumerate(message.parts):
            items.extend(_part_items(message.role, part, f"{where}.parts[{number}]"))
    if not any(isinstance(item, UserMessage | FunctionCallOutput) for item in items):
        raise InvalidRunInputError("messages: the conversation has no user message to answer")
    return items


def _part_items(role: str, part: dict[str, Any], where: str) -> list[ConversationItem]:
    kind = part.get("type")
    if not isinstance(kind, str):
        raise InvalidRunInputError(f"{where}: a part needs a string 'type'")
    if kind in _SKIPPED_PARTS or kind.startswith("data-"):
        return []
    if kind == "text":
        text = part.get("text")
        if not isinstance(text, str):
            raise InvalidRunInputError(f"{where}: a text part needs a string 'text'")
        return [UserMessage(text) if role == "user" else AssistantMessage(text)]
    if role == "assistant" and (kind.startswith("tool-") or kind == "dynamic-tool"):
        return _tool_items(kind, part, where)
    raise InvalidRunInputError(f"{where}: {kind!r} parts are not supported in {role} messages")


def _tool_items(kind: str, part: dict[str, Any], where: str) -> list[ConversationItem]:
    name = part.get("toolName") if kind == "dynamic-tool" else kind.removeprefix("tool-")
    call_id = part.get("toolCallId")
    if not isinstance(name, str) or not isinstance(call_id, str):
        raise InvalidRunInputError(f"{where}: a tool part needs 'toolCallId' (and 'toolName' when dynamic)")
    metadata = part.get("toolMetadata")
    if isinstance(metadata, dict) and metadata.get("parentToolCallId") is not None:
        return []  # made by an agent used as a tool: the outer model only saw the outer call's result
    state = part.get("state")
    if state == "output-available":
        output = part.get("output")
    elif state == "output-error":
        output = part.get("errorText", "")
    else:
        return []  # never answered: see the module docstring
    arguments = json.dumps(part.get("input", {}), ensure_ascii=False)
    text = output if isinstance(output, str) else json.dumps(output, ensure_ascii=False)
    return [FunctionCall(name, arguments, call_id), FunctionCallOutput(call_id, text)]
