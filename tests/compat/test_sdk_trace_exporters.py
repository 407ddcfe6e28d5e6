"""The SDK's ``agents.tracing.processors``: ``BatchTraceProcessor`` exporting real runs' traces on its background
thread, ``BackendSpanExporter`` posting the SDK's ingest payload to a real local HTTP server (headers, per-run
tracing key, content only under capture, retries then a typed give-up), a full queue that drops and says so,
``ConsoleSpanExporter``, ``RunConfig(tracing=...)`` and the opt-in defaults (nothing is uploaded by default)."""

from __future__ import annotations

import json
import logging
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from support import Tracing

from agents_otel import (
    Agent,
    RunConfig,
    Runner,
    Span,
    TracingProcessor,
    UserError,
    function_tool,
    set_trace_processors,
    set_tracing_export_api_key,
)
from agents_otel.testing import ScriptedModel, assistant_message, function_call
from agents_otel.tracing import Trace, TracingConfig
from agents_otel.tracing import processors as processors_module
from agents_otel.tracing.backend_payload import TRUNCATION_SUFFIX, shaped_for_openai_ingest
from agents_otel.tracing.processor_interface import TracingExporter
from agents_otel.tracing.processors import (
    BackendSpanExporter,
    BatchTraceProcessor,
    ConsoleSpanExporter,
    ExportOutcome,
    default_exporter,
    default_processor,
)
from agents_otel.tracing.sdk_trace_bridge import BRIDGE

WAIT = 10.0


