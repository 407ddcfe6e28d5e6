"""The OpenAI Agents SDK's ``trace()`` and ``custom_span()`` as OpenTelemetry spans: one ``invoke_workflow`` trace
around several runs, ``group_id`` as ``gen_ai.conversation.id`` on every span inside, ``metadata`` and custom span
data as attributes, errors recorded, ``disabled`` and ``set_tracing_disabled``
honoured, a malformed ``trace_id`` refused (a valid one: see test_sdk_span_functions.py).

Each case runs in a fresh interpreter: ``trace()`` uses the process's global provider, which a test must not set in
the pytest process (OpenTelemetry lets it be set once)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from typing import Any

import pytest
from support import Tracing

from agents_otel import Agent, RunConfig, Runner, UserError, trace
from agents_otel.testing import ScriptedModel, assistant_message, function_call

PRELUDE = """
import asyncio, json
from opentelemetry import trace as otel
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from agents_otel import Agent, Runner, custom_span, set_tracing_disabled, trace
from agents_otel.testing import ScriptedModel, assistant_message

exporter = InMemorySpanExporter()
provider = TracerProvider()
provider.add_span_processor(SimpleSpanProcessor(exporter))
otel.set_tracer_provider(provider)

def agent(text):
    return Agent(name="Joker", model=ScriptedModel([[assistant_message(text)]]))

def report(**extra):
    spans = [
        {"name": s.name, "trace": format(s.context.trace_id, "032x"), "id": s.context.span_id,
         "parent": s.parent.span_id if s.parent else None, "status": s.status.status_code.name,
         "attributes": dict(s.attributes or {})}
        for s in exporter.get_finished_spans()
    ]
    print(json.dumps({"spans": spans, **extra}, default=str))
