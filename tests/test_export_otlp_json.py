"""The trace file is byte-for-byte the OTLP JSON file format of OpenTelemetry's own file exporter.

The reference is OpenTelemetry's JSON encoder (``opentelemetry-exporter-otlp-json-common``, pulled by the dev
extra) and the line format of its file exporter (``opentelemetry-exporter-otlp-json-file``, ``_format_line``:
``json.dumps(request.to_dict(), separators=(",", ":")) + "\\n"``). That file exporter itself cannot be installed
beside the current OTLP exporters (its 0.66b1 pins an older ``opentelemetry-exporter-otlp-common``), so its one-line
format is restated here rather than imported. Both of our encoding paths (official encoder, protobuf fallback) must
produce the reference bytes, on spans with every attribute type, events, links, error status and non-ASCII text.
"""

from __future__ import annotations

import gzip
import json
import threading
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from opentelemetry.exporter.otlp.json.common.trace_encoder import encode_spans as official_encode_spans
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import Link, SpanKind, Status, StatusCode

from agents_otel import Agent, RunConfig, Runner, ToolContext, function_tool
from agents_otel.testing import ScriptedModel, assistant_message, function_call
from agents_otel.tracing.file_exporter import JsonLinesSpanExporter
from agents_otel.tracing.otlp_json import official_encoder_available, otlp_json_line
from agents_otel.tracing.otlp_json_http import OTLPJsonHttpSpanExporter


def _reference_line(spans: Sequence[ReadableSpan]) -> str:
    return json.dumps(official_encode_spans(spans).to_dict(), separators=(",", ":")) + "\n"


def _rich_spans() -> Sequence[ReadableSpan]:
    memory = InMemorySpanExporter()
    resource = Resource.create({"service.name": "ünïcode-svc", "n": 3, "f": 1.5, "b": True, "l": ["a", "é"]})
    provider = TracerProvider(resource=resource)
    provider.add_span_processor(SimpleSpanProcessor(memory))
    tracer = provider.get_tracer("scope", "1.0", schema_url="https://opentelemetry.io/schemas/1.37.0")
    other = provider.get_tracer("other-scope")
    attributes = {
        "s": "naïve → ✓", "i": 2**40, "neg": -7, "fl": 0.1, "bl": False, "empty": "",
        "li": [1, 2], "lf": [1.0, 2.5], "lb": [True, False], "ls": ["x", "ÿ"],
    }
    with tracer.start_as_current_span("root", kind=SpanKind.CLIENT, attributes=attributes) as root:
        root.add_event("with attributes", {"k": "v", "n": 0, "q": [1.5]})
        root.add_event("bare")
        with other.start_as_current_span("child", links=[Link(root.get_span_context(), {"why": "because"})]) as c:
            c.set_status(Status(StatusCode.ERROR, "boom"))
            c.record_exception(ValueError("bad ✗"))
        with tracer.start_as_current_span("server", kind=SpanKind.SERVER):
            pass
        root.set_status(Status(StatusCode.OK))
    provider.shutdown()
    return memory.get_finished_spans()


@function_tool
async def count(ctx: ToolContext[None], n: int) -> int:
    """Count to n."""
    for i in range(1, n + 1):
        ctx.send_progress({"i": i, "label": f"«{i}»"})
    return n


def _run_spans() -> Sequence[ReadableSpan]:
    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(memory))
    model = ScriptedModel([[function_call("count", {"n": 2}, call_id="c1")], [assistant_message("2 ✓")]])
    agent = Agent(name="counter", instructions="Count.", tools=[count], model=model)
    Runner.run_sync(agent, "count", run_config=RunConfig(tracer_provider=provider))
    provider.shutdown()
    return memory.get_finished_spans()


@pytest.mark.parametrize("make_spans", [_rich_spans, _run_spans], ids=["every-field", "agent-run"])
@pytest.mark.parametrize("use_official", [True, False], ids=["official-encoder", "protobuf-fallback"])
def test_both_encoders_write_the_reference_bytes(make_spans: object, use_official: bool) -> None:
    spans = make_spans()  # type: ignore[operator]
    assert otlp_json_line(spans, use_official=use_official) == _reference_line(spans)


def test_the_file_holds_the_reference_line_per_batch(tmp_path: Path) -> None:
    assert official_encoder_available()  # the dev extra installs it; the default path uses it
    spans = _rich_spans()
    path = tmp_path / "traces.jsonl"
    exporter = JsonLinesSpanExporter(path)
    exporter.export(spans[:1])
    exporter.export(spans[1:])
    assert path.read_bytes() == (_reference_line(spans[:1]) + _reference_line(spans[1:])).encode("ascii")


class _FlakyReceiver(BaseHTTPRequestHandler):
    """Answers the first request with ``status`` and every later one with 200; records bodies and headers."""

    status = 503
    seen: ClassVar[list[tuple[dict[str, str], bytes]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.seen.append(({k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(self.status if len(self.seen) == 1 else 200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.mark.parametrize(("status", "expected", "attempts"), [(503, "SUCCESS", 2), (400, "FAILURE", 1)])
def test_json_exporter_retries_transient_statuses_only_and_gzips(status: int, expected: str, attempts: int) -> None:
    handler = type("Handler", (_FlakyReceiver,), {"status": status, "seen": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        exporter = OTLPJsonHttpSpanExporter(
            f"http://127.0.0.1:{server.server_address[1]}/v1/traces", timeout=10, compression="gzip"
        )
        spans = _rich_spans()
        assert exporter.export(spans).name == expected
    finally:
        server.shutdown()
        server.server_close()
    assert len(handler.seen) == attempts
    headers, body = handler.seen[-1]
    assert headers["content-type"] == "application/json" and headers["content-encoding"] == "gzip"
    assert gzip.decompress(body).decode() + "\n" == _reference_line(spans)


def test_json_exporter_shutdown_interrupts_the_backoff(refused_port: int) -> None:
    exporter = OTLPJsonHttpSpanExporter(f"http://127.0.0.1:{refused_port}/v1/traces", timeout=120)
    result: list[str] = []
    worker = threading.Thread(target=lambda: result.append(exporter.export(_rich_spans()).name))
    worker.start()
    exporter.shutdown()
    worker.join(30)  # would take 120 s if the backoff ignored shutdown
    assert result == ["FAILURE"]
