"""``agents-otel traces [FILE]``: recent runs as waterfalls in the terminal, from an OTLP JSON-lines file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

DEFAULT_LIMIT = 5


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "traces",
        help="show recent runs' traces as waterfalls",
        description="Show recent runs as waterfalls: nested spans with durations, tool progress events inline, "
        "errors marked, and the slowest tools. Reads the file the zero-config default writes "
        "($AGENTS_OTEL_TRACE_FILE, else ./.agents_otel/traces.jsonl) or any Collector file-exporter output.",
    )
    parser.add_argument("file", nargs="?", help="OTLP JSON-lines file (default: the zero-config trace file)")
    parser.add_argument("-n", "--limit", type=int, default=DEFAULT_LIMIT, help="newest N runs (default %(default)s)")
    parser.add_argument("-t", "--trace", metavar="ID", help="only this trace (a unique prefix of its id is enough)")
    parser.add_argument("--events", type=int, default=None, help="progress events shown per tool span")
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from rich.console import Console

    from ..trace_view import DEFAULT_MAX_EVENTS, find_trace, load_traces, print_traces
    from ..tracing.file_exporter import default_trace_file

    path = Path(args.file) if args.file else default_trace_file()
    try:
        traces = load_traces(path)
    except FileNotFoundError:
        print(f"agents-otel traces: no trace file at {path}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"agents-otel traces: cannot read {path}: {exc}", file=sys.stderr)
        return 1
    if args.trace:
        trace = find_trace(traces, args.trace)
        if trace is None:
            print(f"agents-otel traces: no single trace matching {args.trace!r} in {path}", file=sys.stderr)
            return 1
        traces = [trace]
    else:
        traces = traces[: max(1, args.limit)]
    if not traces:
        print(f"agents-otel traces: {path} holds no traces yet", file=sys.stderr)
        return 1
    max_events = args.events if args.events is not None else DEFAULT_MAX_EVENTS
    print_traces(traces, Console(), max_events=max_events)
    return 0
