"""Arize Phoenix, really started from PyPI (``make phoenix`` installs it into ``.venv-phoenix``), fed our spans over
OTLP/HTTP and asked what it shows: span kinds, inputs and outputs, sessions.

What is asserted is what a person opening Phoenix sees: the REST API's span kinds and attributes (after Phoenix's
own ``gen_ai.*`` -> OpenInference mapping at ingest), and the GraphQL session view's first input / last output.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from openinference.semconv.trace import MessageAttributes, SpanAttributes, ToolAttributes, ToolCallAttributes
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from support import free_port, missing

from agents_otel import Agent, RunConfig, Runner, ToolContext, configure_tracing, function_tool
from agents_otel.testing import ScriptedModel, assistant_message, function_call
from agents_otel.tracing import openinference as oi

PHOENIX = Path(__file__).resolve().parent.parent / ".venv-phoenix" / "bin" / "phoenix"
STARTUP_SECONDS = 240.0
"""Phoenix migrates its database and builds its app on start: tens of seconds on a busy 2-core machine."""
pytestmark = pytest.mark.timeout(600)


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def _graphql(base: str, query: str) -> Any:
    request = urllib.request.Request(
        base + "/graphql", data=json.dumps({"query": query}).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())["data"]


def _until(check: Callable[[], Any], what: str, timeout: float = 60.0) -> Any:
    """Poll Phoenix (an external process that ingests asynchronously) until ``check`` returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"Phoenix did not show {what} within {timeout:.0f} s")
        time.sleep(0.25)


