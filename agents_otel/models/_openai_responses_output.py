"""Reading a Responses API answer: the output items of a complete response, or assembled from a stream's events.

Messages and function calls become items; a ``reasoning`` item and a hosted tool's call (``web_search_call``,
``file_search_call``, ``code_interpreter_call``, ``image_generation_call``) are kept as they came (a
``RawInputItem``), to go back to the model on the next turn, and so is a server-side ``compaction`` item (less its
output-only ``created_by``) and a ``computer_call`` (which the agent loop runs). Any other item type is a
``ModelBehaviorError``: it belongs to a tool this runtime does not offer, and dropping it would change the
conversation unseen. In a stream,
output items are keyed by ``output_index``: text grows from ``response.output_text.delta``, a function call's
arguments from ``response.function_call_arguments.delta``, a message's refusal (kept apart from its text) from
``response.refusal.delta``, its text's annotations from ``response.output_text.annotation.added``; the ``.done``
events, when a server sends them, carry the complete value and win (a message's ``output_item.done`` its parts and
their annotations, a web or file search's sources).
The terminal event supplies id, model, status and usage. A stream that ends without one is an error, because half
a tool call must never be executed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from openai.types.responses import (
    Response,
    ResponseCompletedEvent,
    ResponseErrorEvent,
    ResponseFailedEvent,
    ResponseFunctionCallArgumentsDeltaEvent,
    ResponseFunctionCallArgumentsDoneEvent,
    ResponseFunctionToolCall,
    ResponseIncompleteEvent,
    ResponseOutputItemAddedEvent,
    ResponseOutputItemDoneEvent,
    ResponseOutputMessage,
    ResponseOutputRefusal,
    ResponseOutputText,
    ResponseOutputTextAnnotationAddedEvent,
    ResponseRefusalDeltaEvent,
    ResponseRefusalDoneEvent,
    ResponseTextDeltaEvent,
)

from ..compaction_item import COMPACTION_TYPE, compaction_input
from ..exceptions import ModelBehaviorError, ModelError
from ..hosted_mcp import MCP_ITEM_TYPES
from ..hosted_tools import hosted_call_name
from ..items import AssistantMessage, FunctionCall, ModelOutputItem, RawInputItem
from ..local_tools import LOCAL_CALL_KINDS, LOCAL_OUTPUT_TYPES
from ..responses_format import joined_text
from ._openai_errors import INCOMPLETE_STREAM, STREAM_ERROR
from .interface import RefusalDelta, TextDelta


def output_items(output: list[Any]) -> list[ModelOutputItem]:
    items: list[ModelOutputItem] = []
    for item in output:
        if isinstance(item, ResponseOutputMessage):
            message = assistant_message(item)
            if message is not None:
                items.append(message)
        elif isinstance(item, ResponseFunctionToolCall):
            items.append(FunctionCall(item.name, item.arguments, item.call_id) if item.caller is None else call(item))
        else:
            items.append(kept_item(item))
    return items


_KEPT = frozenset(("reasoning", "computer_call"))
"""Kept as they came: a ``computer_call`` is run by the agent loop (:mod:`agents_otel.computer_run`) from its data."""


def kept_item(item: Any) -> RawInputItem:
    """A ``reasoning`` or hosted-call output item as the input item that returns it to the model: the fields the API
    set, and nothing the openai package filled in for them (it would send nulls the API did not)."""
    kind = getattr(item, "type", None)
    if kind == COMPACTION_TYPE:  # the server compacted the conversation: sent back as input, without created_by
        return RawInputItem(compaction_input(item.model_dump(mode="json", exclude_unset=True, by_alias=True)))
    if kind != "reasoning" and hosted_call_name(kind) is None and kind not in MCP_ITEM_TYPES and kind not in _KEPT:
        raise ModelBehaviorError(
            f"The model answered with a {kind!r} output item, which this runtime does not support "
            "(supported: message, function_call, reasoning, compaction, the hosted tools' calls, hosted MCP items, "
            "custom tool calls, computer calls, tool search items, programmatic tool calling's program items and the "
            "shell / local_shell / apply_patch calls)"
        )
    data = item.model_dump(mode="json", exclude_unset=True, by_alias=True)
    if kind in ("tool_search_call", "tool_search_output"):
        data.pop("created_by", None)  # output-only: the API refuses it in the input the item goes back in
    return RawInputItem(data)


_KEPT = frozenset(
    {"custom_tool_call", "computer_call", "tool_search_call", "tool_search_output", "program", "program_output"}
    | {*LOCAL_CALL_KINDS, *LOCAL_OUTPUT_TYPES}
)
"""Kept as they came too: the calls of tools that are not functions (a ``CustomTool``'s, a shell's, ...: run by the
agent loop), their outputs, hosted tool search's items, and the ``program`` / ``program_output`` items of
programmatic tool calling (the code the model wrote, run by OpenAI, and its result)."""


def call(item: ResponseFunctionToolCall) -> FunctionCall | RawInputItem:
    """A call that names its ``caller``: a direct one is a plain call; one made by code the model wrote
    (``ProgrammaticToolCallingTool``) is kept as it came, caller and all, so that it goes back to the model so and
    is answered with the same ``caller`` (:mod:`agents_otel.programmatic_calls` runs it)."""
    if getattr(item.caller, "type", None) == "direct":
        return FunctionCall(item.name, item.arguments, item.call_id)
    return RawInputItem(item.model_dump(mode="json", exclude_unset=True, exclude_none=True, by_alias=True))


def assistant_message(message: ResponseOutputMessage) -> AssistantMessage | None:
    """The message's text parts and its ``refusal`` parts, each joined (the text parts' annotations kept, pointing
    into the joined text); ``None`` for a message with neither."""
    texts: list[tuple[str, list[dict[str, Any]]]] = []
    refusals: list[str] = []
    for part in message.content:
        if isinstance(part, ResponseOutputText):
            texts.append((part.text, [annotation_dict(a) for a in part.annotations or ()]))
        elif isinstance(part, ResponseOutputRefusal):
            refusals.append(part.refusal)
    text, annotations = joined_text(texts)
    refusal = "".join(refusals)
    return AssistantMessage(text, refusal, annotations) if text or refusal else None


def annotation_dict(annotation: Any) -> dict[str, Any]:
    """An annotation as the API sent it (the fields it set), whether the client parsed it or left it a dict."""
    if isinstance(annotation, dict):
        return dict(annotation)
    data: dict[str, Any] = annotation.model_dump(mode="json", exclude_unset=True, by_alias=True)
    return data


@dataclass(slots=True)
class _Item:
    call: bool
    text: list[str] = field(default_factory=list)
    kept: RawInputItem | None = None
    """An item passed back as it came (reasoning, a hosted call), from its ``output_item.done`` event."""
    name: str = ""
    call_id: str = ""
    complete: str | None = None
    """The whole text/arguments from a ``.done`` event, which replaces the concatenated deltas."""
    refusal: list[str] = field(default_factory=list)
    annotations: list[dict[str, Any]] = field(default_factory=list)
    """From ``response.output_text.annotation.added`` events, for a stream whose message has no ``.done`` event."""
    message: AssistantMessage | None = None
    """A message's whole content from its ``output_item.done`` event, which replaces what the deltas made."""

    def output(self) -> ModelOutputItem | None:
        if self.kept is not None:
            return self.kept
        value = self.complete if self.complete is not None else "".join(self.text)
        if self.call:
            return FunctionCall(self.name, value, self.call_id)
        if self.message is not None:
            return self.message
        refusal = "".join(self.refusal)
        return AssistantMessage(value, refusal, tuple(self.annotations)) if value or refusal else None


