"""A reasoning model whose summaries stream as the Responses API streams them, for the UI protocol tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from openai.types.responses import (
    ResponseOutputItemAddedEvent,
    ResponseOutputItemDoneEvent,
    ResponseReasoningSummaryPartAddedEvent,
    ResponseReasoningSummaryPartDoneEvent,
    ResponseReasoningSummaryTextDeltaEvent,
    ResponseReasoningSummaryTextDoneEvent,
)
from ui_protocol_support import StreamedCallsModel, write_file

from agents_otel import Agent
from agents_otel.items import RawInputItem
from agents_otel.models.interface import Model, ModelRequest, ModelResponse, ModelStreamEvent, ProviderEvent
from agents_otel.testing import assistant_message, function_call

FIRST_PARTS = ("**Planning the file**\n\nThe user wants a file written; ", "**Checking**\n\nOne call will do.")
SECOND_PARTS = ("**Answering**\n\nThe file is written, say so.",)


def reasoning_item(item_id: str, parts: tuple[str, ...], *, encrypted: bool = True) -> RawInputItem:
    """A reasoning output item with these summary parts (and, like a real one asked for it, encrypted content)."""
    data: dict[str, Any] = {"id": item_id, "type": "reasoning", "summary": [summary_part(t) for t in parts]}
    if encrypted:
        data["encrypted_content"] = "gAAAA-secret-reasoning"
    return RawInputItem(data)


def summary_part(text: str) -> dict[str, str]:
    return {"type": "summary_text", "text": text}


class StreamedReasoningModel(Model):
    """``inner``'s answers, each reasoning item's summary streamed first (the Responses API's order: reasoning comes
    before the message and the calls): ``output_item.added``, per summary part ``summary_part.added``, the text in
    ``pieces`` ``reasoning_summary_text.delta`` events, ``summary_text.done`` and ``summary_part.done``, then
    ``output_item.done`` (unless ``item_done=False``: a stream that never says the item is complete).
    ``fake_ids``: every event's ``item_id`` is ``__fake_id__``, as in a converted Chat Completions stream.
    ``hang``: the model stops mid-reasoning (its first item's summary sent, not its end) and waits until cancelled."""

    model_name = "streamed-reasoning"

    def __init__(
        self, inner: Model, *, pieces: int = 3, item_done: bool = True, fake_ids: bool = False, hang: bool = False
    ) -> None:
        self.inner = inner
        self.pieces = pieces
        self.item_done = item_done and not hang
        self.fake_ids = fake_ids
        self.hang = hang

    async def get_response(self, request: ModelRequest) -> ModelResponse:
        return await self.inner.get_response(request)

    async def stream_response(self, request: ModelRequest) -> AsyncIterator[ModelStreamEvent]:
        events = [event async for event in self.inner.stream_response(request)]
        response = events.pop()
        assert isinstance(response, ModelResponse)
        for index, item in enumerate(response.output):
            data = getattr(item, "data", None)
            if isinstance(data, dict) and data.get("type") == "reasoning":
                for raw in self.item_events(index, data):
                    yield ProviderEvent(raw)
                if self.hang:
                    await asyncio.get_running_loop().create_future()
        for event in events:
            yield event
        yield response

    def item_events(self, index: int, data: dict[str, Any]) -> list[Any]:
        item_id = "__fake_id__" if self.fake_ids else data["id"]
        common = {"item_id": item_id, "output_index": index, "sequence_number": 0}
        added = {**data, "id": item_id, "summary": []}
        events: list[Any] = [
            ResponseOutputItemAddedEvent.model_validate(
                {"type": "response.output_item.added", "item": added, "output_index": index, "sequence_number": 0}
            )
        ]
        for part, summary in enumerate(data["summary"]):
            ids = {**common, "summary_index": part}
            text = summary["text"]
            size = max(1, -(-len(text) // self.pieces))
            events.append(
                ResponseReasoningSummaryPartAddedEvent.model_validate(
                    {"type": "response.reasoning_summary_part.added", "part": summary_part(""), **ids}
                )
            )
            events.extend(
                ResponseReasoningSummaryTextDeltaEvent(
                    type="response.reasoning_summary_text.delta", delta=text[i : i + size], **ids
                )
                for i in range(0, len(text), size)
            )
            events.append(
                ResponseReasoningSummaryTextDoneEvent(type="response.reasoning_summary_text.done", text=text, **ids)
            )
            events.append(
                ResponseReasoningSummaryPartDoneEvent.model_validate(
                    {"type": "response.reasoning_summary_part.done", "part": summary_part(text), **ids}
                )
            )
        if self.item_done:
            done = {"type": "response.output_item.done", "output_index": index, "sequence_number": 0}
            events.append(ResponseOutputItemDoneEvent.model_validate({**done, "item": {**data, "id": item_id}}))
        return events


def streamed_reasoning_agent(**options: Any) -> Agent[Any]:
    """Two turns, each reasoning first: the first's summary in two parts, then text and a ``write_file`` call
    (``call_w``) whose arguments stream too; the second's in one part, then the answer ``Written.``."""
    call = function_call("write_file", {"path": "a.py", "content": "print(1)"}, call_id="call_w")
    steps = [
        [reasoning_item("rs_1", FIRST_PARTS), assistant_message("Writing."), call],
        [reasoning_item("rs_2", SECOND_PARTS), assistant_message("Written.")],
    ]
    return Agent(name="Thinker", tools=[write_file], model=StreamedReasoningModel(StreamedCallsModel(steps), **options))
