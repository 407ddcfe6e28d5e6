"""Metrics export from the OTEL_* variables (agents_otel.tracing.metrics_export), independent of tracing.

Each end-to-end case runs in a subprocess (a process sets its global MeterProvider once) that uses the runtime the
way an application does, and is observed from outside over the real wire: an OTLP/HTTP receiver, or an HTTP GET
of the app's /metrics.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from support import free_port
from test_production_metrics import MetricsReceiver

from agents_otel.tracing import metrics_export
from agents_otel.tracing.metrics_export import (
    MetricsConfigurationError,
    configure_metrics,
    export_interval_from_env,
    prometheus_address_from_env,
    resolve_exporters,
)

APP = textwrap.dedent(
    """
    import asyncio, sys
    from opentelemetry import metrics, trace
    from agents_otel import Agent, Runner, ToolContext, function_tool
    from agents_otel.testing import ScriptedModel, assistant_message, function_call

    mode = sys.argv[1]
    if "own-tracing" in mode:  # the app configured tracing itself: metrics must still follow OTEL_METRICS_*
        from opentelemetry.sdk.trace import TracerProvider
        trace.set_tracer_provider(TracerProvider())
    own_meter = None
    if "own-meter" in mode:  # the app's MeterProvider: never replaced, never exported to by us
        from opentelemetry.sdk.metrics import MeterProvider
        from opentelemetry.sdk.metrics.export import InMemoryMetricReader
        reader = InMemoryMetricReader()
        own_meter = MeterProvider(metric_readers=[reader])
        metrics.set_meter_provider(own_meter)

    @function_tool(stall_timeout=30)
    async def tick(ctx: ToolContext) -> str:
        ctx.send_progress({"tick": 1})
        return "ok"

    model = ScriptedModel([[function_call("tick", {})], [assistant_message("done")]])
    asyncio.run(Runner.run(Agent(name="A", tools=[tick], model=model), "go"))
    if "expect-none" in mode:  # nothing may have been installed
        from opentelemetry.metrics._internal import _ProxyMeterProvider
        assert isinstance(metrics.get_meter_provider(), _ProxyMeterProvider), metrics.get_meter_provider()
    if own_meter is not None:
        assert metrics.get_meter_provider() is own_meter
        data = reader.get_metrics_data()
        names = {m.name for rm in data.resource_metrics for sm in rm.scope_metrics for m in sm.metrics}
        assert "gen_ai.execute_tool.duration" in names, names
    print("ran", flush=True)
    sys.stdin.read()  # stay alive (exporting) until the test closes stdin
    """
)


def clean_env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "AGENTS_OTEL_"))}
    return env | overrides


@contextmanager
def app(mode: str, env: dict[str, str]) -> Iterator[subprocess.Popen[str]]:
    process = subprocess.Popen(
        [sys.executable, "-c", APP, mode],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stdin is not None
    try:
        line = process.stdout.readline()  # blocks until the run is done (or the app died)
        if line.strip() != "ran":
            process.kill()
            raise AssertionError(f"app failed: {line}{process.communicate()[1]}")
        yield process
    finally:
        if process.poll() is None:
            process.stdin.close()
            process.wait(timeout=30)
        for stream in (process.stdout, process.stderr):
            stream.close()


def prometheus_env(port: int, **extra: str) -> dict[str, str]:
    """The app's environment for the Prometheus exporter on ``port`` (loopback only)."""
    return clean_env(
        OTEL_METRICS_EXPORTER="prometheus",
        OTEL_EXPORTER_PROMETHEUS_HOST="127.0.0.1",
        OTEL_EXPORTER_PROMETHEUS_PORT=str(port),
        **extra,
    )


