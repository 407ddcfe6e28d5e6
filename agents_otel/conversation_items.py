"""Conversation items: what a model reads and writes, provider-neutral (each Model converts them to its API).

Apart from the run items (``items``) because they are the other view of the same conversation: these go to and come
from the model; run items are what the application sees. ``items`` re-exports them, where most code imports them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from .responses_format import assistant_message_dict, function_call_dict, function_call_output_dict
from .tool_output_types import ToolOutputContent


@dataclass(slots=True)
class UserMessage:
    """What the user said: the run's input, or one turn of a continued conversation. ``content`` is text, or a
    list of Responses-API content parts (``input_text``, ``input_image``, ...)."""

    content: str | list[dict[str, Any]]
    type: Literal["user_message"] = field(default="user_message", init=False)


@dataclass(slots=True)
class SystemMessage:
    """A ``system`` or ``developer`` message given in the input (the agent's ``instructions`` travel separately)."""

    content: str | list[dict[str, Any]]
    role: Literal["system", "developer"] = "system"
    type: Literal["system_message"] = field(default="system_message", init=False)


@dataclass(slots=True)
class AssistantMessage:
    """Text the model wrote; the last one of a run is its final output. ``refusal`` is the text of the message's
    refusal parts (an OpenAI model's ``refusal``), kept apart from ``content`` because a refusal is no answer: a
    turn that ends on one raises ``ModelRefusalError`` instead of finishing the run with it."""

    content: str
    refusal: str = ""
    annotations: tuple[dict[str, Any], ...] = field(default=(), repr=False)
    """The text's annotations in the Responses API's JSON form (``url_citation``, ``file_citation``,
    ``container_file_citation``, ``file_path``), their indexes into ``content``: a web or file search's sources,
    which SDK code reads from ``raw_item.content[0].annotations`` and which go back to the model with the message.
    Empty (shared, nothing allocated) for the usual message without any; left out of ``repr``."""
    type: Literal["assistant_message"] = field(default="assistant_message", init=False)
    plain: bool = field(default=False, kw_only=True, repr=False, compare=False)
    """``True`` for a message given in the input as plain text (``{"role": "assistant", "content": "..."}``): it
    goes back in that form, and on Chat Completions as a message of its own, never joined by a later turn's tool
    calls (the SDK's easy-message semantics, kept through checkpoints since 0.25). Not compared."""


@dataclass(slots=True)
class FunctionCall:
    """A tool call requested by the model. ``call_id`` is the model's own id, used unchanged everywhere."""

    name: str
    arguments: str
    call_id: str
    type: Literal["function_call"] = field(default="function_call", init=False)


@dataclass(slots=True)
class ProgramCall(FunctionCall):
    """A call made by code the model wrote (``ProgrammaticToolCallingTool``), not by the model itself: it runs as any
    call does, and its answer carries ``caller`` (``{"type": "program", "caller_id": ...}``) back, by which the API
    pairs it. A subclass, so a turn without such calls pays nothing for the field."""

    caller: dict[str, Any] = field(default_factory=dict)
    item: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """The ``function_call`` item as the model wrote it (its ``id`` too): the call's ``tool_called`` run item gives it
    back as it came, as the SDK's does (empty for a call restored from a ``RunState``: then rebuilt from the fields)."""
    failed: bool = field(default=False, compare=False, repr=False)
    """Set by the run when the call ended in an error or a rejection: with a declared output schema the program gets
    the text as ``{"error": ...}``, as in the SDK."""


@dataclass(slots=True)
class ProviderDataCall(FunctionCall):
    """A call whose provider wants something of its own back with it: Gemini's ``thought_signature``, read from a
    Chat Completions answer (LiteLLM's ``provider_specific_fields``, Google's ``extra_content``) and sent back on the
    same call, as the SDK's function call item keeps it in ``provider_data`` (with the model's name and the
    completion's id). A subclass, so a call without such data pays nothing for the field; it travels in sessions,
    ``to_input_list()`` and ``RunState`` JSON as the SDK's ``provider_data``."""

    provider_data: dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass(slots=True)
class FunctionCallOutput:
    """A tool's result as the model reads it (text or content parts), answering the same ``call_id``'s call."""

    call_id: str
    output: ToolOutputContent
    type: Literal["function_call_output"] = field(default="function_call_output", init=False)


@dataclass(slots=True)
class RawInputItem:
    """An input item of a type the runtime does not interpret (``reasoning``, ``web_search_call``,
    ``item_reference``, ...): the Responses API gets ``data`` untouched; a model that cannot send it raises."""

    data: dict[str, Any]
    type: Literal["raw_input_item"] = field(default="raw_input_item", init=False)


ConversationItem = UserMessage | SystemMessage | AssistantMessage | FunctionCall | FunctionCallOutput | RawInputItem
ModelOutputItem = AssistantMessage | FunctionCall | RawInputItem
"""What a model answers with. A ``RawInputItem`` is an output item the runtime does not read but must send back
on the next turn as it came: a reasoning model's ``reasoning`` item."""


def input_dict(item: ConversationItem) -> dict[str, Any]:
    """One conversation item in the Responses API's input format, as the SDK's ``to_input_list()`` gives it."""
    if isinstance(item, UserMessage):
        return {"role": "user", "content": item.content}
    if isinstance(item, AssistantMessage):
        if item.plain and not item.refusal and not item.annotations:
            return {"role": "assistant", "content": item.content}
        return assistant_message_dict(item.content, item.refusal, item.annotations)
    if isinstance(item, FunctionCall):
        call = function_call_dict(item.call_id, item.name, item.arguments)
        if type(item) is ProviderDataCall and item.provider_data:
            call["provider_data"] = dict(item.provider_data)
        return call
    if isinstance(item, FunctionCallOutput):
        return function_call_output_dict(item.call_id, item.output)
    if isinstance(item, SystemMessage):
        return {"role": item.role, "content": item.content}
    return dict(item.data)



__all__ = [
    "AssistantMessage",
    "ConversationItem",
    "FunctionCall",
    "FunctionCallOutput",
    "ModelOutputItem",
    "ProgramCall",
    "ProviderDataCall",
    "RawInputItem",
    "SystemMessage",
    "UserMessage",
    "input_dict",
]
