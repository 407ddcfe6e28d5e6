"""Zero-config export: a user program with no tracing code, configured only through environment variables.

Each test runs the program as a subprocess (the global TracerProvider can be set once per process, and exit-time
flushing only happens at a real exit) against receivers started here on 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from otlp_receivers import Receiver

from agents_otel.trace_view import load_traces

USER_PROGRAM = """
import json
from agents_otel import Agent, Runner, ToolContext, function_tool
from agents_otel.testing import ScriptedModel, assistant_message, function_call

@function_tool
async def fetch_report(ctx: ToolContext, name: str) -> str:
    \"\"\"Fetch a report.\"\"\"
    for step in (1, 2, 3):
        ctx.send_progress({"step": step, "of": 3})
    return "ok"

model = ScriptedModel(
    [[function_call("fetch_report", {"name": "q4"}, call_id="call_fetch")], [assistant_message("done")]]
)
agent = Agent(name="reporter", instructions="Report.", tools=[fetch_report], model=model)
result = Runner.run_sync(agent, "go")
print(json.dumps({"trace_id": result.trace_id, "final_output": result.final_output}))
"""

APP_PROVIDER_PROGRAM = """
import json
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from agents_otel import Agent, Runner
from agents_otel.testing import ScriptedModel, assistant_message

memory = InMemorySpanExporter()
mine = TracerProvider()
mine.add_span_processor(SimpleSpanProcessor(memory))
trace.set_tracer_provider(mine)
result = Runner.run_sync(Agent(name="a", model=ScriptedModel([[assistant_message("hi")]])), "go")
print(json.dumps({
    "untouched": trace.get_tracer_provider() is mine,
    "spans": sorted(s.name for s in memory.get_finished_spans()),
    "trace_id": result.trace_id,
}))
"""

OPT_OUT_PROGRAM = """
import json
from opentelemetry import trace
from agents_otel import Agent, Runner
from agents_otel.testing import ScriptedModel, assistant_message

result = Runner.run_sync(Agent(name="a", model=ScriptedModel([[assistant_message("hi")]])), "go")
print(json.dumps({"proxy": isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider),
                  "final_output": result.final_output}))
