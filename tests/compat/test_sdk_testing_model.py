"""Compatibility: ``agents_otel.testing`` takes test code written for the OpenAI Agents SDK's ``agents.testing``.

The cases the SDK's tests of its ``ScriptedModel`` pin down: a tool workflow recorded call by call (``first_call`` /
``last_call`` with the Responses-format ``input``, ``streamed``); ``ModelStep.respond`` responders, sync, async and
chained, returning any step form; the dict form ``ModelStepSpec`` (its unknown keys refused); steps checked when
queued (``InvalidModelStep`` with its ``reason`` and zero-based ``input_index``) and snapshotted then; ``enqueue`` /
``extend`` / ``remaining_steps`` / ``assert_complete`` (``UnconsumedModelSteps``); ``default_usage`` for steps
without usage; retry advice scoped to the exact scripted error; exact stream events (a sequence or a factory, closed
with the stream) and the automatic stream's refusal of items it cannot stream; a call past the script's end
(``UnexpectedModelCall`` with ``call`` and ``call_index``); ``openai`` output items as step output.

Ours: our list-of-items steps keep their meaning (placeholder usage, word-sized deltas), ``calls`` keeps our
``ModelRequest``s (``model_calls`` is the SDK's view), every call is still a ``chat`` span whatever ``emit_traces``
says, and the sandbox doubles are not there (an ImportError).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from openai.types.responses import (
    Response,
    ResponseCompletedEvent,
    ResponseCustomToolCall,
    ResponseFunctionToolCall,
    ResponseOutputMessage,
    ResponseOutputText,
    ResponseTextDeltaEvent,
)
from support import Tracing

from agents_otel import (
    Agent,
    ModelBehaviorError,
    ModelRetryAdvice,
    ModelRetrySettings,
    ModelSettings,
    RawResponsesStreamEvent,
    RunConfig,
    Runner,
    UserError,
    function_tool,
    retry_policies,
)
from agents_otel.items import AssistantMessage
from agents_otel.models.interface import ModelRequest, ModelResponse, Usage
from agents_otel.testing import (
    InvalidModelStep,
    ModelCall,
    ModelScriptError,
    ModelStep,
    ModelStepSpec,
    ScriptedModel,
    ScriptExhaustedError,
    UnconsumedModelSteps,
    UnexpectedModelCall,
    assistant_message,
    function_call,
)


@function_tool
def lookup(city: str) -> str:
    """Look the weather up."""
    return f"{city}: sunny"


def config(tracing: Tracing) -> RunConfig:
    return RunConfig(tracer_provider=tracing.provider)


async def test_a_tool_workflow_is_recorded_call_by_call_with_the_sdks_call_records(tracing: Tracing) -> None:
    model = ScriptedModel(
        [[function_call("lookup", {"city": "Tokyo"}, call_id="call_1")], [assistant_message("sunny")]]
    )
    agent = Agent(name="weather", model=model, tools=[lookup])
    result = await Runner.run(agent, "weather?", run_config=config(tracing))
    assert result.final_output == "sunny" and len(model.calls) == 2
    assert model.first_call is not None and model.first_call.input == [{"content": "weather?", "role": "user"}]
    last = model.last_call
    assert last is not None and last.streamed is False and isinstance(last, ModelCall)
    outputs = [item for item in last.input if item.get("type") == "function_call_output"]
    assert outputs == [{"type": "function_call_output", "call_id": "call_1", "output": "Tokyo: sunny"}]
    assert [tool.name for tool in last.tools] == ["lookup"]
    assert isinstance(model.calls[0], ModelRequest)  # ours: the requests themselves, for our tests
    assert [call.input for call in model.model_calls] == [model.first_call.input, last.input]
    model.assert_complete()
    assert len(tracing.named("chat")) == 2  # emit_traces=False (the default) still has the runtime's chat spans


async def test_a_streamed_run_records_streamed_calls_and_an_sdk_step_streams_one_delta_per_part() -> None:
    model = ScriptedModel([ModelStep(output=[assistant_message("hello there")])])
    run = Runner.run_streamed(Agent(name="test", model=model), "hi")
    raw = [e.data async for e in run.stream_events() if isinstance(e, RawResponsesStreamEvent)]
    deltas = [e.delta for e in raw if isinstance(e, ResponseTextDeltaEvent)]  # the SDK's whole event sequence
    assert run.final_output == "hello there" and deltas == ["hello there"]
    assert model.last_call is not None and model.last_call.streamed is True
    ours = ScriptedModel([[assistant_message("hello there")]])  # our list form: word-sized deltas, as before
    run = Runner.run_streamed(Agent(name="test", model=ours), "hi")
    deltas = [e.data.delta async for e in run.stream_events() if isinstance(e, RawResponsesStreamEvent)]
    assert deltas == ["hello ", "there"]


async def test_responders_sync_async_and_chained_derive_the_step_from_the_call() -> None:
    seen: list[ModelCall] = []

    def echo(call: ModelCall) -> Any:
        seen.append(call)
        return [assistant_message(str(call.input[0]["content"]))]

    async def mapped(call: ModelCall) -> ModelStepSpec:
        return {"output": [assistant_message(f"{len(call.input)} item")]}

    model = ScriptedModel(
        [ModelStep.respond(echo), ModelStep.respond(lambda call: ModelStep.respond(mapped))]
    )
    agent = Agent(name="test", model=model)
    assert (await Runner.run(agent, "hello")).final_output == "hello"
    assert seen[0].streamed is False and seen[0].system_instructions is None
    assert (await Runner.run(agent, "again")).final_output == "1 item"
    model.assert_complete()


async def test_a_step_mapping_and_a_model_response_give_their_usage_and_response_id() -> None:
    usage = Usage(requests=2, input_tokens=3, output_tokens=4)
    model = ScriptedModel(
        [
            {"output": [assistant_message("mapped")], "usage": usage, "response_id": "resp_mapped",
             "request_id": "req_1", "raw_usage": {"source": "mapping"}},
            ModelResponse(output=[assistant_message("plain")], response_id="resp_plain"),
        ]
    )
    agent = Agent(name="test", model=model)
    first = await Runner.run(agent, "hi")
    assert first.final_output == "mapped" and first.raw_responses[0].response_id == "resp_mapped"
    assert first.raw_responses[0].usage == usage
    second = await Runner.run(agent, "hi")
    assert second.final_output == "plain" and second.raw_responses[0].response_id == "resp_plain"
    assert second.raw_responses[0].usage.input_tokens == 0  # no usage of its own and no default: none


async def test_default_usage_fills_steps_without_usage_and_is_copied() -> None:
    default = Usage(input_tokens=10, output_tokens=5)
    model = ScriptedModel(
        [[assistant_message("a")], ModelStep(output=[assistant_message("b")], usage=Usage(input_tokens=1))],
        default_usage=default,
    )
    default.input_tokens = 999  # taken as it was when given
    agent = Agent(name="test", model=model)
    assert (await Runner.run(agent, "x")).raw_responses[0].usage.input_tokens == 10
    assert (await Runner.run(agent, "x")).raw_responses[0].usage.input_tokens == 1
    model.set_default_usage(None)
    model.enqueue([assistant_message("c")])
    assert (await Runner.run(agent, "x")).raw_responses[0].usage.output_tokens == 1  # our placeholder again


def test_an_unknown_mapping_key_and_malformed_steps_are_refused_when_queued() -> None:
    cases: list[tuple[Any, str]] = [
        ({"output": [], "outputs": []}, "unsupported_field"),
        (ModelStep(output="text"), "invalid_input"),
        (ModelStep(usage={"input_tokens": 1}), "invalid_input"),  # type: ignore[arg-type]
        (ModelStep(error="boom"), "invalid_error"),  # type: ignore[arg-type]
        (ModelStep(responder="nope"), "invalid_responder"),  # type: ignore[arg-type]
        (ModelStep(stream_events="nope"), "invalid_stream_events"),
        (ModelStep(error=RuntimeError("x"), responder=lambda call: []), "conflicting_outcomes"),
        (ModelStep(retry_advice=ModelRetryAdvice(suggested=True)), "invalid_retry_advice"),
        ("not a step", "invalid_input"),
    ]
    for step, reason in cases:
        with pytest.raises(InvalidModelStep) as caught:
            ScriptedModel([[assistant_message("ok")], step])
        assert (caught.value.reason, caught.value.input_index) == (reason, 1)
        assert isinstance(caught.value, ModelScriptError) and isinstance(caught.value, UserError)
        assert "step #2" in str(caught.value)


async def test_queue_methods_take_every_form_and_steps_are_snapshotted_when_queued() -> None:
    output = [assistant_message("first")]
    model = ScriptedModel()
    model.enqueue(output)
    model.extend([{"output": [assistant_message("second")]}, ModelStep(output=[assistant_message("third")])])
    output.append(assistant_message("added later"))
    assert model.remaining_steps == 3
    agent = Agent(name="test", model=model)
    answers = [(await Runner.run(agent, "x")).final_output for _ in range(3)]
    assert answers == ["first", "second", "third"] and model.remaining_steps == 0
    model.assert_complete()
    with pytest.raises(InvalidModelStep) as caught:
        model.extend([[assistant_message("ok")], {"bogus": 1}])
    assert caught.value.input_index == 1


async def test_retry_advice_belongs_to_the_exact_scripted_error() -> None:
    error = RuntimeError("temporary failure")
    advice = ModelRetryAdvice(suggested=True, replay_safety="safe")
    model = ScriptedModel([ModelStep.raise_error(error, retry_advice=advice), [assistant_message("recovered")]])
    settings = ModelSettings(retry=ModelRetrySettings(max_retries=1, policy=retry_policies.provider_suggested()))
    result = await Runner.run(Agent(name="test", model=model, model_settings=settings), "x")
    assert result.final_output == "recovered" and len(model.calls) == 2
    no_advice = ScriptedModel([ModelStep.raise_error(RuntimeError("down"))])
    with pytest.raises(RuntimeError, match="down"):
        await Runner.run(Agent(name="test", model=no_advice, model_settings=settings), "x")
    assert len(no_advice.calls) == 1  # provider_suggested: no advice, no retry


def _events(text: str) -> list[Any]:
    message = ResponseOutputMessage(
        id="msg_1", type="message", role="assistant", status="completed",
        content=[ResponseOutputText(type="output_text", text=text, annotations=[], logprobs=[])],
    )
    response = Response(
        id="resp_exact", created_at=0, model="scripted", object="response", output=[message], tool_choice="none",
        tools=[], top_p=None, parallel_tool_calls=False, status="completed",
    )
    delta = ResponseTextDeltaEvent(
        type="response.output_text.delta", item_id="msg_1", output_index=0, content_index=0, delta=text,
        logprobs=[], sequence_number=0,
    )
    return [delta, ResponseCompletedEvent(type="response.completed", response=response, sequence_number=1)]


async def test_exact_stream_events_reach_the_stream_and_output_answers_unstreamed_calls() -> None:
    events = _events("exact")
    step = ModelStep.stream(events, output=[assistant_message("unstreamed")])
    model = ScriptedModel([step, step])
    run = Runner.run_streamed(Agent(name="test", model=model), "hi")
    raw = [e.data async for e in run.stream_events() if isinstance(e, RawResponsesStreamEvent)]
    assert run.final_output == "exact" and raw == events  # the given events themselves, item ids and all, as in the SDK
    assert run.raw_responses[0].response_id == "resp_exact"
    assert (await Runner.run(Agent(name="test", model=model), "hi")).final_output == "unstreamed"


async def test_a_stream_factory_gets_the_call_and_is_closed_with_the_stream() -> None:
    closed: list[bool] = []

    async def factory(call: ModelCall) -> AsyncIterator[Any]:
        try:
            for event in _events(f"streamed={call.streamed}"):
                yield event
        finally:
            closed.append(True)

    model = ScriptedModel([ModelStep.stream(factory)])
    run = Runner.run_streamed(Agent(name="test", model=model), "hi")
    async for _ in run.stream_events():
        pass
    assert run.final_output == "streamed=True" and closed == [True]


async def test_the_automatic_stream_refuses_items_it_cannot_stream() -> None:
    custom = ResponseCustomToolCall(type="custom_tool_call", call_id="c1", name="sql", input="SELECT 1")
    model = ScriptedModel([ModelStep(output=[custom])])
    run = Runner.run_streamed(Agent(name="test", model=model), "hi")
    with pytest.raises(ModelBehaviorError, match=r"ModelStep\.stream"):
        async for _ in run.stream_events():
            pass


async def test_openai_output_items_are_step_output() -> None:
    call = ResponseFunctionToolCall(type="function_call", call_id="call_9", name="lookup", arguments='{"city":"Oslo"}')
    message = ResponseOutputMessage(
        id="msg_2", type="message", role="assistant", status="completed",
        content=[ResponseOutputText(type="output_text", text="Oslo is sunny.", annotations=[], logprobs=[])],
    )
    model = ScriptedModel([[call], {"output": [message]}])
    result = await Runner.run(Agent(name="weather", model=model, tools=[lookup]), "weather?")
    assert result.final_output == "Oslo is sunny."
    assert [item.output for item in result.new_items if item.type == "tool_call_output_item"] == ["Oslo: sunny"]
    (answer,) = result.raw_responses[1].output  # the SDK's type again, as a raw response holds it
    assert isinstance(answer, ResponseOutputMessage) and answer.content[0].text == "Oslo is sunny."  # type: ignore[union-attr]


@pytest.mark.parametrize("streamed", [False, True])
async def test_a_call_past_the_end_is_an_unexpected_model_call(streamed: bool) -> None:
    model = ScriptedModel([[function_call("lookup", {"city": "Rome"})]])
    agent = Agent(name="weather", model=model, tools=[lookup])
    with pytest.raises(UnexpectedModelCall) as caught:
        if streamed:
            async for _ in Runner.run_streamed(agent, "x").stream_events():
                pass
        else:
            await Runner.run(agent, "x")
    error = caught.value
    assert isinstance(error, ScriptExhaustedError) and isinstance(error, ModelBehaviorError)  # ours, as before
    assert error.call_index == 1 and error.call is not None and error.call.streamed is streamed
    assert "call_output" in str(error.call.input)


def test_assert_complete_reports_the_steps_left() -> None:
    model = ScriptedModel([[assistant_message("never asked for")]])
    with pytest.raises(UnconsumedModelSteps) as caught:
        model.assert_complete()
    assert caught.value.remaining_steps == 1


def test_sdk_keywords_of_the_helpers_and_what_a_call_record_does_not_have() -> None:
    call = function_call("lookup", {"city": "Oslo"}, call_id="c1", item_id="fc_1", namespace="weather")
    assert (call.name, call.call_id) == ("lookup", "c1")
    assert assistant_message("hi", item_id="msg_1") == AssistantMessage("hi")
    with pytest.raises(UserError):
        function_call("lookup", ["city"])  # type: ignore[arg-type]
    with pytest.raises(UserError):
        ScriptedModel([], emit_traces="yes")  # type: ignore[arg-type]
    with pytest.raises(UserError):
        ScriptedModel([], default_usage={"input_tokens": 1})  # type: ignore[arg-type]
    record = ScriptedModel([]).first_call
    assert record is None
    model = ScriptedModel([[assistant_message("x")]])
    Runner.run_sync(Agent(name="test", model=model), "x")
    assert model.last_call is not None
    with pytest.raises(UserError, match="as tools"):
        _ = model.last_call.handoffs
    with pytest.raises(UserError, match="chat span"):
        _ = model.last_call.tracing


def test_the_sandbox_doubles_load_the_sandbox_only_when_used() -> None:
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import sys, agents_otel.testing as t; assert 'agents_otel.sandbox' not in sys.modules; "
        "from agents_otel.testing import scripted_sandbox_session; assert 'agents_otel.sandbox' in sys.modules; "
        "print(type(scripted_sandbox_session()).__mro__[1].__name__)"
    )
    root = str(Path(__file__).resolve().parents[2])
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root)
    assert out.stdout.strip() == "ScriptedSandboxSession"
    with pytest.raises(ImportError):
        from agents_otel.testing import NoSuchDouble  # type: ignore[attr-defined]  # noqa: F401
