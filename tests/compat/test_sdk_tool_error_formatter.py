"""Compatibility: ``RunConfig(tool_error_formatter=...)`` with ``ToolErrorFormatterArgs``, as in the OpenAI Agents SDK.

The SDK calls the formatter for model-visible tool errors: a rejected approval, a call to a tool the agent does
not have under ``tool_not_found_behavior="return_error_to_model"`` (here), and since 0.24 a tool's exception
(test_sdk_024_tool_exception_formatter.py). It gets
``ToolErrorFormatterArgs(kind="tool_not_found", tool_type="function", tool_name, call_id, default_message,
run_context)``; sync or async; the string it returns is the ``function_call_output`` the model reads, ``None`` keeps
the default message, and one that raises is logged and the default used. Under ``"raise_error"`` it is never
called. Ours: the default message is our own (it also names the tools offered), and a return value that is
neither a string nor ``None`` is a ``UserError`` (the SDK logs it and uses the default).
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from support import Tracing

from agents_otel import (
    Agent,
    ModelBehaviorError,
    RunConfig,
    RunContextWrapper,
    Runner,
    ToolCallOutputItem,
    ToolErrorFormatter,
    ToolErrorFormatterArgs,
    UserError,
    function_tool,
)
from agents_otel.items import FunctionCallOutput
from agents_otel.testing import ScriptedModel, assistant_message, function_call


@function_tool
def lookup() -> str:
    """Look something up."""
    return "found"


def unknown_tool_model() -> ScriptedModel:
    return ScriptedModel(
        [[function_call("missing_tool", {}, call_id="call_missing")], [assistant_message("recovered")]],
        check_calls=False,
    )


def output_sent_back(model: ScriptedModel) -> str:
    (output,) = [item.output for item in model.calls[-1].input if isinstance(item, FunctionCallOutput)]
    return output


async def run_with(formatter: Any, model: ScriptedModel, **config: Any) -> str:
    agent = Agent(name="A", tools=[lookup], model=model)
    run_config = RunConfig(tool_not_found_behavior="return_error_to_model", tool_error_formatter=formatter, **config)
    result = await Runner.run(agent, "start", context={"user": "ada"}, run_config=run_config)
    assert result.final_output == "recovered"
    (item,) = [i for i in result.new_items if isinstance(i, ToolCallOutputItem)]
    assert item.output == output_sent_back(model)  # the run's item holds what the model read
    return output_sent_back(model)


async def test_the_formatter_words_what_the_model_reads(tracing: Tracing) -> None:
    seen: list[ToolErrorFormatterArgs[Any]] = []

    async def formatter(args: ToolErrorFormatterArgs[Any]) -> str | None:
        seen.append(args)
        if args.kind != "tool_not_found":
            return None
        return f"{args.tool_name} unavailable for {args.call_id}"

    model = unknown_tool_model()
    assert await run_with(formatter, model, tracer_provider=tracing.provider) == (
        "missing_tool unavailable for call_missing"
    )
    (args,) = seen
    assert (args.kind, args.tool_type, args.tool_name, args.call_id) == (
        "tool_not_found", "function", "missing_tool", "call_missing"
    )
    assert args.default_message == "Error: Tool 'missing_tool' not found. Available tools: ['lookup']"
    assert isinstance(args.run_context, RunContextWrapper) and args.run_context.context == {"user": "ada"}
    # the span still says what happened
    span = tracing.tool_span("call_missing")
    assert span.attributes["error.type"] == "tool_not_found"  # type: ignore[index]


def test_a_sync_formatter_returning_none_keeps_the_default() -> None:
    calls: list[str] = []

    def formatter(args: ToolErrorFormatterArgs[Any]) -> str | None:
        calls.append(args.tool_name)
        return None

    model = unknown_tool_model()
    agent = Agent(name="A", tools=[lookup], model=model)
    config = RunConfig(tool_not_found_behavior="return_error_to_model", tool_error_formatter=formatter)
    Runner.run_sync(agent, "start", run_config=config)
    assert calls == ["missing_tool"]
    assert output_sent_back(model) == "Error: Tool 'missing_tool' not found. Available tools: ['lookup']"


async def test_a_formatter_that_raises_is_logged_and_the_default_used(caplog: pytest.LogCaptureFixture) -> None:
    def formatter(args: ToolErrorFormatterArgs[Any]) -> str:
        raise RuntimeError("formatter bug")

    with caplog.at_level(logging.ERROR, logger="agents_otel"):
        text = await run_with(formatter, unknown_tool_model())
    assert text == "Error: Tool 'missing_tool' not found. Available tools: ['lookup']"
    assert any("tool_error_formatter raised" in r.getMessage() and r.exc_info for r in caplog.records)


async def test_a_result_that_is_not_a_string_is_a_user_error() -> None:
    model = unknown_tool_model()
    agent = Agent(name="A", tools=[lookup], model=model)
    config = RunConfig(tool_not_found_behavior="return_error_to_model", tool_error_formatter=lambda args: 42)  # type: ignore[arg-type,return-value]
    with pytest.raises(UserError, match="tool_error_formatter must return a string or None, got int"):
        await Runner.run(agent, "start", run_config=config)
    assert len(model.calls) == 1


async def test_the_formatter_is_not_called_when_the_run_raises_or_the_tool_exists() -> None:
    calls: list[str] = []

    def formatter(args: ToolErrorFormatterArgs[Any]) -> str:
        calls.append(args.tool_name)
        return "formatted"

    raising = RunConfig(tool_error_formatter=formatter)  # tool_not_found_behavior="raise_error", the default
    with pytest.raises(ModelBehaviorError, match="Tool missing_tool not found in agent A"):
        await Runner.run(Agent(name="A", tools=[lookup], model=unknown_tool_model()), "start", run_config=raising)

    @function_tool(failure_error_function=lambda ctx, error: f"own words: {error}")
    def broken() -> str:
        """Always fails."""
        raise ValueError("boom")

    model = ScriptedModel([[function_call("broken", {}, call_id="b")], [assistant_message("recovered")]])
    config = RunConfig(tool_not_found_behavior="return_error_to_model", tool_error_formatter=formatter)
    await Runner.run(Agent(name="A", tools=[broken], model=model), "start", run_config=config)
    # a tool with a failure_error_function of its own words its errors (SDK 0.24: the formatter words those of
    # tools on the default policy, see test_sdk_024_tool_exception_formatter.py)
    assert output_sent_back(model) == "own words: boom"
    assert calls == []


async def test_each_unknown_call_of_a_parallel_turn_is_formatted() -> None:
    model = ScriptedModel(
        [
            [function_call("lookup", {}, call_id="ok"), function_call("ghost", {}, call_id="g1"),
             function_call("phantom", {}, call_id="g2")],
            [assistant_message("recovered")],
        ],
        check_calls=False,
    )
    agent = Agent(name="A", tools=[lookup], model=model)
    config = RunConfig(
        tool_not_found_behavior="return_error_to_model", tool_error_formatter=lambda a: f"no {a.tool_name}"
    )
    await Runner.run(agent, "start", run_config=config)
    outputs = {i.call_id: i.output for i in model.calls[-1].input if isinstance(i, FunctionCallOutput)}
    assert outputs == {"ok": "found", "g1": "no ghost", "g2": "no phantom"}


def test_the_type_alias_annotates_a_formatter_and_a_bad_value_is_refused() -> None:
    formatter: ToolErrorFormatter = lambda args: None  # noqa: E731
    assert RunConfig(tool_error_formatter=formatter).tool_error_formatter is formatter
    with pytest.raises(UserError, match="tool_error_formatter must be a function"):
        RunConfig(tool_error_formatter="Tool missing")  # type: ignore[arg-type]


def test_the_sdk_import_paths() -> None:
    from agents_otel.run import ToolErrorFormatter as FromRun
    from agents_otel.run import ToolErrorFormatterArgs as ArgsFromRun

    assert ArgsFromRun is ToolErrorFormatterArgs and FromRun is ToolErrorFormatter
