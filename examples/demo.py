"""``make demo``: an agent runs slow tools in parallel and the terminal shows live progress bars per tool call,
then the run's trace, where the same progress sits on the tool spans as span events.

Offline by default (ScriptedModel: no API key, no server). With ``OPENAI_API_KEY`` or ``OPENAI_BASE_URL`` set,
a real model drives the same tools. Tracing is configured the way an application would: ``configure_tracing()``
exports to ``OTEL_EXPORTER_OTLP_ENDPOINT`` when set (Jaeger, Tempo, a Collector) and otherwise appends to the local
trace file that ``agents-otel traces`` shows again later.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

sys.path.insert(0, str(Path(__file__).parent))

from demo_tools import compress_archive, crawl_site, fetch_dataset, offline_orchestrator_model, researcher

from agents_otel import (
    Agent,
    RawResponsesStreamEvent,
    RunConfig,
    RunItemStreamEvent,
    Runner,
    ToolProgressStreamEvent,
    configure_tracing,
)
from agents_otel.tracing.file_exporter import default_trace_file

console = Console()


def choose_model() -> tuple[Any, Any, str]:
    """(orchestrator model, researcher model, description): a real model when one is configured."""
    try:
        from _model_choice import choose_model as choose_real  # provided alongside the OpenAI models
    except ImportError:
        choose_real = None
    if choose_real is not None:
        real, description = choose_real()
        if real is not None:
            return real, real, description
    offline = "offline ScriptedModel (set OPENAI_API_KEY or OPENAI_BASE_URL for a real model)"
    return offline_orchestrator_model(), None, offline


async def main() -> None:
    model, research_model, description = choose_model()
    console.print(f"[bold]agents_otel demo[/bold] - model: {description}")

    provider = configure_tracing(service_name="agents-otel-demo")
    memory = InMemorySpanExporter()  # a second copy of the spans, for the waterfall at the end
    provider.add_span_processor(SimpleSpanProcessor(memory))

    agent = Agent(
        name="Orchestrator",
        instructions=(
            "Use all four tools at once: fetch_dataset(name='sales-q4'), crawl_site(url='https://example.com'), "
            "compress_archive(files=9) and researcher(input='What drives tool latency?'). Then summarise in one "
            "sentence."
        ),
        tools=[fetch_dataset, crawl_site, compress_archive, researcher(research_model).as_tool()],
        model=model,
    )

    progress = Progress(
        TextColumn("{task.description}", justify="left"),
        BarColumn(bar_width=30),
        TextColumn("{task.percentage:>3.0f}%"),
        TextColumn("[dim]{task.fields[status]}"),
        TimeElapsedColumn(),
        console=console,
    )
    bars: dict[str, TaskID] = {}
    answer: list[str] = []
    result = Runner.run_streamed(agent, "Prepare the Q4 report inputs.", run_config=RunConfig(tracer_provider=provider))
    with progress:
        async for event in result.stream_events():
            if isinstance(event, RunItemStreamEvent) and event.name == "tool_called":
                item = event.item
                indent = "    " if item.parent_tool_call_id else ""  # type: ignore[union-attr]
                label = f"{indent}{item.tool_name} [dim]{item.call_id}[/dim]"  # type: ignore[union-attr]
                bars[item.call_id] = progress.add_task(label, total=1.0, status="started")  # type: ignore[union-attr]
            elif isinstance(event, ToolProgressStreamEvent) and event.tool_call_id in bars:
                data = event.data if isinstance(event.data, dict) else {"status": str(event.data)}
                progress.update(
                    bars[event.tool_call_id], completed=float(data.get("progress", 0)), status=data.get("status", "")
                )
            elif isinstance(event, RunItemStreamEvent) and event.name == "tool_output":
                item = event.item
                status = "[red]failed" if item.is_error else "[green]done"  # type: ignore[union-attr]
                if item.call_id in bars:  # type: ignore[union-attr]
                    progress.update(bars[item.call_id], completed=1.0, status=status)  # type: ignore[union-attr]
            elif isinstance(event, RawResponsesStreamEvent) and event.agent_name == agent.name:
                answer.append(getattr(event.data, "delta", ""))
    console.print(f"\n[bold]Answer:[/bold] {''.join(answer) or result.final_output}\n")
    show_trace(memory, result.trace_id)
    endpoint = os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") or os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
    where = f"exported over OTLP to {endpoint}" if endpoint else f"appended to {default_trace_file()}"
    console.print(
        f"\nTrace {result.trace_id} {where}; [bold]make traces[/bold] (or [bold].venv/bin/agents-otel traces[/bold])"
        " shows recent runs again."
    )


def show_trace(memory: InMemorySpanExporter, trace_id: str) -> None:
    """Each tool span with its progress events: what the stream showed is what the trace holds."""
    try:
        from agents_otel.trace_view import render_spans  # the full waterfall view, when available
    except ImportError:
        render_spans = None
    spans = memory.get_finished_spans()
    if render_spans is not None:
        render_spans(spans, console=console)
        return
    console.print(f"[bold]Trace {trace_id}[/bold]")
    for span in sorted(spans, key=lambda s: s.start_time or 0):
        if not span.name.startswith("execute_tool"):
            continue
        duration = ((span.end_time or 0) - (span.start_time or 0)) / 1e9
        call_id = (span.attributes or {}).get("gen_ai.tool.call.id")
        console.print(f"  [cyan]{span.name}[/cyan] {call_id} {duration:.2f}s, {len(span.events)} progress events")
        for ev in span.events:
            offset = (ev.timestamp - (span.start_time or 0)) / 1e9
            attrs = ev.attributes or {}
            sequence, data = attrs.get("agents_otel.progress.sequence"), attrs.get("agents_otel.progress.data")
            console.print(f"    +{offset:5.2f}s #{sequence} {data}")


if __name__ == "__main__":
    asyncio.run(main())
