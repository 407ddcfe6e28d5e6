"""No secret in a trace (or a served stream) that the user did not put there: a secret planted in every input a
run has, then every output grepped for it (issue 18).

Inputs: the user's message, a tool's arguments, a progress payload, a tool's result, a tool's exception message,
and arguments pydantic rejects (its error text quotes them). Outputs: every span (attributes, events, status) as
the SDK exports it, the trace file, the run's stream events, and what the server sends: SSE, ``GET /runs/{id}``,
``POST /ag-ui`` and ``POST /ai-sdk/chat``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from server_support import SAFETY_TIMEOUT, LiveServer

from agents_otel import Agent, RunConfig, Runner, ToolContext, function_tool, redact_keys
from agents_otel.server import create_app, event_to_json
from agents_otel.testing import ScriptedModel, assistant_message, function_call
from agents_otel.tracing.file_exporter import JsonLinesSpanExporter

SECRETS = {
    "user_message": "S3cret-user-message",
    "tool_arguments": "S3cret-tool-arguments",
    "progress": "S3cret-progress",
    "tool_result": "S3cret-tool-result",
    "exception": "S3cret-exception",
    "invalid_arguments": "S3cret-invalid-arguments",
}


@function_tool
def login(ctx: ToolContext[Any], user: str, password: str) -> str:
    """Log in."""
    ctx.send_progress({"step": "checking", "password": SECRETS["progress"]})
    raise PermissionError(f"login refused for {user}: password={password} is wrong")


@function_tool
def fetch_key() -> dict[str, str]:
    """Fetch an API key."""
    return {"service": "maps", "api_key": SECRETS["tool_result"]}


@function_tool
def throw() -> str:
    """Fail with a secret in the message."""
    raise RuntimeError(f"backend said password: {SECRETS['exception']}")


@function_tool
def typed(user: str, attempts: int) -> str:
    """A tool whose arguments pydantic validates."""
    return "ok"


def make_agent() -> Agent[Any]:
    calls = [
        function_call("login", {"user": "bob", "password": SECRETS["tool_arguments"]}, call_id="call_login"),
        function_call("fetch_key", {}, call_id="call_key"),
        function_call("throw", {}, call_id="call_throw"),
        function_call("typed", {"user": "bob", "password": SECRETS["invalid_arguments"]}, call_id="call_typed"),
    ]
    # check_calls=False: the invalid "typed" call is the point (ScriptedModel would refuse it as a script typo).
    model = ScriptedModel([calls, [assistant_message("all done")]], check_calls=False)
    return Agent(name="Keeper", tools=[login, fetch_key, throw, typed], model=model)


USER_INPUT = f"log me in, my password: {SECRETS['user_message']}"


def _leaks(text: str) -> list[str]:
    return [name for name, secret in SECRETS.items() if secret in text]


@pytest.fixture
def traced(tmp_path: Path) -> Any:
    memory = InMemorySpanExporter()
    trace_file = tmp_path / "traces.jsonl"
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(memory))
    provider.add_span_processor(SimpleSpanProcessor(JsonLinesSpanExporter(trace_file)))
    yield provider, memory, trace_file
    provider.shutdown()


@pytest.mark.parametrize("capture", [True, False])
async def test_no_planted_secret_reaches_the_trace_or_the_stream(traced: Any, capture: bool) -> None:
    provider, memory, trace_file = traced
    config = RunConfig(tracer_provider=provider, capture_content=capture, redact=redact_keys({"password", "api_key"}))
    result = Runner.run_streamed(make_agent(), USER_INPUT, run_config=config)
    events = [e async for e in result.stream_events()]

    spans = "\n".join(span.to_json() for span in memory.get_finished_spans())
    assert "execute_tool login" in spans and ("gen_ai.input.messages" in spans) == capture
    assert "PermissionError" in spans and "RuntimeError" in spans  # the exceptions are recorded, scrubbed
    assert _leaks(spans) == []
    assert _leaks(trace_file.read_text()) == []
    stream = json.dumps([event_to_json(e) for e in events], default=str)
    assert "tool_progress" in stream and "tool_output" in stream
    assert _leaks(stream) == []
    # the run's own records stay raw in process: the model saw what the tool returned
    assert SECRETS["tool_result"] in repr(result.new_items)


async def test_the_stream_keeps_raw_values_when_the_app_opts_out(traced: Any) -> None:
    provider, memory, _ = traced
    config = RunConfig(
        tracer_provider=provider, capture_content=True, redact=redact_keys({"password", "api_key"}), redact_stream=False
    )
    events = [e async for e in Runner.run_streamed(make_agent(), USER_INPUT, run_config=config).stream_events()]
    stream = json.dumps([event_to_json(e) for e in events], default=str)
    assert {"tool_arguments", "progress", "tool_result"} <= set(_leaks(stream))
    assert _leaks("\n".join(span.to_json() for span in memory.get_finished_spans())) == []


def test_nothing_served_carries_a_planted_secret(traced: Any) -> None:
    provider, memory, trace_file = traced
    config = RunConfig(tracer_provider=provider, capture_content=True, redact=redact_keys({"password", "api_key"}))
    app = create_app(make_agent, run_config=config)
    served: list[str] = []
    with LiveServer(app) as server, httpx.Client(base_url=server.base_url, timeout=SAFETY_TIMEOUT) as client:
        run = client.post("/runs", json={"input": USER_INPUT}).json()
        served.append(client.get(run["events_url"]).text)
        served.append(client.get(f"/runs/{run['id']}").text)
        ag_ui = {
            "threadId": "t1",
            "runId": "r1",
            "messages": [{"id": "m1", "role": "user", "content": USER_INPUT}],
            "tools": [],
            "context": [],
            "state": {},
            "forwardedProps": {},
        }
        served.append(client.post("/ag-ui", json=ag_ui, headers={"Accept": "text/event-stream"}).text)
        chat = {
            "id": "chat1",
            "trigger": "submit-message",
            "messages": [{"id": "m1", "role": "user", "parts": [{"type": "text", "text": USER_INPUT}]}],
        }
        served.append(client.post("/ai-sdk/chat", json=chat).text)
    assert "tool_progress" in served[0] and "all done" in served[0]
    assert all(len(body) > 50 for body in served), served
    for body in served:
        assert _leaks(body) == [], body[:2000]
    assert _leaks("\n".join(span.to_json() for span in memory.get_finished_spans())) == []
    assert _leaks(trace_file.read_text()) == []
