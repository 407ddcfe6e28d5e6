"""``Agent(tool_use_behavior=...)`` as the OpenAI Agents SDK defines it: the default sends tool results back to the
model; ``"stop_on_first_tool"``, ``StopAtTools`` and a function end the run with a tool's return value, and the
model is not called again. As in the SDK, that final output is ``str(value)`` when the agent has no output type (or
``str``), and the value itself when it has one."""

from __future__ import annotations

from typing import Any

import pytest

from agents_otel import (
    Agent,
    FunctionToolResult,
    RunContextWrapper,
    Runner,
    StopAtTools,
    ToolCallOutputItem,
    ToolsToFinalOutputResult,
    UserError,
    function_tool,
)
from agents_otel.testing import ScriptedModel, assistant_message, function_call


@function_tool
def numbers() -> list[int]:
    return [1, 2, 3]


@function_tool
def word() -> str:
    return "bird"


def _model(*calls: str) -> ScriptedModel:
    return ScriptedModel([[function_call(name, {}) for name in calls], [assistant_message("model again")]])


async def test_run_llm_again_is_the_default() -> None:
    model = _model("numbers")
    result = await Runner.run(Agent("a", model=model, tools=[numbers]), "go")
    assert result.final_output == "model again"
    assert len(model.calls) == 2


@pytest.mark.parametrize("streamed", [False, True])
async def test_stop_on_first_tool_ends_in_the_text_of_the_first_calls_output(streamed: bool) -> None:
    model = _model("numbers", "word")
    agent = Agent("a", model=model, tools=[numbers, word], tool_use_behavior="stop_on_first_tool")
    if streamed:
        result: Any = Runner.run_streamed(agent, "go")
        names = [getattr(e, "name", None) async for e in result.stream_events()]
        assert names.count("tool_output") == 2  # both calls ran and reported
    else:
        result = await Runner.run(agent, "go")
    assert result.final_output == "[1, 2, 3]"  # str() of the return value, as the SDK makes it (not JSON text)
    assert len(model.calls) == 1


@pytest.mark.parametrize("output_type", [list[int], Any])
async def test_with_an_output_type_the_final_output_is_the_value_itself(output_type: Any) -> None:
    model = _model("numbers")
    agent = Agent("a", model=model, tools=[numbers], tool_use_behavior="stop_on_first_tool", output_type=output_type)
    assert (await Runner.run(agent, "go")).final_output == [1, 2, 3]


async def test_a_function_deciding_none_ends_in_the_text_none() -> None:
    def decide(ctx: RunContextWrapper[Any], results: list[FunctionToolResult]) -> ToolsToFinalOutputResult:
        return ToolsToFinalOutputResult(is_final_output=True, final_output=None)

    agent = Agent("a", model=_model("word"), tools=[word], tool_use_behavior=decide, output_type=str)
    assert (await Runner.run(agent, "go")).final_output == "None"  # the SDK's str(None)


async def test_stop_at_tools_stops_only_at_listed_tools() -> None:
    behavior: StopAtTools = {"stop_at_tool_names": ["word"]}
    model = ScriptedModel([[function_call("numbers", {})], [function_call("numbers", {}), function_call("word", {})]])
    result = await Runner.run(Agent("a", model=model, tools=[numbers, word], tool_use_behavior=behavior), "go")
    assert result.final_output == "bird"
    assert len(model.calls) == 2


@pytest.mark.parametrize("is_async", [False, True])
async def test_a_function_decides_from_function_tool_results(is_async: bool) -> None:
    seen: list[list[FunctionToolResult]] = []

    def decide(ctx: RunContextWrapper[Any], results: list[FunctionToolResult]) -> ToolsToFinalOutputResult:
        seen.append(results)
        assert ctx.context == {"user": 7}
        if any(r.tool.name == "word" for r in results):
            return ToolsToFinalOutputResult(is_final_output=True, final_output=f"{results[-1].output}!")
        return ToolsToFinalOutputResult(is_final_output=False)

    async def decide_async(ctx: RunContextWrapper[Any], results: list[FunctionToolResult]) -> ToolsToFinalOutputResult:
        return decide(ctx, results)

    model = ScriptedModel([[function_call("numbers", {})], [function_call("numbers", {}), function_call("word", {})]])
    agent = Agent("a", model=model, tools=[numbers, word], tool_use_behavior=decide_async if is_async else decide)
    result = await Runner.run(agent, "go", context={"user": 7})
    assert result.final_output == "bird!"
    assert [[r.tool.name for r in batch] for batch in seen] == [["numbers"], ["numbers", "word"]]
    last = seen[-1][0]
    assert isinstance(last.run_item, ToolCallOutputItem) and last.run_item.output == [1, 2, 3]


async def test_a_function_returning_something_else_is_a_user_error() -> None:
    agent = Agent(
        "a",
        model=_model("word"),
        tools=[word],
        tool_use_behavior=lambda ctx, results: True,  # type: ignore[arg-type,return-value]
    )
    with pytest.raises(UserError, match="ToolsToFinalOutputResult"):
        await Runner.run(agent, "go")


@pytest.mark.parametrize("bad", ["stop_on_first", {"stop_at": ["x"]}, 3])
def test_an_invalid_behavior_fails_when_the_agent_is_built(bad: Any) -> None:
    with pytest.raises(UserError):
        Agent("a", tool_use_behavior=bad)


async def test_a_handoff_in_the_same_turn_wins_over_stop_on_first_tool() -> None:
    other = Agent("Other", model=ScriptedModel([[assistant_message("other answers")]]))
    model = ScriptedModel([[function_call("word", {}), function_call("transfer_to_other", {})]])
    agent = Agent("a", model=model, tools=[word], handoffs=[other], tool_use_behavior="stop_on_first_tool")
    result = await Runner.run(agent, "go")
    assert result.final_output == "other answers"
    assert result.last_agent is other
