"""A ``Model`` subclass written to the OpenAI Agents SDK's signature runs unchanged (``models.sdk_signature``).

SDK programs bring their own models: ``get_response(system_instructions, input, model_settings, tools,
output_schema, handoffs, tracing, *, previous_response_id, conversation_id, prompt)`` answering with ``openai``
Responses output items, and ``stream_response`` yielding Responses stream events. These tests write such models
as an SDK user would (the SDK's own test suite drives its runner through models of this shape) and check what they
receive, that the run reads their answers (text, tool calls, handoffs, structured output, streams), and that a
model answering with something else fails with a typed error instead of an empty answer.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from openai.types.responses import (
    Response,
    ResponseCompletedEvent,
    ResponseCreatedEvent,
    ResponseFunctionToolCall,
    ResponseOutputItemAddedEvent,
    ResponseOutputItemDoneEvent,
    ResponseOutputMessage,
    ResponseOutputText,
    ResponseTextDeltaEvent,
)
from pydantic import BaseModel
from support import Tracing

from agents_otel import (
    Agent,
    AgentOutputSchemaBase,
    FunctionTool,
    Handoff,
    ModelBehaviorError,
    ModelProvider,
    ModelResponse,
    ModelSettings,
    RawResponsesStreamEvent,
    RunConfig,
    Runner,
    Usage,
    function_tool,
)
from agents_otel.models.interface import Model, ModelTracing


def message(text: str) -> ResponseOutputMessage:
    return ResponseOutputMessage(
        id="msg_1", type="message", role="assistant", status="completed",
        content=[ResponseOutputText(type="output_text", text=text, annotations=[])],
    )


def call(name: str, arguments: dict[str, Any], call_id: str) -> ResponseFunctionToolCall:
    return ResponseFunctionToolCall(
        type="function_call", name=name, arguments=json.dumps(arguments), call_id=call_id, id=f"fc_{call_id}"
    )


class SDKModel(Model):
    """An SDK-style model: answers from a script, records every call's arguments."""

    def __init__(self, answers: list[list[Any]]) -> None:
        self.answers = answers
        self.calls: list[dict[str, Any]] = []
        self.model = "sdk-style-model"

    async def get_response(  # type: ignore[override]
        self,
        system_instructions: str | None,
        input: str | list[Any],
        model_settings: ModelSettings,
        tools: list[Any],
        output_schema: AgentOutputSchemaBase | None,
        handoffs: list[Any],
        tracing: ModelTracing,
        *,
        previous_response_id: str | None,
        conversation_id: str | None,
        prompt: Any | None,
    ) -> ModelResponse:
        self.calls.append({
            "system_instructions": system_instructions, "input": input, "model_settings": model_settings,
            "tools": tools, "output_schema": output_schema, "handoffs": handoffs, "tracing": tracing,
            "previous_response_id": previous_response_id, "conversation_id": conversation_id, "prompt": prompt,
        })
        return ModelResponse(output=self.answers.pop(0), usage=Usage(input_tokens=3, output_tokens=2), response_id=None)

    async def stream_response(  # type: ignore[override]
        self, system_instructions: str | None, input: Any, model_settings: ModelSettings, tools: list[Any],
        output_schema: Any, handoffs: list[Any], tracing: ModelTracing, *, previous_response_id: str | None,
        conversation_id: str | None, prompt: Any | None,
    ) -> AsyncIterator[Any]:
        raise NotImplementedError
        yield


@function_tool
def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


def test_the_signature_is_recognised_on_the_class_and_its_subclasses() -> None:
    class Ours(Model):
        async def get_response(self, request: Any) -> ModelResponse:
            raise NotImplementedError

    class Derived(SDKModel):
        pass

    assert SDKModel.sdk_signature and Derived.sdk_signature
    assert not Ours.sdk_signature and not Model.sdk_signature


