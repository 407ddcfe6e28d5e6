"""The seed's third usage: ``Runner.run`` without a stream.

In the seed proposal ``send_progress`` was a no-op here. In agents_otel it still records every progress event on
the tool span, so the trace of a batch job shows how its tools progressed.
"""

from __future__ import annotations

import asyncio

from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from agents_otel import Agent, RunConfig, Runner, ToolContext, function_tool
from agents_otel.testing import ScriptedModel, assistant_message, function_call


@function_tool
async def analyze_data(ctx: ToolContext, query: str) -> str:
    """Analyse data.

    Args:
        query: What to analyse.
    """
    ctx.send_progress({"status": "fetching", "progress": 0.25})
    ctx.send_progress({"status": "processing", "progress": 0.75})
    return "analysis complete"


async def main() -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    agent = Agent(
        name="Analyst",
        tools=[analyze_data],
        model=ScriptedModel([[function_call("analyze_data", {"query": "Q4"})], [assistant_message("Done.")]]),
    )
    result = await Runner.run(agent, "Analyze Q4 sales", run_config=RunConfig(tracer_provider=provider))
    print(result.final_output)
    for span in exporter.get_finished_spans():
        for event in span.events:
            print(span.name, event.name, dict(event.attributes or {}))


if __name__ == "__main__":
    asyncio.run(main())
