"""SDK 0.24's run-wide tool exception formatting: ``RunConfig(tool_error_formatter=...)`` words what the model reads
when an ordinary function tool raises (``ToolErrorFormatterArgs.kind == "tool_exception"``, ``args.error`` the
exception), for tools that keep the default failure policy; the exception then stays out of the trace.

Cases learnt from the SDK's tests/test_tool_exception_formatter.py and its ``RunConfig.tool_error_formatter``
docstring: a policy of the tool's own wins (a function, or ``None`` that fails the run), an agent used as a tool keeps
its own, timeouts keep theirs, and a formatter that returns ``None`` or raises leaves the default message.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from support import Tracing

from agents_otel import (
    Agent,
    RunConfig,
    RunContextWrapper,
    Runner,
    ToolErrorFormatterArgs,
    UserError,
    function_tool,
)
from agents_otel.testing import ScriptedModel, assistant_message, function_call
from agents_otel.tool import default_tool_error_function

SECRET = "synthetic-private-exception-detail"
GENERIC = "An error occurred while running the tool."
APPROVED = "Order IDs must start with ORD-."


class OrderError(Exception):
    pass


@function_tool
def lookup_order() -> str:
    """Looks an order up."""
    raise OrderError(SECRET)


def _model(name: str) -> ScriptedModel:
    return ScriptedModel([[function_call(name, {}, call_id="call-1")], [assistant_message("done")]])


def _sent_back(model: ScriptedModel) -> str:
    (output,) = [i.output for i in model.calls[-1].input if i.type == "function_call_output"]  # type: ignore[union-attr]
    return str(output)


def _config(tracing: Tracing, formatter: Any, capture: bool = True) -> RunConfig:
    return RunConfig(tracer_provider=tracing.provider, tool_error_formatter=formatter, capture_content=capture)


def _span_text(tracing: Tracing) -> str:
    return json.dumps(
        [{"attributes": dict(s.attributes or {}), "events": [dict(e.attributes or {}) for e in s.events],
          "status": s.status.description} for s in tracing.spans()],
        default=str,
    )


@pytest.mark.parametrize("streamed", [False, True])
@pytest.mark.parametrize("async_formatter", [False, True])
async def test_the_run_formatter_words_a_tool_exception(
    tracing: Tracing, streamed: bool, async_formatter: bool
) -> None:
    received: list[ToolErrorFormatterArgs[Any]] = []

    def formatter(args: ToolErrorFormatterArgs[Any]) -> str:
        received.append(args)
        return APPROVED

    async def formatter_async(args: ToolErrorFormatterArgs[Any]) -> str:
        await asyncio.sleep(0)
        return formatter(args)

    model = _model("lookup_order")
    agent = Agent(name="A", tools=[lookup_order], model=model)
    config = _config(tracing, formatter_async if async_formatter else formatter)
    if streamed:
        result: Any = Runner.run_streamed(agent, "go", run_config=config)
        async for _ in result.stream_events():
            pass
    else:
        result = await Runner.run(agent, "go", run_config=config)
    assert result.final_output == "done"
    assert _sent_back(model) == APPROVED
    (args,) = received
    assert (args.kind, args.tool_type, args.tool_name, args.call_id) == (
        "tool_exception", "function", "lookup_order", "call-1"
    )
    assert isinstance(args.error, OrderError)
    assert args.default_message == default_tool_error_function(None, args.error)  # type: ignore[arg-type]
    assert args.run_context.context is None
    # the exception is not on the trace (content capture on): the tool span says only that the tool failed, and how
    assert SECRET not in _span_text(tracing)
    span = tracing.tool_span("call-1")
    assert span.attributes["error.type"] == f"{__name__}.OrderError"  # type: ignore[index]
    assert not [e for e in span.events if e.name == "exception"]
    assert SECRET not in json.dumps(result.to_input_list())


async def test_without_a_formatter_the_exception_is_recorded_as_before(tracing: Tracing) -> None:
    model = _model("lookup_order")
    await Runner.run(Agent(name="A", tools=[lookup_order], model=model), "go", run_config=tracing.config)
    assert _sent_back(model) == GENERIC  # the default words no exception text (SDK 0.23); the span keeps it
    assert SECRET not in _sent_back(model)
    span = tracing.tool_span("call-1")
    assert [e.attributes["exception.message"] for e in span.events if e.name == "exception"] == [SECRET]  # type: ignore[index]


@pytest.mark.parametrize("outcome", ["none", "raise"])
async def test_a_formatter_that_gives_nothing_leaves_the_default(tracing: Tracing, outcome: str) -> None:
    def formatter(args: ToolErrorFormatterArgs[Any]) -> str | None:
        if outcome == "raise":
            raise RuntimeError("formatter broke") from args.error
        return None

    model = _model("lookup_order")
    result = await Runner.run(Agent(name="A", tools=[lookup_order], model=model), "go", run_config=_config(
        tracing, formatter, capture=False))
    assert result.final_output == "done"
    assert _sent_back(model) == GENERIC
    assert not [e for e in tracing.tool_span("call-1").events if e.name == "exception"]


@pytest.mark.parametrize("policy", ["own", "none"])
async def test_a_policy_of_the_tools_own_wins(tracing: Tracing, policy: str) -> None:
    def own(ctx: RunContextWrapper[Any], error: Exception) -> str:
        return "the tool's own words"

    @function_tool(failure_error_function=own if policy == "own" else None)
    def fails() -> str:
        """Fails."""
        raise OrderError(SECRET)

    called: list[ToolErrorFormatterArgs[Any]] = []
    model = _model("fails")
    agent = Agent(name="A", tools=[fails], model=model)
    config = _config(tracing, lambda args: called.append(args) or APPROVED)
    if policy == "none":
        with pytest.raises(UserError, match=SECRET):
            await Runner.run(agent, "go", run_config=config)
    else:
        await Runner.run(agent, "go", run_config=config)
        assert _sent_back(model) == "the tool's own words"
    assert called == []


async def test_an_agent_tool_and_a_timeout_keep_their_policies(tracing: Tracing) -> None:
    @function_tool(timeout=0.01)
    async def slow() -> str:
        """Never ends in time."""
        await asyncio.Event().wait()
        return "unreachable"

    inner = Agent(name="Inner", model=ScriptedModel([RuntimeError("inner model down")]))
    as_tool = inner.as_tool("ask_inner", "Asks the inner agent.")
    called: list[ToolErrorFormatterArgs[Any]] = []
    model = ScriptedModel([
        [function_call("slow", {}, call_id="t"), function_call("ask_inner", {"input": "x"}, call_id="a")],
        [assistant_message("done")],
    ])
    await Runner.run(
        Agent(name="A", tools=[slow, as_tool], model=model), "go",
        run_config=_config(tracing, lambda args: called.append(args) or APPROVED),
    )
    outputs = {i.call_id: i.output for i in model.calls[-1].input if i.type == "function_call_output"}  # type: ignore[union-attr]
    assert outputs["t"] == "Tool 'slow' timed out after 0.01 seconds."
    assert outputs["a"] != APPROVED
    assert called == []


def test_the_args_keep_the_old_positional_constructor() -> None:
    context: RunContextWrapper[None] = RunContextWrapper(None)
    args = ToolErrorFormatterArgs("tool_not_found", "function", "missing", "call", "default", context)
    assert args.run_context is context and args.error is None
