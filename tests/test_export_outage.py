"""An OTLP endpoint that is down costs the application nothing beyond one check per span."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import pytest
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

from agents_otel import Agent, RunConfig, Runner, ToolContext, function_tool
from agents_otel.testing import ScriptedModel, assistant_message, function_call
from agents_otel.tracing.export_processor import BoundedBatchSpanProcessor


@function_tool
async def work(ctx: ToolContext) -> str:
    ctx.send_progress("halfway")
    return "done"


def agent() -> Agent[None]:
    model = ScriptedModel([[function_call("work", {}, call_id="w")], [assistant_message("ok")]], repeat=True)
    return Agent(name="A", tools=[work], model=model)


async def test_spans_are_shed_once_the_real_exporter_fails(refused_port: int, caplog: pytest.LogCaptureFixture) -> None:
    exporter = OTLPSpanExporter(endpoint=f"http://127.0.0.1:{refused_port}/v1/traces", timeout=0.5)
    processor = BoundedBatchSpanProcessor(exporter, shutdown_timeout=1.0, min_cooldown=600.0)  # no retry mid-test
    provider = TracerProvider()
    provider.add_span_processor(processor)
    config = RunConfig(tracer_provider=provider)
    with caplog.at_level(logging.WARNING):
        assert (await Runner.run(agent(), "go", run_config=config)).final_output == "ok"
        processor.force_flush(timeout_millis=30_000)  # the export is attempted and refused
        for _ in range(20):
            assert (await Runner.run(agent(), "go", run_config=config)).final_output == "ok"
    assert processor.dropped_spans == 20 * 4  # invoke_agent, two chats and the tool span per run, all shed
    outage_logs = [r for r in caplog.records if "failed; dropping new spans" in r.getMessage()]
    assert len(outage_logs) == 1  # one line per outage, not one per span
    assert not [r for r in caplog.records if "Queue full" in r.getMessage()]
    provider.shutdown()


class ScriptedExporter(SpanExporter):
    """Stands in for an endpoint that goes down and comes back: real sockets cannot schedule that
    deterministically. Each export takes the next scripted result."""

    def __init__(self, results: list[SpanExportResult]) -> None:
        self.results = results
        self.exported: list[str] = []

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        result = self.results.pop(0)
        if result is SpanExportResult.SUCCESS:
            self.exported.extend(s.name for s in spans)
        return result

    def shutdown(self) -> None:
        pass


def test_shedding_lasts_a_cooldown_then_export_resumes_and_the_outage_is_reported(
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = [100.0]
    exporter = ScriptedExporter([SpanExportResult.FAILURE, SpanExportResult.SUCCESS])
    processor = BoundedBatchSpanProcessor(exporter, min_cooldown=5.0, clock=lambda: now[0])
    provider = TracerProvider()
    provider.add_span_processor(processor)
    tracer = provider.get_tracer("t")
    with caplog.at_level(logging.WARNING):
        tracer.start_span("lost in the failed export").end()
        processor.force_flush()
        for i in range(3):
            tracer.start_span(f"shed {i}").end()
        assert processor.dropped_spans == 3
        now[0] += 5.0  # the cool-down has passed: the next span is exported again
        tracer.start_span("after the outage").end()
        processor.force_flush()
    assert exporter.exported == ["after the outage"]
    assert processor.dropped_spans == 0
    messages = [r.getMessage() for r in caplog.records]
    assert any("3 spans were dropped during the outage" in m for m in messages)
    provider.shutdown()


def test_a_stuck_export_sheds_after_stuck_after_seconds() -> None:
    now = [0.0]
    processor = BoundedBatchSpanProcessor(ScriptedExporter([]), stuck_after=1.0, clock=lambda: now[0])
    health = processor._health  # white-box: simulate the worker being inside a long export right now
    health.exporting_since = 10.0
    provider = TracerProvider()
    provider.add_span_processor(processor)
    now[0] = 10.5
    provider.get_tracer("t").start_span("still queued").end()
    assert processor.dropped_spans == 0
    now[0] = 11.5
    provider.get_tracer("t").start_span("shed").end()
    assert processor.dropped_spans == 1
    health.exporting_since = 0.0
    processor.shutdown()
