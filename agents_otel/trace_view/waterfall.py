"""The waterfall: one trace as a tree of spans with durations and time bars, progress events inline.

Each span is a row whose bar sits at its offset within the trace, scaled to the trace's duration. A tool
span's progress events follow it as rows of their own, with a marker in the bar column at the moment they were
recorded, so a stalled tool shows as a long bar with no markers near its end; other span events (a stall
notice, an application's own events) follow as ``•`` rows. Error spans carry ``✗`` and their ``error.type``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from ..tracing import attributes as A
from .model import EventRecord, SpanRecord, TraceRecord

DEFAULT_MAX_EVENTS = 10
"""Progress rows shown per span; the rest are summarised in one "… N more" row (the first and last are kept)."""

_STYLE_BY_OPERATION = {"invoke_agent": "magenta", "chat": "blue", "execute_tool": "green"}
_LABEL_MAX = 64
_SUMMARY_MAX = 72


@dataclass(slots=True)
class _Row:
    label: Text
    duration: str = ""
    bar: _Bar | None = None


def render_trace(trace: TraceRecord, *, width: int, max_events: int = DEFAULT_MAX_EVENTS) -> RenderableType:
    """The header line and the waterfall table of ``trace``, laid out for a console ``width`` columns wide."""
    rows: list[_Row] = []
    last_root = len(trace.roots) - 1
    for i, root in enumerate(trace.roots):
        _walk(root, trace, "", i == last_root, 0, rows, max_events)
    label_width = min(_LABEL_MAX, max((r.label.cell_len for r in rows), default=10), max(10, width // 2))
    bar_width = max(10, width - label_width - 10 - 4)
    table = Table(box=None, show_header=True, header_style="bold", pad_edge=False, padding=(0, 1), expand=False)
    table.add_column("Span", no_wrap=True, overflow="ellipsis", max_width=label_width, min_width=label_width)
    table.add_column("Duration", justify="right", no_wrap=True, width=9)
    table.add_column(f"0 … {format_duration(trace.duration)}", no_wrap=True, width=bar_width)
    for row in rows:
        table.add_row(row.label, row.duration, row.bar.draw(trace, bar_width) if row.bar else "")
    return Group(_header(trace), table)


def _header(trace: TraceRecord) -> Text:
    root = trace.root
    started = datetime.fromtimestamp(trace.start / 1e9).strftime("%Y-%m-%d %H:%M:%S")
    header = Text()
    header.append("Trace ", style="bold")
    header.append(trace.trace_id, style="bold cyan")
    header.append(f"  {root.name}", style="bold")
    parts = [p for p in (root.service_name, started, format_duration(trace.duration), f"{len(trace.spans)} spans") if p]
    if trace.errors:
        header.append(f"  ✗ {trace.errors} error{'s' if trace.errors > 1 else ''}", style="bold red")
    if trace.cancelled:
        spans = "span" if trace.cancelled == 1 else "spans"
        header.append(f"  ⊘ cancelled ({trace.cancelled} {spans})", style="bold yellow")
    header.append("\n" + " · ".join(parts), style="dim")
    return header


def _walk(
    span: SpanRecord, trace: TraceRecord, prefix: str, last: bool, depth: int, rows: list[_Row], max_events: int
) -> None:
    connector = "" if depth == 0 else ("└─ " if last else "├─ ")
    inner = prefix + ("" if depth == 0 else ("   " if last else "│  "))
    label = Text(prefix + connector, style="dim")
    label.append(span.name, style=_STYLE_BY_OPERATION.get(span.operation, ""))
    if span.is_cancelled:
        label.append(" ⊘ cancelled", style="bold yellow")
    elif span.is_error:
        label.append(f" ✗ {span.error_type or 'error'}", style="bold red")
    if span.is_cancelled:
        style = "yellow"
    else:
        style = "red" if span.is_error else _STYLE_BY_OPERATION.get(span.operation, "white")
    rows.append(_Row(label, format_duration(span.duration), _span_bar(span, style)))

    guide = inner + ("│  " if span.children else "   ")
    if span.is_error and span.status_message and not span.is_cancelled:
        rows.append(_Row(_detail(guide, f"✗ {span.status_message}", "red")))
    progress = [e for e in span.events if e.is_progress]
    for event in _elide(progress, max_events):
        if isinstance(event, int):
            rows.append(_Row(_detail(guide, f"… {event} more progress events", "dim")))
            continue
        rows.append(_Row(_progress_label(guide, span, event), "", _event_bar(span, event)))
    sampled_out = span.attributes.get(A.PROGRESS_DROPPED)
    if isinstance(sampled_out, int) and sampled_out > 0:
        emitted = span.attributes.get(A.PROGRESS_EMITTED)
        # Trace-side sampling kept these; the live stream had every one.
        note = f"{span.attributes.get(A.PROGRESS_RECORDED)} of {emitted} progress events on the span"
        rows.append(_Row(_detail(guide, note, "dim")))
    for event in span.events:
        if not event.is_progress and event.name != "exception":  # exceptions are summarised by the ✗ row
            rows.append(_Row(_event_label(guide, span, event), "", _event_bar(span, event)))
    last_child = len(span.children) - 1
    for i, child in enumerate(span.children):
        _walk(child, trace, inner, i == last_child, depth + 1, rows, max_events)


def _progress_label(guide: str, span: SpanRecord, event: EventRecord) -> Text:
    label = Text(guide, style="dim")
    label.append("◆ ", style="yellow")
    sequence = event.sequence
    label.append(f"#{sequence} " if sequence is not None else "", style="yellow")
    label.append(f"+{format_duration(event.time - span.start)} ", style="dim")
    if event.attributes.get(A.PROGRESS_TRUNCATED):  # before the data: the data is what gets cut off
        label.append(f"[truncated from {event.attributes.get(A.PROGRESS_ORIGINAL_BYTES)} bytes] ", style="magenta")
    label.append(summarize(event.data))
    return label


def _event_label(guide: str, span: SpanRecord, event: EventRecord) -> Text:
    """Any other span event (a stall notice, an application's own event): name, offset and attributes."""
    label = Text(guide, style="dim")
    label.append("• ", style="cyan")
    label.append(f"{event.name} ", style="cyan")
    label.append(f"+{format_duration(event.time - span.start)} ", style="dim")
    label.append(summarize(event.attributes))
    return label


def _detail(guide: str, text: str, style: str) -> Text:
    label = Text(guide, style="dim")
    label.append(text, style=style)
    return label


def _elide(events: list[EventRecord], limit: int) -> list[EventRecord | int]:
    if limit <= 0 or len(events) <= limit:
        return list(events)
    head = events[: max(1, limit - 1)]
    return [*head, len(events) - len(head) - 1, events[-1]]


@dataclass(slots=True)
class _Bar:
    """Where a row's bar lies in time; drawn once the table's width is known."""

    start: int
    end: int
    style: str
    marker: int | None = None
    """For a progress row: the event's time, drawn as ``◆`` after a dotted run from the span's start."""

    def draw(self, trace: TraceRecord, width: int) -> Text:
        total = trace.duration or 1
        first = min(width - 1, max(0, (self.start - trace.start) * width // total))
        last = min(width, max(first + 1, -(-(self.end - trace.start) * width // total)))  # ceiling
        if self.marker is None:
            return Text(" " * first) + Text("█" * (last - first), style=self.style)
        at = min(last - 1, max(first, (self.marker - trace.start) * width // total))
        return Text(" " * first) + Text("·" * (at - first), style="dim") + Text("◆", style="yellow")


def _span_bar(span: SpanRecord, style: str) -> _Bar:
    return _Bar(span.start, span.end, style)


def _event_bar(span: SpanRecord, event: EventRecord) -> _Bar:
    return _Bar(span.start, span.end, "yellow", event.time)


def summarize(data: Any) -> str:
    """A one-line view of a progress payload: ``key=value`` pairs for a dict, compact JSON otherwise."""
    text = " ".join(f"{k}={_compact(v)}" for k, v in data.items()) if isinstance(data, dict) else _compact(data)
    return text if len(text) <= _SUMMARY_MAX else text[: _SUMMARY_MAX - 1] + "…"


def _compact(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        return _number(value)
    return json.dumps(_rounded(value), separators=(",", ":"), ensure_ascii=False, default=str)


def _number(value: float) -> str:
    """``0.1111111111111111`` reads as ``0.111``, ``12.3456`` as ``12.35``: a terminal row is for reading."""
    if value != value or value in (float("inf"), float("-inf")):
        return str(value)
    if value == int(value) and abs(value) < 1e15:
        return str(int(value)) if abs(value) >= 1 else "0"
    text = f"{round(value, 2)}" if abs(value) >= 1 else f"{value:.3g}"
    return text


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return float(_number(value)) if value == value and abs(value) != float("inf") else value
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    return value


def format_duration(nanos: int) -> str:
    seconds = nanos / 1e9
    if seconds < 0.001:
        return f"{nanos / 1e6:.2f} ms"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 60:
        return f"{seconds:.2f} s"
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}m {rest:04.1f}s"
