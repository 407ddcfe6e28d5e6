"""The AI SDK's chat request (``DefaultChatTransport``: ``{id, messages, trigger, messageId?, ...}``) as the
conversation a run continues.

Open models: the request and each UI message may carry more than we read (a transport's ``body`` option adds
fields, messages carry ``metadata``), so only the shapes we rely on are checked. Parts become conversation items
in order: text; a tool part (``tool-{name}`` or ``dynamic-tool``) with a result becomes the call and its output.
Parts that are UI state rather than conversation (``step-start``, ``reasoning``, ``data-*`` such as our own
``data-tool-progress``, sources) are skipped, as are tool calls that never got a result (an aborted run; the
model requires every call it sees to be answered) and calls an agent used as a tool made (``toolMetadata``
``parentToolCallId``: the outer model only saw the outer call's result). ``system`` messages and files are
refused with a clear error, not dropped. A call whose approval was denied (``output-denied``) is the call and
the rejection the model read (the approval's ``reason``, or the default rejection text).

A request whose last message is the assistant's, with tool parts in state ``approval-responded``, answers the
tool approvals a paused run asked for (:func:`approval_responses`): it resumes that run rather than starting one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..items import AssistantMessage, ConversationItem, FunctionCall, FunctionCallOutput, UserMessage
from ..tool_approvals import DEFAULT_REJECTION_MESSAGE
from .errors import InvalidRunInputError
from .paused_runs import Decision
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


@dataclass(frozen=True)
class ApprovalResponses:
    """The answers a chat request carries to a paused run's ``tool-approval-request`` chunks."""

    decisions: list[Decision]
    message_id: str
    """The assistant message answered: the resumed run streams into it."""
    paused_run_id: str | None
    """The message's ``metadata.agentsOtelRunId`` (the run that asked), else ``None``: the chat's last paused run."""


def approval_responses(request: ChatRequest) -> ApprovalResponses | None:
    """The decisions in the last message's ``approval-responded`` tool parts (``approval: {id, approved,
    reason?}``; the approval id is the call id), or ``None`` when the request does not answer approvals. A
    rejection's ``reason`` is what the model reads instead of the tool's output. An approval's is dropped, on
    purpose: the AI SDK's own ``streamText`` runs an approved tool without it (approval responses reach the model
    only for provider-executed tools) and the OpenAI Agents SDK's ``approve()`` takes none (docs/ui-protocols.md)."""
    last = request.messages[-1]
    if last.role != "assistant":
        return None
    decisions: list[Decision] = []
    for number, part in enumerate(last.parts):
        if part.get("state") != "approval-responded":
            continue
        approval = part.get("approval")
        where = f"messages[{len(request.messages) - 1}].parts[{number}].approval"
        if not isinstance(approval, dict):
            raise InvalidRunInputError(f"{where}: an approval-responded part needs its 'approval' object")
        approval_id, approved, reason = approval.get("id"), approval.get("approved"), approval.get("reason")
        if not isinstance(approval_id, str) or not isinstance(approved, bool):
            raise InvalidRunInputError(f"{where}: needs a string 'id' and a boolean 'approved'")
        if reason is not None and not isinstance(reason, str):
            raise InvalidRunInputError(f"{where}: 'reason' must be a string")
        decisions.append(Decision(approval_id, approved, None if approved else reason))
    if not decisions:
        return None
    metadata = last.model_extra.get("metadata") if last.model_extra else None
    named = metadata.get("agentsOtelRunId") if isinstance(metadata, dict) else None
    return ApprovalResponses(decisions, last.id, named if isinstance(named, str) else None)


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
    elif state == "output-denied":
        approval = part.get("approval")
        reason = approval.get("reason") if isinstance(approval, dict) else None
        output = reason if isinstance(reason, str) else DEFAULT_REJECTION_MESSAGE
    else:
        return []  # never answered: see the module docstring
    arguments = json.dumps(part.get("input", {}), ensure_ascii=False)
    text = output if isinstance(output, str) else json.dumps(output, ensure_ascii=False)
    return [FunctionCall(name, arguments, call_id), FunctionCallOutput(call_id, text)]