RESPONSE_EVENTS = frozenset(
    {"response.created", "response.in_progress", "response.completed", "response.incomplete", "response.failed"}
)
"""The stream events that carry the response (its id; the request id the transport attached): only these are
read for a cut stream's diagnostics, so a text delta costs nothing more."""


class ResponsesStreamAssembler:
    def __init__(self) -> None:
        self._items: dict[int, _Item] = {}
        self._final: Response | None = None
        self._events = 0
        self._last_type: str | None = None
        self._seen: Any = None  # the last response an event carried (response.created's, ...), for diagnostics

    def feed(self, event: Any) -> TextDelta | RefusalDelta | None:
        """Take one stream event; return the text delta to forward, if it is one."""
        self._events += 1
        self._last_type = kind = getattr(event, "type", None)
        if kind in RESPONSE_EVENTS:
            self._seen = event.response
        if isinstance(event, ResponseTextDeltaEvent):
            self._item(event.output_index, call=False).text.append(event.delta)
            return TextDelta(event.delta, raw=event)
        if isinstance(event, ResponseRefusalDeltaEvent):
            self._item(event.output_index, call=False).refusal.append(event.delta)
            return RefusalDelta(event.delta, raw=event)
        if isinstance(event, ResponseRefusalDoneEvent):
            self._item(event.output_index, call=False).refusal[:] = [event.refusal]
        if isinstance(event, ResponseOutputTextAnnotationAddedEvent):
            self._item(event.output_index, call=False).annotations.append(annotation_dict(event.annotation))
        elif isinstance(event, ResponseFunctionCallArgumentsDeltaEvent):
            self._item(event.output_index, call=True).text.append(event.delta)
        elif isinstance(event, ResponseOutputItemAddedEvent):
            self._start(event.output_index, event.item)
        elif isinstance(event, ResponseFunctionCallArgumentsDoneEvent):
            self._item(event.output_index, call=True).complete = event.arguments
        elif isinstance(event, ResponseOutputItemDoneEvent):
            self._done(event.output_index, event.item)
        elif isinstance(event, ResponseCompletedEvent | ResponseIncompleteEvent | ResponseFailedEvent):
            self._final = event.response
        elif isinstance(event, ResponseErrorEvent):
            message = f"The model server reported an error: {event.message}"
            raise ModelError(message, error_type=event.code or STREAM_ERROR)
        return None

    def finish(self) -> tuple[Response, list[ModelOutputItem] | None]:
        """The terminal response and the assembled output (``None``: nothing streamed, use the response's own)."""
        if self._final is None:  # what was seen, so the provider can find the request (the SDK 0.25's diagnostics)
            seen = self._seen
            response_id, request_id = getattr(seen, "id", None), getattr(seen, "_request_id", None)
            raise ModelError(
                "Model did not produce a final response! The stream ended before a response.completed event was "
                f"received. event_count={self._events}, last_event_type={self._last_type!r}, "
                f"response_id={response_id!r}, request_id={request_id!r}. Share these IDs when reporting this "
                "issue; None means no value was observed.",
                error_type=INCOMPLETE_STREAM,
            )
        if not self._items:
            return self._final, None
        items = [self._items[i].output() for i in sorted(self._items)]
        return self._final, [i for i in items if i is not None]

    def _item(self, index: int, *, call: bool) -> _Item:
        item = self._items.get(index)
        if item is None:
            item = self._items[index] = _Item(call=call)
        return item

    def _start(self, index: int, raw: Any) -> None:
        if isinstance(raw, ResponseFunctionToolCall):
            item = self._item(index, call=True)
            item.name, item.call_id = raw.name, raw.call_id
        elif isinstance(raw, ResponseOutputMessage):
            self._item(index, call=False)

    def _done(self, index: int, raw: Any) -> None:
        if isinstance(raw, ResponseFunctionToolCall):
            item = self._item(index, call=True)
            if raw.caller is not None and getattr(raw.caller, "type", None) != "direct":
                dump = raw.model_dump(mode="json", exclude_unset=True, exclude_none=True, by_alias=True)
                item.kept = RawInputItem(dump)
            item.name, item.call_id, item.complete = raw.name, raw.call_id, raw.arguments
        elif isinstance(raw, ResponseOutputMessage):
            item = self._item(index, call=False)
            item.message = assistant_message(raw)
            if item.message is None:
                item.text, item.refusal, item.annotations, item.complete = [], [], [], None
        else:
            self._item(index, call=False).kept = kept_item(raw)
