"""The OpenAI Agents SDK's trace processors (``add_trace_processor``, ``set_trace_processors``, ``TracingProcessor``)
fed from our OpenTelemetry spans: one ``Trace`` per run, one ``Span`` per span with the SDK's span data, ids that
are the OTel ids in the SDK's string form, parents as in the OTel tree; a raising processor never breaks a run."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import subprocess
import sys
from datetime import datetime
from typing import Any

import pytest
from support import Tracing

from agents_otel import (
    Agent,
    AgentSpanData,
    CustomSpanData,
    FunctionSpanData,
    GenerationSpanData,
    GuardrailFunctionOutput,
    GuardrailSpanData,
    HandoffSpanData,
    RunConfig,
    RunContextWrapper,
    Runner,
    Span,
    TracingProcessor,
    UserError,
    add_trace_processor,
    flush_traces,
    function_tool,
    input_guardrail,
    set_trace_processors,
)
from agents_otel.testing import ScriptedModel, assistant_message, function_call
from agents_otel.tracing import Trace


class Recorder(TracingProcessor):
    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []
        self.flushed = 0
        self.shut = 0

    def on_trace_start(self, trace: Trace) -> None:
        self.events.append(("trace_start", trace))

    def on_trace_end(self, trace: Trace) -> None:
        self.events.append(("trace_end", trace))

    def on_span_start(self, span: Span[Any]) -> None:
        self.events.append(("span_start", span))

    def on_span_end(self, span: Span[Any]) -> None:
        self.events.append(("span_end", span))

    def shutdown(self) -> None:
        self.shut += 1

    def force_flush(self) -> None:
        self.flushed += 1

    def traces(self, kind: str = "trace_start") -> list[Trace]:
        return [item for event, item in self.events if event == kind]

    def ended(self) -> list[Span[Any]]:
        return [item for event, item in self.events if event == "span_end"]

    def of(self, data_type: type, **fields: Any) -> Span[Any]:
        (span,) = [
            s for s in self.ended()
            if isinstance(s.span_data, data_type) and all(getattr(s.span_data, k) == v for k, v in fields.items())
        ]
        return span


class Raising(Recorder):
    def on_trace_start(self, trace: Trace) -> None:
        raise RuntimeError("broken trace_start")

    def on_span_start(self, span: Span[Any]) -> None:
        raise RuntimeError("broken span_start")

    def on_span_end(self, span: Span[Any]) -> None:
        raise RuntimeError("broken span_end")


@pytest.fixture
def recorder() -> Any:
    rec = Recorder()
    set_trace_processors([rec])
    yield rec
    set_trace_processors([])


@function_tool
def lookup_invoice(invoice_id: str) -> str:
    """Find an invoice."""
    return f"invoice {invoice_id}: 42 EUR"


@input_guardrail
def no_homework(ctx: RunContextWrapper[Any], agent: Agent[Any], input: Any) -> GuardrailFunctionOutput:
    return GuardrailFunctionOutput(output_info=None, tripwire_triggered="homework" in str(input))


def _triage() -> Agent[Any]:
    billing = Agent("Billing", model=ScriptedModel([[assistant_message("It is 42 EUR.")]]))
    model = ScriptedModel([
        [function_call("lookup_invoice", {"invoice_id": "A1"}, call_id="c1")],
        [function_call("transfer_to_billing", {}, call_id="h1")],
    ], model_name="gpt-test")
    return Agent("Triage", model=model, tools=[lookup_invoice], handoffs=[billing], input_guardrails=[no_homework])


def _otel_ids(tracing: Tracing) -> dict[str, int]:
    return {s.name: s.context.span_id for s in tracing.spans() if s.context is not None}


async def test_a_run_is_one_trace_with_sdk_spans_and_parents(recorder: Recorder, tracing: Tracing) -> None:
    config = RunConfig(tracer_provider=tracing.provider, capture_content=True)
    result = await Runner.run(_triage(), "what about invoice A1?", run_config=config)
    assert result.final_output == "It is 42 EUR."

    (trace,) = recorder.traces()
    assert recorder.traces("trace_end") == [trace]
    assert recorder.events[0] == ("trace_start", trace) and recorder.events[-1] == ("trace_end", trace)
    assert trace.trace_id == "trace_" + result.trace_id and len(trace.trace_id) == 6 + 32
    assert trace.name == "Agent workflow"
    assert trace.export() == {
        "object": "trace", "id": trace.trace_id, "workflow_name": "Agent workflow", "group_id": None, "metadata": None,
    }

    started = [item for event, item in recorder.events if event == "span_start"]
    ended = recorder.ended()
    assert sorted(map(id, started)) == sorted(map(id, ended))  # the same object at start and end
    assert all(s.trace_id == trace.trace_id for s in ended)

    ids = _otel_ids(tracing)
    triage = recorder.of(AgentSpanData, name="Triage")
    billing = recorder.of(AgentSpanData, name="Billing")
    assert triage.span_id == "span_" + format(ids["invoke_agent Triage"], "016x")
    assert triage.parent_id is None
    assert billing.parent_id == triage.span_id  # the agent taking over is a child of the one handing off
    assert triage.span_data.tools == ["lookup_invoice"]  # from the captured tool definitions

    tool = recorder.of(FunctionSpanData, name="lookup_invoice")
    assert tool.parent_id == triage.span_id
    assert json.loads(tool.span_data.input) == {"invoice_id": "A1"}
    assert tool.span_data.output == "invoice A1: 42 EUR"
    assert tool.span_id == "span_" + format(ids["execute_tool lookup_invoice"], "016x")

    guardrail = recorder.of(GuardrailSpanData, name="no_homework")
    assert guardrail.parent_id == triage.span_id and guardrail.span_data.triggered is False
    handoff = recorder.of(HandoffSpanData)
    assert (handoff.span_data.from_agent, handoff.span_data.to_agent) == ("Triage", "Billing")
    assert handoff.parent_id == triage.span_id

    generations = [s for s in ended if isinstance(s.span_data, GenerationSpanData)]
    assert [s.parent_id for s in generations].count(triage.span_id) == 2
    assert [s.parent_id for s in generations].count(billing.span_id) == 1
    first = generations[0].span_data
    assert first.model == "gpt-test" and first.input is not None and first.input[0]["role"] == "user"

    for span in ended:
        assert span.error is None
        assert datetime.fromisoformat(span.started_at or "") <= datetime.fromisoformat(span.ended_at or "")
        exported = span.export()
        assert exported is not None
        assert exported["object"] == "trace.span" and exported["id"] == span.span_id
        assert exported["parent_id"] == span.parent_id and exported["span_data"]["type"] == span.span_data.type
    assert tool.span_data.export() == {
        "type": "function", "name": "lookup_invoice", "input": tool.span_data.input, "output": "invoice A1: 42 EUR",
        "mcp_data": None,
    }
    # the root agent span ends before its trace
    assert recorder.events[-2] == ("span_end", triage)


async def test_without_content_capture_tool_input_and_output_are_none(recorder: Recorder, tracing: Tracing) -> None:
    await Runner.run(_triage(), "invoice A1?", run_config=RunConfig(tracer_provider=tracing.provider))
    tool = recorder.of(FunctionSpanData, name="lookup_invoice")
    assert (tool.span_data.input, tool.span_data.output) == (None, None)
    generation = next(s for s in recorder.ended() if isinstance(s.span_data, GenerationSpanData))
    assert generation.span_data.input is None and generation.span_data.usage is not None


async def test_a_workflow_span_is_the_trace(recorder: Recorder, tracing: Tracing) -> None:
    config = RunConfig(
        tracer_provider=tracing.provider, workflow_name="Support flow", group_id="thread-9",
        trace_metadata={"user": "u1"},
    )
    agent = Agent("Support", model=ScriptedModel([[assistant_message("hi")]]))
    result = await Runner.run(agent, "hello", run_config=config)
    (trace,) = recorder.traces()
    assert (trace.name, trace.group_id, trace.metadata) == ("Support flow", "thread-9", {"user": "u1"})
    assert trace.trace_id == "trace_" + result.trace_id
    support = recorder.of(AgentSpanData, name="Support")
    assert support.parent_id is None  # directly under the trace
    assert support.trace_metadata == {"user": "u1"}
    assert not [s for s in recorder.ended() if isinstance(s.span_data, CustomSpanData)]


async def test_a_failed_tool_span_carries_the_error(recorder: Recorder, tracing: Tracing) -> None:
    @function_tool
    def broken() -> str:
        """Always fails."""
        raise ValueError("disk on fire")

    model = ScriptedModel([[function_call("broken", {})], [assistant_message("sorry")]])
    agent = Agent("Worker", model=model, tools=[broken])
    await Runner.run(agent, "go", run_config=RunConfig(tracer_provider=tracing.provider))
    tool = recorder.of(FunctionSpanData, name="broken")
    assert tool.error == {"message": "disk on fire", "data": {"error.type": "ValueError"}}
    assert recorder.of(AgentSpanData, name="Worker").error is None


async def test_a_raising_processor_is_logged_and_the_run_goes_on(
    tracing: Tracing, caplog: pytest.LogCaptureFixture
) -> None:
    rec = Recorder()
    set_trace_processors([Raising(), rec])
    try:
        with caplog.at_level(logging.ERROR, logger="agents_otel"):
            result = await Runner.run(_triage(), "invoice?", run_config=RunConfig(tracer_provider=tracing.provider))
    finally:
        set_trace_processors([])
    assert result.final_output == "It is 42 EUR."
    assert len(rec.traces("trace_end")) == 1 and len(rec.ended()) == len(tracing.spans())  # the others still hear
    failures = [r for r in caplog.records if "trace processor Raising failed" in r.getMessage()]
    assert {r.getMessage().rsplit(" ", 1)[-1] for r in failures} == {"on_trace_start", "on_span_start", "on_span_end"}


async def test_set_trace_processors_empty_stops_delivery(tracing: Tracing) -> None:
    rec = Recorder()
    add_trace_processor(rec)
    config = RunConfig(tracer_provider=tracing.provider)
    await Runner.run(Agent("A", model=ScriptedModel([[assistant_message("one")]])), "x", run_config=config)
    delivered = len(rec.events)
    assert delivered > 0
    set_trace_processors([])
    await Runner.run(Agent("A", model=ScriptedModel([[assistant_message("two")]])), "x", run_config=config)
    assert len(rec.events) == delivered


async def test_set_trace_processors_replaces(tracing: Tracing) -> None:
    first, second = Recorder(), Recorder()
    add_trace_processor(first)
    set_trace_processors([second])
    try:
        await Runner.run(Agent("A", model=ScriptedModel([[assistant_message("one")]])), "x",
                         run_config=RunConfig(tracer_provider=tracing.provider))
    finally:
        set_trace_processors([])
    assert first.events == [] and len(second.traces()) == 1


async def test_concurrent_runs_do_not_mix(recorder: Recorder, tracing: Tracing) -> None:
    config = RunConfig(tracer_provider=tracing.provider)

    async def run(name: str) -> str:
        model = ScriptedModel([[function_call("lookup_invoice", {"invoice_id": name})], [assistant_message(name)]])
        result = await Runner.run(Agent(name, model=model, tools=[lookup_invoice]), "go", run_config=config)
        return result.trace_id

    ids = await asyncio.gather(*(run(f"Agent{i}") for i in range(4)))
    traces = recorder.traces()
    assert sorted(t.trace_id for t in traces) == sorted("trace_" + i for i in ids)
    for i, trace_id in enumerate(ids):
        spans = [s for s in recorder.ended() if s.trace_id == "trace_" + trace_id]
        (agent,) = [s for s in spans if isinstance(s.span_data, AgentSpanData)]
        assert agent.span_data.name == f"Agent{i}"
        assert len(spans) == 4 and all(s.parent_id == agent.span_id for s in spans if s is not agent)


async def test_an_agent_used_as_a_tool_nests_under_its_tool_span(recorder: Recorder, tracing: Tracing) -> None:
    inner = Agent("Researcher", model=ScriptedModel([[assistant_message("found it")]]))
    outer_model = ScriptedModel([[function_call("research", {"input": "q"})], [assistant_message("done")]])
    outer = Agent("Orchestrator", model=outer_model, tools=[inner.as_tool("research", "Research a question.")])
    await Runner.run(outer, "go", run_config=RunConfig(tracer_provider=tracing.provider))
    assert len(recorder.traces()) == 1
    orchestrator = recorder.of(AgentSpanData, name="Orchestrator")
    tool = recorder.of(FunctionSpanData, name="research")
    researcher = recorder.of(AgentSpanData, name="Researcher")
    assert tool.parent_id == orchestrator.span_id and researcher.parent_id == tool.span_id
    (inner_call,) = [s for s in recorder.ended() if s.parent_id == researcher.span_id]
    assert isinstance(inner_call.span_data, GenerationSpanData)


async def test_flush_traces_flushes_processors(recorder: Recorder, tracing: Tracing) -> None:
    await Runner.run(Agent("A", model=ScriptedModel([[assistant_message("x")]])), "x",
                     run_config=RunConfig(tracer_provider=tracing.provider))
    flush_traces()
    assert recorder.flushed >= 1


def test_a_processor_must_implement_the_interface() -> None:
    with pytest.raises(UserError, match="on_span_end"):
        add_trace_processor(object())  # type: ignore[arg-type]
    with pytest.raises(UserError):
        set_trace_processors([Recorder(), "not a processor"])  # type: ignore[list-item]


def test_no_bridge_on_a_provider_until_a_processor_is_registered() -> None:
    script = """