@pytest.fixture(scope="module")
def phoenix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not PHOENIX.exists():
        missing("Arize Phoenix is not installed: run `make phoenix` (a dependency of `make test`)")
    workdir = tmp_path_factory.mktemp("phoenix")
    port, grpc_port = free_port(), free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "PHOENIX_"))},
        "PHOENIX_WORKING_DIR": str(workdir),
        "PHOENIX_HOST": "127.0.0.1",
        "PHOENIX_PORT": str(port),
        "PHOENIX_GRPC_PORT": str(grpc_port),
        "PHOENIX_TELEMETRY_ENABLED": "false",
    }
    log = (workdir / "phoenix.log").open("w")
    process = subprocess.Popen([str(PHOENIX), "serve"], env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        if process.poll() is not None:
            pytest.fail(f"Phoenix exited ({process.returncode}):\n{(workdir / 'phoenix.log').read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    try:
        _until(ready, "its health endpoint", STARTUP_SECONDS)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@function_tool
async def lookup(ctx: ToolContext[Any], city: str) -> str:
    """Weather for a city."""
    ctx.send_progress({"step": 1})
    return f"sunny in {city}"


def _send(base: str, conversation_id: str, *, openinference: bool) -> str:
    provider = configure_tracing(
        endpoint=base, protocol="http/protobuf", set_global=False, openinference=openinference, exit_timeout=5
    )
    model = ScriptedModel(
        [[function_call("lookup", {"city": "Oslo"}, call_id="call_1")], [assistant_message("Sunny.")]]
    )
    agent = Agent(name="Forecaster", instructions="Be brief.", tools=[lookup], model=model)
    config = RunConfig(tracer_provider=provider, capture_content=True, conversation_id=conversation_id)
    trace_id = Runner.run_sync(agent, "Weather in Oslo?", run_config=config).trace_id
    provider.force_flush()
    provider.shutdown()
    return trace_id


def _session(base: str, conversation_id: str) -> dict[str, Any] | None:
    data = _graphql(
        base,
        "{ projects { edges { node { sessions(first: 100) { edges { node { sessionId "
        "firstInput { value } lastOutput { value } traces(first: 10) { edges { node { traceId } } } } } } } } } }",
    )
    for project in data["projects"]["edges"]:
        for edge in project["node"]["sessions"]["edges"]:
            if edge["node"]["sessionId"] == conversation_id:
                node: dict[str, Any] = edge["node"]
                return node
    return None


def test_phoenix_types_our_spans_and_groups_the_conversation_as_a_session(phoenix: str) -> None:
    trace_id = _send(phoenix, "conv-plain", openinference=False)
    spans = _until(lambda: _spans_by_kind(phoenix, trace_id), "our spans")
    assert {kind: len(found) for kind, found in spans.items()} == {"AGENT": 1, "LLM": 2, "TOOL": 1}
    agent = spans["AGENT"][0]
    assert agent["name"] == "invoke_agent Forecaster"
    assert all(s["attributes"]["session.id"] == "conv-plain" for kind in spans.values() for s in kind)
    tool = spans["TOOL"][0]
    assert tool["attributes"]["tool.name"] == "lookup"
    assert tool["attributes"]["output.value"] == "sunny in Oslo"
    for llm in spans["LLM"]:
        assert llm["attributes"]["llm.input_messages.0.message.role"] == "system"  # from gen_ai.system_instructions
        assert llm["attributes"]["llm.model_name"] == "scripted"
    session = _until(lambda: _session(phoenix, "conv-plain"), "the session")
    assert [e["node"]["traceId"] for e in session["traces"]["edges"]] == [trace_id]


def _spans_by_kind(base: str, trace_id: str) -> dict[str, list[Any]] | None:
    spans = [
        s for s in _get(base + "/v1/projects/default/spans?limit=1000")["data"] if s["context"]["trace_id"] == trace_id
    ]
    if len(spans) != 4:
        return None
    by_kind: dict[str, list[Any]] = {}
    for span in spans:
        by_kind.setdefault(span["span_kind"], []).append(span)
    return by_kind


def test_openinference_exporter_shows_question_answer_and_messages(phoenix: str) -> None:
    trace_id = _send(phoenix, "conv-oi", openinference=True)
    spans = _until(lambda: _spans_by_kind(phoenix, trace_id), "our spans")
    (agent,) = spans["AGENT"]
    assert (agent["attributes"]["input.value"], agent["attributes"]["output.value"]) == ("Weather in Oslo?", "Sunny.")
    (tool,) = spans["TOOL"]
    assert json.loads(tool["attributes"]["input.value"]) == {"city": "Oslo"}
    answers = [s for s in spans["LLM"] if s["attributes"].get("output.value") == "Sunny."]
    assert len(answers) == 1
    assert answers[0]["attributes"]["llm.output_messages.0.message.content"] == "Sunny."
    (calling,) = [s for s in spans["LLM"] if s is not answers[0]]
    prefix = "llm.output_messages.0.message.tool_calls.0.tool_call."
    assert calling["attributes"][prefix + "function.name"] == "lookup"
    assert json.loads(calling["attributes"][prefix + "function.arguments"]) == {"city": "Oslo"}
    session = _until(lambda: _session(phoenix, "conv-oi"), "the session")
    assert (session["firstInput"]["value"], session["lastOutput"]["value"]) == ("Weather in Oslo?", "Sunny.")


def test_openinference_names_are_the_openinference_constants() -> None:
    assert oi.SPAN_KIND == SpanAttributes.OPENINFERENCE_SPAN_KIND
    assert oi.SESSION_ID == SpanAttributes.SESSION_ID
    assert (oi.INPUT_VALUE, oi.INPUT_MIME_TYPE) == (SpanAttributes.INPUT_VALUE, SpanAttributes.INPUT_MIME_TYPE)
    assert (oi.OUTPUT_VALUE, oi.OUTPUT_MIME_TYPE) == (SpanAttributes.OUTPUT_VALUE, SpanAttributes.OUTPUT_MIME_TYPE)
    assert (oi.LLM_MODEL_NAME, oi.LLM_PROVIDER, oi.LLM_SYSTEM) == (
        SpanAttributes.LLM_MODEL_NAME,
        SpanAttributes.LLM_PROVIDER,
        SpanAttributes.LLM_SYSTEM,
    )
    assert oi.LLM_INVOCATION_PARAMETERS == SpanAttributes.LLM_INVOCATION_PARAMETERS
    assert (oi.LLM_INPUT_MESSAGES, oi.LLM_OUTPUT_MESSAGES, oi.LLM_TOOLS) == (
        SpanAttributes.LLM_INPUT_MESSAGES,
        SpanAttributes.LLM_OUTPUT_MESSAGES,
        SpanAttributes.LLM_TOOLS,
    )
    assert (oi.LLM_TOKEN_COUNT_PROMPT, oi.LLM_TOKEN_COUNT_COMPLETION, oi.LLM_TOKEN_COUNT_TOTAL) == (
        SpanAttributes.LLM_TOKEN_COUNT_PROMPT,
        SpanAttributes.LLM_TOKEN_COUNT_COMPLETION,
        SpanAttributes.LLM_TOKEN_COUNT_TOTAL,
    )
    assert oi.LLM_TOKEN_COUNT_CACHE_READ == SpanAttributes.LLM_TOKEN_COUNT_PROMPT_DETAILS_CACHE_READ
    assert oi.LLM_TOKEN_COUNT_REASONING == SpanAttributes.LLM_TOKEN_COUNT_COMPLETION_DETAILS_REASONING
    assert (oi.TOOL_NAME, oi.TOOL_DESCRIPTION, oi.TOOL_PARAMETERS, oi.TOOL_ID) == (
        SpanAttributes.TOOL_NAME,
        SpanAttributes.TOOL_DESCRIPTION,
        SpanAttributes.TOOL_PARAMETERS,
        SpanAttributes.TOOL_ID,
    )
    assert oi.AGENT_NAME == SpanAttributes.AGENT_NAME
    # The flattened message keys the exporter writes.
    assert (MessageAttributes.MESSAGE_ROLE, MessageAttributes.MESSAGE_CONTENT) == ("message.role", "message.content")
    assert MessageAttributes.MESSAGE_TOOL_CALL_ID == "message.tool_call_id"
    assert MessageAttributes.MESSAGE_TOOL_CALLS == "message.tool_calls"
    assert (ToolCallAttributes.TOOL_CALL_ID, ToolCallAttributes.TOOL_CALL_FUNCTION_NAME) == (
        "tool_call.id",
        "tool_call.function.name",
    )
    assert ToolCallAttributes.TOOL_CALL_FUNCTION_ARGUMENTS_JSON == "tool_call.function.arguments"
    assert ToolAttributes.TOOL_JSON_SCHEMA == "tool.json_schema"


def test_exporter_leaves_foreign_spans_and_existing_attributes_alone() -> None:
    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(oi.OpenInferenceSpanExporter(memory)))
    tracer = provider.get_tracer("test")
    with tracer.start_as_current_span("GET /health", attributes={"http.route": "/health"}):
        pass
    chat = {"gen_ai.operation.name": "chat", "gen_ai.request.model": "m", "input.value": "set by the app"}
    with tracer.start_as_current_span("chat m", attributes=chat):
        pass
    provider.shutdown()
    plain, enriched = memory.get_finished_spans()
    assert dict(plain.attributes or {}) == {"http.route": "/health"}
    attributes = dict(enriched.attributes or {})
    assert attributes["openinference.span.kind"] == "LLM"
    assert attributes["input.value"] == "set by the app"  # never replaced
    assert attributes["llm.model_name"] == "m"
