"""Our spans and metrics against the GenAI semantic conventions (issue 15, "Spans").

Real parts: the official ``openai`` client talks HTTP to the local fake OpenAI server (both APIs, streamed and
not); spans land in an ``InMemorySpanExporter``, metrics in an ``InMemoryMetricReader``. Message attributes are
validated against the published JSON schemas (vendored in ``tests/data/semconv_genai``, see its README), and every
attribute and metric name we share with ``opentelemetry-semantic-conventions`` is pinned to that package's constant.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import openai
import pytest
from fake_openai.script import Usage as WireUsage
from fake_openai.server import FakeOpenAIServer
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as semconv
from opentelemetry.semconv._incubating.metrics import gen_ai_metrics as semconv_metrics
from opentelemetry.semconv.attributes.error_attributes import ERROR_TYPE
from opentelemetry.semconv.attributes.server_attributes import SERVER_ADDRESS, SERVER_PORT
from support import Tracing, histogram_points, wire_model

import agents_otel.metrics as runtime_metrics
from agents_otel import (
    Agent,
    ModelSettings,
    RunConfig,
    Runner,
    function_tool,
)
from agents_otel.testing import ScriptedModel, assistant_message, function_call
from agents_otel.tracing import attributes as A
from agents_otel.tracing.messages import FINISH_REASONS

SCHEMAS = Path(__file__).parent / "data" / "semconv_genai"
APIS = ["responses", "chat"]
MODES = ["non-streamed", "streamed"]


def _validator(name: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((SCHEMAS / name).read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


INPUT_MESSAGES = _validator("gen-ai-input-messages.json")
OUTPUT_MESSAGES = _validator("gen-ai-output-messages.json")


@pytest.fixture
def tracing() -> Iterator[Tracing]:
    traced = Tracing.new()
    yield traced
    traced.provider.shutdown()




def _attrs(span: ReadableSpan) -> dict[str, Any]:
    return dict(span.attributes or {})




@function_tool
def lookup(city: str, days: int) -> str:
    """Weather for a city."""
    return f"sunny in {city} for {days} days"


async def _run(agent: Agent[Any], mode: str, config: RunConfig, text: str = "Weather in Oslo?") -> Any:
    if mode == "non-streamed":
        return await Runner.run(agent, text, run_config=config)
    result = Runner.run_streamed(agent, text, run_config=config)
    async for _ in result.stream_events():
        pass
    return result


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("api", APIS)
async def test_message_attributes_match_the_published_schemas(
    api: str, mode: str, fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    fake_openai.enqueue(text="Let me check. ", tool_calls=[("lookup", {"city": "Oslo", "days": 2}, "call_1")])
    fake_openai.enqueue(text="Sunny.")
    agent = Agent("Forecaster", instructions="Be brief.", tools=[lookup], model=wire_model(api, client))
    config = RunConfig(tracer_provider=tracing.provider, capture_content=True)
    await _run(agent, mode, config)

    spans = [*tracing.named("chat"), *tracing.named("invoke_agent")]
    assert len(spans) == 3
    for span in spans:
        a = _attrs(span)
        INPUT_MESSAGES.validate(json.loads(a[A.GEN_AI_INPUT_MESSAGES]))
        output = json.loads(a[A.GEN_AI_OUTPUT_MESSAGES])
        OUTPUT_MESSAGES.validate(output)
        assert all("finish_reason" not in m for m in output)  # deprecated by the schema; finish_reasons instead
        assert set(a[A.GEN_AI_RESPONSE_FINISH_REASONS]) <= set(FINISH_REASONS)

    first_chat = min(tracing.named("chat"), key=lambda s: s.start_time or 0)
    (call_part,) = [
        p for p in json.loads(_attrs(first_chat)[A.GEN_AI_OUTPUT_MESSAGES])[0]["parts"] if p["type"] == "tool_call"
    ]
    assert call_part == {
        "type": "tool_call",
        "id": "call_1",
        "name": "lookup",
        "arguments": {"city": "Oslo", "days": 2},
    }
    assert _attrs(first_chat)[A.GEN_AI_RESPONSE_FINISH_REASONS] == ("tool_call",)


def test_arguments_that_are_not_json_stay_the_string_the_model_sent(tracing: Tracing) -> None:
    # check_calls=False: the malformed arguments are the point (ScriptedModel would refuse them as a script typo).
    bad_call = function_call("lookup", "{not json", call_id="c1")
    model = ScriptedModel([[bad_call], [assistant_message("ok")]], check_calls=False)
    agent = Agent("A", tools=[lookup], model=model)
    Runner.run_sync(agent, "go", run_config=RunConfig(tracer_provider=tracing.provider, capture_content=True))
    first_chat = min(tracing.named("chat"), key=lambda s: s.start_time or 0)
    output = json.loads(_attrs(first_chat)[A.GEN_AI_OUTPUT_MESSAGES])
    OUTPUT_MESSAGES.validate(output)
    assert output[0]["parts"][0]["arguments"] == "{not json"


async def test_invoke_agent_carries_question_answer_parameters_and_usage(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    fake_openai.enqueue(
        tool_calls=[("lookup", {"city": "Oslo", "days": 1}, "call_1")],
        usage=WireUsage(input_tokens=100, output_tokens=20, cached_tokens=64, reasoning_tokens=12),
    )
    fake_openai.enqueue(text="Sunny.", usage=WireUsage(input_tokens=150, output_tokens=5, cached_tokens=96))
    settings = ModelSettings(temperature=0.2, top_p=0.9, max_tokens=256)
    agent = Agent(
        "Forecaster",
        instructions="Be brief.",
        tools=[lookup],
        model=wire_model("responses", client),
        model_settings=settings,
    )
    await Runner.run(
        agent, "Weather in Oslo?", run_config=RunConfig(tracer_provider=tracing.provider, capture_content=True)
    )

    (root,) = tracing.named("invoke_agent")
    a = _attrs(root)
    assert json.loads(a[A.GEN_AI_INPUT_MESSAGES]) == [
        {"role": "user", "parts": [{"type": "text", "content": "Weather in Oslo?"}]}
    ]
    assert json.loads(a[A.GEN_AI_OUTPUT_MESSAGES]) == [
        {"role": "assistant", "parts": [{"type": "text", "content": "Sunny."}]}
    ]
    assert json.loads(a[A.GEN_AI_SYSTEM_INSTRUCTIONS]) == [{"type": "text", "content": "Be brief."}]
    assert [t["name"] for t in json.loads(a[A.GEN_AI_TOOL_DEFINITIONS])] == ["lookup"]
    assert (a[A.GEN_AI_REQUEST_TEMPERATURE], a[A.GEN_AI_REQUEST_TOP_P], a[A.GEN_AI_REQUEST_MAX_TOKENS]) == (
        0.2,
        0.9,
        256,
    )
    assert a[A.GEN_AI_RESPONSE_FINISH_REASONS] == ("stop",)
    assert (a[A.GEN_AI_USAGE_INPUT_TOKENS], a[A.GEN_AI_USAGE_OUTPUT_TOKENS]) == (250, 25)
    assert (a[A.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS], a[A.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS]) == (160, 12)


def test_without_content_capture_the_root_has_no_content(tracing: Tracing) -> None:
    agent = Agent("A", instructions="secret", model=ScriptedModel([[assistant_message("hi")]]))
    Runner.run_sync(agent, "go", run_config=RunConfig(tracer_provider=tracing.provider, capture_content=False))
    (root,) = tracing.named("invoke_agent")
    content = {
        A.GEN_AI_INPUT_MESSAGES,
        A.GEN_AI_OUTPUT_MESSAGES,
        A.GEN_AI_SYSTEM_INSTRUCTIONS,
        A.GEN_AI_TOOL_DEFINITIONS,
    }
    assert content.isdisjoint(_attrs(root))
    assert _attrs(root)[A.GEN_AI_RESPONSE_FINISH_REASONS] == ("stop",)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("api", APIS)
async def test_cache_read_and_reasoning_tokens_from_both_apis(
    api: str, mode: str, fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    fake_openai.enqueue(
        text="Hi.", usage=WireUsage(input_tokens=40, output_tokens=30, cached_tokens=32, reasoning_tokens=18)
    )
    result = await _run(Agent("A", model=wire_model(api, client)), mode, RunConfig(tracer_provider=tracing.provider))
    (chat,) = tracing.named("chat")
    a = _attrs(chat)
    assert (a[A.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS], a[A.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS]) == (32, 18)
    assert (result.usage.input_tokens_details.cached_tokens, result.usage.output_tokens_details.reasoning_tokens) == (
        32,
        18,
    )


def test_conversation_id_is_on_every_span_of_the_run_including_nested_agents(tracing: Tracing) -> None:
    helper = Agent(
        "Helper",
        tools=[lookup],
        model=ScriptedModel([[function_call("lookup", {"city": "Rome", "days": 1})], [assistant_message("fine")]]),
    )
    model = ScriptedModel(
        [[function_call("helper", {"input": "how is Rome?"}, call_id="c_helper")], [assistant_message("done")]]
    )
    agent = Agent("Lead", tools=[helper.as_tool("helper", "Ask the helper.")], model=model)
    Runner.run_sync(agent, "go", run_config=RunConfig(tracer_provider=tracing.provider, conversation_id="thread-42"))

    spans = tracing.spans()
    names = sorted(s.name for s in spans)
    assert names.count("invoke_agent Helper") == 1 and names.count("execute_tool lookup") == 1
    assert {_attrs(s).get(A.GEN_AI_CONVERSATION_ID) for s in spans} == {"thread-42"}


def test_no_conversation_id_unless_given(tracing: Tracing) -> None:
    Runner.run_sync(
        Agent("A", model=ScriptedModel([[assistant_message("hi")]])),
        "go",
        run_config=RunConfig(tracer_provider=tracing.provider),
    )
    assert all(A.GEN_AI_CONVERSATION_ID not in _attrs(s) for s in tracing.spans())


def test_invoke_agent_duration_metric_with_error_type(
    tracing: Tracing, meter: tuple[MeterProvider, InMemoryMetricReader]
) -> None:
    provider, reader = meter
    config = RunConfig(tracer_provider=tracing.provider, meter_provider=provider, conversation_id="c1")
    Runner.run_sync(Agent("Fine", model=ScriptedModel([[assistant_message("hi")]])), "go", run_config=config)
    with pytest.raises(RuntimeError):
        Runner.run_sync(Agent("Broken", model=ScriptedModel([RuntimeError("down")])), "go", run_config=config)

    points = {p.attributes["gen_ai.agent.name"]: p for p in histogram_points(reader, runtime_metrics.AGENT_DURATION)}
    assert set(points) == {"Fine", "Broken"}
    assert dict(points["Fine"].attributes) == {
        A.GEN_AI_OPERATION_NAME: "invoke_agent",
        A.GEN_AI_AGENT_NAME: "Fine",
        A.GEN_AI_PROVIDER_NAME: "scripted",
        A.GEN_AI_REQUEST_MODEL: "scripted",
    }  # never the conversation id: metric attributes stay low-cardinality
    assert points["Broken"].attributes[A.ERROR_TYPE] == "RuntimeError"
    (root,) = [s for s in tracing.named("invoke_agent") if s.name == "invoke_agent Fine"]
    span_seconds = ((root.end_time or 0) - (root.start_time or 0)) / 1e9
    assert points["Fine"].count == 1 and points["Fine"].sum >= span_seconds * 0.5  # the same interval, measured twice


@pytest.mark.parametrize("api", APIS)
async def test_chunk_metrics_for_streamed_calls_only(
    api: str,
    fake_openai: FakeOpenAIServer,
    client: openai.AsyncOpenAI,
    tracing: Tracing,
    meter: tuple[MeterProvider, InMemoryMetricReader],
) -> None:
    provider, reader = meter
    config = RunConfig(tracer_provider=tracing.provider, meter_provider=provider)
    fake_openai.enqueue(text="not streamed at all")
    await _run(Agent("A", model=wire_model(api, client)), "non-streamed", config)
    assert histogram_points(reader, runtime_metrics.TIME_TO_FIRST_CHUNK) == []

    fake_openai.enqueue(text=["one ", "two ", "three ", "four"])
    await _run(Agent("A", model=wire_model(api, client)), "streamed", config)
    (first,) = histogram_points(reader, runtime_metrics.TIME_TO_FIRST_CHUNK)
    (per_chunk,) = histogram_points(reader, runtime_metrics.TIME_PER_OUTPUT_CHUNK)
    assert first.count == 1
    assert per_chunk.count >= 3  # at least the text chunks after the first; the APIs add framing chunks
    assert first.attributes[A.GEN_AI_REQUEST_MODEL] == "gpt-test"
    assert first.attributes[A.GEN_AI_PROVIDER_NAME] == "openai"
    streamed_chat = [s for s in tracing.named("chat") if _attrs(s).get(A.GEN_AI_REQUEST_STREAM)]
    assert len(streamed_chat) == 1 and A.GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK in _attrs(streamed_chat[0])


def test_attribute_names_are_the_semantic_conventions_constants() -> None:
    ours = {name: value for name, value in vars(A).items() if name.startswith("GEN_AI_") and isinstance(value, str)}
    shared = {name: value for name, value in ours.items() if hasattr(semconv, name)}
    # Every gen_ai attribute we emit is defined by the package, under the same constant name and with the same
    # value: a rename or removal upstream shows up here, not as silently wrong traces.
    assert set(ours) == set(shared)
    assert {name: getattr(semconv, name) for name in shared} == shared
    assert (A.SERVER_ADDRESS, A.SERVER_PORT, A.ERROR_TYPE) == (SERVER_ADDRESS, SERVER_PORT, ERROR_TYPE)
    assert A.GEN_AI_PROVIDER_NAME == semconv.GEN_AI_PROVIDER_NAME
    assert semconv.GenAiOperationNameValues.CHAT.value == A.OP_CHAT
    assert semconv.GenAiOperationNameValues.INVOKE_AGENT.value == A.OP_INVOKE_AGENT
    assert semconv.GenAiOperationNameValues.EXECUTE_TOOL.value == A.OP_EXECUTE_TOOL


def test_metric_names_are_the_semantic_conventions_constants() -> None:
    assert runtime_metrics.OPERATION_DURATION == semconv_metrics.GEN_AI_CLIENT_OPERATION_DURATION
    assert runtime_metrics.TOKEN_USAGE == semconv_metrics.GEN_AI_CLIENT_TOKEN_USAGE
    assert runtime_metrics.TIME_TO_FIRST_CHUNK == semconv_metrics.GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK
    assert runtime_metrics.TIME_PER_OUTPUT_CHUNK == semconv_metrics.GEN_AI_CLIENT_OPERATION_TIME_PER_OUTPUT_CHUNK
    # Not in the package (0.66b2) yet: pinned to semantic-conventions-genai model/gen-ai/metrics.yaml by name.
    assert not hasattr(semconv_metrics, "GEN_AI_INVOKE_AGENT_DURATION")
    assert (runtime_metrics.AGENT_DURATION, runtime_metrics.TOOL_DURATION) == (
        "gen_ai.invoke_agent.duration",
        "gen_ai.execute_tool.duration",
    )


def test_spans_other_code_starts_inside_the_run_get_the_conversation_id_too(tracing: Tracing) -> None:
    app_tracer = tracing.provider.get_tracer("the-app")

    @function_tool
    def fetch(url: str) -> str:
        """Fetch a page (its own span, as an instrumented HTTP client would make)."""
        with app_tracer.start_as_current_span("GET page"):
            return "<html/>"

    agent = Agent(
        "A", tools=[fetch], model=ScriptedModel([[function_call("fetch", {"url": "u"})], [assistant_message("ok")]])
    )
    Runner.run_sync(agent, "go", run_config=RunConfig(tracer_provider=tracing.provider, conversation_id="thread-9"))
    with app_tracer.start_as_current_span("after the run"):
        pass

    (inside,) = tracing.named("GET page")
    (after,) = tracing.named("after the run")
    assert _attrs(inside)[A.GEN_AI_CONVERSATION_ID] == "thread-9"
    assert A.GEN_AI_CONVERSATION_ID not in _attrs(after)
