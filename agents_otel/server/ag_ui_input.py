"""An AG-UI ``RunAgentInput`` as the conversation a run continues.

The input is parsed by the official ``ag-ui-protocol`` models, which keep fields they do not know: any valid
``RunAgentInput`` is accepted (``protocolVersion``, ``parentRunId``, ``state``, ``forwardedProps`` are read by
nobody here), except one with ``resume`` entries: answering a run's interrupts here is not supported yet, and
ignoring the answers would run as if nobody had decided (``POST /runs/{id}/resume`` resumes it). Messages become
conversation items in order: user and assistant text, the assistant's tool calls and the tool results, so a
client resending its history continues the same conversation.

Messages attributed to a subagent (``subagentRunId``: the calls an agent used as a tool made, which we stream
for the UI) are skipped too: the outer model never saw them, only the outer call's result.
``activity`` and ``reasoning`` messages are UI state a client keeps and resends (they are not conversation content,
and our own progress is never sent back to the model), so they are skipped. ``system`` and ``developer`` messages
are refused: the agent's instructions are its system prompt, and silently dropping a client's would change what
the model is told without anyone noticing.
"""

from __future__ import annotations

from typing import Any

from ag_ui.core import AssistantMessage as AgUiAssistantMessage
from ag_ui.core import RunAgentInput, ToolMessage
from ag_ui.core import UserMessage as AgUiUserMessage

from ..items import AssistantMessage, ConversationItem, FunctionCall, FunctionCallOutput, UserMessage
from .errors import InvalidRunInputError
from .request_json import parse_body

_SKIPPED_ROLES = frozenset({"activity", "reasoning"})


def parse_run_input(raw: bytes) -> RunAgentInput:
    return parse_body(
        RunAgentInput,
        raw,
        not_json="the body must be an AG-UI RunAgentInput (JSON)",
        invalid="not a valid AG-UI RunAgentInput: ",
    )


def conversation(run_input: RunAgentInput) -> list[ConversationItem]:
    """The conversation to run; it must end with something for the model to answer."""
    if run_input.resume:
        raise InvalidRunInputError(
            "resume: answering interrupts on /ag-ui is not supported yet; resume the interrupted run with "
            "POST /runs/{id}/resume (its id is RUN_STARTED's metadata.agentsOtelRunId)",
            fields=[{"loc": ["resume"], "type": "unsupported", "message": "resume entries are not supported"}],
        )
    items: list[ConversationItem] = []
    for index, message in enumerate(run_input.messages):
        where = f"messages[{index}]"
        if getattr(message, "subagent_run_id", None) is not None:
            continue  # a subagent's own work (an agent used as a tool): never part of this agent's conversation
        if isinstance(message, AgUiUserMessage):
            items.append(UserMessage(_text(message.content, where)))
        elif isinstance(message, AgUiAssistantMessage):
            if message.content:
                items.append(AssistantMessage(message.content))
            for call in message.tool_calls or []:
                items.append(FunctionCall(call.function.name, call.function.arguments, call.id))
        elif isinstance(message, ToolMessage):
            items.append(FunctionCallOutput(message.tool_call_id, _text(message.content, where)))
        elif message.role not in _SKIPPED_ROLES:
            raise InvalidRunInputError(
                f"{where}: {message.role!r} messages are not supported; the agent's instructions are its system prompt",
                fields=[{"loc": ["messages", index, "role"], "type": "unsupported_role", "message": message.role}],
            )
    if not any(isinstance(item, UserMessage | FunctionCallOutput) for item in items):
        raise InvalidRunInputError("messages: the conversation has no user message to answer")
    return items


def _text(content: Any, where: str) -> str:
    """Message content as text: a string, or a list of parts of which only text parts are supported."""
    if isinstance(content, str):
        return content
    texts: list[str] = []
    for part in content or []:
        if getattr(part, "type", None) != "text":
            raise InvalidRunInputError(
                f"{where}: only text content is supported, got a {getattr(part, 'type', type(part).__name__)!r} part"
            )
        texts.append(part.text)
    return "".join(texts)
