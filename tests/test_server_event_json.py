"""The JSON form of stream events (pure functions: no server needed)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel

from agents_otel import Agent, RunItemStreamEvent, ToolCallIdentity, ToolCallOutputItem, ToolProgressStreamEvent
from agents_otel.server import event_to_json


class Progress(BaseModel):
    done: int
    total: int


def test_progress_data_in_any_form_the_runtime_accepts_becomes_plain_json() -> None:
    call = ToolCallIdentity(
        tool_call_id="call_1", tool_name="fetch", agent_name="A", trace_id="ab" * 16, span_id="cd" * 8
    )
    event = ToolProgressStreamEvent(call=call, data=Progress(done=1, total=4), sequence=1, timestamp=123)
    payload = event_to_json(event)
    assert payload is not None
    assert payload["data"] == {"done": 1, "total": 4}
    assert payload["trace_id"] == "ab" * 16 and payload["span_id"] == "cd" * 8
    json.dumps(payload)


def test_zero_ids_of_untraced_runs_become_null() -> None:
    call = ToolCallIdentity(
        tool_call_id="call_1", tool_name="fetch", agent_name="A", trace_id="0" * 32, span_id="0" * 16
    )
    item = ToolCallOutputItem(call=call, output=object())
    payload = event_to_json(RunItemStreamEvent("tool_output", item))
    assert payload is not None
    assert payload["trace_id"] is None and payload["span_id"] is None
    assert isinstance(payload["output"], str)  # not JSON-able: sent as its str


@dataclass
class FutureStreamEvent:
    tool_call_id: str
    waited: float
    trace_id: str
    type: Literal["tool_future_stream_event"] = field(default="tool_future_stream_event", init=False)


def test_event_kinds_this_schema_does_not_know_pass_through_with_their_fields() -> None:
    payload = event_to_json(FutureStreamEvent("call_1", 2.5, "0" * 32))  # type: ignore[arg-type]
    assert payload == {"type": "tool_future", "tool_call_id": "call_1", "waited": 2.5, "trace_id": None}


def test_agent_updates_name_the_agent() -> None:
    from agents_otel import AgentUpdatedStreamEvent

    agent: Agent[Any] = Agent(name="Planner")
    assert event_to_json(AgentUpdatedStreamEvent(agent)) == {"type": "agent_updated", "agent_name": "Planner"}
