"""``POST /ag-ui``: a run as AG-UI events, derived from the run's stream events here and nowhere else.

The mapping (documented in docs/ui-protocols.md):

- ``RUN_STARTED`` / ``RUN_FINISHED`` echo the input's ``threadId`` and ``runId``; ``RUN_STARTED.metadata`` names
  the registry run (``/runs/{id}``) and its trace. A failed run ends with ``RUN_ERROR`` (``code``: the exception
  type), a run cancelled at ``/runs/{id}/cancel`` with ``RUN_FINISHED`` whose outcome is ``cancelled``; either
  way, what was still streaming (the turn's text, a call's arguments, reasoning) is ended first.
- One ``STEP_STARTED`` / ``STEP_FINISHED`` per agent segment, named for the agent: a handoff closes one and opens
  the next. The handoff itself is the model's ``transfer_to_<agent>`` tool call: ``TOOL_CALL_START/ARGS/END``
  when requested, ``TOOL_CALL_RESULT`` (the transfer message) when it happened.
- Assistant text streams as ``TEXT_MESSAGE_START/CONTENT/END``, the message's annotations (a search's citations)
  in ``TEXT_MESSAGE_END.metadata.annotations`` (the client merges it into the message's ``metadata``); a tool call
  is ``TOOL_CALL_START`` (its ``parentMessageId`` is the same turn's assistant message), ``TOOL_CALL_ARGS`` and
  ``TOOL_CALL_END``, then ``TOOL_CALL_RESULT`` when it returns. A function call the model streams
  (:mod:`.tool_input`) is announced as the model writes it: ``TOOL_CALL_START`` at its ``output_item.added``, one
  ``TOOL_CALL_ARGS`` per arguments delta, ``TOOL_CALL_END`` when its arguments are done (at the latest when its
  tool starts), and not again then. A call that never streamed (a model that does not stream calls, a paused
  run's approvals, a hosted call, a call made by an agent used as a tool) is announced whole (one
  ``TOOL_CALL_ARGS``) when it starts. A run that ends while a call's arguments are still streaming ends that call
  first.
- A reasoning item's summary (never its encrypted reasoning) is a reasoning block (``REASONING_START`` /
  ``REASONING_END``) holding a reasoning message. A summary the model streams (:mod:`.reasoning_stream`) opens the
  block at its first delta, one ``REASONING_MESSAGE_START/CONTENT.../END`` per summary part, ``REASONING_END`` at
  the item's end, and is not sent again at ``reasoning_item_created``; one that never streamed is one message
  with the whole summary then. A run that ends mid-reasoning ends the open message and block first.
- Progress: ``CUSTOM`` ``tool_progress`` with ``toolCallId``, ``toolName``, ``sequence``, ``data``, ``traceId``,
  ``spanId`` (the call's ``execute_tool`` span), between that call's start and result; stalls: ``CUSTOM``
  ``tool_stalled``.
- A call made by an agent used as a tool is attributed to a subagent whose ``subagentRunId`` is the outer tool
  call's id: ``SUBAGENT_STARTED`` (``parentToolCallId``) before its first call, ``SUBAGENT_FINISHED`` (or
  ``SUBAGENT_ERROR``) before the outer call's result.

Every event is a model of the official ``ag-ui-protocol`` package, written by its ``EventEncoder`` (``data: ...``
frames with LF line ends; optional fields left out, never ``null``), and stamped with a millisecond timestamp.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from ag_ui.core import (
    BaseEvent,
    CustomEvent,
    ReasoningEndEvent,
    ReasoningMessageContentEvent,
    ReasoningMessageEndEvent,
    ReasoningMessageStartEvent,
    ReasoningStartEvent,
    RunErrorEvent,
    RunFinishedEvent,
    RunStartedEvent,
    StepFinishedEvent,
    StepStartedEvent,
    SubagentErrorEvent,
    SubagentFinishedEvent,
    SubagentStartedEvent,
    TextMessageContentEvent,
    TextMessageEndEvent,
    TextMessageStartEvent,
    ToolCallArgsEvent,
    ToolCallEndEvent,
    ToolCallResultEvent,
    ToolCallStartEvent,
)
from ag_ui.core.events import Interrupt, RunFinishedCancelledOutcome, RunFinishedInterruptOutcome
from ag_ui.encoder import EventEncoder

from ..hosted_tools import HostedToolCallItem
from ..items import (
    HandoffCallItem,
    HandoffOutputItem,
    MessageOutputItem,
    ReasoningItem,
    ToolCallItem,
    ToolCallOutputItem,
)
from ..stream_events import (
    AgentUpdatedStreamEvent,
    RawResponsesStreamEvent,
    RunItemStreamEvent,
    StreamEvent,
    ToolProgressStreamEvent,
    ToolStalledStreamEvent,
)
from .event_json import jsonable
from .protocol_stream import new_id, output_text, result_text, run_metadata, tool_value
from .reasoning_stream import ReasoningChange, ReasoningStream, summary_texts
from .tool_input import InputChange, StreamedCalls

TOOL_PROGRESS = "tool_progress"
TOOL_STALLED = "tool_stalled"


class AgUiMapping:
    """One run's AG-UI events; the state is only what the protocol's pairing rules need."""

    def __init__(
        self,
        thread_id: str,
        run_id: str,
        *,
        served_run_id: str,
        trace_id: str | None,
        decided: frozenset[str] = frozenset(),
    ) -> None:
        """``decided``: for a resumed run, the answered calls, which the paused run's stream already announced."""
        self._decided = decided
        self._thread_id = thread_id
        self._run_id = run_id
        self._served_run_id = served_run_id
        self._trace_id = trace_id
        self._encoder = EventEncoder()
        self._step: str | None = None
        self._text_id: str | None = None  # the assistant message being streamed
        self._turn_message_id: str | None = None  # the current turn's assistant message, parent of its calls
        self._subagents: dict[str, str | None] = {}  # active subagent (outer call id) -> its own parent subagent
        self._subagent_of: dict[str, str | None] = {}  # every call seen -> its subagent; None: the run's own agent
        self._streamed = StreamedCalls()  # calls announced as the model wrote them
        self._thinking = ReasoningStream()  # reasoning summaries sent as the model wrote them

    # ---- run boundaries ----------------------------------------------------------------------------------
    def opening(self) -> list[bytes]:
        metadata = run_metadata(self._served_run_id, self._trace_id)
        return self._encode(RunStartedEvent(thread_id=self._thread_id, run_id=self._run_id, metadata=metadata))

    def closing(self, outcome: Mapping[str, Any]) -> list[bytes]:
        kind = outcome.get("type")
        # Whatever is still streaming ends first, whatever the outcome (the client refuses RUN_FINISHED with open
        # reasoning): the turn's text, a call's arguments cut short (its TOOL_CALL_END: no result follows, the
        # call never ran), the reasoning.
        events: list[BaseEvent] = self._close_text()
        events.extend(ToolCallEndEvent(tool_call_id=call.call_id) for call in self._streamed.open_calls())
        events.extend(_reasoning_events(self._thinking.open_changes()))
        if kind == "run_failed":
            message = str(outcome.get("message") or outcome.get("error_type") or "the run failed")
            code = str(outcome.get("error_type") or "error")
            return self._encode(*events, RunErrorEvent(message=message, code=code))
        if kind == "run_interrupted":  # the waiting calls never ran, so were never announced: the interrupts' calls
            for call in outcome.get("interruptions") or ():
                if call["call_id"] in self._streamed:  # announced as the model wrote it
                    continue
                events.append(self._call_start(call["call_id"], call["tool_name"]))
                events.append(ToolCallArgsEvent(tool_call_id=call["call_id"], delta=call["arguments"]))
                events.append(ToolCallEndEvent(tool_call_id=call["call_id"]))
        for subagent in reversed(list(self._subagents)):
            events.append(
                SubagentErrorEvent(subagent_run_id=subagent, message="the run was cancelled", code="cancelled")
            )
        self._subagents.clear()
        if self._step is not None:
            events.append(StepFinishedEvent(step_name=self._step))
            self._step = None
        if kind == "run_cancelled":
            events.append(
                RunFinishedEvent(thread_id=self._thread_id, run_id=self._run_id, outcome=RunFinishedCancelledOutcome())
            )
        elif kind == "run_interrupted":  # waiting for tool approvals: the protocol's interrupt, never a "success"
            interrupts = [
                Interrupt(
                    id=call["call_id"],
                    reason="tool_approval",
                    tool_call_id=call["call_id"],
                    message=f"Approve {call['tool_name']}({call['arguments']})?",
                )
                for call in outcome.get("interruptions") or ()
            ]
            events.append(
                RunFinishedEvent(
                    thread_id=self._thread_id,
                    run_id=self._run_id,
                    outcome=RunFinishedInterruptOutcome(interrupts=interrupts),
                )
            )
        else:
            events.append(
                RunFinishedEvent(thread_id=self._thread_id, run_id=self._run_id, result=outcome.get("final_output"))
            )
        return self._encode(*events)

    # ---- stream events -----------------------------------------------------------------------------------
    def on_event(self, event: StreamEvent) -> list[bytes]:
        if isinstance(event, ToolProgressStreamEvent):
            value = tool_value(event.call, sequence=event.sequence, data=jsonable(event.data))
            if event.coalesced:
                value["coalesced"] = event.coalesced
            return self._encode(self._attributed(CustomEvent(name=TOOL_PROGRESS, value=value), event))
        if isinstance(event, RawResponsesStreamEvent):
            delta = event.text_delta
            if delta is not None:
                return self._encode(*self._text_delta(delta))
            thinking = _reasoning_events(self._thinking.feed(event))
            return self._encode(*self._tool_input(self._streamed.feed(event)), *thinking)
        if isinstance(event, RunItemStreamEvent):
            item = event.item
            if isinstance(item, ToolCallItem):
                if item.call_id in self._decided:  # announced with the interrupt that paused the run
                    return []
                return self._encode(*self._tool_called(item))
            if isinstance(item, ToolCallOutputItem):
                return self._encode(*self._tool_output(item))
            if isinstance(item, MessageOutputItem):
                return self._encode(*self._message(item))
            if isinstance(item, HandoffCallItem):
                return self._encode(*self._handoff_called(item))
            if isinstance(item, ReasoningItem):  # sent as the model wrote it, or whole now
                streamed = self._thinking.claim(item.data.get("id"), summary_texts(item.data.get("summary")))
                if streamed is None:
                    return self._encode(*self._reasoning(item.summary_text))
                return self._encode(*_reasoning_events(streamed))
            if isinstance(item, HandoffOutputItem):
                self._turn_message_id = None
                return self._encode(
                    ToolCallResultEvent(message_id=new_id(), tool_call_id=item.call_id, content=item.output)
                )
            return []
        if isinstance(event, AgentUpdatedStreamEvent):
            return self._encode(*self._agent(event.new_agent.name))
        if isinstance(event, ToolStalledStreamEvent):
            value = tool_value(
                event.call,
                stalledFor=event.stalled_for,
                stallTimeout=event.stall_timeout,
                lastSequence=event.last_sequence,
            )
            return self._encode(self._attributed(CustomEvent(name=TOOL_STALLED, value=value), event))
        return []

    def _agent(self, name: str) -> list[BaseEvent]:
        events: list[BaseEvent] = self._close_text()
        if self._step is not None:
            events.append(StepFinishedEvent(step_name=self._step))
        self._step = name
        self._turn_message_id = None
        events.append(StepStartedEvent(step_name=name))
        return events

    def _text_delta(self, delta: str) -> list[BaseEvent]:
        events: list[BaseEvent] = []
        if self._text_id is None:
            self._text_id = self._turn_message_id = new_id()
            events.append(TextMessageStartEvent(message_id=self._text_id, role="assistant"))
        if delta:
            events.append(TextMessageContentEvent(message_id=self._text_id, delta=delta))
        return events

    def _message(self, item: MessageOutputItem) -> list[BaseEvent]:
        """The model's complete message: ends the streamed one, or is the whole message if nothing streamed. Its
        annotations, as the run keeps them (their indexes point into the message's text), go in the end's
        ``metadata``: the protocol's place for what is known about a message only at its end."""
        events = self._text_delta(item.text) if self._text_id is None else []
        events += self._close_text()
        if item.annotations:
            events[-1].metadata = {"annotations": [jsonable(dict(a)) for a in item.annotations]}
        return events

    def _close_text(self) -> list[BaseEvent]:
        if self._text_id is None:
            return []
        message_id, self._text_id = self._text_id, None
        return [TextMessageEndEvent(message_id=message_id)]

    @staticmethod
    def _reasoning(summary: str) -> list[BaseEvent]:
        """A reasoning item's summary as a reasoning message of its own, whole (the model's own reasoning, encrypted
        or not, stays with the run). Nothing for a reasoning item without a summary."""
        if not summary:
            return []
        span, message = new_id(), new_id()
        return [
            ReasoningStartEvent(message_id=span),
            ReasoningMessageStartEvent(message_id=message, role="reasoning"),
            ReasoningMessageContentEvent(message_id=message, delta=summary),
            ReasoningMessageEndEvent(message_id=message),
            ReasoningEndEvent(message_id=span),
        ]

    def _tool_input(self, changes: list[InputChange]) -> list[BaseEvent]:
        """A streamed call's input as the model writes it (the run's own model: never a subagent's). The turn's
        text stays open beside it: the model's message item, which ends it, comes after the model's answer."""
        events: list[BaseEvent] = []
        for change in changes:
            call_id = change.call.call_id
            if change.kind == "start":
                events.append(self._call_start(call_id, change.call.tool_name))
            elif change.kind == "delta":
                events.append(ToolCallArgsEvent(tool_call_id=call_id, delta=change.text))
            else:
                events.append(ToolCallEndEvent(tool_call_id=call_id))
        return events

    def _tool_called(self, item: ToolCallItem) -> list[BaseEvent]:
        events: list[BaseEvent] = []
        parent = item.parent_tool_call_id
        if parent is None:
            events.extend(self._close_text())
        elif parent not in self._subagents:
            grandparent = self._subagent_of.get(parent)
            self._subagents[parent] = grandparent
            started = SubagentStartedEvent(subagent_run_id=parent, name=item.agent_name, parent_tool_call_id=parent)
            if grandparent is not None:
                started.parent_subagent_run_id = grandparent
            events.append(started)
        self._subagent_of[item.call_id] = parent
        if (ended := self._streamed_end(item.call_id)) is not None:
            return [*events, *ended]
        events.append(self._attributed(self._call_start(item.call_id, item.tool_name, nested=parent is not None), item))
        events.append(self._attributed(ToolCallArgsEvent(tool_call_id=item.call_id, delta=item.arguments), item))
        events.append(self._attributed(ToolCallEndEvent(tool_call_id=item.call_id), item))
        if isinstance(item, HostedToolCallItem):  # run by the provider: its result came with the call
            content = output_text(item.result())
            result = ToolCallResultEvent(message_id=new_id(), tool_call_id=item.call_id, content=content)
            result.metadata = {"providerExecuted": True}
            events.append(self._attributed(result, item))
        return events

    def _handoff_called(self, item: HandoffCallItem) -> list[BaseEvent]:
        """A handoff is the model's ``transfer_to_<agent>`` tool call: a tool call to the client too."""
        events: list[BaseEvent] = self._close_text()
        if (ended := self._streamed_end(item.call_id)) is not None:
            return [*events, *ended]
        events.append(self._call_start(item.call_id, item.tool_name))
        events.append(ToolCallArgsEvent(tool_call_id=item.call_id, delta=item.arguments))
        events.append(ToolCallEndEvent(tool_call_id=item.call_id))
        return events

    def _call_start(self, call_id: str, name: str, *, nested: bool = False) -> ToolCallStartEvent:
        """A call's ``TOOL_CALL_START``, its ``parentMessageId`` the turn's assistant message (none for a call made
        inside an agent used as a tool: the run's own model wrote no message for it)."""
        start = ToolCallStartEvent(tool_call_id=call_id, tool_call_name=name)
        if not nested and self._turn_message_id is not None:
            start.parent_message_id = self._turn_message_id
        return start

    def _streamed_end(self, call_id: str) -> list[BaseEvent] | None:
        """For a call announced as the model wrote it (:mod:`.tool_input`): its ``TOOL_CALL_END`` if its stream never
        said its arguments were done (its tool started or it was handed off: they were), else nothing. ``None``: the
        call did not stream, so it is announced whole."""
        if call_id not in self._streamed:
            return None
        return [ToolCallEndEvent(tool_call_id=call_id)] if self._streamed.end(call_id) else []

    def _tool_output(self, item: ToolCallOutputItem) -> list[BaseEvent]:
        events: list[BaseEvent] = []
        if item.call_id in self._subagents:
            del self._subagents[item.call_id]
            if item.is_error:
                error = SubagentErrorEvent(subagent_run_id=item.call_id, message=result_text(item))
                if item.error_type:
                    error.code = item.error_type
                events.append(error)
            else:
                events.append(SubagentFinishedEvent(subagent_run_id=item.call_id))
        if item.parent_tool_call_id is None:
            self._turn_message_id = None  # the next calls belong to the next turn's message
        result = ToolCallResultEvent(message_id=new_id(), tool_call_id=item.call_id, content=result_text(item))
        if item.is_error:
            result.metadata = {"isError": True, "errorType": item.error_type or "error"}
        events.append(self._attributed(result, item))
        return events

    # ---- helpers -----------------------------------------------------------------------------------------
    @staticmethod
    def _attributed(
        event: BaseEvent, source: ToolCallItem | ToolCallOutputItem | ToolProgressStreamEvent | ToolStalledStreamEvent
    ) -> BaseEvent:
        if source.parent_tool_call_id is not None:
            event.subagent_run_id = source.parent_tool_call_id  # type: ignore[attr-defined]
        return event

    def _encode(self, *events: BaseEvent) -> list[bytes]:
        frames = []
        for event in events:
            if event.timestamp is None:
                event.timestamp = time.time_ns() // 1_000_000
            frames.append(self._encoder.encode(event).encode())
        return frames


def _reasoning_events(changes: list[ReasoningChange]) -> list[BaseEvent]:
    """A streamed reasoning summary: the item's block, one reasoning message per summary part."""
    events: list[BaseEvent] = []
    for change in changes:
        item, part = change.item, change.item.part_id(change.part)
        if change.kind == "start":
            events.append(ReasoningStartEvent(message_id=item.id))
        elif change.kind == "part_start":
            events.append(ReasoningMessageStartEvent(message_id=part, role="reasoning"))
        elif change.kind == "delta":
            events.append(ReasoningMessageContentEvent(message_id=part, delta=change.text))
        elif change.kind == "part_end":
            events.append(ReasoningMessageEndEvent(message_id=part))
        else:
            events.append(ReasoningEndEvent(message_id=item.id))
    return events
