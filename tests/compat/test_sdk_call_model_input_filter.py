"""Compatibility: ``RunConfig(call_model_input_filter=...)`` as in the OpenAI Agents SDK.

Right before every model call the filter gets ``CallModelData(model_data=ModelInputData(input, instructions), agent,
context)``, the input as Responses-format dicts; the ``ModelInputData`` it returns (sync or async) is what that call
sends. As in the SDK, the filter shapes one call only: the next turn, ``to_input_list()`` and the session still hold
everything; it runs after instructions and the prompt are resolved and after sequential input guardrails, and
``on_llm_start`` hooks get what it returned; what it raises propagates unchanged; a result that is not a
``ModelInputData`` is a ``UserError``. Behaviour of this runtime where the SDK has none to copy: the filter gets a
deep copy (mutating it cannot corrupt the run's history), an item it returns that no model could be given is a
``UserError`` as in ``Runner.run``'s input, and the ``chat`` span records the filtered request. The last tests drive
both OpenAI APIs over the real wire (official ``openai`` client, local OpenAI-compatible server).
"""

from __future__ import annotations

import json
from typing import Any

import openai
import pytest
from fake_openai.server import FakeOpenAIServer
from support import Tracing, wire_model

from agents_otel import (
    Agent,
    CallModelData,
    CallModelInputFilter,
    GuardrailFunctionOutput,
    ModelInputData,
    RunConfig,
    RunContextWrapper,
    RunHooks,
    Runner,
    SQLiteSession,
    UserError,
    UserMessage,
    function_tool,
    input_guardrail,
)
from agents_otel.input_items import conversation_items
from agents_otel.testing import ScriptedModel, assistant_message, function_call

HISTORY: list[Any] = [
    {"role": "user", "content": "one"},
    {"role": "assistant", "content": "two"},
    {"role": "user", "content": "three"},
    {"role": "assistant", "content": "four"},
    {"role": "user", "content": "five"},
]


def keep_last(n: int) -> CallModelInputFilter:
    def trim(data: CallModelData[Any]) -> ModelInputData:
        return ModelInputData(input=data.model_data.input[-n:], instructions=data.model_data.instructions)

    return trim


def texts(items: list[Any]) -> list[str]:
    """Each message's text, whether its content is a string or (an assistant's output message) a part list."""
    return [i["content"] if isinstance(i["content"], str) else i["content"][0]["text"] for i in items]


def config(tracing: Tracing, call_filter: Any, **kwargs: Any) -> RunConfig:
    return RunConfig(tracer_provider=tracing.provider, call_model_input_filter=call_filter, **kwargs)


@function_tool
def lookup(city: str) -> str:
    """Look a city up."""
    return f"{city}: sunny"


async def test_trimmed_history_is_what_the_model_sees_and_the_run_keeps_everything(tracing: Tracing) -> None:
    model = ScriptedModel([[assistant_message("six")]])
    session = SQLiteSession("trim")
    result = await Runner.run(
        Agent("A", model=model), list(HISTORY), run_config=config(tracing, keep_last(2)), session=session
    )
    assert model.calls[0].input == conversation_items(HISTORY[-2:])
    assert texts(result.to_input_list()) == ["one", "two", "three", "four", "five", "six"]
    assert texts(await session.get_items()) == ["one", "two", "three", "four", "five", "six"]


async def test_the_filter_can_replace_the_instructions_and_the_chat_span_records_what_was_sent(
    tracing: Tracing,
) -> None:
    model = ScriptedModel([[assistant_message("ok")]])

    def replace(data: CallModelData[Any]) -> ModelInputData:
        assert data.model_data.instructions == "Be terse."
        return ModelInputData(input=data.model_data.input[-1:], instructions="Be verbose.")

    agent = Agent("A", instructions="Be terse.", model=model)
    await Runner.run(agent, list(HISTORY), run_config=config(tracing, replace, capture_content=True))
    assert model.calls[0].system_instructions == "Be verbose."
    (chat,) = tracing.named("chat")
    attributes = chat.attributes or {}
    assert json.loads(str(attributes["gen_ai.system_instructions"])) == [{"type": "text", "content": "Be verbose."}]
    sent = json.loads(str(attributes["gen_ai.input.messages"]))
    assert sent == [{"role": "user", "parts": [{"type": "text", "content": "five"}]}]


