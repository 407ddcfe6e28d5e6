"""Compatibility: what a failing tool does to a run, as in the OpenAI Agents SDK.

A raising tool is an error the model reads (``failure_error_function``), and only ``failure_error_function=None``
fails the run. Regression (issue 10): a tool raising ``asyncio.CancelledError`` itself, while nobody cancelled it,
killed the run (streamed: ended silently with ``final_output None``); it is a tool error like any other.
"""

from __future__ import annotations

import asyncio

import pytest
from support import Tracing

from agents_otel import (
    Agent,
    ModelBehaviorError,
    Runner,
    ToolCallOutputItem,
    ToolCancelledError,
    UserError,
    function_tool,
)
from agents_otel.testing import ScriptedModel, assistant_message, function_call


@function_tool
async def cancels_itself() -> str:
    raise asyncio.CancelledError("tool-cancelled")


@function_tool
def cancels_itself_in_a_thread() -> str:
    raise asyncio.CancelledError()


@function_tool
async def fine() -> str:
    await asyncio.sleep(0)
    return "fine"


GENERIC = "An error occurred while running the tool."
"""The default failure message: a fixed sentence, the exception's text stays off the model's input (SDK 0.23)."""


def sent_back(model: ScriptedModel) -> dict[str, str]:
    return {i.call_id: i.output for i in model.calls[-1].input if i.type == "function_call_output"}  # type: ignore[union-attr]


async def test_single_tool_raising_cancelled_error_is_a_tool_error(tracing: Tracing) -> None:
    model = ScriptedModel([[function_call("cancels_itself", {}, call_id="c")], [assistant_message("final answer")]])
    result = await Runner.run(Agent(name="A", tools=[cancels_itself], model=model), "go", run_config=tracing.config)
    assert result.final_output == "final answer"
    assert sent_back(model) == {
        "c": GENERIC
    }
    span = tracing.tool_span("c")
    assert span.attributes["error.type"] == "agents_otel.exceptions.ToolCancelledError"  # type: ignore[index]


async def test_parallel_sibling_raising_cancelled_error_does_not_cancel_the_others(tracing: Tracing) -> None:
    model = ScriptedModel(
        [
            [
                function_call("cancels_itself", {}, call_id="c"),
                function_call("fine", {}, call_id="f"),
                function_call("cancels_itself_in_a_thread", {}, call_id="t"),
            ],
            [assistant_message("final answer")],
        ]
    )
    tools = [cancels_itself, fine, cancels_itself_in_a_thread]
    result = await Runner.run(Agent(name="A", tools=tools, model=model), "go", run_config=tracing.config)
    assert result.final_output == "final answer"
    outputs = sent_back(model)
    assert outputs == {"f": "fine", "c": GENERIC, "t": GENERIC}


async def test_streamed_run_with_a_self_cancelling_tool_completes(tracing: Tracing) -> None:
    model = ScriptedModel([[function_call("cancels_itself", {}, call_id="c")], [assistant_message("final answer")]])
    result = Runner.run_streamed(Agent(name="A", tools=[cancels_itself], model=model), "go", run_config=tracing.config)
    outputs = [e.item for e in [e async for e in result.stream_events()] if getattr(e, "name", "") == "tool_output"]
    assert result.final_output == "final answer" and not result.cancelled
    assert [o.is_error for o in outputs if isinstance(o, ToolCallOutputItem)] == [True]


async def test_a_really_cancelled_run_is_still_cancelled(tracing: Tracing) -> None:
    started = asyncio.Event()

    @function_tool
    async def hang() -> str:
        started.set()
        await asyncio.Event().wait()
        return "never"

    model = ScriptedModel([[function_call("hang", {}, call_id="h")], [assistant_message("never")]])
    task = asyncio.create_task(Runner.run(Agent(name="A", tools=[hang], model=model), "go", run_config=tracing.config))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert tracing.tool_span("h").attributes["error.type"] == "cancelled"  # type: ignore[index]


async def test_a_cancelled_error_with_failure_error_function_none_fails_the_run(tracing: Tracing) -> None:
    @function_tool(failure_error_function=None)
    async def strict() -> str:
        raise asyncio.CancelledError("own")

    model = ScriptedModel([[function_call("strict", {}, call_id="s")], [assistant_message("never")]])
    with pytest.raises(ToolCancelledError, match="own"):
        await Runner.run(Agent(name="A", tools=[strict], model=model), "go", run_config=tracing.config)


async def test_tool_errors_reach_the_model_and_the_run_goes_on(tracing: Tracing) -> None:
    @function_tool
    def divide(a: int, b: int) -> float:
        return a / b

    model = ScriptedModel([[function_call("divide", {"a": 1, "b": 0}, call_id="d")], [assistant_message("sorry")]])
    result = await Runner.run(Agent(name="A", tools=[divide], model=model), "go", run_config=tracing.config)
    assert result.final_output == "sorry" and sent_back(model)["d"] == GENERIC
    (output,) = [i for i in result.new_items if isinstance(i, ToolCallOutputItem)]
    assert output.is_error and output.error_type == "ZeroDivisionError"


async def test_failure_error_function_none_fails_the_run_with_a_user_error_caused_by_the_tools_exception(
    tracing: Tracing,
) -> None:
    """As in the SDK: ``UserError("Error running tool <name>: <message>")`` from the tool's exception."""

    class Boom(Exception):
        pass

    @function_tool(failure_error_function=None)
    def explode() -> None:
        raise Boom("boom")

    model = ScriptedModel([[function_call("explode", {}, call_id="e")], [assistant_message("never")]])
    with pytest.raises(UserError, match=r"^Error running tool explode: boom$") as excinfo:
        await Runner.run(Agent(name="A", tools=[explode], model=model), "go", run_config=tracing.config)
    assert isinstance(excinfo.value.__cause__, Boom)
    assert str(tracing.tool_span("e").attributes["error.type"]).endswith(".Boom")  # type: ignore[index]  # the cause


async def test_the_runtimes_own_errors_fail_the_run_as_they_are(tracing: Tracing) -> None:
    @function_tool(failure_error_function=None)
    def explode() -> None:
        raise ModelBehaviorError("already typed")

    model = ScriptedModel([[function_call("explode", {}, call_id="e")], [assistant_message("never")]])
    with pytest.raises(ModelBehaviorError, match="already typed"):
        await Runner.run(Agent(name="A", tools=[explode], model=model), "go", run_config=tracing.config)


async def test_model_errors_fail_the_run(tracing: Tracing) -> None:
    model = ScriptedModel([ConnectionError("model unreachable")])
    with pytest.raises(ConnectionError):
        await Runner.run(Agent(name="A", model=model), "go", run_config=tracing.config)