"""

PROCESS_TIMEOUT = 60
"""Generous bound on a whole subprocess; the exporter-down tests make exporting itself take far longer than this
unless the exit flush is bounded."""


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "AGENTS_OTEL_"))}
    env.update(extra)
    return env


def _run_program(tmp_path: Path, source: str, env: dict[str, str]) -> tuple[dict[str, Any], str]:
    script = tmp_path / "user_program.py"
    script.write_text(source)
    proc = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=PROCESS_TIMEOUT
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1]), proc.stderr


@pytest.mark.parametrize("protocol", ["http/protobuf", "grpc"])
def test_program_without_tracing_code_exports_from_otel_variables(
    protocol: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    receiver: Receiver = request.getfixturevalue("otlp_grpc_receiver" if protocol == "grpc" else "otlp_http_receiver")
    env = _clean_env(
        OTEL_EXPORTER_OTLP_ENDPOINT=receiver.endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL=protocol,
        OTEL_EXPORTER_OTLP_HEADERS="x-api-key=secret-1",
        OTEL_SERVICE_NAME="zero-config-app",
        OTEL_RESOURCE_ATTRIBUTES="deployment.environment.name=test,team=agents",
        OTEL_TRACES_SAMPLER="parentbased_traceidratio",
        OTEL_TRACES_SAMPLER_ARG="1.0",
    )
    out, _ = _run_program(tmp_path, USER_PROGRAM, env)
    assert out["final_output"] == "done"

    # The program has exited, so its exit flush is over: everything must already be here.
    spans = receiver.trace(out["trace_id"])
    assert sorted(s.name for s in spans) == [
        "chat scripted",
        "chat scripted",
        "execute_tool fetch_report",
        "invoke_agent reporter",
    ]
    resource = spans[0].resource
    assert resource["service.name"] == "zero-config-app"
    assert resource["deployment.environment.name"] == "test"
    assert resource["team"] == "agents"
    assert receiver.headers[0].get("x-api-key") == "secret-1"
    (tool,) = [s for s in spans if s.name == "execute_tool fetch_report"]
    assert [e.name for e in tool.span.events] == ["agents_otel.tool.progress"] * 3
    assert not (tmp_path / ".agents_otel").exists()  # an endpoint replaces the file default


def test_sampler_variable_is_honoured(otlp_http_receiver: Receiver, tmp_path: Path) -> None:
    env = _clean_env(
        OTEL_EXPORTER_OTLP_ENDPOINT=otlp_http_receiver.endpoint,
        OTEL_TRACES_SAMPLER="always_off",
        AGENTS_OTEL_TRACE_FILE=str(tmp_path / "also.jsonl"),
    )
    out, _ = _run_program(tmp_path, USER_PROGRAM, env)
    assert out["final_output"] == "done"
    assert otlp_http_receiver.spans() == []
    assert not (tmp_path / "also.jsonl").exists()  # nothing sampled, nothing written


@pytest.mark.parametrize("protocol", ["http/protobuf", "grpc"])
def test_exporter_down_run_completes_and_exit_is_bounded(protocol: str, refused_port: int, tmp_path: Path) -> None:
    # A 120 s export timeout with retries would hold the exit flush for two minutes: the process must still
    # finish well inside PROCESS_TIMEOUT because the exit flush is bounded (AGENTS_OTEL_EXIT_TIMEOUT).
    env = _clean_env(
        OTEL_EXPORTER_OTLP_ENDPOINT=f"http://127.0.0.1:{refused_port}",
        OTEL_EXPORTER_OTLP_PROTOCOL=protocol,
        OTEL_EXPORTER_OTLP_TIMEOUT="120",
        AGENTS_OTEL_EXIT_TIMEOUT="1",
    )
    out, _ = _run_program(tmp_path, USER_PROGRAM, env)
    assert out["final_output"] == "done"


def test_exporter_down_with_defaults_exits_cleanly(refused_port: int, tmp_path: Path) -> None:
    env = _clean_env(OTEL_EXPORTER_OTLP_ENDPOINT=f"http://127.0.0.1:{refused_port}")
    out, _ = _run_program(tmp_path, USER_PROGRAM, env)
    assert out["final_output"] == "done"


def test_no_endpoint_writes_the_default_file_which_the_view_reads(tmp_path: Path) -> None:
    out, _ = _run_program(tmp_path, USER_PROGRAM, _clean_env(OTEL_SERVICE_NAME="file-app"))
    file = tmp_path / ".agents_otel" / "traces.jsonl"
    (trace,) = load_traces(file)
    assert trace.trace_id == out["trace_id"]
    assert trace.root.name == "invoke_agent reporter"
    assert trace.root.service_name == "file-app"
    (tool,) = [s for s in trace.spans if s.tool_name == "fetch_report"]
    assert [(e.sequence, e.data) for e in tool.events] == [(i, {"step": i, "of": 3}) for i in (1, 2, 3)]


def test_trace_file_variable_overrides_the_default_path(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere" / "runs.jsonl"
    out, _ = _run_program(tmp_path, USER_PROGRAM, _clean_env(AGENTS_OTEL_TRACE_FILE=str(target)))
    assert [t.trace_id for t in load_traces(target)] == [out["trace_id"]]
    assert not (tmp_path / ".agents_otel").exists()


def test_application_provider_is_used_untouched(otlp_http_receiver: Receiver, tmp_path: Path) -> None:
    env = _clean_env(OTEL_EXPORTER_OTLP_ENDPOINT=otlp_http_receiver.endpoint)
    out, _ = _run_program(tmp_path, APP_PROVIDER_PROGRAM, env)
    assert out["untouched"] is True
    assert out["spans"] == ["chat scripted", "invoke_agent a"]
    assert otlp_http_receiver.spans() == []  # the app's provider has no OTLP exporter, and we added none
    assert not (tmp_path / ".agents_otel").exists()


def test_auto_configure_false_leaves_tracing_off(tmp_path: Path) -> None:
    out, _ = _run_program(tmp_path, OPT_OUT_PROGRAM, _clean_env(AGENTS_OTEL_AUTO_CONFIGURE="false"))
    assert out == {"proxy": True, "final_output": "hi"}
    assert not (tmp_path / ".agents_otel").exists()


def test_unsupported_protocol_is_reported_and_the_run_still_works(tmp_path: Path) -> None:
    env = _clean_env(
        OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:4318",
        OTEL_EXPORTER_OTLP_PROTOCOL="http/thrift",
        OTEL_METRICS_EXPORTER="none",
    )
    out, stderr = _run_program(tmp_path, USER_PROGRAM, env)
    assert out["final_output"] == "done"
    assert "http/thrift" in stderr and "not supported" in stderr


def test_metrics_go_where_the_traces_go(otlp_http_receiver: Receiver, tmp_path: Path) -> None:
    """The same program, no metrics code: its tool metrics reach the OTLP endpoint, flushed at exit."""
    env = _clean_env(OTEL_EXPORTER_OTLP_ENDPOINT=otlp_http_receiver.endpoint, OTEL_SERVICE_NAME="metrics-app")
    out, _ = _run_program(tmp_path, USER_PROGRAM, env)
    assert out["final_output"] == "done"
    (duration,) = otlp_http_receiver.metric_points("gen_ai.execute_tool.duration")
    attributes = {kv.key: kv.value.string_value for kv in duration.attributes}
    assert attributes["gen_ai.tool.name"] == "fetch_report" and attributes["gen_ai.agent.name"] == "reporter"
    assert duration.count == 1
    (progress,) = otlp_http_receiver.metric_points("agents_otel.tool.progress")
    assert progress.as_int == 3
    assert [p.count for p in otlp_http_receiver.metric_points("gen_ai.client.operation.duration")] == [2]
