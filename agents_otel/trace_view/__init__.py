"""The terminal trace view: recent runs as waterfalls, from the OTLP JSON-lines file (or spans in memory).

This is what a user sees with nothing installed: the zero-config default writes every run's trace to
``./.agents_otel/traces.jsonl`` (``AGENTS_OTEL_TRACE_FILE``), and ``agents-otel traces`` or :func:`print_trace`
draws it here. The same file loads into the Collector's ``otlpjsonfile`` receiver for Jaeger or Tempo.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from opentelemetry.sdk.trace import ReadableSpan
from rich.console import Console

from ..tracing.file_exporter import default_trace_file, spans_to_otlp_json
from ..tracing.setup import flush_file_exports
from .loading import DEFAULT_MAX_BYTES, load_traces, traces_from_requests
from .model import EventRecord, SpanRecord, TraceRecord
from .slowest_tools import ToolStats, slowest_tools_table, tool_stats
from .waterfall import DEFAULT_MAX_EVENTS, render_trace


def print_traces(
    traces: Sequence[TraceRecord], console: Console | None = None, *, max_events: int = DEFAULT_MAX_EVENTS
) -> None:
    """Each trace's waterfall, in the order given, then the slowest tools across all of them."""
    console = console or Console()
    for trace in traces:
        console.print(render_trace(trace, width=console.width, max_events=max_events))
        console.print()
    table = slowest_tools_table(traces)
    if table is not None:
        console.print(table)


def find_trace(traces: Sequence[TraceRecord], trace_id: str) -> TraceRecord | None:
    """The trace whose id is ``trace_id`` or starts with it (a unique prefix, as with git hashes)."""
    wanted = trace_id.strip().lower()
    matches = [t for t in traces if t.trace_id.startswith(wanted)]
    exact = [t for t in matches if t.trace_id == wanted]
    if exact:
        return exact[0]
    return matches[0] if len(matches) == 1 else None


def print_trace(trace_id: str | None = None, path: str | None = None, console: Console | None = None) -> None:
    """Render one run's trace (default: the newest) from the JSON-lines file (default: the zero-config file).

    Spans this process still has queued for that file are written first, so a script can call this right after
    its run. Problems (no file, no such trace) are printed, not raised: this is the last line of a demo.
    """
    console = console or Console()
    file = Path(path) if path is not None else default_trace_file()
    flush_file_exports(file)
    try:
        traces = load_traces(file)
    except FileNotFoundError:
        console.print(f"[yellow]No trace file at {file}[/yellow] (runs are written there when no OTLP endpoint is set)")
        return
    trace = traces[0] if trace_id is None and traces else find_trace(traces, trace_id) if trace_id else None
    if trace is None:
        what = f"trace {trace_id}" if trace_id else "any trace"
        console.print(f"[yellow]{file} holds no {what}[/yellow]")
        return
    print_traces([trace], console)


def render_spans(spans: Sequence[ReadableSpan], console: Console | None = None) -> None:
    """Render finished SDK spans (e.g. from an ``InMemorySpanExporter``) exactly as the file would show them."""
    traces = traces_from_requests([spans_to_otlp_json(spans)]) if spans else []
    print_traces(traces, console)


__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_EVENTS",
    "EventRecord",
    "SpanRecord",
    "ToolStats",
    "TraceRecord",
    "find_trace",
    "load_traces",
    "print_trace",
    "print_traces",
    "render_spans",
    "render_trace",
    "tool_stats",
]
