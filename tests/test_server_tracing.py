"""The ``traceparent`` of ``POST /runs`` becomes the parent of the run's trace, over real HTTP."""

from __future__ import annotations

import httpx
from server_support import SAFETY_TIMEOUT, LiveServer, SteppedTool, parallel_agent, watch
from support import Tracing

from agents_otel.server import create_app

FRONTEND_TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
FRONTEND_SPAN_ID = "00f067aa0ba902b7"


def _traced_app(tracing: Tracing, tool: SteppedTool) -> object:
    return create_app(lambda: parallel_agent(tool), run_config=tracing.config)


def test_the_frontends_traceparent_is_the_parent_of_the_run() -> None:
    tracing = Tracing.new()
    tool = SteppedTool("solo", steps=1)
    with (
        LiveServer(_traced_app(tracing, tool)) as server,
        httpx.Client(base_url=server.base_url, timeout=SAFETY_TIMEOUT) as client,
    ):
        response = client.post(
            "/runs", json={"input": "go"}, headers={"traceparent": f"00-{FRONTEND_TRACE_ID}-{FRONTEND_SPAN_ID}-01"}
        )
        run = response.json()
        tool.release()
        events = list(watch(client, run["events_url"]))

    # Known before the run starts, so the page can link to the trace at once.
    assert run["trace_id"] == FRONTEND_TRACE_ID
    assert events[0] == {"id": 1, "type": "run_started", "run_id": run["id"], "trace_id": FRONTEND_TRACE_ID}
    assert {e["trace_id"] for e in events if "trace_id" in e} == {FRONTEND_TRACE_ID}

    spans = {s.name: s for s in tracing.spans()}
    agent_span = spans["invoke_agent Stepper"]
    assert format(agent_span.context.trace_id, "032x") == FRONTEND_TRACE_ID
    assert agent_span.parent is not None and agent_span.parent.is_remote
    assert format(agent_span.parent.span_id, "016x") == FRONTEND_SPAN_ID
    tool_span = spans["execute_tool solo"]
    assert tool_span.context.trace_id == agent_span.context.trace_id
    called = next(e for e in events if e["type"] == "tool_called")
    assert called["span_id"] == format(tool_span.context.span_id, "016x")


def test_without_traceparent_the_run_is_a_new_trace_named_by_its_events() -> None:
    tracing = Tracing.new()
    tool = SteppedTool("solo", steps=1)
    with (
        LiveServer(_traced_app(tracing, tool)) as server,
        httpx.Client(base_url=server.base_url, timeout=SAFETY_TIMEOUT) as client,
    ):
        run = client.post("/runs", json={"input": "go"}).json()
        tool.release()
        events = list(watch(client, run["events_url"]))
        status = client.get(f"/runs/{run['id']}").json()

    agent_span = next(s for s in tracing.spans() if s.name == "invoke_agent Stepper")
    trace_id = format(agent_span.context.trace_id, "032x")
    assert agent_span.parent is None
    # The root span starts before the run's first event, and POST /runs answers after that event.
    assert run["trace_id"] == trace_id
    assert events[0]["type"] == "run_started" and events[0]["trace_id"] == trace_id
    assert next(e for e in events if e["type"] == "tool_called")["trace_id"] == trace_id
    assert events[-1]["type"] == "run_completed" and events[-1]["trace_id"] == trace_id
    assert status["trace_id"] == trace_id


def test_a_malformed_traceparent_is_ignored() -> None:
    tracing = Tracing.new()
    tool = SteppedTool("solo", steps=1)
    with (
        LiveServer(_traced_app(tracing, tool)) as server,
        httpx.Client(base_url=server.base_url, timeout=SAFETY_TIMEOUT) as client,
    ):
        run = client.post("/runs", json={"input": "go"}, headers={"traceparent": "00-garbage-01"}).json()
        tool.release()
        events = list(watch(client, run["events_url"]))

    assert events[-1]["type"] == "run_completed"
    agent_span = next(s for s in tracing.spans() if s.name == "invoke_agent Stepper")
    assert agent_span.parent is None