def scrape(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
        body: str = response.read().decode()
        return body


def listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_prometheus_exporter_serves_the_runtime_metrics_with_scope_labels() -> None:
    port = free_port()
    env = prometheus_env(port, AGENTS_OTEL_TRACE_FILE=os.devnull)
    with app("plain", env):
        body = scrape(port)
    lines = [line for line in body.splitlines() if not line.startswith("#")]
    for name in (
        "gen_ai_execute_tool_duration_seconds_bucket",
        "gen_ai_execute_tool_duration_seconds_count",
        "gen_ai_client_operation_duration_seconds_bucket",
        "gen_ai_client_token_usage_bucket",
        "agents_otel_tool_progress_total",
        "agents_otel_tool_stalls_total",
    ):
        assert any(line.startswith(name + "{") for line in lines), f"{name} missing from /metrics:\n{body}"
    (stalls,) = [line for line in lines if line.startswith("agents_otel_tool_stalls_total{")]
    # The tool ran with a stall timeout and never stalled: its series exists, at 0 (the first stall will count).
    assert 'gen_ai_tool_name="tick"' in stalls and stalls.endswith(" 0.0"), stalls
    assert 'otel_scope_name="agents_otel"' in stalls and "otel_scope_version=" in stalls


def test_metrics_export_does_not_depend_on_tracing_auto_configuration() -> None:
    receiver = MetricsReceiver()
    try:
        env = clean_env(
            OTEL_EXPORTER_OTLP_METRICS_ENDPOINT=receiver.endpoint + "/v1/metrics",
            OTEL_METRIC_EXPORT_INTERVAL="200",
        )
        with app("own-tracing", env), receiver.cond:
            # Exported while the app is alive: periodic pushes at 200 ms (the 60 s default would miss the wait).
            arrived = receiver.cond.wait_for(lambda: "gen_ai.execute_tool.duration" in receiver.names, 30)
            assert arrived, receiver.names
    finally:
        receiver.close()


def test_an_apps_own_meter_provider_is_never_replaced() -> None:
    port = free_port()
    env = prometheus_env(port, AGENTS_OTEL_TRACE_FILE=os.devnull)
    with app("own-meter", env):  # the app asserts its provider is still global and got the metrics
        assert not listening(port)


def test_auto_configure_off_turns_metrics_export_off_too() -> None:
    port = free_port()
    env = prometheus_env(port, AGENTS_OTEL_AUTO_CONFIGURE="false")
    with app("expect-none", env):  # the app asserts no MeterProvider was installed
        assert not listening(port)


def test_console_exporter_prints_metrics() -> None:
    env = clean_env(
        OTEL_METRICS_EXPORTER="console", OTEL_METRIC_EXPORT_INTERVAL="100", AGENTS_OTEL_TRACE_FILE=os.devnull
    )
    with app("plain", env) as process:
        assert process.stdout is not None
        for line in process.stdout:  # pushed every 100 ms while the app lives
            if "gen_ai.execute_tool.duration" in line:
                break
        else:
            raise AssertionError("no metrics on stdout")


# ---- settings, in process (nothing global is set) ---------------------------------------------------------------


@pytest.fixture
def no_otel_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in list(os.environ):
        if name.startswith("OTEL_"):
            monkeypatch.delenv(name)
    return monkeypatch


def test_exporter_names(no_otel_env: pytest.MonkeyPatch) -> None:
    assert resolve_exporters() == []  # unset and no OTLP endpoint: nowhere to push
    no_otel_env.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318")
    assert resolve_exporters() == ["otlp"]
    no_otel_env.setenv("OTEL_METRICS_EXPORTER", " Prometheus, otlp ,prometheus")
    assert resolve_exporters() == ["prometheus", "otlp"]
    no_otel_env.setenv("OTEL_METRICS_EXPORTER", "none")
    assert resolve_exporters() == []
    assert resolve_exporters(["console"]) == ["console"]
    for bad in ("prom", "none,otlp", "zipkin"):
        no_otel_env.setenv("OTEL_METRICS_EXPORTER", bad)
        with pytest.raises(MetricsConfigurationError, match="OTEL_METRICS_EXPORTER"):
            resolve_exporters()


def test_export_interval_and_prometheus_address(no_otel_env: pytest.MonkeyPatch) -> None:
    assert export_interval_from_env() == 60.0
    no_otel_env.setenv("OTEL_METRIC_EXPORT_INTERVAL", "5000")
    assert export_interval_from_env() == 5.0
    for bad in ("soon", "0", "-1"):
        no_otel_env.setenv("OTEL_METRIC_EXPORT_INTERVAL", bad)
        with pytest.raises(MetricsConfigurationError, match="OTEL_METRIC_EXPORT_INTERVAL"):
            export_interval_from_env()
    assert prometheus_address_from_env() == ("localhost", 9464)
    no_otel_env.setenv("OTEL_EXPORTER_PROMETHEUS_HOST", "0.0.0.0")
    no_otel_env.setenv("OTEL_EXPORTER_PROMETHEUS_PORT", "9100")
    assert prometheus_address_from_env() == ("0.0.0.0", 9100)
    no_otel_env.setenv("OTEL_EXPORTER_PROMETHEUS_PORT", "ninety")
    with pytest.raises(MetricsConfigurationError, match="OTEL_EXPORTER_PROMETHEUS_PORT"):
        prometheus_address_from_env()


def test_a_busy_prometheus_port_is_a_typed_error() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(MetricsConfigurationError, match=f"127.0.0.1:{port}"):
            configure_metrics(
                exporters=["prometheus"], prometheus_host="127.0.0.1", prometheus_port=port, set_global=False
            )


def test_auto_configuration_logs_bad_settings_instead_of_failing_runs(
    no_otel_env: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    no_otel_env.setenv("OTEL_METRICS_EXPORTER", "prometheus,none")
    no_otel_env.setattr(metrics_export, "_auto_done", False)
    metrics_export.auto_configure_metrics()
    assert "metrics not configured automatically" in caplog.text and "'none' cannot be combined" in caplog.text
    metrics_export.auto_configure_metrics()  # once per process
    assert caplog.text.count("metrics not configured automatically") == 1