async def test_the_model_gets_the_sdk_arguments_and_its_answer_is_read(tracing: Tracing) -> None:
    model = SDKModel([[call("add", {"a": 2, "b": 3}, "call_1")], [message("5")]])
    settings = ModelSettings(temperature=0.1)
    agent = Agent(name="calc", instructions="Add.", tools=[add], model=model, model_settings=settings)
    result = await Runner.run(agent, "2+3?", run_config=tracing.config)
    assert result.final_output == "5"
    first, second = model.calls
    assert first["system_instructions"] == "Add."
    assert first["input"] == [{"role": "user", "content": "2+3?"}]
    assert first["model_settings"].temperature == 0.1
    assert first["tools"] == [add] and first["tools"][0] is add  # the agent's own tool object
    assert first["handoffs"] == [] and first["output_schema"] is None
    assert first["tracing"] is ModelTracing.DISABLED  # the runtime records the call: no second generation span
    assert (first["previous_response_id"], first["conversation_id"], first["prompt"]) == (None, None, None)
    kinds = [item.get("type", item.get("role")) for item in second["input"]]
    assert kinds == ["user", "function_call", "function_call_output"]
    assert second["input"][2] == {"type": "function_call_output", "call_id": "call_1", "output": "5"}
    chats = tracing.named("chat")
    assert [s.name for s in chats] == ["chat sdk-style-model", "chat sdk-style-model"]
    assert chats[0].attributes is not None and chats[0].attributes["gen_ai.usage.input_tokens"] == 3
    assert tracing.tool_span("call_1").attributes is not None
    assert result.raw_responses[0].output[0].name == "add"  # type: ignore[union-attr]


async def test_handoffs_reach_the_model_as_handoff_objects_and_a_transfer_call_hands_off() -> None:
    billing_model = SDKModel([[message("Billing here.")]])
    billing = Agent(name="Billing", handoff_description="Invoices.", model=billing_model)
    triage_model = SDKModel([[call("transfer_to_billing", {}, "call_h")]])
    triage = Agent(name="Triage", handoffs=[billing], model=triage_model)
    result = await Runner.run(triage, "my invoice")
    assert result.final_output == "Billing here." and result.last_agent is billing
    (handoff,) = triage_model.calls[0]["handoffs"]
    assert isinstance(handoff, Handoff) and handoff.tool_name == "transfer_to_billing"
    assert triage_model.calls[0]["tools"] == []


class Answer(BaseModel):
    value: int


async def test_structured_output_gives_the_agents_output_schema_object() -> None:
    model = SDKModel([[message('{"value": 7}')]])
    result = await Runner.run(Agent(name="a", model=model, output_type=Answer), "seven")
    assert result.final_output == Answer(value=7)
    schema = model.calls[0]["output_schema"]
    assert isinstance(schema, AgentOutputSchemaBase) and not schema.is_plain_text()
    assert schema.json_schema()["properties"]["value"]["type"] == "integer" and schema.is_strict_json_schema()


async def test_a_filtered_request_gives_tools_without_an_object_as_function_tools() -> None:
    from agents_otel import CallModelData, ModelInputData

    async def keep(data: CallModelData[Any]) -> ModelInputData:
        return ModelInputData(input=data.model_data.input, instructions="filtered")

    model = SDKModel([[message("ok")]])
    config = RunConfig(call_model_input_filter=keep)
    await Runner.run(Agent(name="a", tools=[add], model=model), "hi", run_config=config)
    assert model.calls[0]["system_instructions"] == "filtered" and model.calls[0]["tools"] == [add]


async def test_output_items_given_as_dicts_are_read_and_a_bad_one_is_a_typed_error() -> None:
    as_dict = message("from a dict").model_dump()
    result = await Runner.run(Agent(name="a", model=SDKModel([[as_dict]])), "hi")
    assert result.final_output == "from a dict"
    with pytest.raises(ModelBehaviorError, match="not a Responses output item"):
        await Runner.run(Agent(name="a", model=SDKModel([[{"type": "message", "content": 3}]])), "hi")
    with pytest.raises(ModelBehaviorError, match="answered with a str"):
        await Runner.run(Agent(name="a", model=SDKModel([["plain text"]])), "hi")