async def test_none_instructions_send_none(tracing: Tracing) -> None:
    model = ScriptedModel([[assistant_message("ok")]])

    def drop(data: CallModelData[Any]) -> ModelInputData:
        return ModelInputData(input=data.model_data.input, instructions=None)

    await Runner.run(Agent("A", instructions="secret", model=model), "hi", run_config=config(tracing, drop))
    assert model.calls[0].system_instructions is None


async def test_an_async_filter_is_awaited(tracing: Tracing) -> None:
    model = ScriptedModel([[assistant_message("ok")]])

    async def add(data: CallModelData[Any]) -> ModelInputData:
        extra = {"role": "user", "content": "added-async"}
        return ModelInputData(input=[*data.model_data.input, extra], instructions="filtered-async")  # type: ignore[list-item]

    await Runner.run(Agent("A", model=model), "start", run_config=config(tracing, add))
    assert model.calls[0].input == [UserMessage("start"), UserMessage("added-async")]
    assert model.calls[0].system_instructions == "filtered-async"


async def test_the_filter_sees_the_agent_the_runs_context_and_resolved_instructions(tracing: Tracing) -> None:
    seen: list[tuple[Any, Any, Any, Any]] = []

    def instructions(wrapper: RunContextWrapper[dict[str, str]], agent: Agent[Any]) -> str:
        return f"Help {wrapper.context['user']}."

    def capture(data: CallModelData[dict[str, str]]) -> ModelInputData:
        seen.append((data.agent, data.context, data.model_data.instructions, data.model_data.input))
        return data.model_data

    agent = Agent("A", instructions=instructions, model=ScriptedModel([[assistant_message("ok")]]))
    ctx = {"user": "ann"}
    await Runner.run(agent, "hi", context=ctx, run_config=config(tracing, capture))
    assert seen == [(agent, ctx, "Help ann.", [{"role": "user", "content": "hi"}])]
    assert seen[0][1] is ctx  # the application's own object, not a wrapper


async def test_a_filter_returning_something_else_is_a_user_error_before_any_model_call(tracing: Tracing) -> None:
    model = ScriptedModel([[assistant_message("never")]])
    with pytest.raises(UserError, match="call_model_input_filter must return a ModelInputData instance, got str"):
        await Runner.run(Agent("A", model=model), "hi", run_config=config(tracing, lambda data: "bad"))
    assert model.calls == []


async def test_a_filter_returning_an_item_no_model_can_take_is_a_user_error(tracing: Tracing) -> None:
    model = ScriptedModel([[assistant_message("never")]])

    def bad_item(data: CallModelData[Any]) -> ModelInputData:
        return ModelInputData(input=[{"role": "tool", "content": "x"}], instructions=None)  # type: ignore[list-item]

    with pytest.raises(UserError, match=r"call_model_input_filter returned an input .*Input item 0 .*role 'tool'"):
        await Runner.run(Agent("A", model=model), "hi", run_config=config(tracing, bad_item))

    def bad_instructions(data: CallModelData[Any]) -> ModelInputData:
        return ModelInputData(input=data.model_data.input, instructions=["not", "text"])  # type: ignore[arg-type]

    with pytest.raises(UserError, match="returned instructions of type list"):
        await Runner.run(Agent("A", model=model), "hi", run_config=config(tracing, bad_instructions))
    assert model.calls == []


