"""Items in the OpenAI Responses API's shape: the one place each shape is built.

Why one place: the same item leaves the runtime in three forms — as an input dict in ``to_input_list()``, as a run
item's ``to_input_item()``, and as a run item's ``raw_item`` (the ``openai`` object the OpenAI Agents SDK keeps on
each item). Built from one function each, the three cannot drift apart: what a program reads from an item is what
the model was sent. The ``openai`` types are imported when an object is first asked for, so runs that never read
``raw_item`` pay nothing for them.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pydantic_core

if TYPE_CHECKING:
    from openai.types.responses import ResponseFunctionToolCall, ResponseOutputMessage, ResponseReasoningItem

FAKE_RESPONSES_ID = "__fake_id__"
"""The SDK's placeholder id for an item the Responses API did not name (a streamed text delta's ``item_id``, an output
message's ``id``): this runtime keeps no provider item ids, since every turn sends the whole conversation."""


def output_text(value: Any) -> str:
    """How a tool's return value is shown to the model: text as it is, ``""`` for ``None``, JSON for structured values
    (``str()`` for what JSON cannot carry)."""
    if type(value) is str:
        return value
    if value is None:
        return ""
    try:
        return pydantic_core.to_json(value).decode()
    except (pydantic_core.PydanticSerializationError, ValueError, TypeError):
        return str(value)


def function_call_dict(call_id: str, name: str, arguments: str) -> dict[str, Any]:
    return {"type": "function_call", "call_id": call_id, "name": name, "arguments": arguments}


def function_call_output_dict(call_id: str, output: str | list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "function_call_output", "call_id": call_id, "output": output}


def assistant_message_dict(
    text: str, refusal: str = "", annotations: Sequence[Mapping[str, Any]] = ()
) -> dict[str, Any]:
    """An assistant message as the Responses API returns one (no ``id``: see :data:`FAKE_RESPONSES_ID`): its text
    part (with the text's ``annotations``), then its ``refusal`` part when the model refused (a refusal alone has no
    text part, as from the API)."""
    content: list[dict[str, Any]] = []
    if text or not refusal:
        content.append({"type": "output_text", "text": text, "annotations": [dict(a) for a in annotations]})
    if refusal:
        content.append({"type": "refusal", "refusal": refusal})
    return {"type": "message", "role": "assistant", "content": content, "status": "completed"}


_POSITIONS = ("index", "start_index", "end_index")
"""An annotation's places in its text part (a file citation's or file path's ``index``, a url or container file
citation's ``start_index`` / ``end_index``)."""


def joined_text(parts: Iterable[tuple[str, Iterable[Mapping[str, Any]]]]) -> tuple[str, tuple[dict[str, Any], ...]]:
    """Text parts ``(text, annotations)`` as one text and its annotations: those of a later part moved by the length
    of the text before it, so that every annotation points into the joined text as it pointed into its part."""
    texts: list[str] = []
    annotations: list[dict[str, Any]] = []
    offset = 0
    for text, part_annotations in parts:
        for annotation in part_annotations:
            moved = dict(annotation)
            if offset:
                for key in _POSITIONS:
                    if type(moved.get(key)) is int:
                        moved[key] += offset
            annotations.append(moved)
        texts.append(text)
        offset += len(text)
    return "".join(texts), tuple(annotations)


def function_call_object(call_id: str, name: str, arguments: str) -> ResponseFunctionToolCall:
    from openai.types.responses import ResponseFunctionToolCall

    return ResponseFunctionToolCall.model_validate(function_call_dict(call_id, name, arguments))


def output_message_object(
    text: str, refusal: str = "", annotations: Sequence[Mapping[str, Any]] = ()
) -> ResponseOutputMessage:
    """The message as the SDK's ``raw_item``: its annotations the ``openai`` types (``AnnotationURLCitation``, ...);
    one of a type the installed ``openai`` cannot read stays its dict, as the client leaves what it cannot parse."""
    from openai.types.responses import ResponseOutputMessage
    from pydantic import ValidationError

    data = {**assistant_message_dict(text, refusal, annotations), "id": FAKE_RESPONSES_ID}
    try:
        return ResponseOutputMessage.model_validate(data)
    except ValidationError:
        if not annotations:
            raise
    message = ResponseOutputMessage.model_validate({**assistant_message_dict(text, refusal), "id": FAKE_RESPONSES_ID})
    message.content[0].annotations = [_annotation(a) for a in annotations]  # type: ignore[union-attr]
    return message


def _annotation(data: Mapping[str, Any]) -> Any:
    from pydantic import ValidationError

    try:
        return _annotation_adapter().validate_python(dict(data))
    except ValidationError:
        return dict(data)


@functools.cache
def _annotation_adapter() -> Any:
    from openai.types.responses.response_output_text import Annotation
    from pydantic import TypeAdapter

    return TypeAdapter(Annotation)


def reasoning_object(data: dict[str, Any]) -> ResponseReasoningItem:
    from openai.types.responses import ResponseReasoningItem

    return ResponseReasoningItem.model_validate(data)


def hosted_call_object(data: dict[str, Any]) -> Any:
    """A hosted tool's call item (``web_search_call``, ...) as the ``openai`` output item type the SDK keeps on its
    ``ToolCallItem.raw_item`` (``ResponseFunctionWebSearch``, ...); an item the installed ``openai`` cannot read
    stays the dict, as the SDK's ``raw_item`` may be."""
    from pydantic import ValidationError

    try:
        return _output_item_adapter().validate_python(data)
    except ValidationError:
        return dict(data)


@functools.cache
def _output_item_adapter() -> Any:
    """Built once: a ``TypeAdapter`` over the output item union takes milliseconds to make."""
    from openai.types.responses import ResponseOutputItem
    from pydantic import TypeAdapter

    return TypeAdapter(ResponseOutputItem)