import asyncio
from opentelemetry.sdk.trace import TracerProvider
from agents_otel import Agent, RunConfig, Runner, add_trace_processor
from agents_otel.testing import ScriptedModel, assistant_message
from agents_otel.tracing.sdk_trace_bridge import BRIDGE
from tests_recorder import Recorder

provider = TracerProvider()
config = RunConfig(tracer_provider=provider)
agent = lambda: Agent("A", model=ScriptedModel([[assistant_message("x")]]))
asyncio.run(Runner.run(agent(), "x", run_config=config))
print(BRIDGE in provider._active_span_processor._span_processors)
rec = Recorder()
add_trace_processor(rec)
print(BRIDGE in provider._active_span_processor._span_processors)
asyncio.run(Runner.run(agent(), "x", run_config=config))
print(len(rec.traces()))
"""
    recorder_source = "from typing import Any\nfrom agents_otel import Span, TracingProcessor\n" + _recorder_source()
    program = f"import sys, types\nm = types.ModuleType('tests_recorder')\nexec({recorder_source!r}, m.__dict__)\n"
    program += "sys.modules['tests_recorder'] = m\n" + script
    proc = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60,
                          env={**_clean_env(), "AGENTS_OTEL_AUTO_CONFIGURE": "false"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["False", "True", "1"]


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "AGENTS_OTEL_"))}


def _recorder_source() -> str:
    import inspect

    return "from agents_otel.tracing import Trace\n" + inspect.getsource(Recorder)