async def test_what_the_filter_raises_propagates_unchanged_and_the_agent_span_records_it(tracing: Tracing) -> None:
    model = ScriptedModel([[assistant_message("never")]])

    def broken(data: CallModelData[Any]) -> ModelInputData:
        raise ValueError("filter-broke")

    with pytest.raises(ValueError, match="filter-broke"):
        await Runner.run(Agent("A", model=model), "hi", run_config=config(tracing, broken))
    assert model.calls == [] and tracing.named("chat") == []
    (agent_span,) = tracing.named("invoke_agent")
    assert (agent_span.attributes or {})["error.type"] == "ValueError"


def test_the_names_import_from_where_sdk_programs_import_them() -> None:
    from agents_otel import run

    assert (run.CallModelData, run.ModelInputData, run.CallModelInputFilter) == (
        CallModelData,
        ModelInputData,
        CallModelInputFilter,
    )


def test_a_filter_that_is_not_callable_is_refused_by_run_config() -> None:
    with pytest.raises(UserError, match="call_model_input_filter must be a function"):
        RunConfig(call_model_input_filter="trim")  # type: ignore[arg-type]


async def test_a_streamed_run_applies_the_filter(tracing: Tracing) -> None:
    model = ScriptedModel([[assistant_message("six")]])
    result = Runner.run_streamed(Agent("A", model=model), list(HISTORY), run_config=config(tracing, keep_last(1)))
    async for _ in result.stream_events():
        pass
    assert result.final_output == "six"
    assert model.calls[0].input == conversation_items(HISTORY[-1:])
    assert len(result.to_input_list()) == 6


async def test_each_model_call_is_filtered_with_the_turns_tool_call_and_output(tracing: Tracing) -> None:
    model = ScriptedModel([[function_call("lookup", {"city": "Lima"}, call_id="c1")], [assistant_message("Sunny.")]])
    inputs: list[list[dict[str, Any]]] = []

    def capture(data: CallModelData[Any]) -> ModelInputData:
        inputs.append(list(data.model_data.input))  # type: ignore[arg-type]
        return ModelInputData(input=data.model_data.input[-2:], instructions=data.model_data.instructions)

    result = await Runner.run(
        Agent("A", tools=[lookup], model=model), list(HISTORY), run_config=config(tracing, capture)
    )
    assert result.final_output == "Sunny."
    assert len(inputs) == 2 == len(model.calls)
    assert texts(inputs[0]) == texts(HISTORY)
    call = {"type": "function_call", "call_id": "c1", "name": "lookup", "arguments": '{"city": "Lima"}'}
    output = {"type": "function_call_output", "call_id": "c1", "output": "Lima: sunny"}
    # the second call reads the whole history again, not the first call's trimmed input, then the turn's items
    assert texts(inputs[1][:5]) == texts(HISTORY) and inputs[1][5:] == [call, output]
    assert [type(i).__name__ for i in model.calls[1].input] == ["FunctionCall", "FunctionCallOutput"]


async def test_mutating_what_the_filter_got_does_not_touch_the_runs_history(tracing: Tracing) -> None:
    model = ScriptedModel([[function_call("lookup", {"city": "Oslo"})], [assistant_message("ok")]])
    parts = [{"type": "input_text", "text": "original"}]

    def mutate(data: CallModelData[Any]) -> ModelInputData:
        first: Any = data.model_data.input[0]
        first["content"][0]["text"] = "mutated"
        data.model_data.input.clear()
        data.model_data.input.append(first)
        return data.model_data

    agent = Agent("A", tools=[lookup], model=model)
    result = await Runner.run(agent, [{"role": "user", "content": parts}], run_config=config(tracing, mutate))
    assert [call.input for call in model.calls] == [[UserMessage([{"type": "input_text", "text": "mutated"}])]] * 2
    assert parts == [{"type": "input_text", "text": "original"}]
    assert result.to_input_list()[0] == {"role": "user", "content": [{"type": "input_text", "text": "original"}]}
    assert len(result.to_input_list()) == 4  # input, tool call, tool output, answer


