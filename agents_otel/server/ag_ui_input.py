"""An AG-UI ``RunAgentInput`` as the conversation a run continues.

The input is parsed by the official ``ag-ui-protocol`` models, which keep fields they do not know: any valid
``RunAgentInput`` is accepted (``protocolVersion``, ``parentRunId``, ``state``, ``forwardedProps`` are read by
nobody here, but for ``forwardedProps.agentsOtelRunId`` on a resume). Messages become conversation items in order:
user and assistant text, the assistant's tool calls and the tool results, so a client resending its history
continues the same conversation.

An input with ``resume`` entries answers the interrupts a run stopped for tool approvals ended with
(``RUN_FINISHED``'s interrupt outcome, one ``Interrupt`` per waiting call whose ``id`` is the call id): see
:func:`decisions`. Its messages are then not read: the paused run's state holds the conversation.

Messages attributed to a subagent (``subagentRunId``: the calls an agent used as a tool made, which we stream
for the UI) are skipped too: the outer model never saw them, only the outer call's result.
A message's ``metadata`` (where our stream put an assistant message's annotations) is not read: the model reads
the text, as from any client's history. ``activity`` and ``reasoning`` messages are UI state a client keeps and
resends (they are not conversation content, and our own progress is never sent back to the model), so they are
skipped. ``system`` and ``developer`` messages are refused: the agent's instructions are its system prompt, and
silently dropping a client's would change what the model is told without anyone noticing.
"""

from __future__ import annotations

from typing import Any

from ag_ui.core import AssistantMessage as AgUiAssistantMessage
from ag_ui.core import ResumeEntry, RunAgentInput, ToolMessage
from ag_ui.core import UserMessage as AgUiUserMessage

from ..items import AssistantMessage, ConversationItem, FunctionCall, FunctionCallOutput, UserMessage
from .errors import InvalidRunInputError
from .paused_runs import Decision
from .request_json import parse_body

_SKIPPED_ROLES = frozenset({"activity", "reasoning"})
_PAYLOAD_KEYS = frozenset({"approved", "message", "always"})


def parse_run_input(raw: bytes) -> RunAgentInput:
    return parse_body(
        RunAgentInput,
        raw,
        not_json="the body must be an AG-UI RunAgentInput (JSON)",
        invalid="not a valid AG-UI RunAgentInput: ",
    )


def decisions(run_input: RunAgentInput) -> list[Decision] | None:
    """The decisions the ``resume`` entries carry (``None``: not a resume; an empty list is none).

    Each entry answers the interrupt of one waiting call (``interruptId``: the call id):

    - ``status: "resolved"`` with ``payload: {"approved": bool, "message"?: str, "always"?: bool}``: approve or
      reject the call; ``message`` is what the model reads instead of the tool's output (a rejection only),
      ``always`` decides the same tool's later calls in the resumed run too.
    - ``status: "cancelled"``: the interrupt is abandoned, so the call is rejected: it does not run, and the model
      reads the payload's ``message`` if it has one, the SDK's default rejection text otherwise.

    Anything else in a payload is refused (a typo'd ``aproved`` must not read as a rejection); so is a new user
    message sent with the answers, which the resumed run would never read."""
    if not run_input.resume:
        return None
    messages = [m for m in run_input.messages if getattr(m, "subagent_run_id", None) is None]
    if messages and isinstance(messages[-1], AgUiUserMessage):
        raise InvalidRunInputError(
            "messages: a resume continues the paused run and reads no new message; send the new user message in "
            "a run of its own once the resumed one finished",
            fields=[{"loc": ["messages"], "type": "message_with_resume", "message": "a user message ends messages"}],
        )
    return [_decision(index, entry) for index, entry in enumerate(run_input.resume)]


def _decision(index: int, entry: ResumeEntry) -> Decision:
    payload = entry.payload
    where = ["resume", index, "payload"]
    if entry.status == "cancelled" and payload is None:
        return Decision(entry.interrupt_id, approve=False)
    if not isinstance(payload, dict) or not set(payload) <= _PAYLOAD_KEYS:
        raise InvalidRunInputError(
            f"resume[{index}].payload: an approval answer is an object like "
            '{"approved": true} or {"approved": false, "message": "why"}; '
            f"got {payload!r}",
            fields=[{"loc": where, "type": "invalid_payload", "message": "not an approval answer"}],
        )
    approved = payload.get("approved", False if entry.status == "cancelled" else None)
    message = payload.get("message")
    always = payload.get("always", False)
    if (
        not isinstance(approved, bool)
        or (entry.status == "cancelled" and approved)
        or not (message is None or isinstance(message, str))
        or not isinstance(always, bool)
    ):
        raise InvalidRunInputError(
            f"resume[{index}].payload: 'approved' must be a boolean (false, or absent, for a cancelled "
            "interrupt), 'message' a string, 'always' a boolean",
            fields=[{"loc": where, "type": "invalid_payload", "message": "not an approval answer"}],
        )
    return Decision(entry.interrupt_id, approved, message, always)


def paused_run_id(run_input: RunAgentInput) -> str | None:
    """The paused run a resume names (``forwardedProps.agentsOtelRunId``: RUN_STARTED's
    ``metadata.agentsOtelRunId`` of the run that ended with the interrupts), needed only when several replicas
    share runs; ``None``: the thread's last paused run on this replica."""
    props = run_input.forwarded_props
    named = props.get("agentsOtelRunId") if isinstance(props, dict) else None
    if named is not None and not isinstance(named, str):
        raise InvalidRunInputError("forwardedProps.agentsOtelRunId: the paused run's id must be a string")
    return named


def conversation(run_input: RunAgentInput) -> list[ConversationItem]:
    """The conversation to run; it must end with something for the model to answer."""
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
