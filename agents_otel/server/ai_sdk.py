"""``POST /ai-sdk/chat``: a run as the Vercel AI SDK's UI message stream, derived from the run's stream events
here and nowhere else.

The mapping (documented in docs/ui-protocols.md), each chunk a ``data: {json}`` SSE frame, the stream ending
with ``data: [DONE]``:

- ``start`` (the new assistant message's id; ``messageMetadata`` names the registry run and its trace), then
  ``start-step`` / ``finish-step`` around each agent segment (a handoff closes one and opens the next). The
  handoff itself is the model's ``transfer_to_<agent>`` tool call: input chunks when requested, its output (the
  transfer message) when it happened.
- Text: ``text-start`` / ``text-delta`` / ``text-end`` with one id per assistant message. The message's
  annotations (a web or file search's citations) are the protocol's sources, sent with the message before its
  ``text-end`` (:func:`sources`): as the SDK's own OpenAI provider makes them, one part per annotation.
- A tool call: ``tool-input-start`` then ``tool-input-available`` (the parsed arguments) when it starts, and
  ``tool-output-available`` or ``tool-output-error`` when it ends: input before output for every call, as the
  client requires. A function call the model streams (:mod:`.tool_input`) opens its part as the model writes it:
  ``tool-input-start`` at its ``output_item.added``, one ``tool-input-delta`` (``inputTextDelta``) per arguments
  delta (the client shows the partial input), then ``tool-input-available`` when the tool starts (with the
  call's ``toolMetadata``, which exists from then on), never a second ``tool-input-start``. A call that never
  streamed (a model that does not stream calls, a paused run's approvals, a hosted call, a call made by an agent
  used as a tool) gets both input chunks when it starts. A streamed call the run never started (it failed or was
  cancelled first: a call cut short, a call to a tool the agent lacks) ends at the run's end as the protocol's
  ``tool-input-error`` (``input``: what streamed, parsed if whole; ``errorText``: why it never ran), so its part
  is ``output-error``, never left ``input-streaming``; sent back, it is the call and that error, as the AI SDK's
  own invalid tool calls are.
  ``toolMetadata`` carries the call's ``traceId``/``spanId`` and, for a call made by an agent used as a tool, the
  outer call's id as ``parentToolCallId``.
- Reasoning: a reasoning item's summary (never its encrypted reasoning) as ``reasoning`` parts. A summary the
  model streams (:mod:`.reasoning_stream`) is one part per summary part, as the SDK's own OpenAI provider makes
  it: ``reasoning-start`` at the part's first delta, one ``reasoning-delta`` per delta, ``reasoning-end`` when the
  next part starts or the item ends; not sent again at ``reasoning_item_created``. One that never streamed is one
  part with the whole summary then. A run cancelled or paused mid-reasoning ends its open part.
- Progress: ``data-tool-progress`` parts whose ``id`` is the tool call id, so the client keeps one part per call
  and replaces it with each new value; ``data`` is ``{toolCallId, toolName, sequence, data, traceId, spanId}``.
  A stall: ``data-tool-stalled`` (same ``id``).
- The end: ``finish-step`` and ``finish``; a failed run: ``error`` (its message); a run cancelled at
  ``/runs/{id}/cancel``: ``abort``. Whatever is still streaming (text, reasoning, a call's input) ends first.
- A run stopped for tool approvals: for each waiting call, its tool part (``tool-input-start`` /
  ``tool-input-available``: the paused run never ran it, so never announced it) and a ``tool-approval-request``
  whose ``approvalId`` is the call id; then ``finish-step``, ``data-run-interrupted`` (the run id and the waiting
  calls) and ``finish`` with ``finishReason: "interrupted"``. The client's approval responses resume it
  (:mod:`.ai_sdk_input`); the resumed run streams into the same assistant message (``start`` names it), without
  announcing the answered calls again, a rejected call's end being ``tool-output-denied``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from ..hosted_tools import HostedToolCallItem
from ..items import (
    HandoffCallItem,
    HandoffOutputItem,
    MessageOutputItem,
    ReasoningItem,
    ToolCallItem,
    ToolCallOutputItem,
)
from ..safe_json import dumps
from ..stream_events import (
    AgentUpdatedStreamEvent,
    RawResponsesStreamEvent,
    RunItemStreamEvent,
    StreamEvent,
    ToolProgressStreamEvent,
    ToolStalledStreamEvent,
)
from .event_json import jsonable
from .protocol_stream import new_id, result_text, run_metadata, tool_value, trace_link
from .reasoning_stream import ReasoningChange, ReasoningStream, summary_texts
from .tool_input import InputChange, StreamedCalls

UI_MESSAGE_STREAM_HEADERS = {"x-vercel-ai-ui-message-stream": "v1", "x-accel-buffering": "no"}
DONE = b"data: [DONE]\n\n"


class AiSdkMapping:
    """One run's UI message stream. For a resumed run: ``message_id``, the assistant message it continues;
    ``decided``, the answered calls (the client has their parts); ``denied``, those rejected."""

    def __init__(
        self,
        *,
        served_run_id: str,
        trace_id: str | None,
        message_id: str | None = None,
        decided: frozenset[str] = frozenset(),
        denied: frozenset[str] = frozenset(),
    ) -> None:
        self._served_run_id = served_run_id
        self._trace_id = trace_id
        self._message_id = message_id or new_id()
        self._decided = decided
        self._denied = denied
        self._in_step = False
        self._text_id: str | None = None
        self._streamed = StreamedCalls()  # calls whose parts opened as the model wrote them
        self._available: set[str] = set()  # of those, the ones whose tool-input-available was sent
        self._thinking = ReasoningStream()  # reasoning summaries sent as the model wrote them

    def opening(self) -> list[bytes]:
        metadata = run_metadata(self._served_run_id, self._trace_id)
        return _frames({"type": "start", "messageId": self._message_id, "messageMetadata": metadata})

    def closing(self, outcome: Mapping[str, Any]) -> list[bytes]:
        """The run's end. Nothing is left streaming on the client: the open text and reasoning parts end, and a
        call whose input streamed but never became available (the run failed or was cancelled before its tool
        started) ends as the protocol's ``tool-input-error``, its part ``output-error``."""
        kind = outcome.get("type")
        chunks = [*self._close_text(), *_reasoning(self._thinking.open_changes())]
        waiting = (outcome.get("interruptions") or []) if kind == "run_interrupted" else []
        for call in waiting:  # the protocol's own approval request, on the call's part
            common = {"toolCallId": call["call_id"], "toolName": call["tool_name"]}
            chunks.extend(self._input(common, call["arguments"]))
            call_id = call["call_id"]
            chunks.append({"type": "tool-approval-request", "approvalId": call_id, "toolCallId": call_id})
        if kind == "run_failed":
            text = str(outcome.get("message") or outcome.get("error_type") or "the run failed")
            chunks.extend(self._never_ran(text))
            return [*_frames(*chunks, {"type": "error", "errorText": text}), DONE]
        cancelled = kind == "run_cancelled"
        chunks.extend(self._never_ran(f"the run {'was cancelled' if cancelled else 'ended'} before the tool ran"))
        if self._in_step:
            chunks.append({"type": "finish-step"})
            self._in_step = False
        if cancelled:
            chunks.append({"type": "abort", "reason": "the run was cancelled"})
        elif kind == "run_interrupted":  # also said in a data part, for a client resuming at /runs/{id}/resume
            data = {"run_id": self._served_run_id, "interruptions": waiting}
            chunks.append({"type": "data-run-interrupted", "data": data})
            chunks.append({"type": "finish", "finishReason": "interrupted"})
        else:
            chunks.append({"type": "finish", "finishReason": "stop"})
        return [*_frames(*chunks), DONE]

    def on_event(self, event: StreamEvent) -> list[bytes]:
        if isinstance(event, ToolProgressStreamEvent):
            data = tool_value(event.call, sequence=event.sequence, data=jsonable(event.data))
            if event.coalesced:
                data["coalesced"] = event.coalesced
            return _frames({"type": "data-tool-progress", "id": event.tool_call_id, "data": data})
        if isinstance(event, RawResponsesStreamEvent):
            delta = event.text_delta
            if delta is not None:
                return _frames(*self._text_delta(delta))
            return _frames(*_tool_input(self._streamed.feed(event)), *_reasoning(self._thinking.feed(event)))
        if isinstance(event, RunItemStreamEvent):
            item = event.item
            if isinstance(item, ToolCallItem):
                if item.call_id in self._decided:  # answered on its part: announced by the paused run
                    return []
                return _frames(*self._tool_called(item))
            if isinstance(item, ToolCallOutputItem):
                if item.call_id in self._denied:
                    return _frames({"type": "tool-output-denied", "toolCallId": item.call_id})
                return _frames(_tool_output(item))
            if isinstance(item, MessageOutputItem):  # ends the streamed text, or is the whole text if none streamed
                text = self._text_delta(item.text) if self._text_id is None else []
                return _frames(*text, *sources(item.annotations), *self._close_text())
            if isinstance(item, HandoffCallItem):
                common = {"toolCallId": item.call_id, "toolName": item.tool_name}
                return _frames(*self._close_text(), *self._input(common, item.arguments))
            if isinstance(item, HandoffOutputItem):
                return _frames({"type": "tool-output-available", "toolCallId": item.call_id, "output": item.output})
            if isinstance(item, ReasoningItem):  # sent as the model wrote it, or whole now (the summary only)
                streamed = self._thinking.claim(item.data.get("id"), summary_texts(item.data.get("summary")))
                if streamed is not None or not item.summary_text:
                    return _frames(*_reasoning(streamed or []))
                part = new_id()
                return _frames(
                    {"type": "reasoning-start", "id": part},
                    {"type": "reasoning-delta", "id": part, "delta": item.summary_text},
                    {"type": "reasoning-end", "id": part},
                )
            return []
        if isinstance(event, AgentUpdatedStreamEvent):
            chunks = self._close_text()
            if self._in_step:
                chunks.append({"type": "finish-step"})
            self._in_step = True
            return _frames(*chunks, {"type": "start-step"})
        if isinstance(event, ToolStalledStreamEvent):
            data = tool_value(
                event.call,
                stalledFor=event.stalled_for,
                stallTimeout=event.stall_timeout,
                lastSequence=event.last_sequence,
            )
            return _frames({"type": "data-tool-stalled", "id": event.tool_call_id, "data": data})
        return []

    def _text_delta(self, delta: str) -> list[dict[str, Any]]:
        chunks: list[dict[str, Any]] = []
        if self._text_id is None:
            self._text_id = new_id()
            chunks.append({"type": "text-start", "id": self._text_id})
        if delta:
            chunks.append({"type": "text-delta", "id": self._text_id, "delta": delta})
        return chunks

    def _close_text(self) -> list[dict[str, Any]]:
        if self._text_id is None:
            return []
        text_id, self._text_id = self._text_id, None
        return [{"type": "text-end", "id": text_id}]

    def _tool_called(self, item: ToolCallItem) -> list[dict[str, Any]]:
        metadata = trace_link(item.call)
        common: dict[str, Any] = {"toolCallId": item.call_id, "toolName": item.tool_name, "toolMetadata": metadata}
        chunks = self._close_text() if item.parent_tool_call_id is None else []
        if isinstance(item, HostedToolCallItem):  # run by the provider (the protocol's providerExecuted)
            common["providerExecuted"] = True
        chunks.extend(self._input(common, item.arguments))
        if isinstance(item, HostedToolCallItem):  # its result came with the call: no tool_output event follows
            output = {"toolCallId": item.call_id, "output": jsonable(item.result()), "providerExecuted": True}
            chunks.append({"type": "tool-output-available", **output})
        return chunks

    def _input(self, common: dict[str, Any], arguments: str) -> list[dict[str, Any]]:
        """A call's input chunks: ``tool-input-start`` unless its part opened as the model wrote it
        (:mod:`.tool_input`), then the whole input."""
        call_id = common["toolCallId"]
        start = [{"type": "tool-input-start", **common}]
        if call_id in self._streamed:
            start = []
            self._available.add(call_id)
        return [*start, {"type": "tool-input-available", **common, "input": _arguments(arguments)}]

    def _never_ran(self, reason: str) -> list[dict[str, Any]]:
        """A ``tool-input-error`` for each call whose part opened as the model wrote it and never got its input
        (its tool never started): the input as far as it streamed (parsed if it is whole JSON), ``reason``."""
        return [
            {
                "type": "tool-input-error",
                "toolCallId": call.call_id,
                "toolName": call.tool_name,
                "input": _arguments(call.arguments),
                "errorText": reason,
            }
            for call in self._streamed
            if call.call_id not in self._available
        ]