class Ingest:
    """A real HTTP server standing in for the traces ingest endpoint: answers each POST with ``status``."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.requests: list[tuple[dict[str, str], dict[str, Any]]] = []
        self.received = threading.Event()
        ingest = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                ingest.requests.append(({k.lower(): v for k, v in self.headers.items()}, json.loads(body)))
                self.send_response(ingest.status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")
                ingest.received.set()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1/traces/ingest"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def items(self) -> list[dict[str, Any]]:
        return [item for _, body in self.requests for item in body["data"]]


@pytest.fixture
def ingest() -> Iterator[Ingest]:
    server = Ingest()
    yield server
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture(autouse=True)
def no_processors() -> Iterator[None]:
    yield
    set_trace_processors([])


@function_tool
def lookup_invoice(invoice_id: str) -> str:
    """Find an invoice."""
    return f"invoice {invoice_id}: 42 EUR"


def _agent() -> Agent[Any]:
    model = ScriptedModel([
        [function_call("lookup_invoice", {"invoice_id": "A1"}, call_id="c1")],
        [assistant_message("It is 42 EUR.")],
    ], model_name="gpt-test")
    return Agent("Billing", model=model, tools=[lookup_invoice])


async def test_the_batch_thread_uploads_a_run_in_the_sdk_payload_format(ingest: Ingest, tracing: Tracing) -> None:
    exporter = BackendSpanExporter(api_key="sk-exporter", organization="org-1", project="proj-1", endpoint=ingest.url)
    processor = BatchTraceProcessor(exporter, max_queue_size=100, schedule_delay=3600, export_trigger_ratio=0.02)
    set_trace_processors([processor])
    result = await Runner.run(_agent(), "what about A1?", run_config=RunConfig(tracer_provider=tracing.provider))
    assert result.final_output == "It is 42 EUR."
    # The queue reached its trigger (2 items) during the run: the worker thread exported without any flush.
    assert ingest.received.wait(WAIT)
    processor.force_flush()
    headers, _ = ingest.requests[0]
    assert headers["authorization"] == "Bearer sk-exporter"
    assert headers["openai-beta"] == "traces=v1"
    assert (headers["openai-organization"], headers["openai-project"]) == ("org-1", "proj-1")
    items = ingest.items()
    trace_id = "trace_" + result.trace_id
    assert items[0] == {"object": "trace", "id": trace_id, "workflow_name": "Agent workflow", "group_id": None,
                        "metadata": None}
    spans = {item["span_data"]["type"]: item for item in items[1:] if item["span_data"]["type"] != "generation"}
    assert [item["object"] for item in items[1:]] == ["trace.span"] * 4
    assert {item["trace_id"] for item in items[1:]} == {trace_id}
    function = spans["function"]
    assert function["span_data"] == {"type": "function", "name": "lookup_invoice", "input": None, "output": None,
                                     "mcp_data": None}
    assert function["parent_id"] == spans["agent"]["id"] and function["ended_at"] and function["error"] is None
    generations = [item["span_data"] for item in items if item.get("span_data", {}).get("type") == "generation"]
    assert len(generations) == 2 and all(g["input"] is None and g["output"] is None for g in generations)
    assert exporter.last_outcome is ExportOutcome.SUCCESS and processor.dropped == 0


async def test_a_runs_tracing_key_and_captured_content_reach_the_upload(ingest: Ingest, tracing: Tracing) -> None:
    processor = BatchTraceProcessor(BackendSpanExporter(api_key="sk-exporter", endpoint=ingest.url))
    set_trace_processors([processor])
    config = RunConfig(tracer_provider=tracing.provider, capture_content=True, tracing={"api_key": "sk-run-key"})
    await Runner.run(_agent(), "what about A1?", run_config=config)
    processor.force_flush()
    assert {headers["authorization"] for headers, _ in ingest.requests} == {"Bearer sk-run-key"}
    (function,) = [i["span_data"] for i in ingest.items() if i.get("span_data", {}).get("type") == "function"]
    assert json.loads(function["input"]) == {"invoice_id": "A1"} and "42 EUR" in function["output"]
    # The key travels on the SDK objects only: no OpenTelemetry span carries it.
    assert "sk-run-key" not in repr([dict(s.attributes or {}) for s in tracing.spans()])


async def test_a_dead_endpoint_is_retried_then_given_up_without_touching_the_run(
    ingest: Ingest, tracing: Tracing, caplog: Any
) -> None:
    ingest.status = 503
    exporter = BackendSpanExporter(api_key="sk-x", endpoint=ingest.url, max_retries=3, base_delay=0.001)
    set_trace_processors([BatchTraceProcessor(exporter, schedule_delay=3600)])
    result = await Runner.run(_agent(), "A1?", run_config=RunConfig(tracer_provider=tracing.provider))
    assert result.final_output == "It is 42 EUR."
    with caplog.at_level(logging.WARNING, logger="agents_otel.tracing"):
        BRIDGE.force_flush()
    assert len(ingest.requests) == 3 and exporter.last_outcome is ExportOutcome.GAVE_UP
    (gave_up,) = [r for r in caplog.records if getattr(r, "agents_otel_export_outcome", None) is ExportOutcome.GAVE_UP]
    assert gave_up.levelno == logging.ERROR and "max retries" in gave_up.getMessage()

    with socket.socket() as probe:  # a port nobody listens on: connection refused, retried, given up
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}/v1/traces/ingest"
    refused = BackendSpanExporter(api_key="sk-x", endpoint=closed, max_retries=2, base_delay=0.001)
    refused.export([Trace("w", "trace_" + "0" * 32)])
    assert refused.last_outcome is ExportOutcome.GAVE_UP

    ingest.status, before = 400, len(ingest.requests)
    exporter.export([Trace("w", "trace_" + "0" * 32)])
    assert len(ingest.requests) == before + 1 and exporter.last_outcome is ExportOutcome.CLIENT_ERROR


async def test_shutdown_with_a_timeout_gives_up_a_retrying_export(ingest: Ingest) -> None:
    ingest.status = 503
    exporter = BackendSpanExporter(api_key="sk-x", endpoint=ingest.url, max_retries=50, base_delay=3600)
    processor = BatchTraceProcessor(exporter, schedule_delay=3600)
    processor.on_trace_start(Trace("w", "trace_" + "1" * 32))
    processor.shutdown(timeout=5)
    assert exporter.last_outcome in (ExportOutcome.DEADLINE, ExportOutcome.SHUTDOWN)
    assert len(ingest.requests) == 1


class Gate(TracingExporter):
    """An exporter that holds the worker until opened, so the queue really fills."""

    def __init__(self) -> None:
        self.open = threading.Event()
        self.exported: list[Trace | Span[Any]] = []

    def export(self, items: list[Trace | Span[Any]]) -> None:
        self.open.wait(WAIT)
        self.exported.extend(items)


class Counter(TracingProcessor):
    def __init__(self) -> None:
        self.items = 0

    def on_trace_start(self, trace: Trace) -> None:
        self.items += 1

    def on_span_end(self, span: Span[Any]) -> None:
        self.items += 1

    def on_trace_end(self, trace: Trace) -> None:
        pass

    def on_span_start(self, span: Span[Any]) -> None:
        pass

    def shutdown(self) -> None:
        pass

    def force_flush(self) -> None:
        pass


async def test_a_full_queue_drops_with_a_warning_and_never_blocks_the_run(tracing: Tracing, caplog: Any) -> None:
    gate, counter = Gate(), Counter()
    processor = BatchTraceProcessor(gate, max_queue_size=2, max_batch_size=1, schedule_delay=3600,
                                    export_trigger_ratio=1.0)
    set_trace_processors([counter, processor])
    with caplog.at_level(logging.WARNING, logger="agents_otel.tracing"):
        result = await Runner.run(_agent(), "A1?", run_config=RunConfig(tracer_provider=tracing.provider))
    assert result.final_output == "It is 42 EUR."  # finished while the exporter was still held
    # 5 items (the trace, 4 spans) against room for 3 (2 queued, 1 in the held export): at least 2 dropped.
    assert processor.dropped >= 2
    assert any("queue is full" in r.getMessage() for r in caplog.records)
    gate.open.set()
    processor.force_flush()
    assert len(gate.exported) + processor.dropped == counter.items == 5


class Raising(TracingExporter):
    def __init__(self) -> None:
        self.calls = 0

    def export(self, items: list[Trace | Span[Any]]) -> None:
        self.calls += 1
        raise RuntimeError("exporter broke")


def test_an_exporter_that_raises_loses_its_batch_only(caplog: Any) -> None:
    exporter = Raising()
    processor = BatchTraceProcessor(exporter, schedule_delay=3600)
    with caplog.at_level(logging.ERROR, logger="agents_otel.tracing"):
        processor.on_trace_start(Trace("a", "trace_" + "2" * 32))
        processor.force_flush()
        processor.on_trace_start(Trace("b", "trace_" + "3" * 32))
        processor.force_flush()
    assert exporter.calls == 2
    assert sum("dropping a batch of 1 items" in r.getMessage() for r in caplog.records) == 2


def test_console_exporter_prints_traces_and_spans(capsys: Any) -> None:
    from agents_otel.tracing import CustomSpanData

    span: Span[Any] = Span("trace_" + "4" * 32, "span_" + "5" * 16, None, CustomSpanData("step", {"k": 1}))
    ConsoleSpanExporter().export([Trace("flow", "trace_" + "4" * 32), span])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"[Exporter] Export trace_id=trace_{'4' * 32}, name=flow"
    assert lines[1].startswith("[Exporter] Export span: {'object': 'trace.span'") and "'k': 1" in lines[1]


def test_the_openai_endpoint_gets_the_sdks_ingest_shape() -> None:
    generation = {"object": "trace.span", "span_data": {
        "type": "generation", "input": "x" * 200_000,
        "usage": {"input_tokens": 3, "output_tokens": 4, "total_tokens": 7, "bad": float("nan")},
    }}
    shaped = shaped_for_openai_ingest(generation)
    assert shaped["span_data"]["usage"] == {"input_tokens": 3, "output_tokens": 4, "details": {"total_tokens": 7}}
    text = shaped["span_data"]["input"]
    assert text.endswith(TRUNCATION_SUFFIX) and len(json.dumps(text).encode()) <= 100_000
    assert generation["span_data"]["input"] == "x" * 200_000  # the item itself is unchanged
    task = {"span_data": {"type": "task", "usage": {"input_tokens": 1, "output_tokens": 1}}}
    assert "usage" not in shaped_for_openai_ingest(task)["span_data"]
    broken = {"span_data": {"type": "generation", "usage": {"input_tokens": True, "output_tokens": 1}}}
    assert "usage" not in shaped_for_openai_ingest(broken)["span_data"]


def test_tracing_config_maps_or_fails_loudly() -> None:
    assert RunConfig(tracing={"api_key": "k", "include_task_and_turn_spans": False}).tracing == {
        "api_key": "k", "include_task_and_turn_spans": False}
    config: TracingConfig = {"include_task_and_turn_spans": True}
    with pytest.raises(UserError, match="task / turn spans"):
        RunConfig(tracing=config)
    unknown: Any = {"api_keys": "k"}
    with pytest.raises(UserError, match="unknown key"):
        RunConfig(tracing=unknown)
    not_a_str: Any = {"api_key": 3}
    with pytest.raises(UserError, match="api_key"):
        RunConfig(tracing=not_a_str)
    from agents_otel.tracing.config import TracingConfig as AtSdkPath

    assert AtSdkPath is TracingConfig


def test_nothing_is_uploaded_by_default_and_the_defaults_are_opt_in(monkeypatch: Any, caplog: Any) -> None:
    monkeypatch.setattr(processors_module, "_exporter", None)
    monkeypatch.setattr(processors_module, "_processor", None)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env")
    exporter = default_exporter()
    assert exporter is default_exporter() and exporter.api_key == "sk-env"
    assert not any(isinstance(p, BatchTraceProcessor) for p in BRIDGE.processors)
    with caplog.at_level(logging.WARNING, logger="agents_otel.tracing"):
        set_tracing_export_api_key("sk-tracing")
    assert exporter.api_key == "sk-tracing"
    assert any("add_trace_processor(default_processor())" in r.getMessage() for r in caplog.records)
    processor = default_processor()
    assert processor is default_processor() and processor._exporter is exporter
    set_trace_processors([processor])
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="agents_otel.tracing"):
        set_tracing_export_api_key("sk-tracing-2")
    assert not caplog.records and exporter.api_key == "sk-tracing-2"


async def test_a_trace_blocks_tracing_key_is_its_runs_upload_key(ingest: Ingest, tracing: Tracing) -> None:
    from agents_otel import trace

    processor = BatchTraceProcessor(BackendSpanExporter(api_key="sk-exporter", endpoint=ingest.url))
    set_trace_processors([processor])
    config = RunConfig(tracer_provider=tracing.provider)
    with trace("Billing flow", tracing={"api_key": "sk-workflow"}):
        await Runner.run(_agent(), "A1?", run_config=config)
    await Runner.run(_agent(), "A1?", run_config=config)  # outside: the exporter's own key
    processor.force_flush()
    by_key: dict[str, set[str]] = {}
    for headers, body in ingest.requests:
        by_key.setdefault(headers["authorization"], set()).update(i.get("trace_id", i["id"]) for i in body["data"])
    # Each run is one trace (the trace() span sits on the global provider here); each went with its own key.
    assert len(by_key["Bearer sk-workflow"]) == len(by_key["Bearer sk-exporter"]) == 1
    assert by_key["Bearer sk-workflow"] != by_key["Bearer sk-exporter"]
    with pytest.raises(UserError, match="unknown key"):
        trace("x", tracing={"key": "k"})  # type: ignore[typeddict-unknown-key]
