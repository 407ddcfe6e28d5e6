"""The runtime's traces over real OTLP/HTTP and OTLP/gRPC, received on 127.0.0.1 and decoded with opentelemetry-proto.

One streamed run per protocol: the received trace must hold the span tree, the GenAI attributes, and progress
span events that are identical (call id, sequence, data, timestamp, span id) to the stream the same run produced.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from agents_otel import (
    Agent,
    RunConfig,
    Runner,
    ToolContext,
    ToolProgressStreamEvent,
    configure_tracing,
    function_tool,
)
from agents_otel.testing import ScriptedModel, assistant_message, function_call

SERVICE = "export-test"
STEPS = [{"step": 1, "of": 3, "status": "fetching"}, {"step": 2, "of": 3}, {"step": 3, "of": 3, "done": True}]


@function_tool
async def fetch_report(ctx: ToolContext[Any], name: str) -> str:
    """Fetch a report."""
    for step in STEPS:
        ctx.send_progress(step)
    return f"report {name}"


@function_tool
def broken(x: int) -> str:
    """Always fails."""
    raise ValueError("boom")


def _agent() -> Agent[Any]:
    model = ScriptedModel(
        [
            [
                function_call("fetch_report", {"name": "q4"}, call_id="call_fetch"),
                function_call("broken", {"x": 1}, call_id="call_broken"),
            ],
            [assistant_message("done")],
        ],
        model_name="scripted-1",
    )
    return Agent(name="reporter", instructions="Report.", tools=[fetch_report, broken], model=model)


@pytest.mark.parametrize("protocol", ["http/protobuf", "grpc"])
async def test_run_exports_span_tree_attributes_and_progress_identical_to_stream(
    protocol: str, request: pytest.FixtureRequest
) -> None:
    receiver = request.getfixturevalue("otlp_grpc_receiver" if protocol == "grpc" else "otlp_http_receiver")
    provider = configure_tracing(
        endpoint=receiver.endpoint,
        protocol=protocol,  # type: ignore[arg-type]
        headers={"x-tenant": "team-a"},
        service_name=SERVICE,
        set_global=False,
    )
    try:
        result = Runner.run_streamed(_agent(), "go", run_config=RunConfig(tracer_provider=provider))
        streamed = [e async for e in result.stream_events() if isinstance(e, ToolProgressStreamEvent)]
        assert result.final_output == "done"
        provider.force_flush()
        trace_id = result.trace_id
        receiver.wait_for(lambda spans: sum(s.trace_id == trace_id for s in spans) >= 5)
    finally:
        provider.shutdown()

    spans = receiver.trace(trace_id)
    by_name = {s.name: s for s in spans}
    assert sorted(by_name) == [
        "chat scripted-1",
        "execute_tool broken",
        "execute_tool fetch_report",
        "invoke_agent reporter",
    ]
    assert len(spans) == 5  # two chat spans

    root = by_name["invoke_agent reporter"]
    assert root.parent_span_id == ""
    assert all(s.parent_span_id == root.span_id for s in spans if s is not root)
    assert root.attributes["gen_ai.operation.name"] == "invoke_agent"
    assert root.attributes["gen_ai.agent.name"] == "reporter"
    assert root.resource["service.name"] == SERVICE
    assert root.scope_name == "agents_otel"

    chats = [s for s in spans if s.name == "chat scripted-1"]
    for chat in chats:
        assert chat.span.kind == 3  # SPAN_KIND_CLIENT
        assert chat.attributes["gen_ai.operation.name"] == "chat"
        assert chat.attributes["gen_ai.provider.name"] == "scripted"
        assert chat.attributes["gen_ai.request.model"] == "scripted-1"
        assert isinstance(chat.attributes["gen_ai.usage.input_tokens"], int)

    tool = by_name["execute_tool fetch_report"]
    assert tool.span.kind == 1  # SPAN_KIND_INTERNAL
    assert tool.attributes["gen_ai.operation.name"] == "execute_tool"
    assert tool.attributes["gen_ai.tool.name"] == "fetch_report"
    assert tool.attributes["gen_ai.tool.call.id"] == "call_fetch"
    assert tool.attributes["gen_ai.tool.type"] == "function"
    assert tool.attributes["gen_ai.agent.name"] == "reporter"

    failed = by_name["execute_tool broken"]
    assert failed.span.status.code == 2  # STATUS_CODE_ERROR
    assert failed.attributes["error.type"] == "ValueError"

    exported = [
        (
            attrs["gen_ai.tool.call.id"],
            attrs["agents_otel.progress.sequence"],
            json.loads(attrs["agents_otel.progress.data"]),
            event.time_unix_nano,
            tool.span_id,
            tool.trace_id,
        )
        for event in tool.span.events
        if event.name == "agents_otel.tool.progress"
        for attrs in [{kv.key: _value(kv.value) for kv in event.attributes}]
    ]
    from_stream = [(e.tool_call_id, e.sequence, e.data, e.timestamp, e.span_id, e.trace_id) for e in streamed]
    assert exported == from_stream
    assert [data for _, _, data, *_ in exported] == STEPS
    assert _progress_scalar(tool, "status") == ["fetching"]

    headers = receiver.headers[0]
    assert headers.get("x-tenant") == "team-a"


def _value(value: Any) -> Any:
    kind = value.WhichOneof("value")
    return getattr(value, kind) if kind else None


def _progress_scalar(span: Any, key: str) -> list[Any]:
    name = f"agents_otel.progress.data.{key}"
    return [_value(kv.value) for e in span.span.events for kv in e.attributes if kv.key == name]
