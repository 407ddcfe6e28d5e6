"""The "slowest tools" summary under the waterfall: which tools to look at first, by their worst call."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass

from rich.table import Table

from .model import TraceRecord
from .waterfall import format_duration

DEFAULT_TOP = 10


@dataclass(slots=True)
class ToolStats:
    tool_name: str
    calls: int
    errors: int
    p50: int
    max: int


def tool_stats(traces: Iterable[TraceRecord]) -> list[ToolStats]:
    """Per tool over ``traces``: calls, errors, median and max duration (ns), slowest max first."""
    durations: dict[str, list[int]] = {}
    errors: dict[str, int] = {}
    for trace in traces:
        for span in trace.spans:
            name = span.tool_name
            if name is None:
                continue
            durations.setdefault(name, []).append(span.duration)
            errors[name] = errors.get(name, 0) + (span.is_error and not span.is_cancelled)
    stats = [
        ToolStats(name, len(values), errors[name], int(statistics.median_low(values)), max(values))
        for name, values in durations.items()
    ]
    stats.sort(key=lambda s: (-s.max, s.tool_name))
    return stats


def slowest_tools_table(traces: Iterable[TraceRecord], *, top: int = DEFAULT_TOP) -> Table | None:
    """The table, or ``None`` when the traces hold no tool calls."""
    stats = tool_stats(traces)[:top]
    if not stats:
        return None
    table = Table(title="Slowest tools", title_justify="left", title_style="bold", box=None, header_style="bold")
    table.add_column("Tool", style="green")
    table.add_column("Calls", justify="right")
    table.add_column("Errors", justify="right")
    table.add_column("p50", justify="right")
    table.add_column("Max", justify="right")
    for s in stats:
        table.add_row(
            s.tool_name,
            str(s.calls),
            f"[bold red]{s.errors}[/]" if s.errors else "0",
            format_duration(s.p50),
            format_duration(s.max),
        )
    return table
