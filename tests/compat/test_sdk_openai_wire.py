"""Structured output and handoffs over the real wire: the official ``openai`` client talking HTTP to the local
OpenAI-compatible server (``fake_openai``), for both APIs, streamed and not. Asserts what the request carried
(``text.format`` / ``response_format``, the ``transfer_to_...`` tool), what the run returned, and the trace."""

from __future__ import annotations

import json
from typing import Any

import openai
import pytest
from fake_openai.server import FakeOpenAIServer
from pydantic import BaseModel
from support import wire_model

from agents_otel import (
    Agent,
    AgentUpdatedStreamEvent,
    RawResponsesStreamEvent,
    RunItemStreamEvent,
    Runner,
)

APIS = ["responses", "chat"]


class Forecast(BaseModel):
    city: str
    celsius: int




@pytest.mark.parametrize("streamed", [False, True])
@pytest.mark.parametrize("api", APIS)
async def test_structured_output_over_the_wire(
    api: str, streamed: bool, fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Any
) -> None:
    fake_openai.enqueue(text=json.dumps({"city": "Lima", "celsius": 19}))
    agent = Agent("forecaster", model=wire_model(api, client), output_type=Forecast)
    if streamed:
        result: Any = Runner.run_streamed(agent, "forecast?", run_config=tracing.config)
        async for _ in result.stream_events():
            pass
    else:
        result = await Runner.run(agent, "forecast?", run_config=tracing.config)
    assert result.final_output == Forecast(city="Lima", celsius=19)
    body = fake_openai.last_request.body
    if api == "responses":
        fmt = body["text"]["format"]
        assert (fmt["type"], fmt["name"], fmt["strict"]) == ("json_schema", "final_output", True)
        schema = fmt["schema"]
    else:
        fmt = body["response_format"]
        assert fmt["type"] == "json_schema"
        assert (fmt["json_schema"]["name"], fmt["json_schema"]["strict"]) == ("final_output", True)
        schema = fmt["json_schema"]["schema"]
    assert schema["properties"].keys() == {"city", "celsius"} and schema["additionalProperties"] is False
    (chat,) = tracing.named("chat")
    assert chat.attributes["gen_ai.output.type"] == "json"


@pytest.mark.parametrize("api", APIS)
async def test_plain_text_requests_carry_no_output_format(
    api: str, fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI
) -> None:
    fake_openai.enqueue(text="hi")
    await Runner.run(Agent("a", model=wire_model(api, client)), "hi")
    body = fake_openai.last_request.body
    assert "text" not in body and "response_format" not in body


@pytest.mark.parametrize("api", APIS)
async def test_a_handoff_whose_second_agent_streams_text(
    api: str, fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Any
) -> None:
    model = wire_model(api, client)
    billing = Agent("Billing", instructions="You handle invoices.", model=model)
    triage = Agent("Triage", instructions="Route the user.", model=model, handoffs=[billing])
    fake_openai.enqueue(tool_calls=[("transfer_to_billing", {}, "call_h")])
    fake_openai.enqueue(text="Your invoice is on its way.")
    result = Runner.run_streamed(triage, "where is my invoice?", run_config=tracing.config)
    seen: list[str] = []
    deltas: list[tuple[str, str]] = []
    async for event in result.stream_events():
        if isinstance(event, AgentUpdatedStreamEvent):
            seen.append(f"agent:{event.new_agent.name}")
        elif isinstance(event, RunItemStreamEvent):
            seen.append(event.name)
        elif isinstance(event, RawResponsesStreamEvent) and event.text_delta is not None:
            deltas.append((event.agent_name, event.text_delta))
    assert seen == ["agent:Triage", "handoff_requested", "handoff_occured", "agent:Billing", "message_output_created"]
    assert len(deltas) > 1 and {a for a, _ in deltas} == {"Billing"}  # Billing's answer arrived as deltas
    assert "".join(d for _, d in deltas) == "Your invoice is on its way."
    assert result.final_output == "Your invoice is on its way."
    assert result.last_agent is billing

    first, second = (r.body for r in fake_openai.requests)
    tool_names = [t.get("name") or t.get("function", {}).get("name") for t in first["tools"]]
    assert tool_names == ["transfer_to_billing"]
    assert "tools" not in second  # Billing has no tools and no handoffs
    text = json.dumps(second)
    assert "call_h" in text and '{\\"assistant\\": \\"Billing\\"}' in text  # the handoff's output reached Billing
    spans = {s.name: s for s in tracing.spans()}
    assert spans["invoke_agent Billing"].parent.span_id == spans["invoke_agent Triage"].context.span_id
    assert spans["handoff Triage -> Billing"].attributes["gen_ai.tool.call.id"] == "call_h"
