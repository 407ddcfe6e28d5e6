"""SDK 0.25 "add opt-in handoff error recovery" (#5418): ``Handoff.failure_error_function``.

``None`` (the default) keeps a failed handoff invocation (invalid ``input_type`` arguments, ``on_handoff`` or a
hand-built ``on_invoke_handoff`` raising) failing the run. A formatter (sync or async) turns the failure into the
call's output: the calling agent stays active, its model reads the output and may retry or answer; no transfer
hooks, no input filter. Cancellation and the formatter's own exception propagate. Ours also records the exception
on the ``handoff`` span, as a function tool's handled failure is on its ``execute_tool`` span.
"""

from __future__ import annotations

import asyncio
from typing import Any, Literal

import pytest
from opentelemetry.trace import StatusCode
from pydantic import BaseModel
from support import Tracing

from agents_otel import (
    Agent,
    Handoff,
    ModelBehaviorError,
    RunConfig,
    RunContextWrapper,
    RunHooks,
    Runner,
    SQLiteSession,
    default_tool_error_function,
    function_tool,
    handoff,
)
from agents_otel.testing import ScriptedModel, assistant_message, function_call

GENERIC = "An error occurred while running the tool."


class Pick(BaseModel):
    name: Literal["a"]


def _outputs(items: list[Any], call_id: str) -> list[Any]:
    def get(item: Any, key: str) -> Any:
        return item.get(key) if isinstance(item, dict) else getattr(item, key, None)

    return [
        get(i, "output") for i in items if get(i, "type") == "function_call_output" and get(i, "call_id") == call_id
    ]


class CountingHooks(RunHooks[Any]):
    def __init__(self) -> None:
        self.handoffs: list[tuple[str, str]] = []

    async def on_handoff(self, context: Any, from_agent: Agent[Any], to_agent: Agent[Any]) -> None:
        self.handoffs.append((from_agent.name, to_agent.name))


@pytest.mark.parametrize("streamed", [False, True])
async def test_a_failed_handoff_is_answered_and_the_caller_retries_then_transfers(streamed: bool) -> None:
    received: list[str] = []
    filtered: list[Any] = []

    async def on_handoff(ctx: RunContextWrapper[Any], data: Pick) -> None:
        received.append(data.name)

    def keep(data: Any) -> Any:
        filtered.append(data)
        return data

    @function_tool
    def companion() -> str:
        return "companion result"

    target_model = ScriptedModel([[assistant_message("target answer")]])
    target = Agent(name="target", model=target_model)
    transfer = handoff(
        target, on_handoff=on_handoff, input_type=Pick, input_filter=keep,
        failure_error_function=default_tool_error_function,
    )
    caller_model = ScriptedModel([
        [
            function_call("companion", "{}", call_id="companion"),
            function_call(transfer.tool_name, '{"name": "b"}', call_id="bad"),
        ],
        [function_call(transfer.tool_name, '{"name": "a"}', call_id="good")],
    ])
    caller = Agent(name="caller", model=caller_model, tools=[companion], handoffs=[transfer])
    hooks = CountingHooks()
    session = SQLiteSession("handoff-retry")
    events: list[Any] = []
    if streamed:
        run = Runner.run_streamed(caller, "go", hooks=hooks, session=session)
        async for event in run.stream_events():
            events.append(event)
        result: Any = run
    else:
        result = await Runner.run(caller, "go", hooks=hooks, session=session)
    history = await session.get_items()

    assert result.final_output == "target answer"
    assert result.last_agent is target
    assert received == ["a"]
    assert (len(caller_model.calls), len(target_model.calls)) == (2, 1)
    assert len(filtered) == 1 and hooks.handoffs == [("caller", "target")]
    for items in (caller_model.model_calls[1].input, target_model.model_calls[0].input, history):
        assert _outputs(items, "companion") == ["companion result"]
        assert _outputs(items, "bad") == [GENERIC]
    assert [i.type for i in result.new_items].count("handoff_output_item") == 1
    failed = [i for i in result.new_items if i.type == "tool_call_output_item" and i.raw_item["call_id"] == "bad"]
    assert [i.output for i in failed] == [GENERIC]
    if streamed:
        assert [e.new_agent.name for e in events if e.type == "agent_updated_stream_event"] == ["caller", "target"]
        named = [e.name for e in events if e.type == "run_item_stream_event"]
        assert named.count("handoff_occured") == 1
        assert any(
            e.type == "run_item_stream_event" and e.name == "tool_output" and e.item.output == GENERIC for e in events
        )


@pytest.mark.parametrize("streamed", [False, True])
async def test_without_a_formatter_a_failed_handoff_still_fails_the_run(streamed: bool) -> None:
    called: list[Any] = []
    target_model = ScriptedModel()

    def on_handoff(ctx: RunContextWrapper[Any], data: Pick) -> None:
        called.append(data)

    transfer = handoff(Agent(name="target", model=target_model), input_type=Pick, on_handoff=on_handoff)
    assert transfer.failure_error_function is None
    model = ScriptedModel([[function_call(transfer.tool_name, '{"name": "b"}', call_id="bad")]])
    caller = Agent(name="caller", model=model, handoffs=[transfer])
    with pytest.raises(ModelBehaviorError):
        if streamed:
            run = Runner.run_streamed(caller, "go")
            async for _ in run.stream_events():
                pass
        else:
            await Runner.run(caller, "go")
    assert called == [] and len(model.calls) == 1 and not target_model.calls


