"""Chat Completions chunks as the Responses API stream events the OpenAI Agents SDK makes of them.

Code written for the SDK reads a streamed run's raw events as Responses events whatever the model's API:
``response.created``, an ``output_item.added`` and ``content_part.added`` before the first text, the text and refusal
deltas, a function call's ``output_item.added`` (its name and id, no arguments yet) and its
``function_call_arguments.delta`` events, the parts' and items' ``.done`` events and ``response.completed`` with the
whole answer. This module makes that sequence, in the SDK's order and with its output indexes and sequence numbers,
beside :class:`~._openai_chat_output.ChatStreamAssembler`, which still assembles the answer the run uses: the events
of each chunk are read from the chunk as it comes, the closing ones from the assembled ``ModelResponse``, so what
``response.completed`` carries is what the run goes on with (a made-up call id included).

Reasoning text (``reasoning_content``, ``reasoning``, ``thinking_blocks``) is the SDK's reasoning item at output
index 0, ahead of the message and calls, with its events (``_chat_reasoning.StreamedReasoning``): it is announced
as its first delta comes, its summary part closes when text, a refusal or a tool call follows, and the item itself
closes first among the closing events. The events carry the item as it was then (the SDK hands out the one object
it keeps growing, so an ``output_item.added`` it made shows the finished item once the stream is over).

A delta's url citations join the text part once it has begun, with no event of their own (as in the SDK): the part's
``content_part.done``, the message's ``output_item.done`` and ``response.completed`` carry them. Not converted: the
SDK's private attributes on the completed response (its raw-usage snapshot, its request count without usage) are
not set.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from openai.types.responses import (
    Response,
    ResponseCompletedEvent,
    ResponseContentPartAddedEvent,
    ResponseContentPartDoneEvent,
    ResponseCreatedEvent,
    ResponseFunctionCallArgumentsDeltaEvent,
    ResponseFunctionToolCall,
    ResponseOutputItemAddedEvent,
    ResponseOutputItemDoneEvent,
    ResponseOutputMessage,
    ResponseOutputRefusal,
    ResponseOutputText,
    ResponseRefusalDeltaEvent,
    ResponseTextDeltaEvent,
)
from openai.types.responses import response_output_text as output_text
from openai.types.responses import response_text_delta_event as text_delta
from openai.types.responses.response_output_text import AnnotationURLCitation

from ..items import FunctionCall, ProviderDataCall, RawInputItem
from ..responses_format import FAKE_RESPONSES_ID
from ._chat_provider_data import call_id
from ._chat_reasoning import StreamedReasoning
from ._openai_chat_output import CONTENT_FILTERED, url_citations
from ._openai_tools import tool_choice
from ._openai_usage import responses_usage
from .interface import ModelRequest, ModelResponse, ModelStreamEvent, ProviderEvent, RefusalDelta, TextDelta

_PROVIDER_DATA = "provider_data"
"""The extra field the SDK puts on each converted item: the model's name and the completion's id."""


def created_response(model_name: str, request: ModelRequest) -> Response:
    """The ``Response`` of ``response.created`` (``response.completed`` carries it with the output and usage), as
    the SDK fills it from the call's settings: ``tool_choice`` in the Responses form (``"auto"`` when unset),
    ``parallel_tool_calls`` only with tools."""
    settings = request.settings
    choice = "auto" if settings.tool_choice is None else tool_choice(settings.tool_choice, "responses")
    return Response.model_validate(
        {
            "id": FAKE_RESPONSES_ID,
            "created_at": time.time(),
            "model": model_name,
            "object": "response",
            "output": [],
            "tool_choice": choice,
            "top_p": settings.top_p,
            "temperature": settings.temperature,
            "tools": [],
            "parallel_tool_calls": bool(request.tools) and settings.parallel_tool_calls is True,
            "reasoning": settings.reasoning,
        }
    )


@dataclass(slots=True)
class _Call:
    """A function call as the SDK tracks it while streaming: announced once its name and id are known."""

    name: str = ""
    call_id: str = ""
    streaming: bool = False


class ChatStreamEvents:
    """The Responses events of one streamed completion: :meth:`feed` each chunk, then :meth:`finish` with the
    assembled response. ``buffered`` (``buffer_streamed_tool_calls``): as the SDK, tool calls are announced only at
    the end, each with its whole arguments in one delta."""

    def __init__(self, created: Response, *, buffered: bool = False) -> None:
        self._created = created
        self._buffered = buffered
        self._sequence = 0
        self._started = False
        self._provider_data: dict[str, Any] = {}
        self._text: tuple[int, ResponseOutputText] | None = None
        self._refusal: tuple[int, ResponseOutputRefusal] | None = None
        self._calls: dict[int, _Call] = {}
        self._message_index: int | None = None
        self._call_indexes: dict[int, int] = {}
        self._usage: Any = None
        self._content_filter = False
        self._reasoning = StreamedReasoning(self._next)

    def _next(self) -> int:
        number = self._sequence
        self._sequence += 1
        return number

    def feed(self, chunk: Any) -> list[Any]:
        """The events of one chunk, in the SDK's order: ``response.created`` first, then those of its reasoning,
        text, refusal and tool call fragments."""
        events: list[Any] = []
        if not self._started:
            self._started = True
            events.append(
                ResponseCreatedEvent(response=self._created, type="response.created", sequence_number=self._next())
            )
        usage = getattr(chunk, "usage", None)
        if usage is not None:
            self._usage = usage
        if not chunk.choices:
            return events
        choice = chunk.choices[0]  # the one choice the assembler reads
        if choice.finish_reason == "content_filter":
            self._content_filter = True
        delta = choice.delta
        if not delta:
            return events
        self._provider_data["model"] = self._created.model
        if getattr(chunk, "id", None):
            self._provider_data["response_id"] = chunk.id
        calls = bool(delta.tool_calls) and not self._buffered  # buffered ones are shown only at the end
        events.extend(self._reasoning.feed(delta, self._provider_data, calls=calls))
        content = delta.content
        if content is not None and (self._text is not None or content):
            self._add_text(events, content, getattr(choice, "logprobs", None))
        if self._text is not None and (annotations := getattr(delta, "annotations", None)):
            self._text[1].annotations.extend(  # no event of their own: the text part's .done events carry them
                AnnotationURLCitation.model_validate(citation) for citation in url_citations(annotations)
            )
        refusal = getattr(delta, "refusal", None)
        if refusal:
            self._add_refusal(events, refusal)
        if delta.tool_calls and not self._buffered:
            for fragment in delta.tool_calls:
                function = fragment.function
                index = fragment.index if fragment.index is not None else len(self._calls)
                raw_id = fragment.id and call_id(fragment.id, self._created.model)  # no LiteLLM signature suffix
                self._add_call(events, index, raw_id, function and function.name, function and function.arguments)
        return events

    def _message_added(self, events: list[Any]) -> None:
        events.append(self._item_added(self._message("in_progress", []), self._message_output_index()))

    def _part_added(self, events: list[Any], index: int, part: ResponseOutputText | ResponseOutputRefusal) -> None:
        """The message's text or refusal part begins (empty), as the SDK announces it before its first delta."""
        events.append(
            ResponseContentPartAddedEvent(
                content_index=index,
                item_id=FAKE_RESPONSES_ID,
                output_index=self._message_output_index(),
                part=part,
                type="response.content_part.added",
                sequence_number=self._next(),
            )
        )

    def _add_text(self, events: list[Any], content: str, logprobs: Any) -> None:
        if self._text is None:
            index = 1 if self._refusal is not None else 0
            self._text = (index, ResponseOutputText(text="", type="output_text", annotations=[], logprobs=[]))
            if index == 0:  # a refusal part already announced the message
                self._message_added(events)
            empty = ResponseOutputText(text="", type="output_text", annotations=[], logprobs=[])
            self._part_added(events, index, empty)
        index, part = self._text
        tokens = getattr(logprobs, "content", None) or []
        events.append(
            ResponseTextDeltaEvent(
                content_index=index,
                delta=content,
                item_id=FAKE_RESPONSES_ID,
                output_index=self._message_output_index(),
                type="response.output_text.delta",
                sequence_number=self._next(),
                logprobs=[_delta_logprob(token) for token in tokens],
            )
        )
        part.text += content
        if tokens:
            part.logprobs = [*(part.logprobs or ()), *(_output_logprob(token) for token in tokens)]

    def _add_refusal(self, events: list[Any], refusal: str) -> None:
        if self._refusal is None:
            index = 1 if self._text is not None else 0
            self._refusal = (index, ResponseOutputRefusal(refusal="", type="refusal"))
            if index == 0:  # a text part already announced the message
                self._message_added(events)
            self._part_added(events, index, ResponseOutputRefusal(refusal="", type="refusal"))
        index, part = self._refusal
        events.append(
            ResponseRefusalDeltaEvent(
                content_index=index,
                delta=refusal,
                item_id=FAKE_RESPONSES_ID,
                output_index=self._message_output_index(),
                type="response.refusal.delta",
                sequence_number=self._next(),
            )
        )
        part.refusal += refusal

    def _add_call(
        self, events: list[Any], index: int, call_id: str | None, name: str | None, arguments: str | None
    ) -> None:
        """One tool call fragment: the call is announced (arguments ``""``) once it has a name and an id, and from
        then each piece of its arguments is a delta of its own."""
        call = self._calls.setdefault(index, _Call())
        if name:
            call.name = name
        if call_id:
            call.call_id = call_id
        if not call.streaming and call.name and call.call_id:
            call.streaming = True
            item = self._call_item(call.call_id, call.name, "")
            events.append(self._item_added(item, self._call_output_index(index)))
        if call.streaming and arguments:
            events.append(self._arguments_delta(index, arguments))

    def _arguments_delta(self, index: int, arguments: str) -> ResponseFunctionCallArgumentsDeltaEvent:
        return ResponseFunctionCallArgumentsDeltaEvent(
            delta=arguments,
            item_id=FAKE_RESPONSES_ID,
            output_index=self._call_output_index(index),
            type="response.function_call_arguments.delta",
            sequence_number=self._next(),
        )

    def finish(self, response: ModelResponse) -> list[Any]:
        """The closing events, from the assembled ``response``: a buffered stream's tool calls, a content filter's
        refusal, the parts' and the calls' ``.done`` events, the message's, then ``response.completed``."""
        events: list[Any] = []
        calls = [item for item in response.output if isinstance(item, FunctionCall)]
        if self._buffered:  # announced whole at the end, as the SDK's buffered calls are (in index order)
            if calls:  # they come after the reasoning, as text does
                self._reasoning.close_part(events)
            for index, call in enumerate(calls):
                self._add_call(events, index, call.call_id, call.name, call.arguments)
            done = dict(enumerate(calls))
        else:  # the assembler's calls are in index order, this stream's keyed by the same indexes
            done = dict(zip(sorted(self._calls), calls, strict=True))
        if self._content_filter and self._text is None and self._refusal is None and not self._calls:
            self._message_added(events)
            self._add_refusal_part_only(events)
        events.extend(self._reasoning.finish())
        for part in (self._text, self._refusal):
            if part is not None:
                events.append(
                    ResponseContentPartDoneEvent(
                        content_index=part[0],
                        item_id=FAKE_RESPONSES_ID,
                        output_index=self._message_output_index(),
                        part=part[1],
                        type="response.content_part.done",
                        sequence_number=self._next(),
                    )
                )
        items: dict[int, ResponseFunctionToolCall] = {}
        for index, state in self._calls.items():
            call = done[index]
            item = items[index] = self._call_item(call.call_id, call.name, call.arguments)
            if type(call) is ProviderDataCall:  # its thought signature too, as the SDK's done item carries it
                setattr(item, _PROVIDER_DATA, dict(call.provider_data))
            output_index = self._call_output_index(index)
            if not state.streaming:  # never had a name and an id while streaming: all of it at once, as the SDK
                events.append(self._item_added(item, output_index))
                events.append(self._arguments_delta(index, call.arguments))
            events.append(self._item_done(item, output_index))
        reasoning = self._reasoning.item
        output: list[Any] = [*([reasoning] if reasoning is not None else []), *items.values()]
        if self._text is not None or self._refusal is not None:
            parts = sorted(p for p in (self._text, self._refusal) if p is not None)
            message = self._message("completed", [part for _, part in parts])
            output.insert(self._message_output_index(), message)
            events.append(self._item_done(message, self._message_output_index()))
        completed = self._created.model_copy(update={"output": output, "usage": responses_usage(self._usage)})
        number = self._next()
        events.append(ResponseCompletedEvent(response=completed, type="response.completed", sequence_number=number))
        return events

    def reasoning(self) -> RawInputItem | None:
        """The stream's reasoning item as the run keeps it (``None``: none), for the assembled response."""
        return self._reasoning.record()

    def _add_refusal_part_only(self, events: list[Any]) -> None:
        """A content filter's answer with nothing in it: the refusal the run fails with, streamed as one."""
        self._refusal = (0, ResponseOutputRefusal(refusal="", type="refusal"))
        events.append(
            ResponseContentPartAddedEvent(
                content_index=0,
                item_id=FAKE_RESPONSES_ID,
                output_index=self._message_output_index(),
                part=ResponseOutputRefusal(refusal="", type="refusal"),
                type="response.content_part.added",
                sequence_number=self._next(),
            )
        )
        self._add_refusal(events, CONTENT_FILTERED)

    def _item_added(self, item: Any, output_index: int) -> ResponseOutputItemAddedEvent:
        return ResponseOutputItemAddedEvent(
            item=item, output_index=output_index, type="response.output_item.added", sequence_number=self._next()
        )

    def _item_done(self, item: Any, output_index: int) -> ResponseOutputItemDoneEvent:
        return ResponseOutputItemDoneEvent(
            item=item, output_index=output_index, type="response.output_item.done", sequence_number=self._next()
        )

    def _message(self, status: Any, content: list[Any]) -> ResponseOutputMessage:
        message = ResponseOutputMessage(
            id=FAKE_RESPONSES_ID, content=content, role="assistant", type="message", status=status
        )
        if self._provider_data:
            setattr(message, _PROVIDER_DATA, dict(self._provider_data))
        return message

    def _call_item(self, call_id: str, name: str, arguments: str) -> ResponseFunctionToolCall:
        item = ResponseFunctionToolCall(
            id=FAKE_RESPONSES_ID, call_id=call_id, name=name, arguments=arguments, type="function_call"
        )
        if self._provider_data:
            setattr(item, _PROVIDER_DATA, dict(self._provider_data))
        return item

    def _message_output_index(self) -> int:
        """The message's place among the output items, fixed when first asked: after every call known by then if
        any call was already announced, else first (the SDK's layout)."""
        if self._message_index is None:
            self._message_index = self._reasoning_count() + (len(self._calls) if self._call_indexes else 0)
        return self._message_index

    def _reasoning_count(self) -> int:
        """The reasoning item comes first (output index 0) once there is one, as in the SDK's layout."""
        return 0 if self._reasoning.item is None else 1

    def _call_output_index(self, index: int) -> int:
        """A call's place, fixed when first asked: its order among the calls, after the message if the message was
        placed before it."""
        if index not in self._call_indexes:
            offset = list(self._calls).index(index)
            first = self._reasoning_count()
            message = self._message_index
            after = message is not None and offset >= message - first
            self._call_indexes[index] = first + offset + (1 if after else 0)
        return self._call_indexes[index]


