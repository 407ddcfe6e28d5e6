"""Compatibility: streamed runs as in the OpenAI Agents SDK — event kinds and order, results after the stream,
errors raised from ``stream_events()``, cancelling, and inputs in SDK forms.

Deliberate difference (documented in docs/migrating.md): with parallel tool calls, each call's ``tool_output``
event arrives as that call finishes, not when the whole batch has finished.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import pytest
from openai.types.responses import ResponseTextDeltaEvent
from support import Tracing

from agents_otel import (
    Agent,
    AgentUpdatedStreamEvent,
    GuardrailFunctionOutput,
    MaxTurnsExceeded,
    MessageOutputItem,
    RawResponsesStreamEvent,
    RunConfig,
    RunContextWrapper,
    RunItemStreamEvent,
    Runner,
    SQLiteSession,
    StreamEvent,
    ToolCallOutputItem,
    UserError,
    function_tool,
    output_guardrail,
)
from agents_otel.models.interface import FAKE_RESPONSES_ID
from agents_otel.testing import ScriptedModel, assistant_message, function_call


@function_tool
def echo(text: str) -> str:
    return text


async def collect(agent: Agent[Any], input: Any, tracing: Tracing, **kwargs: Any) -> tuple[Any, list[StreamEvent]]:
    kwargs.setdefault("run_config", tracing.config)
    result = Runner.run_streamed(agent, input, **kwargs)
    return result, [e async for e in result.stream_events()]


async def test_simple_streamed_run(tracing: Tracing) -> None:
    agent = Agent(name="A", model=ScriptedModel([[assistant_message("hello there friend")]]))
    result, events = await collect(agent, "hi", tracing)
    assert isinstance(events[0], AgentUpdatedStreamEvent) and events[0].new_agent is agent
    deltas = "".join(e.data.delta for e in events if isinstance(e, RawResponsesStreamEvent))
    assert deltas == "hello there friend"
    assert result.final_output == "hello there friend" and result.is_complete
    assert [type(i) for i in result.new_items] == [MessageOutputItem]
    assert result.last_agent is agent and result.current_agent is agent
    assert len(result.to_input_list()) == 2


async def test_the_sdk_docs_text_streaming_loop_prints_every_delta(
    tracing: Tracing, capsys: pytest.CaptureFixture[str]
) -> None:
    """The SDK documentation's first streaming example, its loop as written there: it keeps only events whose
    ``data`` is a ``ResponseTextDeltaEvent``, so any other type of ``data`` would print nothing, without an error."""
    text = "Why did the scarecrow win an award? He was outstanding in his field."
    agent = Agent(
        name="Joker", instructions="You are a helpful assistant.", model=ScriptedModel([[assistant_message(text)]])
    )
    result = Runner.run_streamed(agent, input="Please tell me 5 jokes.", run_config=tracing.config)
    async for event in result.stream_events():
        if event.type == "raw_response_event" and isinstance(event.data, ResponseTextDeltaEvent):
            print(event.data.delta, end="", flush=True)
    assert capsys.readouterr().out == text


async def test_text_deltas_have_the_responses_event_shape_the_sdk_gives_converted_text(tracing: Tracing) -> None:
    agent = Agent(name="A", model=ScriptedModel([[assistant_message("one two three")]]))
    _, events = await collect(agent, "hi", tracing)
    raw = [e for e in events if isinstance(e, RawResponsesStreamEvent)]
    assert [e.data.sequence_number for e in raw] == [0, 1, 2] and [e.text_delta for e in raw] == [
        "one ",
        "two ",
        "three",
    ]
    assert raw[0].data.model_dump() == {
        "content_index": 0,
        "delta": "one ",
        "item_id": FAKE_RESPONSES_ID,  # "__fake_id__", the SDK's placeholder for text no Responses item carries
        "logprobs": [],
        "output_index": 0,
        "sequence_number": 0,
        "type": "response.output_text.delta",
    }
    assert RawResponsesStreamEvent({"type": "response.created"}).text_delta is None


async def test_empty_list_input_reaches_the_model(tracing: Tracing) -> None:
    model = ScriptedModel([[assistant_message("ok")]])
    result, _ = await collect(Agent(name="A", model=model), [], tracing)
    assert result.final_output == "ok" and model.calls[0].input == []


async def test_dict_input_in_a_streamed_run(tracing: Tracing) -> None:
    model = ScriptedModel([[assistant_message("ok")]])
    result, _ = await collect(Agent(name="A", model=model), [{"role": "user", "content": "hi"}], tracing)
    assert result.final_output == "ok" and model.calls[0].input[0].content == "hi"  # type: ignore[union-attr]


async def test_tool_call_events_in_order(tracing: Tracing) -> None:
    model = ScriptedModel([[function_call("echo", {"text": "x"}, call_id="c")], [assistant_message("done")]])
    result, events = await collect(Agent(name="A", tools=[echo], model=model), "go", tracing)
    names = [e.name for e in events if isinstance(e, RunItemStreamEvent)]
    assert names == ["tool_called", "tool_output", "message_output_created"]
    assert result.final_output == "done"


async def test_parallel_outputs_arrive_as_each_call_finishes(tracing: Tracing) -> None:
    release = asyncio.Event()

    @function_tool
    async def slow() -> str:
        await release.wait()
        return "slow"

    @function_tool
    async def fast() -> str:
        return "fast"

    model = ScriptedModel(
        [[function_call("slow", {}, call_id="s"), function_call("fast", {}, call_id="f")], [assistant_message("ok")]]
    )
    result = Runner.run_streamed(Agent(name="A", tools=[slow, fast], model=model), "go", run_config=tracing.config)
    order: list[str] = []
    async for event in result.stream_events():
        if isinstance(event, RunItemStreamEvent) and isinstance(event.item, ToolCallOutputItem):
            order.append(event.item.call_id)
            release.set()  # the slow call may finish only after the fast one's output was seen
    assert order == ["f", "s"]


async def test_tool_not_found_is_reported_to_the_model_in_a_streamed_run(tracing: Tracing) -> None:
    model = ScriptedModel(
        [[function_call("missing", {}, call_id="m")], [assistant_message("sorry")]], check_calls=False
    )
    result, events = await collect(
        Agent(name="A", tools=[echo], model=model),
        "go",
        tracing,
        run_config=RunConfig(tracer_provider=tracing.provider, tool_not_found_behavior="return_error_to_model"),
    )
    assert result.final_output == "sorry"
    (output,) = [e.item for e in events if isinstance(e, RunItemStreamEvent) and e.name == "tool_output"]
    assert isinstance(output, ToolCallOutputItem) and output.error_type == "tool_not_found"


async def test_errors_are_raised_from_stream_events(tracing: Tracing) -> None:
    model = ScriptedModel([[function_call("echo", {"text": "x"})] for _ in range(3)])
    result = Runner.run_streamed(
        Agent(name="A", tools=[echo], model=model), "go", max_turns=2, run_config=tracing.config
    )
    with pytest.raises(MaxTurnsExceeded):
        async for _ in result.stream_events():
            pass
    assert result.is_complete


async def test_bad_input_is_a_user_error_from_stream_events(tracing: Tracing) -> None:
    result = Runner.run_streamed(Agent(name="A", model=ScriptedModel([])), [{"role": "robot", "content": "x"}])
    with pytest.raises(UserError, match="robot"):
        async for _ in result.stream_events():
            pass


async def test_breaking_out_leaves_the_run_going_to_its_end_as_in_the_sdk(tracing: Tracing) -> None:
    """A chat UI that stops reading at the final message must not lose what the run still does: the SDK finishes
    the run in the background (output guardrails, the session save, ``final_output``)."""
    session = SQLiteSession("broke-out")
    release = asyncio.Event()

    @output_guardrail
    async def slow_check(ctx: RunContextWrapper[Any], agent: Agent[Any], output: Any) -> GuardrailFunctionOutput:
        await release.wait()  # still running when the consumer has left
        return GuardrailFunctionOutput(output_info="checked", tripwire_triggered=False)

    agent = Agent(name="A", model=ScriptedModel([[assistant_message("the answer")]]), output_guardrails=[slow_check])
    result = Runner.run_streamed(agent, "question", session=session, run_config=tracing.config)
    async with contextlib.aclosing(result.stream_events()) as events:  # closing the generator, as break does
        async for event in events:
            if isinstance(event, RunItemStreamEvent) and event.name == "message_output_created":
                break
    assert not result.is_complete and not result.cancelled
    release.set()
    rest = [e async for e in result.stream_events()]  # iterating again reads what is left, to the end
    assert rest == [] and result.is_complete and not result.cancelled
    assert result.final_output == "the answer" and result.output_guardrail_results[0].output.output_info == "checked"
    assert [i.get("role") for i in await session.get_items()] == ["user", "assistant"]


async def test_cancel_after_breaking_out_stops_the_run(tracing: Tracing) -> None:
    started = asyncio.Event()

    @function_tool
    async def forever() -> str:
        started.set()
        await asyncio.Event().wait()
        return "never"

    model = ScriptedModel([[function_call("forever", {}, call_id="f")], [assistant_message("never")]])
    result = Runner.run_streamed(Agent(name="A", tools=[forever], model=model), "go", run_config=tracing.config)
    async with contextlib.aclosing(result.stream_events()) as events:
        async for event in events:
            if isinstance(event, RunItemStreamEvent) and event.name == "tool_called":
                await started.wait()
                break
    assert not result.is_complete
    result.cancel()
    rest = [e async for e in result.stream_events()]
    assert result.is_complete and result.cancelled
    assert [getattr(e, "name", None) for e in rest] == ["tool_output"]  # the cancelled call still closes for a UI
    assert tracing.tool_span("f").attributes["error.type"] == "cancelled"  # type: ignore[index]


@pytest.mark.parametrize("in_a_loop", [True, False])
async def test_cancel_before_iterating_ends_the_stream_at_once(in_a_loop: bool, tracing: Tracing) -> None:
    model = ScriptedModel([[assistant_message("never")]])
    if in_a_loop:
        result = Runner.run_streamed(Agent(name="A", model=model), "go", run_config=tracing.config)
    else:  # made where no loop runs: the run would start at the first iteration
        result = await asyncio.to_thread(
            Runner.run_streamed, Agent(name="A", model=model), "go", run_config=tracing.config
        )
    result.cancel()
    assert [e async for e in result.stream_events()] == []
    assert result.is_complete and result.cancelled and model.calls == []


async def test_tools_added_during_a_streamed_run(tracing: Tracing) -> None:
    @function_tool
    def late() -> str:
        return "late ran"

    agent: Agent[Any] = Agent(name="A")

    @function_tool
    def install() -> str:
        agent.tools.append(late)
        return "installed"

    agent.tools.append(install)
    agent.model = ScriptedModel(
        [[function_call("install", {})], [function_call("late", {})], [assistant_message("done")]]
    )
    result, events = await collect(agent, "go", tracing)
    outputs = [e.item.output for e in events if isinstance(e, RunItemStreamEvent) and e.name == "tool_output"]  # type: ignore[union-attr]
    assert outputs == ["installed", "late ran"] and result.final_output == "done"


async def test_new_items_and_raw_responses_grow_while_the_run_streams(tracing: Tracing) -> None:
    """As in the SDK: a progress UI (or code saving partial state) reads them during the run."""
    release = asyncio.Event()

    @function_tool
    async def held() -> str:
        await release.wait()  # the run stays in its first turn until the consumer has looked
        return "x"

    model = ScriptedModel([[function_call("held", {}, call_id="h")], [assistant_message("done")]])
    result = Runner.run_streamed(Agent(name="A", tools=[held], model=model), "go", run_config=tracing.config)
    assert result.new_items == [] and result.raw_responses == []
    async for event in result.stream_events():
        if isinstance(event, RunItemStreamEvent) and event.name == "tool_called":
            assert result.new_items == [event.item] and len(result.raw_responses) == 1
            release.set()
    assert [type(i).__name__ for i in result.new_items] == ["ToolCallItem", "ToolCallOutputItem", "MessageOutputItem"]
    assert len(result.raw_responses) == 2


async def test_cancel_after_turn_lets_the_turn_finish_and_stops_before_the_next(tracing: Tracing) -> None:
    """The SDK's graceful cancel: the tool calls under way finish and are saved; no further model call is made."""
    session = SQLiteSession("after-turn")
    release = asyncio.Event()

    @function_tool
    async def step() -> str:
        await release.wait()
        return "step done"

    model = ScriptedModel([[function_call("step", {}, call_id="s")], [assistant_message("never asked")]])
    result = Runner.run_streamed(
        Agent(name="A", tools=[step], model=model), "go", session=session, run_config=tracing.config
    )
    names: list[str] = []
    async for event in result.stream_events():
        if isinstance(event, RunItemStreamEvent):
            names.append(event.name)
            if event.name == "tool_called":
                result.cancel(mode="after_turn")
                release.set()  # the call under way still finishes
    assert names == ["tool_called", "tool_output"] and len(model.calls) == 1
    assert result.is_complete and result.cancelled and result.final_output is None
    assert [i.get("type", i.get("role")) for i in await session.get_items()] == [
        "user",
        "function_call",
        "function_call_output",
    ]
    assert tracing.tool_span("s").attributes.get("error.type") is None  # type: ignore[union-attr]
    (agent_span,) = tracing.named("invoke_agent")
    assert agent_span.attributes["error.type"] == "cancelled"  # type: ignore[index]
    with pytest.raises(UserError, match="after_turn"):
        result.cancel(mode="later")  # type: ignore[arg-type]
