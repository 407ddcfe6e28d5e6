"""Run input in every form the OpenAI Agents SDK accepts, and back: ``RunResult.to_input_list()``.

``Runner.run(agent, input)`` takes a string or a list of items. An item is one of our conversation items or a dict
in the Responses API's input format (what the SDK's ``TResponseInputItem`` is): an easy message
``{"role": "user", "content": "hi"}`` (string or content-part list; roles user, assistant, system, developer), a
``{"type": "message", ...}`` output message, ``function_call`` and ``function_call_output``. Pydantic objects from
the ``openai`` package are taken as their dicts. Any other item ``type`` (``reasoning``, ``web_search_call``,
``item_reference``, ...) is kept as a ``RawInputItem`` that the Responses API receives untouched; so is a program's
``function_call`` or ``function_call_output`` (one with a ``caller``), whose ``caller`` the API needs.

Anything that is none of these raises ``UserError`` naming the item: an input that is silently dropped would make
the model answer a different question than the one asked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeAlias

from .exceptions import UserError
from .items import (
    AssistantMessage,
    ConversationItem,
    FunctionCall,
    FunctionCallOutput,
    ProviderDataCall,
    RawInputItem,
    SystemMessage,
    UserMessage,
)
from .items import input_dict as input_item
from .responses_format import joined_text

InputItem: TypeAlias = ConversationItem | Mapping[str, Any]
"""One item of a run's input list: a conversation item or a Responses-format dict."""

RunInput: TypeAlias = str | Sequence[InputItem]

CONVERSATION_ITEM_TYPES = (UserMessage, SystemMessage, AssistantMessage, FunctionCall, FunctionCallOutput, RawInputItem)
"""This runtime's own conversation item classes, which input may hold as they are."""
_ROLES = ("user", "assistant", "system", "developer")


def conversation_items(input: RunInput) -> list[ConversationItem]:
    """The run's input as conversation items; raises ``UserError`` for an item no model could be given."""
    if isinstance(input, str):
        return [UserMessage(input)]
    if isinstance(input, Mapping) or not isinstance(input, Sequence):
        raise UserError(f"Run input must be a string or a list of input items, got {type(input).__name__}")
    return [_item(entry, index) for index, entry in enumerate(input)]


def _item(entry: Any, index: int) -> ConversationItem:
    if isinstance(entry, CONVERSATION_ITEM_TYPES):
        return entry
    data = entry
    if not isinstance(data, Mapping) and callable(getattr(data, "model_dump", None)):
        # an openai-package item object (e.g. ResponseOutputMessage), under its wire names (``async``)
        data = data.model_dump(exclude_none=True, by_alias=True)
    if not isinstance(data, Mapping):
        raise UserError(f"Input item {index} is a {type(entry).__name__}; expected a dict or a conversation item")
    kind = data.get("type")
    if kind is None or kind == "message":
        return _message(data, index)
    if _program_owned(data):  # a program's call or its answer: paired by its ``caller``, kept as it came
        return RawInputItem(dict(data))
    if kind == "function_call" and data.get("async") is True:
        # an async API call still pending (its output comes later, from elsewhere): kept as it came, ``async``,
        # ``id`` and ``status`` included, so the API reads it as pending rather than as a call left unanswered
        return RawInputItem(dict(data))
    if kind == "function_call":
        fields = (_text_field(data, "name", index), _text_field(data, "arguments", index))
        call_id = _text_field(data, "call_id", index)
        extra = data.get("provider_data")
        if isinstance(extra, Mapping) and extra:  # a Chat Completions call's provider data (Gemini's signature)
            return ProviderDataCall(*fields, call_id, dict(extra))
        return FunctionCall(*fields, call_id)
    if kind == "function_call_output":
        output = data.get("output")
        call_id = _text_field(data, "call_id", index)
        if isinstance(output, str):
            return FunctionCallOutput(call_id, output)
        if output is None:
            raise UserError(f"Input item {index} (function_call_output) has no 'output'")
        if isinstance(output, list) and output and all(isinstance(part, dict) for part in output):
            return FunctionCallOutput(call_id, [dict(part) for part in output])  # a structured tool output's parts
        return RawInputItem(dict(data))  # an output this runtime does not read: the Responses API takes it as is
    if not isinstance(kind, str):
        raise UserError(f"Input item {index} has a non-string 'type': {kind!r}")
    return RawInputItem(dict(data))


def _program_owned(data: Mapping[str, Any]) -> bool:
    """A ``function_call`` / ``function_call_output`` a program made or read (``caller`` not the model itself). Read
    as our ``FunctionCall`` it would lose the ``caller`` by which the API places it under its program (a session's
    or ``to_input_list()``'s program calls sent back without it); the model's answer holds it so too."""
    caller = data.get("caller")
    return isinstance(caller, Mapping) and caller.get("type") not in (None, "direct")


def _message(data: Mapping[str, Any], index: int) -> ConversationItem:
    role = data.get("role")
    if role not in _ROLES:
        raise UserError(f"Input item {index} is a message with role {role!r}; expected one of {_ROLES}")
    content = data.get("content")
    if not isinstance(content, str | list):
        raise UserError(f"Input item {index} ({role} message) needs 'content' as a string or a list of parts")
    parts = list(content) if isinstance(content, list) else content
    if isinstance(parts, list):
        for part in parts:
            if not isinstance(part, Mapping) or not isinstance(part.get("type"), str):
                raise UserError(f"Input item {index} ({role} message) has a content part without a 'type': {part!r}")
        parts = [dict(p) for p in parts]
    if role == "user":
        return UserMessage(parts)
    if role == "assistant":
        if isinstance(parts, str):
            return AssistantMessage(parts, plain=True)
        message = _assistant_message(parts, index)
        # an SDK checkpoint's plain text, wrapped in one output_text part (the SDK 0.25 restores it as plain text)
        message.plain = "type" not in data and data.get("status") == "completed" and len(parts) == 1 and (
            parts[0]["type"] == "output_text" and isinstance(parts[0].get("text"), str) and not message.annotations
        )
        return message
    return SystemMessage(parts, role)


def _assistant_message(parts: list[dict[str, Any]], index: int) -> AssistantMessage:
    """Text parts and ``refusal`` parts apart, so a refusal goes back to the model as a refusal; the text parts'
    ``annotations`` (a search's sources) kept, pointing into the joined text."""
    texts: list[tuple[str, list[Mapping[str, Any]]]] = []
    refusals = []
    for part in parts:
        kind = part["type"]
        if kind in ("output_text", "input_text", "text"):
            texts.append((str(part.get("text", "")), _annotations(part.get("annotations"), index)))
        elif kind == "refusal":
            refusals.append(str(part.get("refusal", "")))
        else:
            raise UserError(f"Input item {index} (assistant message) has a {kind!r} part; only text parts can be sent")
    text, annotations = joined_text(texts)
    return AssistantMessage(text, "".join(refusals), annotations)


def _annotations(value: Any, index: int) -> list[Mapping[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(a, Mapping) for a in value):
        raise UserError(f"Input item {index} (assistant message) has 'annotations' that are not a list of objects")
    return value


def _text_field(data: Mapping[str, Any], key: str, index: int) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise UserError(f"Input item {index} ({data.get('type')}) needs {key!r} as a string, got {value!r}")
    return value


def input_list(items: Sequence[ConversationItem]) -> list[dict[str, Any]]:
    return [input_item(item) for item in items]


__all__ = ["CONVERSATION_ITEM_TYPES", "InputItem", "RunInput", "conversation_items", "input_item", "input_list"]
