"""The trace-side ``OTEL_*`` variables, each in a subprocess as a user would set them (issue 15, zero-config).

``OTEL_TRACES_EXPORTER`` (none, console, otlp, explicit names, comma lists), ``http/json`` really exported to a
receiver that decodes OTLP/JSON strictly, the default ``service.name``, and ``AGENTS_OTEL_EXIT_TIMEOUT`` as one
bound on the whole exit (traces and metrics together) measured from the run's end to the process's exit.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from otlp_receivers import Receiver
from test_export_zero_config import PROCESS_TIMEOUT, USER_PROGRAM, _clean_env, _run_program

from agents_otel.trace_view import load_traces

SPAN_NAMES = ["chat scripted", "chat scripted", "execute_tool fetch_report", "invoke_agent reporter"]


def test_none_exports_nothing_not_even_the_file(otlp_http_receiver: Receiver, tmp_path: Path) -> None:
    env = _clean_env(OTEL_TRACES_EXPORTER="none", OTEL_EXPORTER_OTLP_ENDPOINT=otlp_http_receiver.endpoint)
    out, _ = _run_program(tmp_path, USER_PROGRAM, env)
    assert out["final_output"] == "done"
    assert len(out["trace_id"]) == 32  # still traced (the live stream and trace ids work), just not exported
    assert otlp_http_receiver.spans() == []
    assert not (tmp_path / ".agents_otel").exists()


def test_console_prints_every_span_to_stdout(tmp_path: Path) -> None:
    script = tmp_path / "user_program.py"
    script.write_text(USER_PROGRAM)
    proc = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, env=_clean_env(OTEL_TRACES_EXPORTER="console"),
        capture_output=True, text=True, timeout=PROCESS_TIMEOUT,
    )
    assert proc.returncode == 0, proc.stderr
    trace_id = json.loads(proc.stdout.splitlines()[0])["trace_id"]
    # The SDK's ConsoleSpanExporter prints one indented JSON object per span.
    decoder = json.JSONDecoder()
    rest, printed = proc.stdout.split("\n", 1)[1].strip(), []
    while rest:
        obj, end = decoder.raw_decode(rest)
        printed.append(obj)
        rest = rest[end:].strip()
    assert sorted(s["name"] for s in printed) == SPAN_NAMES
    assert {s["context"]["trace_id"] for s in printed} == {"0x" + trace_id}
    assert not (tmp_path / ".agents_otel").exists()


def test_comma_list_exports_to_each(otlp_http_receiver: Receiver, tmp_path: Path) -> None:
    env = _clean_env(
        OTEL_TRACES_EXPORTER="otlp, otlp_json_file", OTEL_EXPORTER_OTLP_ENDPOINT=otlp_http_receiver.endpoint
    )
    out, _ = _run_program(tmp_path, USER_PROGRAM, env)
    assert sorted(s.name for s in otlp_http_receiver.trace(out["trace_id"])) == SPAN_NAMES
    (trace,) = load_traces(tmp_path / ".agents_otel" / "traces.jsonl")
    assert trace.trace_id == out["trace_id"]


def test_otlp_without_endpoint_means_otlp_not_the_file(refused_port: int, tmp_path: Path) -> None:
    # Explicit `otlp` with only the per-signal endpoint: OTLP (here refused), and no silent fallback to the file.
    env = _clean_env(
        OTEL_TRACES_EXPORTER="otlp",
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=f"http://127.0.0.1:{refused_port}/v1/traces",
        AGENTS_OTEL_EXIT_TIMEOUT="0.2",
        AGENTS_OTEL_TRACE_FILE=str(tmp_path / "named.jsonl"),
    )
    out, stderr = _run_program(tmp_path, USER_PROGRAM, env)
    assert out["final_output"] == "done"
    assert not (tmp_path / "named.jsonl").exists()
    assert "AGENTS_OTEL_TRACE_FILE is set but OTEL_TRACES_EXPORTER=otlp" in stderr  # said, not silently ignored


def test_unknown_exporter_is_reported_and_the_run_still_works(tmp_path: Path) -> None:
    out, stderr = _run_program(tmp_path, USER_PROGRAM, _clean_env(OTEL_TRACES_EXPORTER="otlp,jaegerr"))
    assert out["final_output"] == "done"
    assert "unknown exporter 'jaegerr'" in stderr
    assert not (tmp_path / ".agents_otel").exists()


def test_none_mixed_with_others_is_an_error(tmp_path: Path) -> None:
    _, stderr = _run_program(tmp_path, USER_PROGRAM, _clean_env(OTEL_TRACES_EXPORTER="none,console"))
    assert "'none' cannot be combined" in stderr


@pytest.mark.parametrize(
    "variables",
    [
        {"OTEL_EXPORTER_OTLP_PROTOCOL": "http/json"},
        {"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "http/json", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"},
        {"OTEL_TRACES_EXPORTER": "otlp_json_http"},
    ],
    ids=["protocol", "per-signal-protocol", "exporter-name"],
)
def test_http_json_really_exports_json(variables: dict[str, str], otlp_http_receiver: Receiver, tmp_path: Path) -> None:
    env = _clean_env(
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=otlp_http_receiver.endpoint + "/v1/traces",
        OTEL_EXPORTER_OTLP_HEADERS="x-api-key=secret-2",
        OTEL_METRICS_EXPORTER="none",
        **variables,
    )
    out, stderr = _run_program(tmp_path, USER_PROGRAM, env)
    spans = otlp_http_receiver.trace(out["trace_id"])
    assert sorted(s.name for s in spans) == SPAN_NAMES, stderr
    assert {h["content-type"] for h in otlp_http_receiver.headers} == {"application/json"}
    assert otlp_http_receiver.headers[0]["x-api-key"] == "secret-2"
    (tool,) = [s for s in spans if s.name == "execute_tool fetch_report"]
    (root,) = [s for s in spans if s.name == "invoke_agent reporter"]
    assert tool.parent_span_id != "" and [e.name for e in tool.span.events] == ["agents_otel.tool.progress"] * 3
    assert {s.trace_id for s in spans} == {root.trace_id}  # hex ids decoded to the same bytes


def test_default_service_name_is_the_program_and_otel_service_name_wins(tmp_path: Path) -> None:
    _run_program(tmp_path, USER_PROGRAM, _clean_env())
    (trace,) = load_traces(tmp_path / ".agents_otel" / "traces.jsonl")
    assert trace.root.service_name == "user_program"

    other = tmp_path / "other"
    other.mkdir()
    _run_program(other, USER_PROGRAM, _clean_env(OTEL_RESOURCE_ATTRIBUTES="service.name=from-attributes"))
    (trace,) = load_traces(other / ".agents_otel" / "traces.jsonl")
    assert trace.root.service_name == "from-attributes"


EXIT_BUDGET = 3.0
EXIT_SLACK = 2.0
"""Interpreter start-up is before the measurement; what remains after the budget is teardown. Less than the
budget, so that traces and metrics each waiting the whole budget (the bug) cannot pass."""


@pytest.mark.parametrize("protocol", ["http/protobuf", "http/json", "grpc"])
def test_exit_budget_bounds_traces_and_metrics_together(protocol: str, refused_port: int, tmp_path: Path) -> None:
    script = tmp_path / "user_program.py"
    script.write_text(USER_PROGRAM)
    env = _clean_env(
        OTEL_EXPORTER_OTLP_ENDPOINT=f"http://127.0.0.1:{refused_port}",
        OTEL_EXPORTER_OTLP_PROTOCOL=protocol,
        OTEL_EXPORTER_OTLP_TIMEOUT="60",  # each exporter would retry a refused endpoint for a minute
        AGENTS_OTEL_EXIT_TIMEOUT=str(EXIT_BUDGET),
    )
    proc = subprocess.Popen(
        [sys.executable, str(script)], cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # printed right after the run ended; the program exits next
        run_ended = time.monotonic()
        _, stderr = proc.communicate(timeout=PROCESS_TIMEOUT)
        exited = time.monotonic()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, stderr
    assert json.loads(line)["final_output"] == "done"
    assert "metrics" in stderr or "v1/metrics" in stderr or protocol == "grpc"  # metrics were really attempted
    assert exited - run_ended < EXIT_BUDGET + EXIT_SLACK, stderr