async def test_a_model_returning_something_else_is_a_typed_error() -> None:
    class Wrong(SDKModel):
        async def get_response(self, system_instructions: Any, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
            return "hello"

    with pytest.raises(ModelBehaviorError, match=r"Wrong.get_response returned str, not a ModelResponse"):
        await Runner.run(Agent(name="a", model=Wrong([])), "hi")


class StreamingSDKModel(SDKModel):
    """Streams its answer as the Responses API does: created, the message added, deltas, done, completed."""

    async def stream_response(  # type: ignore[override]
        self, system_instructions: str | None, input: Any, model_settings: ModelSettings, tools: list[Any],
        output_schema: Any, handoffs: list[Any], tracing: ModelTracing, *, previous_response_id: str | None,
        conversation_id: str | None, prompt: Any | None,
    ) -> AsyncIterator[Any]:
        self.calls.append({"input": input, "tools": tools})
        text = "Hello there"
        response = Response(
            id="resp_1", created_at=0, model=self.model, object="response", output=[], tool_choice="auto", tools=[],
            top_p=None, parallel_tool_calls=False, status="in_progress",
        )
        yield ResponseCreatedEvent(type="response.created", response=response, sequence_number=0)
        pending = message("").model_copy(update={"content": [], "status": "in_progress"})
        yield ResponseOutputItemAddedEvent(type="response.output_item.added", item=pending, output_index=0,
                                           sequence_number=1)
        for n, piece in enumerate(("Hello", " there")):
            yield ResponseTextDeltaEvent(type="response.output_text.delta", item_id="msg_1", output_index=0,
                                         content_index=0, delta=piece, logprobs=[], sequence_number=2 + n)
        yield ResponseOutputItemDoneEvent(type="response.output_item.done", item=message(text), output_index=0,
                                          sequence_number=4)
        done = response.model_copy(update={"output": [message(text)], "status": "completed"})
        yield ResponseCompletedEvent(type="response.completed", response=done, sequence_number=5)


async def test_a_streamed_sdk_model_forwards_its_events_and_its_answer_is_read(tracing: Tracing) -> None:
    model = StreamingSDKModel([])
    result = Runner.run_streamed(Agent(name="a", model=model), "hi", run_config=tracing.config)
    raw = [e.data async for e in result.stream_events() if isinstance(e, RawResponsesStreamEvent)]
    assert result.final_output == "Hello there"
    assert [e.type for e in raw] == [
        "response.created", "response.output_item.added", "response.output_text.delta", "response.output_text.delta",
        "response.output_item.done", "response.completed",
    ]
    assert [e.delta for e in raw if isinstance(e, ResponseTextDeltaEvent)] == ["Hello", " there"]
    (chat,) = tracing.named("chat")
    assert chat.attributes is not None and chat.attributes["gen_ai.response.id"] == "resp_1"
    assert model.calls[0]["input"] == [{"role": "user", "content": "hi"}]


async def test_a_model_without_stream_response_answers_a_streamed_run_whole() -> None:
    class OnlyAnswers(Model):
        async def get_response(self, system_instructions: Any, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
            return ModelResponse(output=[message("whole")], usage=Usage(), response_id=None)

    result = Runner.run_streamed(Agent(name="a", model=OnlyAnswers()), "hi")
    events = [e async for e in result.stream_events()]
    assert result.final_output == "whole" and events


async def test_a_stream_that_is_no_async_iterator_is_a_typed_error() -> None:
    class NotAStream(SDKModel):
        def stream_response(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
            return [1, 2]

    result = Runner.run_streamed(Agent(name="a", model=NotAStream([])), "hi")
    with pytest.raises(ModelBehaviorError, match="not an async iterator of Responses stream events"):
        async for _ in result.stream_events():
            pass


async def test_a_provider_returning_an_sdk_model_runs_it_by_name() -> None:
    model = SDKModel([[message("from the provider")]])

    class Provider(ModelProvider):
        def get_model(self, model_name: str | None) -> Model:
            assert model_name == "my-model"
            return model

    result = await Runner.run(Agent(name="a", model="my-model"), "hi", run_config=RunConfig(model_provider=Provider()))
    assert result.final_output == "from the provider" and len(model.calls) == 1


def test_a_tool_made_for_the_request_refuses_to_run() -> None:
    from agents_otel.models.interface import ToolSpec
    from agents_otel.models.sdk_signature import _tool_of

    tool = _tool_of(ToolSpec("extra", "An extra tool.", {"type": "object", "properties": {}}))
    assert isinstance(tool, FunctionTool) and tool.name == "extra" and tool.params_json_schema["type"] == "object"


# ---- the raw responses an application is handed hold the openai types (response_view) --------------------------


async def test_raw_responses_and_on_llm_end_hold_the_openai_output_items() -> None:
    from openai.types.responses import ResponseFunctionShellToolCall

    from agents_otel import RunHooks
    from agents_otel.items import AssistantMessage, FunctionCall, RawInputItem
    from agents_otel.testing import ScriptedModel, assistant_message, function_call

    seen: list[list[Any]] = []

    class Hooks(RunHooks[Any]):
        async def on_llm_end(self, context: Any, agent: Any, response: ModelResponse) -> None:
            seen.append(list(response.output))

    shell = {
        "type": "shell_call", "id": "sh_1", "call_id": "call_sh", "status": "completed",
        "action": {"commands": ["ls"]}, "environment": {"type": "container_reference", "container_id": "cntr_9"},
    }
    model = ScriptedModel([[function_call("add", {"a": 1, "b": 2}, call_id="c1")], [assistant_message("3")]])
    result = await Runner.run(Agent(name="a", tools=[add], model=model), "1+2", hooks=Hooks())
    calls, answer = (r.output for r in result.raw_responses)
    assert isinstance(calls[0], ResponseFunctionToolCall) and (calls[0].name, calls[0].call_id) == ("add", "c1")
    assert isinstance(answer[0], ResponseOutputMessage) and answer[0].type == "message"
    assert answer[0].content[0].text == "3"  # type: ignore[union-attr]
    assert [type(o[0]) for o in seen] == [ResponseFunctionToolCall, ResponseOutputMessage]
    assert result.raw_responses[0].output is result.raw_responses[0].output  # converted once, when first read
    assert result.raw_responses[1].usage.requests == 1 and result.last_response_id == "scripted-2"
    assert result.raw_responses[0].to_input_items() == [
        {"type": "function_call", "call_id": "c1", "name": "add", "arguments": '{"a": 1, "b": 2}'}
    ]
    source = result.raw_responses[1].source  # type: ignore[attr-defined]
    assert source.output == [AssistantMessage("3")]
    # a kept item (the SDK's container shell example looks for its environment) is the openai type too
    from agents_otel.response_view import sdk_output_item

    kept = sdk_output_item(RawInputItem(shell))
    assert isinstance(kept, ResponseFunctionShellToolCall) and kept.environment.container_id == "cntr_9"  # type: ignore[union-attr]
    assert isinstance(sdk_output_item(FunctionCall("f", "{}", "c")), ResponseFunctionToolCall)


async def test_a_streamed_runs_raw_responses_grow_as_the_run_goes_on() -> None:
    from agents_otel.testing import ScriptedModel, assistant_message, function_call

    model = ScriptedModel([[function_call("add", {"a": 1, "b": 2}, call_id="c1")], [assistant_message("3")]])
    result = Runner.run_streamed(Agent(name="a", tools=[add], model=model), "1+2")
    counts = []
    async for event in result.stream_events():
        if event.type == "run_item_stream_event" and event.name == "tool_output":
            counts.append(len(result.raw_responses))
            assert isinstance(result.raw_responses[0].output[0], ResponseFunctionToolCall)
    assert len(counts) == 1 and counts[0] >= 1 and len(result.raw_responses) == 2
    assert isinstance(result.raw_responses[1].output[0], ResponseOutputMessage)
