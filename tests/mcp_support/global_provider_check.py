"""Run in a fresh process (the global TracerProvider can be set once): the MCP SDK's own CLIENT span, made on the
global provider, must fold into ours whichever provider the run uses. Prints a JSON summary for the test."""

from __future__ import annotations

import asyncio
import json
import sys

from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from agents_otel import Agent, RunConfig, Runner
from agents_otel.mcp import MCPServerStdio
from agents_otel.testing import ScriptedModel, assistant_message, function_call
from agents_otel.tracing.setup import disable_auto_configure


def provider() -> tuple[TracerProvider, InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    tp = TracerProvider()
    tp.add_span_processor(SimpleSpanProcessor(exporter))
    return tp, exporter


def summary(exporter: InMemorySpanExporter) -> dict[str, object]:
    spans = exporter.get_finished_spans()
    return {
        "client_spans": sorted(
            s.name for s in spans if s.kind is trace.SpanKind.CLIENT and not s.name.startswith("chat")
        ),
        "traces": len({s.context.trace_id for s in spans}),
        "span_count": len(spans),
    }


async def main() -> None:
    disable_auto_configure()
    global_tp, global_spans = provider()
    trace.set_tracer_provider(global_tp)
    run_tp, run_spans = provider()
    params = {"command": sys.executable, "args": [sys.argv[1]]}
    async with MCPServerStdio(params=params) as server:  # type: ignore[arg-type]
        for config in (RunConfig(tracer_provider=run_tp), RunConfig()):
            model = ScriptedModel([[function_call("add", {"a": 1, "b": 2})], [assistant_message("3")]])
            await Runner.run(Agent(name="a", mcp_servers=[server], model=model), "x", run_config=config)
            if config.tracer_provider is run_tp:
                between = summary(global_spans)
    print(
        json.dumps({"run": summary(run_spans), "global_during_run_provider": between, "global": summary(global_spans)})
    )


asyncio.run(main())