"""


def run_script(body: str) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "AGENTS_OTEL_"))}
    script = PRELUDE + textwrap.dedent(body)
    proc = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    report: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return report


def test_runs_inside_a_trace_are_one_trace_under_an_invoke_workflow_span() -> None:
    report = run_script(
        """
        async def main():
            with trace("Joke workflow", group_id="thread-7", metadata={"user": "u1", "tags": ["a", "b"]}) as t:
                first = await Runner.run(agent("A joke."), "tell one")
                with custom_span("rate the joke", {"score": 8, "notes": {"funny": True}}):
                    second = await Runner.run(agent("8/10"), f"rate: {first.final_output}")
            return t.trace_id, first.trace_id, second.trace_id
        ids = asyncio.run(main())
        report(ids=ids)
        """
    )
    spans = {s["name"]: s for s in report["spans"] if not s["name"].startswith("chat")}
    workflow = spans["invoke_workflow Joke workflow"]
    assert workflow["parent"] is None
    assert workflow["attributes"] == {
        "gen_ai.operation.name": "invoke_workflow",
        "gen_ai.workflow.name": "Joke workflow",
        "gen_ai.conversation.id": "thread-7",
        "agents_otel.workflow.metadata.user": "u1",
        "agents_otel.workflow.metadata.tags": '["a","b"]',
    }
    assert {s["trace"] for s in report["spans"]} == {workflow["trace"]}  # one trace
    assert set(report["ids"]) == {workflow["trace"]}  # Trace.trace_id and each run's result.trace_id
    agents = [s for s in report["spans"] if s["name"] == "invoke_agent Joker"]
    custom = spans["rate the joke"]
    assert sorted(a["parent"] for a in agents) == sorted([workflow["id"], custom["id"]])
    assert custom["parent"] == workflow["id"]
    assert custom["attributes"]["agents_otel.custom.score"] == 8
    assert custom["attributes"]["agents_otel.custom.notes"] == '{"funny":true}'
    # group_id reaches every span started inside the trace, the runs' own spans included
    assert all(s["attributes"].get("gen_ai.conversation.id") == "thread-7" for s in report["spans"])


def test_start_and_finish_by_hand_and_an_error_inside() -> None:
    report = run_script(
        """
        t = trace("by hand")
        t.start(mark_as_current=True)
        with custom_span("inner"):
            pass
        t.finish(reset_current=True)
        try:
            with trace("failing"):
                raise ValueError("broken step")
        except ValueError:
            pass
        report(current_after=otel.get_current_span().get_span_context().is_valid)
        """
    )
    spans = {s["name"]: s for s in report["spans"]}
    assert spans["inner"]["parent"] == spans["invoke_workflow by hand"]["id"]
    assert report["current_after"] is False  # finish(reset_current=True) restored the context
    failing = spans["invoke_workflow failing"]
    assert failing["status"] == "ERROR" and failing["attributes"]["error.type"] == "ValueError"


def test_disabled_traces_record_nothing_and_the_runs_inside_still_run() -> None:
    report = run_script(
        """
        async def main():
            with trace("off", disabled=True) as t:
                result = await Runner.run(agent("ok"), "hi")
            set_tracing_disabled(True)
            with trace("off too"), custom_span("also off"):
                await Runner.run(agent("ok"), "hi")
            return t.trace_id, result.final_output
        report(out=asyncio.run(main()))
        """
    )
    names = [s["name"] for s in report["spans"]]
    assert report["out"] == ["", "ok"]
    assert "invoke_workflow off" not in names and "invoke_workflow off too" not in names
    assert names.count("invoke_agent Joker") == 1  # the first run: only the workflow was disabled


@pytest.mark.parametrize(
    "bad", ["trace_123", "0123456789abcdef0123456789abcdef", "trace_" + "AB" * 16, "trace_" + "0" * 32]
)
def test_a_malformed_trace_id_is_refused(bad: str) -> None:
    with pytest.raises(UserError, match="32 lowercase hex"):
        trace("w", trace_id=bad)


@pytest.mark.parametrize("streamed", [False, True])
async def test_run_config_workflow_name_group_id_and_metadata(streamed: bool, tracing: Tracing) -> None:
    """The SDK's RunConfig trace fields: the run gets an ``invoke_workflow`` span above its agents (one, even with
    an agent used as a tool inside), ``group_id`` is the conversation id of every span, ``trace_metadata`` its
    attributes, and ``trace_include_sensitive_data`` switches content capture."""
    inner = Agent(name="Inner", model=ScriptedModel([[assistant_message("inner")]]))
    model = ScriptedModel([[function_call("ask", {"input": "x"})], [assistant_message("done")]])
    agent = Agent(name="Outer", tools=[inner.as_tool("ask", "Ask.")], model=model)
    config = RunConfig(
        tracer_provider=tracing.provider,
        workflow_name="Support flow",
        group_id="thread-9",
        trace_metadata={"tier": "gold"},
        trace_include_sensitive_data=True,
    )
    if streamed:
        result: Any = Runner.run_streamed(agent, "go", run_config=config)
        async for _ in result.stream_events():
            pass
    else:
        result = await Runner.run(agent, "go", run_config=config)
    assert result.final_output == "done"
    (workflow,) = tracing.named("invoke_workflow")
    assert workflow.name == "invoke_workflow Support flow" and workflow.parent is None
    assert dict(workflow.attributes or {}) == {
        "gen_ai.operation.name": "invoke_workflow",
        "gen_ai.workflow.name": "Support flow",
        "agents_otel.workflow.metadata.tier": "gold",
        "gen_ai.conversation.id": "thread-9",
    }
    (outer,) = [s for s in tracing.named("invoke_agent") if s.name == "invoke_agent Outer"]
    assert outer.parent is not None and outer.parent.span_id == workflow.context.span_id
    assert all((s.attributes or {}).get("gen_ai.conversation.id") == "thread-9" for s in tracing.spans())
    assert "gen_ai.input.messages" in (tracing.named("chat")[0].attributes or {})  # content captured


async def test_trace_metadata_alone_names_the_workflow_as_the_sdk_does(tracing: Tracing) -> None:
    agent = Agent(name="A", model=ScriptedModel([[assistant_message("ok")]]))
    config = RunConfig(tracer_provider=tracing.provider, trace_metadata={"k": 1})
    await Runner.run(agent, "go", run_config=config)
    assert [s.name for s in tracing.named("invoke_workflow")] == ["invoke_workflow Agent workflow"]
    assert "gen_ai.input.messages" not in (tracing.named("chat")[0].attributes or {})  # capture stays off
    await Runner.run(Agent(name="B", model=ScriptedModel([[assistant_message("ok")]])), "go", run_config=tracing.config)
    assert len(tracing.named("invoke_workflow")) == 1  # a run without them has no workflow span
