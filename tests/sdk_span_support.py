"""What the tests of the SDK's span functions share: a run whose tool body opens spans, span lookups, and a trace
processor that records what it is given."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from opentelemetry.sdk.trace import ReadableSpan
from support import Tracing

from agents_otel import Agent, RunConfig, Runner, Span, Trace, TracingProcessor, function_tool
from agents_otel.testing import ScriptedModel, assistant_message, function_call


async def in_a_tool(tracing: Tracing, body: Callable[[], Any], **config: Any) -> dict[str, Any]:
    """Run ``body`` inside the ``execute_tool work`` span of a run on ``tracing``'s provider (``config``: more
    ``RunConfig`` fields); returns ``{"value": body's result, "result": the run's result}``."""
    seen: dict[str, Any] = {}

    @function_tool
    def work() -> str:
        """Do the work."""
        seen["value"] = body()
        return "done"

    model = ScriptedModel([[function_call("work", {}, call_id="c1")], [assistant_message("ok")]])
    run_config = RunConfig(tracer_provider=tracing.provider, **config)
    seen["result"] = await Runner.run(Agent("Worker", model=model, tools=[work]), "go", run_config=run_config)
    return seen


def one(tracing: Tracing, name: str) -> ReadableSpan:
    (span,) = [s for s in tracing.spans() if s.name == name]
    return span


def attrs(span: ReadableSpan) -> dict[str, Any]:
    return dict(span.attributes or {})


def parent_of(span: ReadableSpan) -> int | None:
    return span.parent.span_id if span.parent is not None else None


class Recorder(TracingProcessor):
    """Keeps the traces started and the spans ended, as an SDK trace processor receives them."""

    def __init__(self) -> None:
        self.ended: list[Span[Any]] = []
        self.traces: list[Trace] = []

    def on_trace_start(self, trace: Trace) -> None:
        self.traces.append(trace)

    def on_trace_end(self, trace: Trace) -> None:
        pass

    def on_span_start(self, span: Span[Any]) -> None:
        pass

    def on_span_end(self, span: Span[Any]) -> None:
        self.ended.append(span)

    def shutdown(self) -> None:
        pass

    def force_flush(self) -> None:
        pass


__all__ = ["Recorder", "attrs", "in_a_tool", "one", "parent_of"]