async def test_order_sequential_guardrail_then_filter_then_on_llm_start_with_the_filtered_call(
    tracing: Tracing,
) -> None:
    events: list[Any] = []

    @input_guardrail(run_in_parallel=False)
    def check(ctx: RunContextWrapper[Any], agent: Agent[Any], input: Any) -> GuardrailFunctionOutput:
        events.append("guardrail")
        return GuardrailFunctionOutput(output_info=None, tripwire_triggered=False)

    class Hooks(RunHooks[Any]):
        async def on_llm_start(
            self, context: Any, agent: Any, system_prompt: str | None, input_items: list[dict[str, Any]]
        ) -> None:
            events.append(("on_llm_start", system_prompt, input_items))

    def trim(data: CallModelData[Any]) -> ModelInputData:
        events.append("filter")
        return ModelInputData(input=data.model_data.input[-1:], instructions="filtered")

    agent = Agent(
        "A", instructions="original", input_guardrails=[check], model=ScriptedModel([[assistant_message("ok")]])
    )
    await Runner.run(agent, list(HISTORY), hooks=Hooks(), run_config=config(tracing, trim))
    assert events == ["guardrail", "filter", ("on_llm_start", "filtered", [{"role": "user", "content": "five"}])]


async def test_after_a_handoff_the_filter_gets_the_agent_now_calling_its_model(tracing: Tracing) -> None:
    billing = Agent("Billing", model=ScriptedModel([[assistant_message("paid")]]))
    triage = Agent("Triage", handoffs=[billing], model=ScriptedModel([[function_call("transfer_to_billing")]]))
    agents: list[str] = []

    def capture(data: CallModelData[Any]) -> ModelInputData:
        agents.append(data.agent.name)
        return data.model_data

    result = await Runner.run(triage, "refund?", run_config=config(tracing, capture))
    assert result.final_output == "paid" and agents == ["Triage", "Billing"]


# ---- over the real wire ------------------------------------------------------------------------------------------




@pytest.mark.parametrize("streamed", [False, True])
@pytest.mark.parametrize("api", ["responses", "chat"])
async def test_the_filtered_input_is_what_goes_over_http(
    api: str, streamed: bool, fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    fake_openai.enqueue(tool_calls=[("lookup", {"city": "Lima"}, "c1")])
    fake_openai.enqueue(text="Sunny.")

    async def trim(data: CallModelData[Any]) -> ModelInputData:
        return ModelInputData(input=data.model_data.input[-2:], instructions=f"Call {len(data.model_data.input)}.")

    agent = Agent("A", instructions="original", tools=[lookup], model=wire_model(api, client))
    run_config = config(tracing, trim, capture_content=True)
    if streamed:
        result: Any = Runner.run_streamed(agent, list(HISTORY), run_config=run_config)
        async for _ in result.stream_events():
            pass
    else:
        result = await Runner.run(agent, list(HISTORY), run_config=run_config)
    assert result.final_output == "Sunny."
    first, second = (r.body for r in fake_openai.requests)
    if api == "responses":
        assert (first["instructions"], second["instructions"]) == ("Call 5.", "Call 7.")
        assert [i.get("content") for i in first["input"]] == ["four", "five"]
        assert [i.get("type") for i in second["input"]] == ["function_call", "function_call_output"]
        assert second["input"][1]["output"] == "Lima: sunny"
    else:
        assert first["messages"][0] == {"role": "system", "content": "Call 5."}
        assert [m["content"] for m in first["messages"][1:]] == ["four", "five"]
        assert [m["role"] for m in second["messages"]] == ["system", "assistant", "tool"]
        assert second["messages"][0]["content"] == "Call 7."
        assert second["messages"][2]["content"] == "Lima: sunny"
    chats = tracing.named("chat")
    assert [json.loads(str((c.attributes or {})["gen_ai.system_instructions"]))[0]["content"] for c in chats] == [
        "Call 5.",
        "Call 7.",
    ]
    assert len(result.to_input_list()) == 8  # five given, the tool call and its output, the answer
