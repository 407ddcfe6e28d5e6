"""``ItemHelpers``: the OpenAI Agents SDK's helpers for reading run items and model output, on this runtime's items.

Why they exist here: nearly every SDK example prints a run with them (``ItemHelpers.text_message_output(event.item)``
in a stream loop, ``ItemHelpers.text_message_outputs(result.new_items)`` after a run), so code moving over should
keep working as written. The ``extract_*`` helpers read a model's output message in either form a program may hold:
this runtime's ``AssistantMessage`` (a model's own answer) or an ``openai`` ``ResponseOutputMessage``
(``result.raw_responses[i].output``)
(text parts ``output_text``, refusal parts ``refusal``). Anything that is not a message has no text, as in the SDK.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import pydantic
import pydantic_core

from .exceptions import UserError
from .input_items import CONVERSATION_ITEM_TYPES, RunInput, input_item
from .items import AssistantMessage, MessageOutputItem, RunItem
from .responses_format import function_call_output_dict
from .tool_output_types import model_output


class ItemHelpers:
    """Reading text out of run items and model output messages, and copying input, as the SDK's class of the same
    name does (its classmethods, same names and results)."""

    @classmethod
    def text_message_output(cls, message: MessageOutputItem) -> str:
        """All the text of one message the model wrote."""
        return message.text

    @classmethod
    def text_message_outputs(cls, items: Iterable[RunItem]) -> str:
        """The text of every message among ``items`` (``result.new_items``), joined; other items add nothing."""
        return "".join(item.text for item in items if isinstance(item, MessageOutputItem))

    @classmethod
    def extract_last_content(cls, message: Any) -> str:
        """The last part of a message: its text, or its refusal text; ``""`` for anything that is not a message."""
        parts = _parts(message)
        return parts[-1][1] if parts else ""

    @classmethod
    def extract_last_text(cls, message: Any) -> str | None:
        """The last part's text when that part is text (a refusal is not); ``None`` otherwise."""
        parts = _parts(message)
        if parts and parts[-1][0] == "output_text":
            return parts[-1][1]
        return None

    @classmethod
    def extract_text(cls, message: Any) -> str | None:
        """Every text part joined, refusals left out; ``None`` when that is empty or ``message`` is no message."""
        return "".join(text for kind, text in _parts(message) if kind == "output_text") or None

    @classmethod
    def extract_refusal(cls, message: Any) -> str | None:
        """Every refusal part joined; ``None`` when there is none."""
        return "".join(text for kind, text in _parts(message) if kind == "refusal") or None

    @classmethod
    def input_to_new_input_list(cls, input: RunInput) -> list[Any]:
        """``input`` as a new list of input items the caller may change freely: a string becomes one user message;
        a list is copied deeply into plain JSON values (``openai`` objects and validated payloads included), this
        runtime's own item classes in the Responses format ``to_input_list()`` uses."""
        if isinstance(input, str):
            return [{"content": input, "role": "user"}]
        return [_plain(entry) for entry in input]

    @classmethod
    def tool_call_output_item(
        cls,
        tool_call: Any,
        output: Any,
        *,
        output_json_schema: dict[str, Any] | None = None,
        output_type_adapter: pydantic.TypeAdapter[Any] | None = None,
    ) -> dict[str, Any]:
        """The ``function_call_output`` input item answering ``tool_call`` (a ``function_call`` object or dict)
        with ``output``, converted as a function tool's return value is: content parts for a structured output
        (``ToolOutputImage``, its dict form, a list of them), else text. With a declared output
        (``output_type_adapter`` validates it; ``output_json_schema`` only asks for an object), the output is that
        JSON object as compact text, and anything else is a ``UserError``, as in the SDK. A program's call passes
        its ``caller`` on (:meth:`copy_tool_call_caller`)."""
        call_id = tool_call.get("call_id") if isinstance(tool_call, Mapping) else getattr(tool_call, "call_id", None)
        if not isinstance(call_id, str):
            raise UserError(f"tool_call_output_item: {type(tool_call).__name__} has no string 'call_id'")
        if output_type_adapter is not None or output_json_schema is not None:
            converted: Any = _declared_output(output, output_type_adapter)
        else:
            converted = model_output(output)
        item: dict[str, Any] = cls.copy_tool_call_caller(tool_call, function_call_output_dict(call_id, converted))
        return item

    @classmethod
    def copy_tool_call_caller(cls, tool_call: Any, output_item: Any) -> Any:
        """``output_item`` with ``tool_call``'s ``caller`` (a program's call, ``ProgrammaticToolCallingTool``), as
        JSON data, so the API pairs the answer with the program that called; unchanged for a model's own call."""
        caller = tool_call.get("caller") if isinstance(tool_call, Mapping) else getattr(tool_call, "caller", None)
        if caller is not None:
            dump = getattr(caller, "model_dump", None)
            output_item["caller"] = (
                dump(mode="json", exclude_none=True) if callable(dump) else pydantic_core.to_jsonable_python(caller)
            )
        return output_item


def _declared_output(output: Any, adapter: pydantic.TypeAdapter[Any] | None) -> str:
    """A declared output as compact JSON text: validated by ``adapter`` if given; a JSON object either way."""
    if adapter is not None:
        try:
            valid = adapter.validate_json(output) if isinstance(output, str) else adapter.validate_python(output)
        except pydantic.ValidationError as error:
            raise UserError("Function tool output does not match its declared output schema.") from error
        dumped = adapter.dump_python(valid, mode="json", by_alias=True)
    elif isinstance(output, str):
        try:
            dumped = json.loads(output)
        except json.JSONDecodeError as error:
            raise UserError("Function tool output schema requires a JSON object.") from error
    else:
        dumped = pydantic_core.to_jsonable_python(output)
    if not isinstance(dumped, Mapping):
        raise UserError("Function tool output schema requires a JSON object.")
    return json.dumps(dict(dumped), ensure_ascii=False, separators=(",", ":"))


def _plain(entry: Any) -> Any:
    if isinstance(entry, CONVERSATION_ITEM_TYPES):
        return input_item(entry)
    return pydantic_core.to_jsonable_python(entry)


def _parts(message: Any) -> list[tuple[str, str]]:
    """A message's content as ``(kind, text)`` pairs, kind ``output_text`` or ``refusal``; ``[]`` for a non-message.
    Text a provider left ``None`` reads as ``""`` (gateways and partial streams do send that)."""
    if isinstance(message, AssistantMessage):
        if message.refusal:
            text = [("output_text", message.content)] if message.content else []
            return [*text, ("refusal", message.refusal)]
        return [("output_text", message.content)]
    if getattr(message, "type", None) != "message" or getattr(message, "role", None) != "assistant":
        return []
    parts: list[tuple[str, str]] = []
    for part in getattr(message, "content", None) or ():
        kind = getattr(part, "type", None)
        if kind == "output_text":
            parts.append((kind, getattr(part, "text", None) or ""))
        elif kind == "refusal":
            parts.append((kind, getattr(part, "refusal", None) or ""))
    return parts


__all__ = ["ItemHelpers"]
