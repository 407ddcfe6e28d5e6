"""The Responses stream of a ``ModelStep`` streamed without exact events, as the SDK's ``agents.testing`` model makes
it: ``response.created`` and ``response.in_progress`` (the response without output or usage), then per output item
``response.output_item.added`` (the item in progress), its content events (a message part's
``content_part.added`` / ``output_text.delta`` / annotations / ``output_text.done`` / ``content_part.done``, a
refusal part's likewise, a call's ``function_call_arguments.delta`` / ``.done``, a reasoning item's summary and text
events), ``response.output_item.done``, and last ``response.completed`` with the whole response; sequence numbers
count from 0, and every item id is the item's own.

Why: SDK test code reads more of a stream than text (it waits for ``response.completed``, reads the call's
``function_call_arguments.delta``), and would see nothing of a scripted step otherwise. A module of its own so that
``testing.model`` keeps to answering, and our list steps' fast path never loads it.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from openai.types.responses import (
    Response,
    ResponseApplyPatchToolCall,
    ResponseCompletedEvent,
    ResponseContentPartAddedEvent,
    ResponseContentPartDoneEvent,
    ResponseCreatedEvent,
    ResponseFunctionCallArgumentsDeltaEvent,
    ResponseFunctionCallArgumentsDoneEvent,
    ResponseFunctionToolCall,
    ResponseInProgressEvent,
    ResponseOutputItemAddedEvent,
    ResponseOutputItemDoneEvent,
    ResponseOutputMessage,
    ResponseOutputRefusal,
    ResponseOutputText,
    ResponseOutputTextAnnotationAddedEvent,
    ResponseReasoningItem,
    ResponseReasoningSummaryPartAddedEvent,
    ResponseReasoningSummaryPartDoneEvent,
    ResponseReasoningSummaryTextDeltaEvent,
    ResponseReasoningSummaryTextDoneEvent,
    ResponseReasoningTextDeltaEvent,
    ResponseReasoningTextDoneEvent,
    ResponseRefusalDeltaEvent,
    ResponseRefusalDoneEvent,
    ResponseTextDeltaEvent,
    ResponseTextDoneEvent,
    ResponseUsage,
)
from pydantic import BaseModel

from ..exceptions import ModelBehaviorError
from ..items import AssistantMessage, FunctionCall, ProgramCall, RawInputItem
from ..models.interface import ModelResponse

SCRIPTED_MESSAGE_ID = "scripted-message"
"""The item id of a message scripted with our ``assistant_message`` (which keeps none), the SDK helper's default."""
_STREAMABLE = (ResponseOutputMessage, ResponseFunctionToolCall, ResponseReasoningItem, ResponseApplyPatchToolCall)
_VALIDATED: dict[str, type[BaseModel]] = {
    "message": ResponseOutputMessage,
    "function_call": ResponseFunctionToolCall,
    "reasoning": ResponseReasoningItem,
}


def responses_output(output: Sequence[Any]) -> list[Any]:
    """A step's output (as given, or our items) as the ``openai`` output items the stream is made of; an item of
    another type is a ``ModelBehaviorError`` naming ``ModelStep.stream``, as the SDK's automatic stream refuses it."""
    items: list[Any] = []
    for item in output:
        if isinstance(item, AssistantMessage):
            content: list[Any] = []
            if item.content or not item.refusal:
                content.append(_text_part(item))
            if item.refusal:
                content.append(ResponseOutputRefusal(type="refusal", refusal=item.refusal))
            items.append(_message(content))
        elif isinstance(item, ProgramCall) and item.item:
            items.append(ResponseFunctionToolCall.model_validate(item.item))
        elif isinstance(item, FunctionCall):
            items.append(
                ResponseFunctionToolCall(
                    type="function_call", id=item.call_id, call_id=item.call_id, name=item.name,
                    arguments=item.arguments,
                )
            )
        elif isinstance(item, RawInputItem | Mapping):
            items.append(_from_dict(dict(item.data if isinstance(item, RawInputItem) else item)))
        elif isinstance(item, _STREAMABLE):
            items.append(item.model_copy(deep=True))
        else:
            raise _unsupported(type(item).__name__)
    return items


def _message(content: list[Any]) -> ResponseOutputMessage:
    return ResponseOutputMessage(
        type="message", id=SCRIPTED_MESSAGE_ID, role="assistant", status="completed", content=content
    )


