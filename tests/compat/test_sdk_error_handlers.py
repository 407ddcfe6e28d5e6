"""Run error handlers (``Runner.run(..., error_handlers={...})``) as the OpenAI Agents SDK pins them down: what a
handler may return and what each form means, ``include_in_history`` as ``new_items`` / ``to_input_list()`` / the
session show it, what ``RunErrorData`` holds, sync and async handlers, ``run_sync`` and ``run_streamed``, the
validation of a structured fallback, guardrails and hooks on it; ``invalid_final_output``; unknown keys failing at
the call (``model_refusal`` has tests of its own, over the wire: test_sdk_model_refusal.py); and the trace of a run
that recovered (the error stays on the ``invoke_agent`` span)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from opentelemetry.trace import StatusCode
from pydantic import BaseModel
from support import Tracing

from agents_otel import (
    Agent,
    AgentHookContext,
    GuardrailFunctionOutput,
    MaxTurnsExceeded,
    MessageOutputItem,
    ModelBehaviorError,
    OutputGuardrailTripwireTriggered,
    RunContextWrapper,
    RunErrorData,
    RunErrorHandlerInput,
    RunErrorHandlerResult,
    RunErrorHandlers,
    RunHooks,
    RunItemStreamEvent,
    Runner,
    SQLiteSession,
    UserError,
    function_tool,
    handoff,
    output_guardrail,
)
from agents_otel.models.interface import ModelRequest
from agents_otel.testing import ScriptedModel, assistant_message, function_call


@function_tool
def step() -> str:
    """One more step of work."""
    return "stepped"


def looping_agent(name: str = "Looper", **kwargs: Any) -> Agent[Any]:
    """An agent whose model calls ``step`` on every turn, each call with a fresh id, until max_turns stops it."""

    def call_again(_request: ModelRequest) -> list[Any]:
        return [function_call("step")]

    return Agent(name, tools=[step], model=ScriptedModel([call_again], repeat=True), **kwargs)


def message_texts(items: list[Any]) -> list[str]:
    return [item.text for item in items if isinstance(item, MessageOutputItem)]


def last_input_text(result: Any) -> str:
    last = result.to_input_list()[-1]
    assert last["role"] == "assistant"
    return str(last["content"][0]["text"])


# ---- what a max_turns handler may return ---------------------------------------------------------------------


async def test_a_result_object_becomes_the_final_output_and_an_assistant_message() -> None:
    result = await Runner.run(
        looping_agent(),
        "go",
        max_turns=2,
        error_handlers={"max_turns": lambda _data: RunErrorHandlerResult(final_output="out of turns")},
    )
    assert result.final_output == "out of turns"
    assert [item.type for item in result.new_items] == [
        "tool_call_item",
        "tool_call_output_item",
        "tool_call_item",
        "tool_call_output_item",
        "message_output_item",
    ]
    assert result.new_items[-1].agent is result.last_agent
    assert last_input_text(result) == "out of turns"


@pytest.mark.parametrize(
    "answer",
    [
        RunErrorHandlerResult(final_output="quiet", include_in_history=False),
        {"final_output": "quiet", "include_in_history": False},
    ],
)
async def test_include_in_history_false_keeps_the_output_out_of_items_and_input_list(answer: Any) -> None:
    result = await Runner.run(looping_agent(), "go", max_turns=1, error_handlers={"max_turns": lambda _d: answer})
    assert result.final_output == "quiet"
    assert message_texts(result.new_items) == []
    assert [item["type"] for item in result.to_input_list()[1:]] == ["function_call", "function_call_output"]


async def test_a_dict_with_final_output_defaults_to_the_history() -> None:
    result = await Runner.run(
        looping_agent(), "go", max_turns=1, error_handlers={"max_turns": lambda _d: {"final_output": "kept"}}
    )
    assert result.final_output == "kept"
    assert last_input_text(result) == "kept"


async def test_a_raw_value_is_the_final_output_itself() -> None:
    result = await Runner.run(looping_agent(), "go", max_turns=1, error_handlers={"max_turns": lambda _d: "summary"})
    assert result.final_output == "summary"
    assert message_texts(result.new_items) == ["summary"]


async def test_a_dict_without_final_output_is_a_raw_final_output_as_in_the_sdk() -> None:
    result = await Runner.run(
        looping_agent(), "go", max_turns=1, error_handlers={"max_turns": lambda _d: {"summary": "ok"}}
    )
    assert result.final_output == {"summary": "ok"}  # plain-text agent: kept as returned, not made a string
    assert message_texts(result.new_items) == [str({"summary": "ok"})]


async def test_a_dict_with_final_output_and_other_keys_is_a_user_error() -> None:
    with pytest.raises(UserError, match=r"Invalid run error handler result.*'extra'"):
        await Runner.run(
            looping_agent(),
            "go",
            max_turns=1,
            error_handlers={"max_turns": lambda _d: {"final_output": "x", "extra": 1}},
        )


async def test_none_lets_max_turns_exceeded_end_the_run() -> None:
    calls: list[RunErrorHandlerInput[Any]] = []

    def decline(data: RunErrorHandlerInput[Any]) -> None:
        calls.append(data)

    with pytest.raises(MaxTurnsExceeded) as raised:
        await Runner.run(looping_agent(), "go", max_turns=2, error_handlers={"max_turns": decline})
    assert [c.error for c in calls] == [raised.value]


async def test_an_async_handler_is_awaited() -> None:
    async def summarise(data: RunErrorHandlerInput[Any]) -> RunErrorHandlerResult:
        return RunErrorHandlerResult(final_output=f"stopped after {len(data.run_data.raw_responses)} calls")

    result = await Runner.run(looping_agent(), "go", max_turns=3, error_handlers={"max_turns": summarise})
    assert result.final_output == "stopped after 3 calls"


async def test_a_handler_that_raises_ends_the_run_with_its_own_error(tracing: Tracing) -> None:
    def broken(_data: RunErrorHandlerInput[Any]) -> str:
        raise RuntimeError("handler broke")

    with pytest.raises(RuntimeError, match="handler broke"):
        await Runner.run(
            looping_agent(), "go", max_turns=1, run_config=tracing.config, error_handlers={"max_turns": broken}
        )
    span = agent_span(tracing)
    assert (span.attributes or {})["error.type"] == "RuntimeError"
    types = [e["exception.type"].rpartition(".")[2] for e in exception_events(span)]
    assert types == ["MaxTurnsExceeded", "RuntimeError"]


async def test_max_turns_zero_asks_the_handler_before_any_model_call() -> None:
    agent = looping_agent()
    result = await Runner.run(agent, "go", max_turns=0, error_handlers={"max_turns": lambda _d: "nothing done"})
    assert result.final_output == "nothing done"
    assert isinstance(agent.model, ScriptedModel) and agent.model.calls == []
    assert [item["role"] for item in result.to_input_list()] == ["user", "assistant"]


# ---- what the handler is given -------------------------------------------------------------------------------


async def test_the_handler_gets_the_error_the_context_and_the_run_so_far() -> None:
    seen: list[RunErrorHandlerInput[dict[str, str]]] = []

    def record(data: RunErrorHandlerInput[dict[str, str]]) -> str:
        seen.append(data)
        return f"sorry {data.context.context['user']}"

    result = await Runner.run(
        looping_agent(), "go", context={"user": "ann"}, max_turns=2, error_handlers={"max_turns": record}
    )
    (data,) = seen
    assert isinstance(data.error, MaxTurnsExceeded) and data.error.max_turns == 2
    assert isinstance(data.context, RunContextWrapper) and data.context.usage.requests == 2
    run_data = data.run_data
    assert isinstance(run_data, RunErrorData)
    assert run_data.input == "go"
    assert [item.type for item in run_data.new_items] == ["tool_call_item", "tool_call_output_item"] * 2
    assert run_data.output == [item.to_input_item() for item in run_data.new_items]
    assert run_data.history == [{"role": "user", "content": "go"}, *run_data.output]
    assert len(run_data.raw_responses) == 2
    assert run_data.last_agent is result.last_agent
    assert result.final_output == "sorry ann"
    # a snapshot: what the run adds afterwards (the handler's message) is not in the handler's lists
    assert len(result.new_items) == len(run_data.new_items) + 1


async def test_after_a_handoff_last_agent_is_the_agent_that_ran_out_of_turns() -> None:
    looper = looping_agent("Looper")
    triage = Agent("Triage", handoffs=[handoff(looper)], model=ScriptedModel([[function_call("transfer_to_looper")]]))
    seen: list[RunErrorData] = []

    def record(data: RunErrorHandlerInput[Any]) -> str:
        seen.append(data.run_data)
        return "handed off, then gave up"

    result = await Runner.run(triage, "go", max_turns=3, error_handlers={"max_turns": record})
    assert seen[0].last_agent is looper and result.last_agent is looper
    assert result.new_items[-1].agent is looper
    assert [item.type for item in seen[0].new_items][:2] == ["handoff_call_item", "handoff_output_item"]


# ---- run_sync and run_streamed ----------------------------------------------------------------------------------


def test_run_sync_takes_error_handlers() -> None:
    result = Runner.run_sync(looping_agent(), "go", max_turns=1, error_handlers={"max_turns": lambda _d: "sync"})
    assert result.final_output == "sync"
    assert last_input_text(result) == "sync"


async def test_run_streamed_streams_the_handlers_message_and_ends_with_its_output() -> None:
    result = Runner.run_streamed(
        looping_agent(), "go", max_turns=1, error_handlers={"max_turns": lambda _d: "streamed fallback"}
    )
    events = [e async for e in result.stream_events()]
    messages = [e for e in events if isinstance(e, RunItemStreamEvent) and e.name == "message_output_created"]
    assert [e.item.text for e in messages] == ["streamed fallback"]  # type: ignore[union-attr]
    assert events[-1] is messages[-1]
    assert result.final_output == "streamed fallback"
    assert last_input_text(result) == "streamed fallback"


async def test_run_streamed_without_history_streams_no_message() -> None:
    result = Runner.run_streamed(
        looping_agent(),
        "go",
        max_turns=0,
        error_handlers={"max_turns": lambda _d: RunErrorHandlerResult("quiet", include_in_history=False)},
    )
    events = [e async for e in result.stream_events()]
    assert not [e for e in events if isinstance(e, RunItemStreamEvent)]
    assert result.final_output == "quiet"
    assert result.to_input_list() == [{"role": "user", "content": "go"}]


async def test_run_streamed_raises_max_turns_exceeded_when_the_handler_declines() -> None:
    result = Runner.run_streamed(looping_agent(), "go", max_turns=1, error_handlers={"max_turns": lambda _d: None})
    with pytest.raises(MaxTurnsExceeded):
        async for _ in result.stream_events():
            pass


# ---- structured output, guardrails, hooks, sessions ----------------------------------------------------------


class Summary(BaseModel):
    summary: str


@pytest.mark.parametrize("answer", [Summary(summary="ok"), {"summary": "ok"}])
async def test_a_structured_fallback_is_validated_into_the_output_type(answer: Any) -> None:
    result = await Runner.run(
        looping_agent(output_type=Summary), "go", max_turns=1, error_handlers={"max_turns": lambda _d: answer}
    )
    assert result.final_output == Summary(summary="ok")
    assert message_texts(result.new_items) == ['{"summary":"ok"}']


async def test_a_wrapped_output_type_shows_the_wrapper_in_the_message_as_the_model_would_write_it() -> None:
    result = await Runner.run(
        looping_agent(output_type=list[str]), "go", max_turns=1, error_handlers={"max_turns": lambda _d: ["a", "b"]}
    )
    assert result.final_output == ["a", "b"]
    assert json.loads(message_texts(result.new_items)[0]) == {"response": ["a", "b"]}


async def test_a_fallback_that_does_not_match_the_output_type_is_a_user_error() -> None:
    with pytest.raises(UserError, match="Invalid run error handler final_output"):
        await Runner.run(
            looping_agent(output_type=Summary),
            "go",
            max_turns=1,
            error_handlers={"max_turns": lambda _d: {"unexpected": "value"}},
        )


class EndHooks(RunHooks[Any]):
    def __init__(self) -> None:
        self.ended: list[Any] = []

    async def on_agent_end(self, context: AgentHookContext[Any], agent: Agent[Any], output: Any) -> None:
        self.ended.append(output)


async def test_output_guardrails_and_on_agent_end_see_the_fallback() -> None:
    checked: list[Any] = []

    @output_guardrail
    def record(_ctx: RunContextWrapper[Any], _agent: Agent[Any], output: Any) -> GuardrailFunctionOutput:
        checked.append(output)
        return GuardrailFunctionOutput(output_info=None, tripwire_triggered=False)

    hooks = EndHooks()
    result = await Runner.run(
        looping_agent(output_guardrails=[record]),
        "go",
        max_turns=1,
        hooks=hooks,
        error_handlers={"max_turns": lambda _d: "fallback"},
    )
    assert checked == hooks.ended == ["fallback"]
    assert [r.output.tripwire_triggered for r in result.output_guardrail_results] == [False]


async def test_a_tripped_output_guardrail_rejects_the_fallback_before_anyone_sees_it() -> None:
    @output_guardrail
    def reject(_ctx: RunContextWrapper[Any], _agent: Agent[Any], _output: Any) -> GuardrailFunctionOutput:
        return GuardrailFunctionOutput(output_info="no", tripwire_triggered=True)

    session = SQLiteSession("tripped")
    result = Runner.run_streamed(
        looping_agent(output_guardrails=[reject]),
        "go",
        max_turns=1,
        session=session,
        error_handlers={"max_turns": lambda _d: "rejected fallback"},
    )
    events: list[Any] = []
    with pytest.raises(OutputGuardrailTripwireTriggered) as raised:
        async for event in result.stream_events():
            events.append(event)
    assert raised.value.guardrail_result.agent_output == "rejected fallback"
    assert not [e for e in events if isinstance(e, RunItemStreamEvent) and e.name == "message_output_created"]
    saved = await session.get_items()
    assert [item.get("type", item.get("role")) for item in saved] == ["user", "function_call", "function_call_output"]


@pytest.mark.parametrize("include", [True, False])
async def test_the_session_gets_the_fallback_only_when_it_is_in_the_history(include: bool) -> None:
    session = SQLiteSession(f"fallback-{include}")
    await Runner.run(
        looping_agent(),
        "go",
        max_turns=1,
        session=session,
        error_handlers={"max_turns": lambda _d: RunErrorHandlerResult("fallback", include_in_history=include)},
    )
    saved = [item.get("type", item.get("role")) for item in await session.get_items()]
    assert saved == ["user", "function_call", "function_call_output"] + (["message"] if include else [])


# ---- invalid_final_output ------------------------------------------------------------------------------------


def structured_agent(*answers: str) -> Agent[Any]:
    return Agent("Structured", output_type=Summary, model=ScriptedModel([[assistant_message(a)] for a in answers]))


async def test_an_invalid_structured_answer_goes_to_the_invalid_final_output_handler() -> None:
    seen: list[RunErrorHandlerInput[Any]] = []

    def fallback(data: RunErrorHandlerInput[Any]) -> Summary:
        seen.append(data)
        return Summary(summary="fallback")

    agent = structured_agent("not json", '{"summary": "a retry nobody asked for"}')
    result = await Runner.run(agent, "go", error_handlers={"invalid_final_output": fallback})
    assert result.final_output == Summary(summary="fallback")
    assert message_texts(result.new_items) == ["not json", '{"summary":"fallback"}']
    (data,) = seen
    assert isinstance(data.error, ModelBehaviorError)
    assert message_texts(data.run_data.new_items) == ["not json"]
    assert len(data.run_data.raw_responses) == 1  # as in the SDK: the response whose answer failed
    assert isinstance(agent.model, ScriptedModel) and len(agent.model.calls) == 1  # no retry


async def test_a_structured_agent_answering_without_a_message_goes_to_the_handler_too() -> None:
    # The SDK would ask the model again when no handler takes it; we raise ModelBehaviorError (docs/migrating.md),
    # and a handler gets that error, as in the SDK, without another model call.
    agent = Agent("Structured", output_type=Summary, model=ScriptedModel([[], [assistant_message('{"summary": "x"}')]]))
    result = await Runner.run(
        agent, "go", error_handlers={"invalid_final_output": lambda _d: Summary(summary="empty answer")}
    )
    assert result.final_output == Summary(summary="empty answer")
    assert isinstance(agent.model, ScriptedModel) and len(agent.model.calls) == 1
    with pytest.raises(ModelBehaviorError):
        await Runner.run(Agent("Structured", output_type=Summary, model=ScriptedModel([[]])), "go")


async def test_invalid_final_output_declined_or_absent_raises_model_behavior_error() -> None:
    for handlers in ({"invalid_final_output": lambda _d: None}, None):
        with pytest.raises(ModelBehaviorError):
            await Runner.run(structured_agent("not json"), "go", error_handlers=handlers)


async def test_invalid_final_output_is_not_asked_about_other_model_misbehaviour() -> None:
    called: list[Any] = []
    agent = Agent("Structured", output_type=Summary, model=ScriptedModel([[function_call("nope")]], check_calls=False))
    with pytest.raises(ModelBehaviorError, match="not found"):
        await Runner.run(agent, "go", error_handlers={"invalid_final_output": called.append})
    assert called == []


async def test_invalid_final_output_without_history_keeps_only_the_models_message_streamed() -> None:
    result = Runner.run_streamed(
        structured_agent("not json"),
        "go",
        error_handlers={
            "invalid_final_output": lambda _d: {"final_output": {"summary": "quiet"}, "include_in_history": False}
        },
    )
    events = [e async for e in result.stream_events()]
    messages = [e.item for e in events if isinstance(e, RunItemStreamEvent) and e.name == "message_output_created"]
    assert message_texts(messages) == ["not json"]
    assert result.final_output == Summary(summary="quiet")


# ---- keys and handlers checked when the run starts -----------------------------------------------------------


@pytest.mark.parametrize(
    ("handlers", "message"),
    [
        ({"max_turn": lambda _d: "x"}, "unknown key 'max_turn'"),
        ({"max_turns": "not a function"}, "error_handlers\\['max_turns'\\] must be callable"),
        ([("max_turns", print)], "must be a dict"),
    ],
)
async def test_handlers_that_could_not_work_fail_at_the_call(handlers: Any, message: str) -> None:
    agent = looping_agent()
    with pytest.raises(UserError, match=message):
        await Runner.run(agent, "go", error_handlers=handlers)
    with pytest.raises(UserError, match=message):
        Runner.run_streamed(agent, "go", error_handlers=handlers)  # before anything runs
    assert isinstance(agent.model, ScriptedModel) and agent.model.calls == []


def test_run_sync_checks_the_handlers_too() -> None:
    with pytest.raises(UserError, match="model_refusals"):
        Runner.run_sync(looping_agent(), "go", error_handlers={"model_refusals": lambda _d: "x"})  # type: ignore[typeddict-unknown-key]


async def test_a_none_handler_means_no_handler_as_in_the_sdk() -> None:
    handlers: dict[str, Any] = {"max_turns": None, "model_refusal": None}
    with pytest.raises(MaxTurnsExceeded):
        await Runner.run(looping_agent(), "go", max_turns=1, error_handlers=handlers)  # type: ignore[arg-type]


def test_the_typed_dict_names_the_kinds_we_handle() -> None:
    handlers: RunErrorHandlers[None] = {
        "max_turns": lambda _d: None,
        "model_refusal": lambda _d: None,
        "invalid_final_output": lambda _d: None,
    }
    kinds = {"max_turns", "model_refusal", "invalid_final_output"}
    assert set(RunErrorHandlers.__annotations__) == set(handlers) == kinds


# ---- the trace of a recovered run ----------------------------------------------------------------------------


def agent_span(tracing: Tracing) -> Any:
    (span,) = tracing.named("invoke_agent")
    return span


def exception_events(span: Any) -> list[dict[str, Any]]:
    return [dict(e.attributes or {}) for e in span.events if e.name == "exception"]


async def test_a_recovered_max_turns_stays_on_the_agent_span_as_an_exception_event(tracing: Tracing) -> None:
    await Runner.run(
        looping_agent(),
        "go",
        max_turns=1,
        run_config=tracing.config,
        error_handlers={"max_turns": lambda _d: "fallback"},
    )
    span = agent_span(tracing)
    attributes = dict(span.attributes or {})
    assert attributes["agents_otel.error_handler"] == "max_turns"
    assert "error.type" not in attributes and span.status.status_code is StatusCode.UNSET
    (event,) = exception_events(span)
    assert event["exception.type"].endswith("MaxTurnsExceeded")
    assert event["exception.message"] == "Max turns (1) exceeded"


async def test_a_recovered_invalid_final_output_is_recorded_the_same_way(tracing: Tracing) -> None:
    await Runner.run(
        structured_agent("not json"),
        "go",
        run_config=tracing.config,
        error_handlers={"invalid_final_output": lambda _d: Summary(summary="fallback")},
    )
    span = agent_span(tracing)
    assert (span.attributes or {})["agents_otel.error_handler"] == "invalid_final_output"
    assert [e["exception.type"].rpartition(".")[2] for e in exception_events(span)] == ["ModelBehaviorError"]
    assert span.status.status_code is StatusCode.UNSET


async def test_a_declined_handler_leaves_the_usual_failed_span(tracing: Tracing) -> None:
    with pytest.raises(MaxTurnsExceeded):
        await Runner.run(
            looping_agent(), "go", max_turns=1, run_config=tracing.config, error_handlers={"max_turns": lambda _d: None}
        )
    span = agent_span(tracing)
    assert span.status.status_code is StatusCode.ERROR
    assert (span.attributes or {})["error.type"] == "agents_otel.exceptions.MaxTurnsExceeded"
    assert "agents_otel.error_handler" not in (span.attributes or {})
    assert [e["exception.type"].rpartition(".")[2] for e in exception_events(span)] == ["MaxTurnsExceeded"]  # once


async def test_a_failing_handler_leaves_both_errors_on_the_span(tracing: Tracing) -> None:
    with pytest.raises(UserError):
        await Runner.run(
            looping_agent(output_type=Summary),
            "go",
            max_turns=1,
            run_config=tracing.config,
            error_handlers={"max_turns": lambda _d: {"unexpected": "value"}},
        )
    span = agent_span(tracing)
    assert (span.attributes or {})["error.type"] == "agents_otel.exceptions.UserError"
    types = [e["exception.type"].rpartition(".")[2] for e in exception_events(span)]
    assert types == ["MaxTurnsExceeded", "UserError"]