def with_deltas(delta: TextDelta | RefusalDelta | None, chunk: Any, events: list[Any]) -> Iterator[ModelStreamEvent]:
    """One chunk's model stream events: its converted events as ``ProviderEvent``s around its one delta, which
    carries its own converted event as ``raw``, so the ``chat`` span still counts one delta per wire chunk. A chunk
    with neither text nor refusal is an empty ``TextDelta`` after all its events (an empty text delta the SDK makes
    of ``content=""`` once the text has begun among them)."""
    wanted = "response.output_text.delta" if isinstance(delta, TextDelta) else "response.refusal.delta"
    at = None if delta is None else next((i for i, event in enumerate(events) if event.type == wanted), None)
    if delta is None or at is None:
        yield from (ProviderEvent(event) for event in events)
        yield delta if delta is not None else TextDelta("", raw=chunk)
        return
    delta.raw = events[at]
    yield from (ProviderEvent(event) for event in events[:at])
    yield delta
    yield from (ProviderEvent(event) for event in events[at + 1 :])


def _delta_logprob(token: Any) -> text_delta.Logprob:
    tops = [text_delta.LogprobTopLogprob(token=t.token, logprob=t.logprob) for t in token.top_logprobs or ()]
    return text_delta.Logprob(token=token.token, logprob=token.logprob, top_logprobs=tops or None)


def _output_logprob(token: Any) -> output_text.Logprob:
    tops = [
        output_text.LogprobTopLogprob(token=t.token, logprob=t.logprob, bytes=t.bytes or [])
        for t in token.top_logprobs or ()
    ]
    return output_text.Logprob(token=token.token, logprob=token.logprob, bytes=token.bytes or [], top_logprobs=tops)