def _from_dict(data: dict[str, Any]) -> Any:
    kind = data.get("type")
    if kind == "apply_patch_call":  # the SDK's defaults: the call id as item id, a completed status
        call_id = data.get("call_id")
        data.setdefault("id", call_id)
        data.setdefault("status", "completed")
        return ResponseApplyPatchToolCall.model_validate(data)
    model = _VALIDATED.get(kind) if isinstance(kind, str) else None
    if model is None:
        raise _unsupported(repr(kind))
    return model.model_validate(data)


def _unsupported(kind: str) -> ModelBehaviorError:
    return ModelBehaviorError(
        f"Automatic streaming of a ModelStep does not support a {kind} item; give its exact events with "
        "ModelStep.stream(...)"
    )


def step_events(items: list[Any], response: ModelResponse, response_id: str | None) -> Iterator[Any]:
    """The stream of ``items`` (from :func:`responses_output`), ending on ``response.completed`` with the model,
    usage and request id of ``response`` (the call's answer) and ``response_id`` (``None``: the step has none).
    Events are made unnumbered and numbered here, in the order they are yielded, so no builder counts."""
    for number, event in enumerate(_events(items, response, response_id)):
        event.sequence_number = number
        yield event


def _events(items: list[Any], response: ModelResponse, response_id: str | None) -> Iterator[Any]:
    done = _response(items, response, response_id)
    opening = done.model_copy(update={"output": [], "status": "in_progress", "usage": None})
    yield ResponseCreatedEvent(type="response.created", response=opening.model_copy(deep=True), sequence_number=0)
    yield ResponseInProgressEvent(type="response.in_progress", response=opening, sequence_number=0)
    for index, item in enumerate(items):
        yield ResponseOutputItemAddedEvent(
            type="response.output_item.added", item=_in_progress(item), output_index=index, sequence_number=0
        )
        if isinstance(item, ResponseOutputMessage):
            for part_index, part in enumerate(item.content):
                yield from _part_events({"item_id": item.id, "output_index": index, "content_index": part_index}, part)
        elif isinstance(item, ResponseFunctionToolCall):
            yield from _call_events(item, index)
        elif isinstance(item, ResponseReasoningItem):
            yield from _reasoning_events(item, index)
        yield ResponseOutputItemDoneEvent(
            type="response.output_item.done", item=item.model_copy(deep=True), output_index=index, sequence_number=0
        )
    yield ResponseCompletedEvent(type="response.completed", response=done, sequence_number=0)


def _response(items: list[Any], response: ModelResponse, response_id: str | None) -> Response:
    usage = response.usage
    done = Response(
        id=response_id or "", created_at=0, model=response.model or "", object="response",
        output=copy.deepcopy(items), tool_choice="none", tools=[], top_p=None, parallel_tool_calls=False,
        status="completed",
        usage=ResponseUsage.model_validate(
            {
                "input_tokens": usage.input_tokens,
                "output_tokens": usage.output_tokens,
                "total_tokens": usage.total_tokens,
                "input_tokens_details": {
                    "cached_tokens": usage.input_tokens_details.cached_tokens,
                    "cache_write_tokens": getattr(usage.input_tokens_details, "cache_write_tokens", 0),
                },
                "output_tokens_details": {"reasoning_tokens": usage.output_tokens_details.reasoning_tokens},
            }
        ),
    )
    if response_id is None:  # as the SDK: a step without a response id streams a response without one
        object.__setattr__(done, "id", None)
    if response.request_id is not None:
        done._request_id = response.request_id
    return done


def _in_progress(item: Any) -> Any:
    """The item as ``response.output_item.added`` carries it: nothing of its content yet."""
    if isinstance(item, ResponseOutputMessage):
        return item.model_copy(deep=True, update={"content": [], "status": "in_progress"})
    if isinstance(item, ResponseFunctionToolCall):
        return item.model_copy(deep=True, update={"arguments": "", "status": "in_progress"})
    if isinstance(item, ResponseReasoningItem):
        update: dict[str, Any] = {"summary": [], "encrypted_content": None, "status": "in_progress"}
        return item.model_copy(deep=True, update={**update, "content": None if item.content is None else []})
    return item.model_copy(deep=True, update={"status": "in_progress"})


