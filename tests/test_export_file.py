"""The JSON-lines file is OTLP/JSON exactly as the Collector's file exporter writes it.

Checked two ways on a real run's file: structurally against the OTLP/JSON rules (hex ids, integer enums, int64
as strings, lowerCamelCase, one ``{"resourceSpans": [...]}`` per line), and semantically: converting the ids back
and parsing each line into the protobuf ``ExportTraceServiceRequest`` yields exactly what the OTLP exporters
send for the same spans (``encode_spans``).
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

from google.protobuf.json_format import ParseDict
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from agents_otel import Agent, RunConfig, Runner, ToolContext, configure_tracing, function_tool
from agents_otel.testing import ScriptedModel, assistant_message, function_call
from agents_otel.trace_view import load_traces
from agents_otel.tracing.file_exporter import JsonLinesSpanExporter


@function_tool
async def count(ctx: ToolContext[Any], n: int) -> int:
    """Count to n."""
    for i in range(1, n + 1):
        ctx.send_progress({"i": i, "ratio": i / n, "label": f"#{i}"})
    return n


def _run(provider: TracerProvider) -> str:
    model = ScriptedModel([[function_call("count", {"n": 3}, call_id="call_count")], [assistant_message("3")]])
    agent = Agent(name="counter", instructions="Count.", tools=[count], model=model)
    return Runner.run_sync(agent, "count", run_config=RunConfig(tracer_provider=provider)).trace_id


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_file_lines_are_otlp_json_and_decode_to_the_exporters_request(tmp_path: Path) -> None:
    path = tmp_path / "traces.jsonl"
    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(JsonLinesSpanExporter(path)))  # one line per span here
    provider.add_span_processor(SimpleSpanProcessor(memory))
    _run(provider)
    provider.shutdown()

    lines = _lines(path)
    spans = memory.get_finished_spans()
    assert len(lines) == len(spans) == 4  # invoke_agent, two chats, execute_tool
    for line, span in zip(lines, spans, strict=True):
        assert list(line) == ["resourceSpans"]
        (otlp_span,) = line["resourceSpans"][0]["scopeSpans"][0]["spans"]
        assert re.fullmatch(r"[0-9a-f]{32}", otlp_span["traceId"])
        assert re.fullmatch(r"[0-9a-f]{16}", otlp_span["spanId"])
        assert isinstance(otlp_span["kind"], int)
        assert isinstance(otlp_span["startTimeUnixNano"], str) and otlp_span["startTimeUnixNano"].isdigit()
        assert "start_time_unix_nano" not in otlp_span  # lowerCamelCase field names
        assert ParseDict(_ids_to_base64(line), ExportTraceServiceRequest()) == encode_spans([span])

    all_spans = [s for line in lines for s in line["resourceSpans"][0]["scopeSpans"][0]["spans"]]
    tool_span = next(s for s in all_spans if s["name"] == "execute_tool count")
    event = tool_span["events"][0]
    attrs = {kv["key"]: kv["value"] for kv in event["attributes"]}
    assert attrs["agents_otel.progress.sequence"] == {"intValue": "1"}  # int64 as a string
    assert attrs["agents_otel.progress.data.ratio"] == {"doubleValue": 1 / 3}
    assert attrs["agents_otel.progress.data.label"] == {"stringValue": "#1"}


def test_batched_file_round_trips_through_the_trace_view(tmp_path: Path) -> None:
    path = tmp_path / "runs.jsonl"
    provider = configure_tracing(file=path, set_global=False)
    trace_ids = [_run(provider) for _ in range(2)]
    provider.force_flush()
    provider.shutdown()

    traces = load_traces(path)
    assert [t.trace_id for t in traces] == trace_ids[::-1]  # newest first
    for trace in traces:
        assert [s.name for s in trace.roots] == ["invoke_agent counter"]
        (tool,) = [s for s in trace.spans if s.tool_name == "count"]
        assert tool.parent_span_id == trace.root.span_id
        assert tool.attributes["gen_ai.tool.call.id"] == "call_count"
        assert [(e.sequence, e.data) for e in tool.events] == [
            (i, {"i": i, "ratio": i / 3, "label": f"#{i}"}) for i in (1, 2, 3)
        ]
        assert all(tool.start <= e.time <= tool.end for e in tool.events)


def test_half_written_last_line_and_foreign_lines_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "traces.jsonl"
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(JsonLinesSpanExporter(path)))
    trace_id = _run(provider)
    provider.shutdown()
    with path.open("a") as f:
        f.write('not json\n[1, 2]\n{"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": "ab')
    assert [t.trace_id for t in load_traces(path)] == [trace_id]


def _ids_to_base64(obj: Any) -> Any:
    """OTLP/JSON's hex ids back to protobuf JSON's base64, the only place the two encodings differ."""
    if isinstance(obj, list):
        return [_ids_to_base64(v) for v in obj]
    if isinstance(obj, dict):
        return {
            k: base64.b64encode(bytes.fromhex(v)).decode()
            if k in ("traceId", "spanId", "parentSpanId")
            else _ids_to_base64(v)
            for k, v in obj.items()
        }
    return obj