def sources(annotations: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """A message's annotations (Responses JSON form) as the UI message stream's source chunks, made as the AI
    SDK's OpenAI provider makes its sources from the same annotations: one chunk per annotation (a URL cited twice
    is two parts), each with a new ``sourceId``; a ``url_citation`` is a ``source-url`` (``url``, ``title``); a
    ``file_citation`` / ``container_file_citation`` a ``text/plain`` ``source-document`` titled by its filename, a
    ``file_path`` an ``application/octet-stream`` one titled by its file id, their ids (and a file citation's
    ``index``) in ``providerMetadata.openai``. An annotation of another type, or without the fields its chunk
    needs, has no source (the provider skips it too). The positions in the text are not sources' fields: they stay
    with the run (``/runs``' ``message_output_created``)."""
    chunks: list[dict[str, Any]] = []
    for annotation in annotations:
        kind, file_id = annotation.get("type"), annotation.get("file_id")
        if kind == "url_citation" and isinstance(annotation.get("url"), str):
            chunk: dict[str, Any] = {"type": "source-url", "sourceId": new_id(), "url": annotation["url"]}
            if isinstance(annotation.get("title"), str):
                chunk["title"] = annotation["title"]
            chunks.append(chunk)
        elif kind in _DOCUMENT_TYPES and isinstance(file_id, str):
            filename = annotation.get("filename") if kind != "file_path" else None
            name = filename if isinstance(filename, str) and filename else file_id
            metadata: dict[str, Any] = {"type": kind, "fileId": file_id}
            for key, field in (("index", "index"), ("containerId", "container_id")):
                if isinstance(annotation.get(field), int | str):
                    metadata[key] = annotation[field]
            chunks.append(
                {
                    "type": "source-document",
                    "sourceId": new_id(),
                    "mediaType": _DOCUMENT_TYPES[kind],
                    "title": name,
                    "filename": name,
                    "providerMetadata": {"openai": metadata},
                }
            )
    return chunks


_DOCUMENT_TYPES = {
    "file_citation": "text/plain",
    "container_file_citation": "text/plain",
    "file_path": "application/octet-stream",
}
"""The annotations that cite a file, and the media type the AI SDK's OpenAI provider gives their sources."""


def _tool_input(changes: list[InputChange]) -> list[dict[str, Any]]:
    """A streamed call's part as the model writes it: opened, then its input text piece by piece. Its end adds
    nothing: ``tool-input-available`` follows when the tool starts (or the run stops for its approval). The
    turn's text part stays open beside it (the model's message item, which ends it, comes after the answer)."""
    chunks: list[dict[str, Any]] = []
    for change in changes:
        call = change.call
        if change.kind == "start":
            chunks.append({"type": "tool-input-start", "toolCallId": call.call_id, "toolName": call.tool_name})
        elif change.kind == "delta":
            chunks.append({"type": "tool-input-delta", "toolCallId": call.call_id, "inputTextDelta": change.text})
    return chunks


def _reasoning(changes: list[ReasoningChange]) -> list[dict[str, Any]]:
    """A streamed reasoning summary: one ``reasoning`` part per summary part (the item's own start and end add
    nothing)."""
    kinds = {"part_start": "reasoning-start", "delta": "reasoning-delta", "part_end": "reasoning-end"}
    chunks: list[dict[str, Any]] = []
    for change in changes:
        if change.kind in kinds:
            chunk = {"type": kinds[change.kind], "id": change.item.part_id(change.part)}
            chunks.append({**chunk, "delta": change.text} if change.kind == "delta" else chunk)
    return chunks


def _tool_output(item: ToolCallOutputItem) -> dict[str, Any]:
    if item.is_error:
        return {"type": "tool-output-error", "toolCallId": item.call_id, "errorText": result_text(item)}
    return {"type": "tool-output-available", "toolCallId": item.call_id, "output": jsonable(item.output)}


def _arguments(arguments: str) -> Any:
    """The call's input as JSON; arguments that are not JSON (a model's mistake) are passed on as the text."""
    try:
        return json.loads(arguments) if arguments else {}
    except ValueError:
        return arguments


def _frames(*chunks: dict[str, Any]) -> list[bytes]:
    """SSE frames written by the one encoder of stream events (:func:`agents_otel.safe_json.dumps`)."""
    return [f"data: {dumps(chunk)}\n\n".encode() for chunk in chunks]