@pytest.mark.parametrize("streamed", [False, True])
@pytest.mark.parametrize("async_formatter", [False, True])
async def test_a_custom_formatter_words_an_application_error_or_reraises_it(
    async_formatter: bool, streamed: bool
) -> None:
    error = ValueError("synthetic application failure")
    seen: list[tuple[Any, Exception]] = []

    async def invoke(ctx: RunContextWrapper[Any], arguments: str) -> Agent[Any]:
        raise error

    def word(ctx: RunContextWrapper[Any], caught: Exception) -> str:
        seen.append((ctx, caught))
        return "Transfer unavailable; answer here."

    async def word_async(ctx: RunContextWrapper[Any], caught: Exception) -> str:
        return word(ctx, caught)

    transfer: Handoff[Any, Any] = Handoff(
        "transfer", "Transfer to target", {}, invoke, "target",
        failure_error_function=word_async if async_formatter else word,
    )

    async def go(caller: Agent[Any]) -> Any:
        if not streamed:
            return await Runner.run(caller, "go", context={"user": 1})
        run = Runner.run_streamed(caller, "go", context={"user": 1})
        async for _ in run.stream_events():
            pass
        return run

    model = ScriptedModel([[function_call("transfer", "{}", call_id="call")], [assistant_message("caller answer")]])
    caller = Agent(name="caller", model=model, handoffs=[transfer])
    result = await go(caller)
    assert result.final_output == "caller answer" and result.last_agent is caller
    assert [e for _, e in seen] == [error]
    assert isinstance(seen[0][0], RunContextWrapper) and seen[0][0].context == {"user": 1}
    assert model.model_calls[1].input[-1] == {
        "type": "function_call_output", "call_id": "call", "output": "Transfer unavailable; answer here.",
    }
    assert not any(item.type == "handoff_output_item" for item in result.new_items)

    def reraise(ctx: RunContextWrapper[Any], caught: Exception) -> str:
        raise caught

    transfer.failure_error_function = reraise
    caller.model = ScriptedModel([[function_call("transfer", "{}", call_id="call")]])
    with pytest.raises(ValueError) as raised:
        await go(caller)
    assert raised.value is error


@pytest.mark.parametrize("failure", ["cancel", "formatter", "filter", "hook"])
async def test_failures_outside_the_recovery_propagate(failure: str) -> None:
    formatted: list[Exception] = []

    def formatter(ctx: Any, error: Exception) -> str:
        formatted.append(error)
        if failure == "formatter":
            raise RuntimeError("formatter failed")
        return "handled"

    async def on_handoff(ctx: RunContextWrapper[Any]) -> None:
        if failure == "cancel":
            raise asyncio.CancelledError()
        if failure == "formatter":
            raise ValueError("invocation failed")

    def input_filter(data: Any) -> Any:
        raise RuntimeError("filter failed")

    class FailingHooks(RunHooks[Any]):
        async def on_handoff(self, context: Any, from_agent: Agent[Any], to_agent: Agent[Any]) -> None:
            raise RuntimeError("hook failed")

    transfer = handoff(
        Agent(name="target", model=ScriptedModel()),
        on_handoff=on_handoff,
        input_filter=input_filter if failure == "filter" else None,
        failure_error_function=formatter,
    )
    caller = Agent(
        name="caller",
        model=ScriptedModel([[function_call(transfer.tool_name, "{}", call_id="call")]]),
        handoffs=[transfer],
    )
    expected: type[BaseException] = asyncio.CancelledError if failure == "cancel" else RuntimeError
    with pytest.raises(expected):
        await Runner.run(caller, "go", hooks=FailingHooks() if failure == "hook" else None)
    assert len(formatted) == (1 if failure == "formatter" else 0)


def test_recovery_under_run_sync() -> None:
    async def on_handoff(ctx: RunContextWrapper[Any], data: Pick) -> None:
        raise AssertionError("invalid input never reaches on_handoff")

    transfer = handoff(
        Agent(name="target"), input_type=Pick, on_handoff=on_handoff, failure_error_function=default_tool_error_function
    )
    model = ScriptedModel(
        [[function_call(transfer.tool_name, '{"name": "b"}', call_id="bad")], [assistant_message("done")]]
    )
    result = Runner.run_sync(Agent(name="caller", model=model, handoffs=[transfer]), "go")
    assert result.final_output == "done" and result.last_agent.name == "caller"


async def test_the_handoff_span_records_the_failure_redacted_and_the_model_never_sees_it(tracing: Tracing) -> None:
    effects: list[str] = []

    async def on_handoff(ctx: RunContextWrapper[Any]) -> None:
        effects.append("callback ran")
        raise ValueError("synthetic-private-detail")

    transfer = handoff(Agent(name="target"), on_handoff=on_handoff, failure_error_function=default_tool_error_function)
    model = ScriptedModel([[function_call(transfer.tool_name, "{}", call_id="call")], [assistant_message("done")]])
    config = RunConfig(tracer_provider=tracing.config.tracer_provider, redact=lambda kind, name, value: "[hidden]")
    result = await Runner.run(Agent(name="caller", model=model, handoffs=[transfer]), "go", run_config=config)
    assert result.final_output == "done" and effects == ["callback ran"]
    assert "synthetic-private-detail" not in str(model.model_calls[1].input)
    (span,) = tracing.named("handoff caller -> target")
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes is not None and span.attributes["error.type"] == "ValueError"
    (event,) = [e for e in span.events if e.name == "exception"]
    assert "synthetic-private-detail" not in str(dict(event.attributes or {}))
    assert "synthetic-private-detail" not in str(span.status.description)
    failed = [i for i in result.new_items if i.type == "tool_call_output_item"]
    span_id = format(span.context.span_id, "016x")
    assert [(i.is_error, i.error_type, i.span_id) for i in failed] == [(True, "ValueError", span_id)]