def _call_events(item: ResponseFunctionToolCall, index: int) -> Iterator[Any]:
    ids: dict[str, Any] = {"item_id": item.call_id if item.id is None else item.id, "output_index": index}
    yield ResponseFunctionCallArgumentsDeltaEvent(
        type="response.function_call_arguments.delta", delta=item.arguments, sequence_number=0, **ids
    )
    yield ResponseFunctionCallArgumentsDoneEvent.model_validate(  # with ``name``, which older openai releases need
        {"type": "response.function_call_arguments.done", "arguments": item.arguments, "name": item.name,
         "sequence_number": 0, **ids}
    )


def _text_part(item: AssistantMessage) -> ResponseOutputText:
    """The message's text part, its annotations as the ``openai`` types (their events are streamed from them)."""
    if not item.annotations:
        return ResponseOutputText(type="output_text", text=item.content, annotations=[], logprobs=[])
    data = {"type": "output_text", "text": item.content, "annotations": [dict(a) for a in item.annotations]}
    return ResponseOutputText.model_validate({**data, "logprobs": []})


def _part_events(ids: dict[str, Any], part: Any) -> Iterator[Any]:
    """A message part's events: a refusal's, else a text's (its logprobs and annotations too)."""
    if isinstance(part, ResponseOutputRefusal):
        yield ResponseContentPartAddedEvent(
            type="response.content_part.added", part=part.model_copy(deep=True, update={"refusal": ""}),
            sequence_number=0, **ids,
        )
        yield ResponseRefusalDeltaEvent(type="response.refusal.delta", delta=part.refusal, sequence_number=0, **ids)
        yield ResponseRefusalDoneEvent(type="response.refusal.done", refusal=part.refusal, sequence_number=0, **ids)
    else:
        logprobs = [
            {"token": p.token, "logprob": p.logprob,
             "top_logprobs": [{"token": t.token, "logprob": t.logprob} for t in p.top_logprobs]}
            for p in part.logprobs or ()
        ]
        yield ResponseContentPartAddedEvent(
            type="response.content_part.added",
            part=part.model_copy(deep=True, update={"annotations": [], "logprobs": [], "text": ""}),
            sequence_number=0, **ids,
        )
        yield ResponseTextDeltaEvent.model_validate(
            {"type": "response.output_text.delta", "delta": part.text, "logprobs": logprobs, "sequence_number": 0,
             **ids}
        )
        for annotation_index, annotation in enumerate(part.annotations or ()):
            yield ResponseOutputTextAnnotationAddedEvent.model_validate(
                {"type": "response.output_text.annotation.added", "annotation_index": annotation_index,
                 "annotation": annotation.model_dump(), "sequence_number": 0, **ids}
            )
        yield ResponseTextDoneEvent.model_validate(
            {"type": "response.output_text.done", "text": part.text, "logprobs": logprobs, "sequence_number": 0,
             **ids}
        )
    yield ResponseContentPartDoneEvent(
        type="response.content_part.done", part=part.model_copy(deep=True), sequence_number=0, **ids
    )


def _reasoning_events(item: ResponseReasoningItem, index: int) -> Iterator[Any]:
    for summary_index, summary in enumerate(item.summary or ()):
        ids: dict[str, Any] = {"item_id": item.id, "output_index": index, "summary_index": summary_index}
        yield ResponseReasoningSummaryPartAddedEvent.model_validate(
            {"type": "response.reasoning_summary_part.added", "part": {"text": "", "type": summary.type},
             "sequence_number": 0, **ids}
        )
        yield ResponseReasoningSummaryTextDeltaEvent(
            type="response.reasoning_summary_text.delta", delta=summary.text, sequence_number=0, **ids
        )
        yield ResponseReasoningSummaryTextDoneEvent(
            type="response.reasoning_summary_text.done", text=summary.text, sequence_number=0, **ids
        )
        yield ResponseReasoningSummaryPartDoneEvent.model_validate(
            {"type": "response.reasoning_summary_part.done", "part": {"text": summary.text, "type": summary.type},
             "sequence_number": 0, **ids}
        )
    for content_index, content in enumerate(item.content or ()):
        ids = {"item_id": item.id, "output_index": index, "content_index": content_index}
        yield ResponseReasoningTextDeltaEvent(
            type="response.reasoning_text.delta", delta=content.text, sequence_number=0, **ids
        )
        yield ResponseReasoningTextDoneEvent(
            type="response.reasoning_text.done", text=content.text, sequence_number=0, **ids
        )


__all__ = ["SCRIPTED_MESSAGE_ID", "responses_output", "step_events"]
