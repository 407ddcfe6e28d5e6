"""``GET /runs/{id}/trace``: a served run's spans as OTLP/JSON, for a page that has no trace backend to link to.

When the app has no ``trace_url_template`` (the default), "open trace" has nowhere to go, so the app keeps the
spans of recent traces itself: :class:`RecentTraces` is a SpanProcessor added to the runs' TracerProvider (by
the registry, when the first run starts) that holds the spans of the newest ``max_traces`` traces (at most
``max_spans_per_trace`` each), and the endpoint answers a run's trace in the encoding of OpenTelemetry's JSON
exporters (``tracing.otlp_json``). The example page draws it as a waterfall. A span still running is included
as it is now, without ``endTimeUnixNano``, so the waterfall of a running run shows its running calls (and their
progress and stalls so far). With a ``trace_url_template`` the endpoint redirects there instead.

Keeping whole traces rather than the runs' spans only is what makes it race-free: a span may end before the run's
first event tells the app its trace id. Other instrumentations' spans of those traces (an HTTP client's, say)
are part of the picture anyway. A provider without ``add_span_processor`` (no tracing SDK) records nothing, and
the endpoint answers an empty trace.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from opentelemetry.context import Context
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from ..tracing.otlp_json import spans_to_otlp_json
from .access import principal_of
from .broker import RunBroker
from .errors import RunNotFoundError
from .run_registry import RunRegistry

DEFAULT_MAX_TRACES = 200
DEFAULT_MAX_SPANS_PER_TRACE = 5000


@dataclass
class _Trace:
    finished: list[ReadableSpan] = field(default_factory=list)
    open: dict[int, Span] = field(default_factory=dict)
    dropped: int = 0


class RecentTraces(SpanProcessor):
    """The spans of the newest traces: finished ones, and the ones still open (so a running run's waterfall shows
    its running calls). The oldest trace is forgotten when a new one would exceed ``max_traces``; finished spans
    beyond ``max_spans_per_trace`` are counted in ``dropped``, not kept."""

    def __init__(
        self, max_traces: int = DEFAULT_MAX_TRACES, max_spans_per_trace: int = DEFAULT_MAX_SPANS_PER_TRACE
    ) -> None:
        self.max_traces = max_traces
        self.max_spans_per_trace = max_spans_per_trace
        self._traces: OrderedDict[int, _Trace] = OrderedDict()
        self._lock = threading.Lock()  # spans start and end on worker threads too (sync tools)

    def _trace(self, trace_id: int) -> _Trace:
        trace = self._traces.get(trace_id)
        if trace is None:
            trace = self._traces[trace_id] = _Trace()
            while len(self._traces) > self.max_traces:
                self._traces.popitem(last=False)
        return trace

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        context = span.get_span_context()
        with self._lock:
            trace = self._trace(context.trace_id)
            if len(trace.open) < self.max_spans_per_trace:
                trace.open[context.span_id] = span

    def on_end(self, span: ReadableSpan) -> None:
        context = span.get_span_context()
        if context is None:
            return
        with self._lock:
            trace = self._trace(context.trace_id)
            trace.open.pop(context.span_id, None)
            if len(trace.finished) >= self.max_spans_per_trace:
                trace.dropped += 1
                return
            trace.finished.append(span)

    def spans(self, trace_id_hex: str) -> tuple[list[ReadableSpan], int]:
        """The kept spans of a trace (hex id), open ones as snapshots without an end time, and how many of its
        finished spans were not kept."""
        try:
            trace_id = int(trace_id_hex, 16)
        except ValueError:
            return [], 0
        with self._lock:
            trace = self._traces.get(trace_id)
            if trace is None:
                return [], 0
            finished, running, dropped = list(trace.finished), list(trace.open.values()), trace.dropped
        return finished + [_snapshot(span) for span in running], dropped

    def shutdown(self) -> None:
        with self._lock:
            self._traces.clear()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True


def _snapshot(span: Span) -> ReadableSpan:
    """A still-open span as it is now: copies, so a tool thread adding events meanwhile changes nothing here."""
    return ReadableSpan(
        name=span.name,
        context=span.get_span_context(),
        parent=span.parent,
        resource=span.resource,
        attributes=dict(span.attributes or {}),
        events=tuple(span.events),
        links=tuple(span.links),
        kind=span.kind,
        status=span.status,
        start_time=span.start_time,
        end_time=None,
        instrumentation_scope=span.instrumentation_scope,
    )


def run_trace_handler(
    runs: RunRegistry, traces: RecentTraces, trace_url_template: str | None, broker: RunBroker | None = None
) -> Any:
    """``broker``: where runs of other replicas are looked up. Their trace id is known there, so the redirect to a
    trace backend works on any replica; the spans kept in memory are only the owning replica's (404 elsewhere)."""

    async def run_trace(request: Request) -> Response:
        run_id = request.path_params["run_id"]
        principal = principal_of(request, run_id)
        try:
            trace_id = runs.get(run_id, principal).trace_id
        except RunNotFoundError as missing:
            if broker is None or trace_url_template is None:
                raise
            trace_id = (await broker.status(run_id, principal, missing))["trace_id"]
        if trace_url_template is not None and trace_id:
            return RedirectResponse(trace_url_template.replace("{trace_id}", trace_id).replace("{span_id}", ""))
        spans, dropped = traces.spans(trace_id) if trace_id else ([], 0)
        body: dict[str, Any] = spans_to_otlp_json(spans) if spans else {"resourceSpans": []}
        headers = {"Cache-Control": "no-store", "x-agents-otel-spans-dropped": str(dropped)}
        return JSONResponse(body, headers=headers)

    return run_trace
