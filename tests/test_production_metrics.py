"""Metrics through the OTel metrics API: read back with the SDK's InMemoryMetricReader, and exported over real
OTLP/HTTP to a receiver on 127.0.0.1 by the zero-config setup (in a subprocess, because it sets the global
MeterProvider, which a process can do only once)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from support import Tracing

from agents_otel import Agent, ModelError, RunConfig, Runner, ToolContext, function_tool
from agents_otel.metrics import instruments_for
from agents_otel.testing import ScriptedModel, assistant_message, function_call
from agents_otel.tracing.metrics_export import configure_metrics_from_env


def points(reader: InMemoryMetricReader, name: str) -> list[Any]:
    data = reader.get_metrics_data()
    assert data is not None
    found = [m for rm in data.resource_metrics for sm in rm.scope_metrics for m in sm.metrics if m.name == name]
    return [p for m in found for p in m.data.data_points]


def unit_of(reader: InMemoryMetricReader, name: str) -> str:
    data = reader.get_metrics_data()
    assert data is not None
    (unit,) = {m.unit for rm in data.resource_metrics for sm in rm.scope_metrics for m in sm.metrics if m.name == name}
    return unit


@function_tool
async def report(ctx: ToolContext, n: int) -> str:
    """Report n steps."""
    for i in range(n):
        ctx.send_progress({"i": i})
    return "reported"


@function_tool
def explode() -> str:
    """Always fails."""
    raise ValueError("boom")


@pytest.fixture
def metered(tracing: Tracing) -> Iterator[tuple[RunConfig, InMemoryMetricReader]]:
    reader = InMemoryMetricReader()
    provider = MeterProvider(metric_readers=[reader])
    yield RunConfig(tracer_provider=tracing.provider, meter_provider=provider), reader
    provider.shutdown()


async def test_tool_duration_progress_count_and_errors(metered: tuple[RunConfig, InMemoryMetricReader]) -> None:
    config, reader = metered
    model = ScriptedModel(
        [
            [function_call("report", {"n": 7}, call_id="a"), function_call("explode", {}, call_id="b")],
            [assistant_message("done")],
        ]
    )
    await Runner.run(Agent(name="Ops", tools=[report, explode], model=model), "go", run_config=config)

    durations = {p.attributes["gen_ai.tool.name"]: p for p in points(reader, "gen_ai.execute_tool.duration")}
    assert unit_of(reader, "gen_ai.execute_tool.duration") == "s"
    assert dict(durations["report"].attributes) == {
        "gen_ai.operation.name": "execute_tool",
        "gen_ai.tool.name": "report",
        "gen_ai.tool.type": "function",
        "gen_ai.agent.name": "Ops",
    }
    assert durations["explode"].attributes["error.type"] == "ValueError"
    assert durations["report"].count == durations["explode"].count == 1
    assert durations["report"].explicit_bounds[0] == 0.01  # the conventions' bucket advice

    progress = {p.attributes["gen_ai.tool.name"]: p.value for p in points(reader, "agents_otel.tool.progress")}
    assert progress == {"report": 7}  # tools that sent nothing add nothing


@function_tool(stall_timeout=60)
async def watched() -> str:
    """Supervised, answers at once."""
    return "ok"


async def test_a_supervised_tools_stall_series_starts_at_zero(metered: tuple[RunConfig, InMemoryMetricReader]) -> None:
    config, reader = metered
    model = ScriptedModel(
        [
            [function_call("watched", {}, call_id="a"), function_call("report", {"n": 1}, call_id="b")],
            [function_call("watched", {}, call_id="c")],
            [assistant_message("done")],
        ]
    )
    await Runner.run(Agent(name="Ops", tools=[watched, report], model=model), "go", run_config=config)
    stalls = [(dict(p.attributes), p.value) for p in points(reader, "agents_otel.tool.stalls")]
    # Present at 0 for the tool with a stall timeout (so its first stall is a rise Prometheus sees), once however
    # often it runs; absent for the unsupervised one.
    assert stalls == [({"gen_ai.tool.name": "watched", "gen_ai.agent.name": "Ops"}, 0)]


async def test_model_call_duration_and_token_usage(metered: tuple[RunConfig, InMemoryMetricReader]) -> None:
    config, reader = metered
    model = ScriptedModel([[assistant_message("four words right here")]], model_name="m-1")
    result = await Runner.run(Agent(name="Ops", model=model), "two words", run_config=config)

    (duration,) = points(reader, "gen_ai.client.operation.duration")
    assert dict(duration.attributes) == {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "scripted",
        "gen_ai.request.model": "m-1",
        "gen_ai.response.model": "m-1",
        "gen_ai.agent.name": "Ops",  # so a slow-model alert names the agent waiting for it
    }
    tokens = {p.attributes["gen_ai.token.type"]: p.sum for p in points(reader, "gen_ai.client.token.usage")}
    assert tokens == {"input": result.usage.input_tokens, "output": result.usage.output_tokens}
    assert result.usage.input_tokens > 0 and result.usage.output_tokens > 0
    assert unit_of(reader, "gen_ai.client.token.usage") == "{token}"


async def test_a_failed_model_call_is_measured_with_its_error_type(
    metered: tuple[RunConfig, InMemoryMetricReader],
) -> None:
    config, reader = metered
    model = ScriptedModel([ModelError("upstream said no", error_type="503")])
    with pytest.raises(ModelError):
        await Runner.run(Agent(name="Ops", model=model), "go", run_config=config)
    (duration,) = points(reader, "gen_ai.client.operation.duration")
    assert duration.attributes["error.type"] == "503"
    assert points(reader, "gen_ai.client.token.usage") == []


def test_instruments_are_created_once_per_provider() -> None:
    provider = MeterProvider()
    assert instruments_for(provider) is instruments_for(provider)
    assert instruments_for(None) is instruments_for(None)
    provider.shutdown()


def test_zero_config_does_nothing_without_an_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", raising=False)
    assert configure_metrics_from_env() is None


class MetricsReceiver:
    """A real OTLP/HTTP metrics endpoint: decodes each POST to /v1/metrics into an ExportMetricsServiceRequest."""

    def __init__(self) -> None:
        self.names: set[str] = set()
        self.cond = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                request = metrics_service_pb2.ExportMetricsServiceRequest()
                request.ParseFromString(body)
                with receiver.cond:
                    for rm in request.resource_metrics:
                        for sm in rm.scope_metrics:
                            receiver.names.update(m.name for m in sm.metrics)
                    receiver.cond.notify_all()
                reply = metrics_service_pb2.ExportMetricsServiceResponse().SerializeToString()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


SCRIPT = textwrap.dedent(
    """
    import asyncio
    from opentelemetry import metrics
    from agents_otel import Agent, Runner, ToolContext, function_tool
    from agents_otel.tracing.metrics_export import configure_metrics_from_env
    from agents_otel.testing import ScriptedModel, assistant_message, function_call

    provider = configure_metrics_from_env()
    assert provider is not None and metrics.get_meter_provider() is provider
    assert configure_metrics_from_env() is None  # the second call sees a provider and leaves it alone

    @function_tool
    async def tick(ctx: ToolContext) -> str:
        ctx.send_progress({"tick": 1})
        return "ok"

    model = ScriptedModel([[function_call("tick", {})], [assistant_message("done")]])
    asyncio.run(Runner.run(Agent(name="A", tools=[tick], model=model), "go"))
    provider.shutdown()  # final collection and export
    """
)


def test_zero_config_exports_metrics_over_otlp_http() -> None:
    receiver = MetricsReceiver()
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
        env |= {"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint, "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf"}
        done = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=90)
        assert done.returncode == 0, done.stderr
        expected = {
            "gen_ai.execute_tool.duration",
            "agents_otel.tool.progress",
            "gen_ai.client.operation.duration",
            "gen_ai.client.token.usage",
        }
        with receiver.cond:
            assert receiver.cond.wait_for(lambda: expected <= receiver.names, 30), receiver.names
    finally:
        receiver.close()
