"""The OpenAI Agents SDK's span functions (``agent_span()``, ``function_span()``, ``generation_span()``, ...),
``get_current_span()`` / ``get_current_trace()`` and a chosen trace id (``RunConfig(trace_id=...)``,
``trace(trace_id=...)``): each span is the span our runtime makes for that kind of work, a child of the current
span, recorded where the enclosing run's spans go, and seen by the SDK trace processors with the SDK's span data."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import textwrap
from typing import Any

import pytest
from opentelemetry.trace import SpanKind, StatusCode
from sdk_span_support import Recorder, attrs, in_a_tool, one, parent_of
from support import Tracing

from agents_otel import (
    Agent,
    AgentSpanData,
    CustomSpanData,
    FunctionSpanData,
    GenerationSpanData,
    GuardrailSpanData,
    HandoffSpanData,
    MCPListToolsSpanData,
    RunConfig,
    Runner,
    SpanError,
    UserError,
    agent_span,
    custom_span,
    function_span,
    gen_trace_id,
    generation_span,
    get_current_span,
    get_current_trace,
    guardrail_span,
    handoff_span,
    mcp_tools_span,
    response_span,
    set_trace_processors,
)
from agents_otel.testing import ScriptedModel, assistant_message

CAPTURE = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"


async def test_each_span_function_is_the_runtime_span_of_its_kind_under_the_current_span(tracing: Tracing) -> None:
    def body() -> None:
        with agent_span("Planner", handoffs=["Billing"], tools=["lookup"], output_type="Plan"):
            pass
        with function_span("lookup", input='{"q": 1}', output="42"):
            pass
        with generation_span(
            model="gpt-4.1", model_config={"temperature": 0.2, "max_tokens": 50},
            usage={"input_tokens": 7, "output_tokens": 3, "output_tokens_details": {"reasoning_tokens": 2}},
        ):
            pass
        with handoff_span("Triage", "Billing"):
            pass
        with guardrail_span("no_homework", triggered=True):
            pass
        with mcp_tools_span(server="files", result=["read", "write"]):
            pass
        with custom_span("step", {"round": 2}):
            pass

    await in_a_tool(tracing, body)
    tool = one(tracing, "execute_tool work")
    expected: dict[str, tuple[SpanKind, dict[str, Any]]] = {
        "invoke_agent Planner": (SpanKind.INTERNAL, {
            "gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "Planner", "gen_ai.output.type": "json",
        }),
        "execute_tool lookup": (SpanKind.INTERNAL, {
            "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "lookup", "gen_ai.tool.type": "function",
        }),
        "chat gpt-4.1": (SpanKind.CLIENT, {
            "gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4.1", "gen_ai.request.temperature": 0.2,
            "gen_ai.request.max_tokens": 50, "gen_ai.usage.input_tokens": 7, "gen_ai.usage.output_tokens": 3,
            "gen_ai.usage.reasoning.output_tokens": 2,
        }),
        "handoff Triage -> Billing": (SpanKind.INTERNAL, {
            "gen_ai.agent.name": "Triage", "agents_otel.handoff.from_agent": "Triage",
            "agents_otel.handoff.to_agent": "Billing",
        }),
        "guardrail no_homework": (SpanKind.INTERNAL, {
            "agents_otel.guardrail.name": "no_homework", "agents_otel.guardrail.tripwire_triggered": True,
        }),
        "tools/list": (SpanKind.CLIENT, {"mcp.method.name": "tools/list", "agents_otel.mcp.server.name": "files"}),
        "step": (SpanKind.INTERNAL, {"agents_otel.custom.round": 2}),
    }
    for name, (kind, attributes) in expected.items():
        span = one(tracing, name)
        assert span.kind is kind, name
        assert attrs(span) == attributes, name  # no content (capture is off), nothing else
        assert parent_of(span) == tool.context.span_id, name
        assert span.context.trace_id == tool.context.trace_id
        assert span.status.status_code is StatusCode.UNSET


async def test_content_is_recorded_under_capture_only(tracing: Tracing, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CAPTURE, "SPAN_ONLY")

    def body() -> None:
        with agent_span("Planner", tools=["lookup"]):
            pass
        with function_span("lookup", input='{"q": 1}', output="42"):
            pass
        with generation_span(input=[{"role": "user", "content": "hi"}], model="m"):
            pass
        with mcp_tools_span(server="files", result=["read"]):
            pass

    await in_a_tool(tracing, body)
    assert json.loads(attrs(one(tracing, "invoke_agent Planner"))["gen_ai.tool.definitions"]) == [
        {"type": "function", "name": "lookup"}
    ]
    tool = attrs(one(tracing, "execute_tool lookup"))
    assert tool["gen_ai.tool.call.arguments"] == '{"q": 1}' and tool["gen_ai.tool.call.result"] == "42"
    chat = attrs(one(tracing, "chat m"))
    assert json.loads(chat["gen_ai.input.messages"]) == [{"role": "user", "content": "hi"}]
    assert attrs(one(tracing, "tools/list"))["agents_otel.mcp.tools"] == ("read",)


async def test_start_finish_by_hand_and_data_filled_in_meanwhile(tracing: Tracing) -> None:
    """As SDK code does: start the span, do the work, fill in ``span_data`` (output, usage, the agent handed to),
    finish. What was filled in is on the span; the name follows."""
    ids: dict[str, Any] = {}

    def body() -> None:
        generation = generation_span(model="gpt-4.1")
        generation.start(mark_as_current=True)
        ids["current"] = get_current_span() is generation
        generation.span_data.usage = {"input_tokens": 11, "output_tokens": 5}
        generation.finish(reset_current=True)
        ids["after"] = get_current_span()
        handoff = handoff_span(from_agent="Triage")
        handoff.start()
        handoff.span_data.to_agent = "Refunds"
        handoff.finish()
        handoff.finish()  # twice: still one span
        ids["handoff"] = (handoff.trace_id, handoff.span_id, handoff.parent_id)

    seen = await in_a_tool(tracing, body)
    assert ids["current"] is True
    assert isinstance(ids["after"].span_data, FunctionSpanData) and ids["after"].span_data.name == "work"
    chat = attrs(one(tracing, "chat gpt-4.1"))
    assert chat["gen_ai.usage.input_tokens"] == 11 and chat["gen_ai.usage.output_tokens"] == 5
    handoff = one(tracing, "handoff Triage -> Refunds")
    assert attrs(handoff)["agents_otel.handoff.to_agent"] == "Refunds"
    tool = one(tracing, "execute_tool work")
    assert ids["handoff"] == (
        "trace_" + seen["result"].trace_id, f"span_{handoff.context.span_id:016x}", f"span_{tool.context.span_id:016x}"
    )


async def test_errors_raised_in_the_span_or_reported_with_set_error(tracing: Tracing) -> None:
    spans: dict[str, Any] = {}

    def body() -> None:
        try:
            with function_span("flaky") as flaky:
                raise ValueError("no connection")
        except ValueError:
            spans["flaky"] = flaky
        with guardrail_span("policy") as guard:
            guard.set_error(SpanError(message="policy service down", data=None))
        with agent_span("Typed") as typed:
            typed.set_error(SpanError(message="bad output", data={"error.type": "invalid_final_output"}))

    await in_a_tool(tracing, body)
    flaky = one(tracing, "execute_tool flaky")
    assert flaky.status.status_code is StatusCode.ERROR and attrs(flaky)["error.type"] == "ValueError"
    assert [e.name for e in flaky.events] == ["exception"]
    assert spans["flaky"].error == {"message": "no connection", "data": {"error.type": "ValueError"}}
    guard = one(tracing, "guardrail policy")
    assert guard.status.status_code is StatusCode.ERROR and guard.status.description == "policy service down"
    assert attrs(guard)["error.type"] == "_OTHER"
    assert attrs(one(tracing, "invoke_agent Typed"))["error.type"] == "invalid_final_output"


async def test_trace_processors_receive_them_with_the_sdk_span_data(tracing: Tracing) -> None:
    recorder = Recorder()
    set_trace_processors([recorder])
    try:
        def body() -> None:
            with agent_span("Planner"), function_span("lookup"):
                pass
            with generation_span(model="gpt-4.1", usage={"input_tokens": 2, "output_tokens": 1}):
                pass
            with response_span():
                pass
            with handoff_span("Triage", "Billing"):
                pass
            with guardrail_span("no_homework", triggered=True):
                pass
            with mcp_tools_span(server="files"):
                pass
            with custom_span("step", {"round": 2}):
                pass

        seen = await in_a_tool(tracing, body)
    finally:
        set_trace_processors([])
    ours = {"Worker", "work"}  # the run's own agent and tool spans
    by_type = {type(s.span_data): s for s in recorder.ended if getattr(s.span_data, "name", None) not in ours}
    tool = next(s for s in recorder.ended if isinstance(s.span_data, FunctionSpanData) and s.span_data.name == "work")
    agent = by_type[AgentSpanData]
    assert agent.span_data.name == "Planner" and agent.parent_id == tool.span_id
    lookup = by_type[FunctionSpanData]
    assert lookup.span_data.name == "lookup" and lookup.parent_id == agent.span_id
    generations = [s for s in recorder.ended if isinstance(s.span_data, GenerationSpanData)
                   and s.parent_id == tool.span_id]
    assert [g.span_data.model for g in generations] == ["gpt-4.1", None]  # response_span: a model call too
    assert generations[0].span_data.usage["input_tokens"] == 2
    handoff = by_type[HandoffSpanData]
    assert (handoff.span_data.from_agent, handoff.span_data.to_agent) == ("Triage", "Billing")
    guard = by_type[GuardrailSpanData]
    assert (guard.span_data.name, guard.span_data.triggered) == ("no_homework", True)
    listing = by_type[MCPListToolsSpanData]
    assert listing.span_data.server == "files" and listing.parent_id == tool.span_id
    custom = [s for s in recorder.ended if isinstance(s.span_data, CustomSpanData) and s.span_data.name == "step"]
    assert custom[0].span_data.data["round"] == 2
    assert {s.trace_id for s in recorder.ended} == {"trace_" + seen["result"].trace_id}


async def test_get_current_span_and_trace(tracing: Tracing) -> None:
    assert get_current_span() is None and get_current_trace() is None  # nothing current

    def body() -> Any:
        span = get_current_span()
        trace = get_current_trace()
        assert span is not None
        span.set_error(SpanError(message="reported by the tool", data=None))
        return span, trace

    seen = await in_a_tool(tracing, body, group_id="thread-3")
    span, trace = seen["value"]
    assert isinstance(span.span_data, FunctionSpanData) and span.span_data.name == "work"
    tool = one(tracing, "execute_tool work")
    assert span.span_id == f"span_{tool.context.span_id:016x}"
    assert tool.status.status_code is StatusCode.ERROR  # set_error on the view marks the runtime's span
    assert trace.trace_id == "trace_" + seen["result"].trace_id
    assert (trace.name, trace.group_id) == ("Agent workflow", "thread-3")


async def test_parent_argument_and_span_id_refused(tracing: Tracing) -> None:
    def body() -> None:
        outer = custom_span("outer")
        outer.start()  # not current
        with function_span("inside", parent=outer):
            pass
        outer.finish()
        with pytest.raises(UserError, match="parent="):
            function_span("x", parent=object()).start()  # type: ignore[arg-type]
        with pytest.raises(UserError, match="span_id"):
            agent_span("x", span_id="span_123")

    await in_a_tool(tracing, body)
    assert parent_of(one(tracing, "execute_tool inside")) == one(tracing, "outer").context.span_id


async def test_disabled_spans_record_nothing(tracing: Tracing) -> None:
    def body() -> str:
        with function_span("hidden", disabled=True) as hidden:
            pass
        return hidden.span_id

    seen = await in_a_tool(tracing, body)
    assert seen["value"] == "" and not tracing.named("execute_tool hidden")


@pytest.mark.parametrize("streamed", [False, True])
async def test_run_config_trace_id_is_the_trace_of_every_span(tracing: Tracing, streamed: bool) -> None:
    trace_id = gen_trace_id()
    config = RunConfig(tracer_provider=tracing.provider, trace_id=trace_id)
    agent = Agent("Joker", model=ScriptedModel([[assistant_message("ha")]]))
    if streamed:
        result: Any = Runner.run_streamed(agent, "go", run_config=config)
        async for _ in result.stream_events():
            pass
    else:
        result = await Runner.run(agent, "go", run_config=config)
    assert result.trace_id == trace_id.removeprefix("trace_")
    assert {f"{s.context.trace_id:032x}" for s in tracing.spans()} == {trace_id[6:]}
    root = one(tracing, "invoke_agent Joker")
    assert root.parent is not None and root.parent.is_remote  # the dangling parent that carries the chosen id
    assert root.parent.span_id not in {s.context.span_id for s in tracing.spans()}


@pytest.mark.parametrize("bad", ["trace_123", "123", "trace_" + "G" * 32, "trace_" + "0" * 32])
async def test_run_config_malformed_trace_id_fails_the_run(tracing: Tracing, bad: str) -> None:
    agent = Agent("Joker", model=ScriptedModel([[assistant_message("ha")]]))
    with pytest.raises(UserError, match="32 lowercase hex"):
        await Runner.run(agent, "go", run_config=RunConfig(tracer_provider=tracing.provider, trace_id=bad))
    assert tracing.spans() == []


async def test_run_config_trace_id_inside_a_current_span_joins_that_trace(
    tracing: Tracing, caplog: pytest.LogCaptureFixture
) -> None:
    """As an SDK run inside ``trace()``: the run belongs to the enclosing trace; the unused id is logged."""
    agent = Agent("Joker", model=ScriptedModel([[assistant_message("ha")]]))
    tracer = tracing.provider.get_tracer("app")
    with tracer.start_as_current_span("request") as request, caplog.at_level(logging.WARNING):
        result = await Runner.run(
            agent, "go", run_config=RunConfig(tracer_provider=tracing.provider, trace_id=gen_trace_id())
        )
    assert result.trace_id == f"{request.get_span_context().trace_id:032x}"
    assert "RunConfig.trace_id" in caplog.text


def test_trace_with_a_trace_id_is_that_trace() -> None:
    """``trace()`` uses the global provider, so this runs in a fresh interpreter."""
    script = textwrap.dedent(
        """
        import asyncio, json
        from opentelemetry import trace as otel
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import SimpleSpanProcessor
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
        from agents_otel import Agent, Runner, function_span, get_current_trace, trace
        from agents_otel.testing import ScriptedModel, assistant_message

        exporter = InMemorySpanExporter()
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(exporter))
        otel.set_tracer_provider(provider)

        async def main():
            agent = Agent(name="Joker", model=ScriptedModel([[assistant_message("ha")]]))
            with trace("Joke workflow", trace_id="trace_" + "5" * 32, group_id="g1") as t:
                with function_span("prepare"):
                    pass
                result = await Runner.run(agent, "go")
                current = get_current_trace()
            return t.trace_id, result.trace_id, current.trace_id, current.name, current.group_id

        out = asyncio.run(main())
        spans = [
            {"name": s.name, "trace": format(s.context.trace_id, "032x"), "id": s.context.span_id,
             "parent": s.parent.span_id if s.parent else None, "remote": bool(s.parent and s.parent.is_remote)}
            for s in exporter.get_finished_spans()
        ]
        print(json.dumps({"out": out, "spans": spans}))
        """
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "AGENTS_OTEL_"))}
    proc = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["out"] == ["5" * 32, "5" * 32, "trace_" + "5" * 32, "Joke workflow", "g1"]
    assert {s["trace"] for s in report["spans"]} == {"5" * 32}
    spans = {s["name"]: s for s in report["spans"]}
    workflow = spans["invoke_workflow Joke workflow"]
    assert workflow["remote"] is True  # under the never-exported parent carrying the id
    assert spans["execute_tool prepare"]["parent"] == workflow["id"]
    assert spans["invoke_agent Joker"]["parent"] == workflow["id"]
