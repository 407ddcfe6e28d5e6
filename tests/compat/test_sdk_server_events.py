"""The new stream events in the server's JSON (what SSE clients and the web page read): a handoff's two events name
both agents, ``agent_updated`` names each agent taking over, and a tripwire says which guardrail stopped the run."""

from __future__ import annotations

import json
from typing import Any

import pytest

from agents_otel import (
    Agent,
    GuardrailFunctionOutput,
    InputGuardrailTripwireTriggered,
    Runner,
    input_guardrail,
)
from agents_otel.server.event_json import event_to_json
from agents_otel.testing import ScriptedModel, assistant_message, function_call


async def _events(agent: Agent[Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    result = Runner.run_streamed(agent, "go")
    try:
        async for event in result.stream_events():
            payload = event_to_json(event)
            if payload is not None:
                out.append(json.loads(json.dumps(payload)))  # really JSON
    except InputGuardrailTripwireTriggered:
        pass
    return out


async def test_handoff_events_as_json() -> None:
    b = Agent("B", model=ScriptedModel([[assistant_message("b")]]))
    a = Agent("A", model=ScriptedModel([[function_call("transfer_to_b", {}, call_id="h1")]]), handoffs=[b])
    events = [e for e in await _events(a) if e["type"] != "text_delta"]
    assert events == [
        {"type": "agent_updated", "agent_name": "A"},
        {
            "type": "handoff_requested",
            "tool_call_id": "h1",
            "tool_name": "transfer_to_b",
            "arguments": "{}",
            "agent_name": "A",
        },
        {
            "type": "handoff_occured",
            "tool_call_id": "h1",
            "tool_name": "transfer_to_b",
            "from_agent": "A",
            "to_agent": "B",
            "agent_name": "A",
        },
        {"type": "agent_updated", "agent_name": "B"},
        {"type": "message_output_created", "text": "b", "agent_name": "B"},
    ]


@pytest.mark.parametrize("info", [{"reason": "off topic"}, None])
async def test_tripwire_event_as_json(info: Any) -> None:
    @input_guardrail
    def topic(ctx: Any, agent: Any, input: Any) -> GuardrailFunctionOutput:
        return GuardrailFunctionOutput(output_info=info, tripwire_triggered=True)

    events = await _events(Agent("A", model=ScriptedModel([[assistant_message("x")]]), input_guardrails=[topic]))
    assert events[-1] == {
        "type": "guardrail_tripwire_triggered",
        "guardrail_name": "topic",
        "guardrail_type": "input",
        "agent_name": "A",
        "output_info": info,
    }
