"""Compatibility with the OpenAI Agents SDK v0.24.0's model surface: the new ``ModelSettings`` fields and their
serialization, ``ModelResponse.request_id`` / ``raw_usage`` / ``to_input_items()``, ``Usage(total_tokens=...)``,
``ModelTimeoutError(timeout_seconds)``, ``ModelRetryNormalizedError``'s parameters, and the provider and model
options added since v0.22 (``strict_feature_validation``, ``buffer_streamed_tool_calls``, ``agent_registration``,
``model_is_explicit``, ``should_replay_reasoning_content``, ``Model.close()``, ``set_default_openai_client(...,
use_for_tracing=)``).

Learnt from the SDK's ``model_settings``, ``models/openai_*``, ``run_internal/model_retry`` and its tests
(``tests/model_settings/test_serialization.py``, the timeout and raw-usage tests); driven over the real wire: the
official ``openai`` client talking HTTP to the local OpenAI-compatible server, asserting what is sent and received.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Iterator
from typing import Any

import openai
import pytest
from fake_openai.script import StreamGate
from fake_openai.server import FakeOpenAIServer
from openai.types.chat import ChatCompletionChunk
from openai.types.shared import Reasoning
from support import Tracing

from agents_otel import (
    Agent,
    MCPToolChoice,
    Model,
    ModelBehaviorError,
    ModelResponse,
    ModelRetryNormalizedError,
    ModelRetrySettings,
    ModelSettings,
    ModelTimeoutError,
    MultiProvider,
    OpenAIChatCompletionsModel,
    OpenAIProvider,
    OpenAIResponsesModel,
    RunConfig,
    Runner,
    Usage,
    UserError,
    retry_policies,
    set_default_openai_client,
)
from agents_otel.items import AssistantMessage, FunctionCall, RawInputItem
from agents_otel.models._openai_chat_output import ChatStreamAssembler
from agents_otel.models.interface import ModelRequest
from agents_otel.openai_registration import set_default_openai_agent_registration
from agents_otel.tracing.processors import default_exporter
from agents_otel.usage import deserialize_usage, serialize_usage

# ---- ModelSettings: the new fields, their order, serialization and merging ------------------------------------


def test_fields_are_the_sdks_in_its_order() -> None:
    names = [f.name for f in dataclasses.fields(ModelSettings)]
    assert names[12:14] == ["prompt_cache_retention", "include_usage"]
    assert names[-4:] == ["context_management", "prompt_cache_options", "preserve_raw_usage", "timeout"]
    positional = ModelSettings(None, None, None, None, None, None, None, None, None, None, None, None, "24h")
    assert positional.prompt_cache_retention == "24h"  # the SDK's 13th positional field


def test_to_json_dict_is_every_field_as_json() -> None:
    settings = ModelSettings(
        temperature=0.5, tool_choice=MCPToolChoice(server_label="mcp", name="t"),
        reasoning=Reasoning(effort="low"), retry=ModelRetrySettings(max_retries=2, policy=retry_policies.never()),
        context_management=[{"type": "compaction", "compact_threshold": 200000}],
        prompt_cache_options={"mode": "explicit", "ttl": "30m"}, preserve_raw_usage=True, timeout=1.25,
        extra_args={"custom": {"nested": 1}},
    )  # fmt: skip
    data = settings.to_json_dict()
    assert json.loads(json.dumps(data)) == data
    assert set(data) == {f.name for f in dataclasses.fields(ModelSettings)}
    assert data["tool_choice"] == {"server_label": "mcp", "name": "t"}
    assert data["reasoning"]["effort"] == "low"
    assert data["retry"]["max_retries"] == 2 and "policy" not in data["retry"]  # code is not serialized
    assert (data["timeout"], data["preserve_raw_usage"], data["extra_args"]) == (1.25, True, {"custom": {"nested": 1}})


def test_to_traceable_dict_leaves_out_request_extras() -> None:
    settings = ModelSettings(
        temperature=0.5, extra_headers={"Authorization": "Bearer x"}, extra_query={"k": "q"}, extra_body={"s": 1},
        extra_args={"timeout": object()}, preserve_raw_usage=True, prompt_cache_options={"mode": "explicit"},
    )  # fmt: skip
    traceable = settings.to_traceable_dict()
    assert traceable["temperature"] == 0.5 and traceable["prompt_cache_options"] == {"mode": "explicit"}
    assert not {"extra_headers", "extra_query", "extra_body", "extra_args", "preserve_raw_usage"} & set(traceable)
    assert json.dumps(traceable)  # an extra that is no JSON does not matter


def test_resolve_merges_the_new_fields_and_takes_a_dict() -> None:
    agent = ModelSettings(timeout=5, prompt_cache_retention="in_memory", context_management=[{"type": "compaction"}])
    run = ModelSettings(timeout=2, preserve_raw_usage=True, prompt_cache_options={"mode": "implicit"})
    merged = agent.resolve(run)
    assert (merged.timeout, merged.prompt_cache_retention, merged.preserve_raw_usage) == (2, "in_memory", True)
    assert merged.context_management == [{"type": "compaction"}]
    assert merged.prompt_cache_options == {"mode": "implicit"}
    assert agent.resolve({"timeout": 9}).timeout == 9
    with pytest.raises(TypeError, match="Unknown model settings: temperatur"):
        agent.resolve({"temperatur": 0.5})


def test_invalid_new_settings_fail_typed() -> None:
    for bad in (0, -1, float("inf"), "5", True):
        with pytest.raises(UserError, match="timeout"):
            ModelSettings(timeout=bad)
    with pytest.raises(UserError, match="prompt_cache_retention"):
        ModelSettings(prompt_cache_retention="1h")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"Unknown model settings in context_management\[0\]: threshold"):
        ModelSettings(context_management=[{"type": "compaction", "threshold": 1}])
    with pytest.raises(TypeError, match="Unknown model settings in prompt_cache_options: tttl"):
        ModelSettings(prompt_cache_options={"tttl": "30m"})


# ---- what the new settings send ---------------------------------------------------------------------------------


async def test_prompt_cache_and_context_management_reach_the_responses_api(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue(text="ok")
    settings = ModelSettings(
        prompt_cache_retention="24h", prompt_cache_options={"mode": "explicit", "ttl": "30m"},
        context_management=[{"type": "compaction", "compact_threshold": 200000}], timeout=30, preserve_raw_usage=True,
    )  # fmt: skip
    async with fake_openai.client() as client:
        agent = Agent("a", model=OpenAIResponsesModel("gpt-4.1", openai_client=client), model_settings=settings)
        await Runner.run(agent, "hi")
    body = fake_openai.last_request.body
    assert body["prompt_cache_retention"] == "24h"
    assert body["prompt_cache_options"] == {"mode": "explicit", "ttl": "30m"}
    assert body["context_management"] == [{"type": "compaction", "compact_threshold": 200000}]
    assert "timeout" not in body and "preserve_raw_usage" not in body  # applied by the runtime, not sent


async def test_chat_completions_sends_prompt_cache_and_refuses_what_it_lacks(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue(text="ok")
    async with fake_openai.client() as client:
        model = OpenAIChatCompletionsModel("gpt-4.1", openai_client=client)
        settings = ModelSettings(prompt_cache_retention="in_memory", prompt_cache_options={"mode": "implicit"})
        await Runner.run(Agent("a", model=model, model_settings=settings), "hi")
        body = fake_openai.last_request.body
        assert (body["prompt_cache_retention"], body["prompt_cache_options"]) == ("in_memory", {"mode": "implicit"})
        for refused, match in (
            (ModelSettings(context_management=[{"type": "compaction"}]), "context_management"),
            (ModelSettings(reasoning=Reasoning(effort="low", mode="pro")), "mode"),  # type: ignore[call-arg]
        ):
            with pytest.raises(UserError, match=match):
                await Runner.run(Agent("a", model=model, model_settings=refused), "hi")
    assert len(fake_openai.requests) == 1  # refused before anything was sent


# ---- ModelResponse: request_id, raw_usage, to_input_items -----------------------------------------------------


@pytest.mark.parametrize("streamed", [False, True])
@pytest.mark.parametrize("chat", [False, True])
async def test_request_id_and_raw_usage(fake_openai: FakeOpenAIServer, streamed: bool, chat: bool) -> None:
    async with fake_openai.client() as client:
        model: Model = (OpenAIChatCompletionsModel if chat else OpenAIResponsesModel)("gpt-4.1", openai_client=client)
        responses = []
        for preserve in (None, True):
            fake_openai.enqueue(text="ok", usage=(7, 3))
            agent = Agent("a", model=model, model_settings=ModelSettings(preserve_raw_usage=preserve))
            if streamed:
                result: Any = Runner.run_streamed(agent, "hi")
                async for _ in result.stream_events():
                    pass
            else:
                result = await Runner.run(agent, "hi")
            responses.append(result.raw_responses[0])
    plain, preserved = responses
    assert plain.request_id == "req_fake0001" and preserved.request_id == "req_fake0002"  # the x-request-id header
    assert plain.raw_usage is None  # only when asked for
    raw = preserved.raw_usage
    assert raw is not None and json.loads(json.dumps(raw)) == raw
    if chat:
        assert (raw["prompt_tokens"], raw["completion_tokens"], raw["total_tokens"]) == (7, 3, 10)
    else:
        assert (raw["input_tokens"], raw["output_tokens"], raw["total_tokens"]) == (7, 3, 10)


def test_model_response_takes_the_sdks_fields_in_order_and_gives_input_items() -> None:
    usage = Usage(input_tokens=1, output_tokens=2)
    response = ModelResponse(
        [AssistantMessage("hi"), FunctionCall("f", "{}", "c1"),
         RawInputItem({"type": "tool_search_output", "id": "ts", "created_by": "server", "tools": []})],
        usage, "resp_1", "req_1", {"input_tokens": 1},
    )  # fmt: skip
    assert (response.response_id, response.request_id, response.raw_usage) == ("resp_1", "req_1", {"input_tokens": 1})
    items = response.to_input_items()
    assert items[1] == {"type": "function_call", "call_id": "c1", "name": "f", "arguments": "{}"}
    assert items[0]["role"] == "assistant" and items[0]["content"][0]["text"] == "hi"
    assert "created_by" not in items[2] and items[2]["id"] == "ts"  # output-only, refused by the API as input


# ---- Usage(total_tokens=...) ------------------------------------------------------------------------------------


def test_a_given_total_is_kept_and_summed() -> None:
    given = Usage(requests=1, input_tokens=3, output_tokens=4, total_tokens=10)
    assert given.total_tokens == 10
    run = Usage()
    run.add(given)
    run.add(Usage(requests=1, input_tokens=1, output_tokens=1))
    assert run.total_tokens == 12 and run.request_usage_entries[0].total_tokens == 10
    again = deserialize_usage(json.loads(json.dumps(serialize_usage(run))))
    assert again.total_tokens == 12 and again == run
    assert Usage(input_tokens=2, output_tokens=3).total_tokens == 5  # none given: the parts' sum
    with pytest.raises(TypeError, match="total_tokens"):
        Usage(total_tokens="10")  # type: ignore[arg-type]


async def test_the_providers_total_is_kept(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.enqueue(text="ok", usage=(7, 3))
    async with fake_openai.client() as client:
        result = await Runner.run(Agent("a", model=OpenAIResponsesModel("m", openai_client=client)), "hi")
    assert result.context_wrapper.usage.total_tokens == 10


# ---- timeout and the errors' SDK forms ---------------------------------------------------------------------------


def test_model_timeout_error_takes_the_seconds() -> None:
    error = ModelTimeoutError(5.0)
    assert (error.timeout_seconds, error.message) == (5.0, "Model call timed out after 5 seconds.")
    assert isinstance(error, TimeoutError)


def test_normalized_error_takes_its_fields_by_position_and_knows_which_were_given() -> None:
    normalized = ModelRetryNormalizedError(429, "rate_limited", retry_after=None)
    assert (normalized.status_code, normalized.error_code, normalized.is_timeout) == (429, "rate_limited", False)
    assert normalized.explicit_fields == {"status_code", "error_code", "retry_after"}
    assert ModelRetryNormalizedError.is_abort is False  # class-level defaults, as the SDK's dataclass fields


async def test_a_stream_past_its_timeout_fails_with_model_timeout_error(fake_openai: FakeOpenAIServer) -> None:
    gate = StreamGate()  # never released: the answer stalls after its first delta
    fake_openai.enqueue(text="never finishes", gate=gate)
    async with fake_openai.client() as client:
        agent = Agent("a", model=OpenAIResponsesModel("m", openai_client=client),
                      model_settings=ModelSettings(timeout=0.3))  # fmt: skip
        result = Runner.run_streamed(agent, "hi")
        with pytest.raises(ModelTimeoutError) as caught:
            async for _ in result.stream_events():
                pass
    assert caught.value.timeout_seconds == 0.3


class Stalling(Model):
    """Its first call never answers; later ones do (a model whose call outlives the timeout, then recovers)."""

    def __init__(self) -> None:
        self.calls = 0
        self.cancelled = 0

    async def get_response(self, request: ModelRequest) -> ModelResponse:
        self.calls += 1
        if self.calls == 1:
            try:
                await asyncio.Event().wait()
            except asyncio.CancelledError:
                self.cancelled += 1
                raise
        return ModelResponse([AssistantMessage("second try")], Usage(input_tokens=1, output_tokens=1))


async def test_a_timed_out_attempt_is_cancelled_and_retried_by_policy() -> None:
    model = Stalling()
    retry = ModelRetrySettings(max_retries=1, policy=retry_policies.network_error(), backoff={"initial_delay": 0})
    agent = Agent("a", model=model, model_settings=ModelSettings(timeout=0.2, retry=retry))
    result = await Runner.run(agent, "hi")
    assert (result.final_output, model.calls, model.cancelled) == ("second try", 2, 1)
    with pytest.raises(ModelTimeoutError, match=r"after 0\.2 seconds"):
        await Runner.run(Agent("b", model=Stalling(), model_settings=ModelSettings(timeout=0.2)), "hi")


# ---- providers and models ---------------------------------------------------------------------------------------


def _chunk(**delta: Any) -> ChatCompletionChunk:
    finish = delta.pop("finish_reason", None)
    return ChatCompletionChunk.model_validate(
        {"id": "c", "object": "chat.completion.chunk", "created": 0, "model": "m",
         "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    )  # fmt: skip


def _calls(buffered: bool, *chunks: ChatCompletionChunk) -> list[FunctionCall]:
    assembler = ChatStreamAssembler(buffered=buffered)
    for chunk in chunks:
        assembler.feed(chunk)
    return [i for i in assembler.finish().output if isinstance(i, FunctionCall)]


def test_buffered_tool_calls_are_read_as_the_sdk_buffers_them() -> None:
    repeated_name = (
        _chunk(tool_calls=[{"index": 0, "id": "c1", "function": {"name": "lookup", "arguments": '{"a"'}}]),
        _chunk(tool_calls=[{"index": 0, "function": {"name": "lookup", "arguments": ": 1}"}}]),
        _chunk(finish_reason="tool_calls"),
    )
    assert [(c.name, c.arguments) for c in _calls(True, *repeated_name)] == [("lookup", '{"a": 1}')]
    assert _calls(False, *repeated_name)[0].name == "lookuplookup"  # unbuffered: fragments are joined
    no_id = (
        _chunk(tool_calls=[{"index": 0, "function": {"name": "f", "arguments": "{}"}}]),
        _chunk(finish_reason="stop"),
    )
    with pytest.raises(ModelBehaviorError, match="without a tool call id"):
        _calls(True, *no_id)
    assert _calls(False, *no_id)[0].call_id.startswith("call_")
    with pytest.raises(ModelBehaviorError, match="did not include any streamed tool call"):
        _calls(True, _chunk(content="", finish_reason="tool_calls"))


async def test_provider_flags_reach_the_chat_completions_models(fake_openai: FakeOpenAIServer) -> None:
    async with fake_openai.client() as client:
        provider = OpenAIProvider(openai_client=client, use_responses=False, strict_feature_validation=True,
                                  buffer_streamed_tool_calls=True)  # fmt: skip
        model = provider.get_model("gpt-4.1")
        assert isinstance(model, OpenAIChatCompletionsModel)
        assert (model.strict_feature_validation, model.buffer_streamed_tool_calls) == (True, True)
        multi = MultiProvider(openai_client=client, openai_use_responses=False, openai_buffer_streamed_tool_calls=True,
                              openai_strict_feature_validation=True)  # fmt: skip
        routed = multi.get_model("openai/gpt-4.1")
        assert isinstance(routed, OpenAIChatCompletionsModel) and routed.buffer_streamed_tool_calls
        fake_openai.enqueue(tool_calls=[("f", {"x": 1}, "call_1")])
        fake_openai.enqueue(text="done")
        seen: list[str] = []

        def f(x: int) -> str:
            seen.append(f"x={x}")
            return "ok"

        from agents_otel import function_tool

        agent = Agent("a", tools=[function_tool(f)])
        result = Runner.run_streamed(agent, "hi", run_config=RunConfig(model="gpt-4.1", model_provider=provider))
        async for _ in result.stream_events():
            pass
    assert (result.final_output, seen) == ("done", ["x=1"])  # a buffered stream's call runs as any other
    with pytest.raises(UserError, match="must be a bool"):
        OpenAIProvider(buffer_streamed_tool_calls="yes")  # type: ignore[arg-type]


def test_a_reasoning_replay_hook_is_kept_and_a_non_function_refused() -> None:
    def hook(context: Any) -> bool:
        return True

    assert OpenAIChatCompletionsModel("m", None, hook).should_replay_reasoning_content is hook
    assert OpenAIChatCompletionsModel("m", None, None).should_replay_reasoning_content is None
    with pytest.raises(UserError, match="should_replay_reasoning_content"):
        OpenAIChatCompletionsModel("m", None, True)  # type: ignore[arg-type]


async def test_a_providers_default_model_leaves_a_stored_prompts_model_alone(fake_openai: FakeOpenAIServer) -> None:
    async with fake_openai.client() as client:
        provider = OpenAIProvider(openai_client=client, use_responses=True)
        prompt = {"id": "pmpt_1", "version": "2"}
        for named, expected in ((None, False), ("gpt-4.1", True)):
            fake_openai.enqueue(text="ok")
            agent = Agent("a", model=named, prompt=prompt)
            await Runner.run(agent, "hi", run_config=RunConfig(model_provider=provider))
            body = fake_openai.last_request.body
            assert ("model" in body) is expected and body["prompt"]["id"] == "pmpt_1"
        fake_openai.enqueue(text="ok")
        await Runner.run(Agent("a", model=provider.get_model(None)), "hi")  # no prompt: the default model is sent
        assert fake_openai.last_request.body["model"]
    assert OpenAIResponsesModel("m", model_is_explicit=False).model_is_explicit is False


@pytest.fixture
def no_harness(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("OPENAI_AGENT_HARNESS_ID", raising=False)
    yield
    set_default_openai_agent_registration(None)


@pytest.mark.usefixtures("no_harness")
def test_a_providers_agent_registration_reaches_the_trace_metadata(tracing: Tracing) -> None:
    from agents_otel.testing import ScriptedModel, assistant_message

    key = "agents_otel.workflow.metadata.agent_harness_id"
    set_default_openai_agent_registration({"harness_id": "process-default"})
    for provider, expected in (
        (OpenAIProvider(agent_registration={"harness_id": " mine "}), "mine"),
        (MultiProvider(openai_agent_registration={"harness_id": "multi"}), "multi"),
        (OpenAIProvider(), "process-default"),
    ):
        tracing.exporter.clear()
        agent = Agent("a", model=ScriptedModel([[assistant_message("hi")]]))
        Runner.run_sync(agent, "x", run_config=RunConfig(model_provider=provider, tracer_provider=tracing.provider))
        assert tracing.named("invoke_workflow")[0].attributes[key] == expected  # type: ignore[index]
    registration = OpenAIProvider(agent_registration={"harness_id": "h"}).agent_registration
    assert registration is not None and registration.harness_id == "h"
    with pytest.raises(UserError, match="unknown keys"):
        OpenAIProvider(agent_registration={"harness": "h"})


async def test_every_model_can_be_closed(fake_openai: FakeOpenAIServer) -> None:
    async with fake_openai.client() as client:
        for model in (OpenAIResponsesModel("m", openai_client=client), OpenAIChatCompletionsModel("m", client)):
            await model.close()  # owns nothing: the client stays the caller's
            fake_openai.enqueue(text="still usable")
            assert (await Runner.run(Agent("a", model=model), "hi")).final_output == "still usable"
        assert not client.is_closed()


@pytest.fixture
def exporter_key() -> Iterator[None]:
    exporter = default_exporter()
    before = getattr(exporter, "_api_key", None)
    yield
    set_default_openai_client(None)
    exporter.set_api_key(before)  # type: ignore[arg-type]


@pytest.mark.usefixtures("exporter_key")
def test_use_for_tracing_gives_the_clients_key_to_the_trace_exporter() -> None:
    exporter = default_exporter()
    set_default_openai_client(openai.AsyncOpenAI(api_key="sk-for-tracing", base_url="http://127.0.0.1:9/v1"))
    assert exporter.api_key == "sk-for-tracing"
    set_default_openai_client(openai.AsyncOpenAI(api_key="sk-not", base_url="http://127.0.0.1:9/v1"), False)
    assert exporter.api_key == "sk-for-tracing"



async def test_a_scripted_steps_request_id_and_raw_usage_are_reported() -> None:
    from agents_otel.testing import ModelStep, ScriptedModel, assistant_message

    def step() -> ModelStep:
        return ModelStep(output=[assistant_message("ok")], request_id="req_s", raw_usage={"input_tokens": 2})

    model = ScriptedModel([step(), step()])
    plain = (await Runner.run(Agent("a", model=model), "hi")).raw_responses[0]
    kept = (await Runner.run(Agent("a", model=model, model_settings=ModelSettings(preserve_raw_usage=True)), "hi"))
    assert (plain.request_id, plain.raw_usage) == ("req_s", None)  # raw usage only when asked for, as in the SDK
    assert kept.raw_responses[0].raw_usage == {"input_tokens": 2}


def test_agent_registration_config_is_at_the_sdks_models_path() -> None:
    from agents_otel.models import OpenAIAgentRegistrationConfig
    from agents_otel.openai_registration import OpenAIAgentRegistrationConfig as Root

    assert OpenAIAgentRegistrationConfig is Root


def test_model_timeout_error_still_takes_a_message_like_every_model_error() -> None:
    error = ModelTimeoutError("the client gave up", error_type="timeout")
    assert (error.message, error.timeout_seconds) == ("the client gave up", None)
