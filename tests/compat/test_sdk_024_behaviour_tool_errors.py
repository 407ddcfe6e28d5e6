"""SDK 0.23 "redact default tool failure details": the default failure message is a fixed sentence.

The exception's text (message, notes, cause) never reaches the model's input, the result's ``to_input_list()`` or
a session, streamed or not; a ``failure_error_function`` of the application's still receives the exception, and
``failure_error_function=None`` still fails the run. On purpose (docs/migrating.md), the operator keeps the
exception on the ``execute_tool`` span (``error.type`` and the ``exception`` event, through ``RunConfig(redact=)``),
as docs/operating.md says every span does.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from support import Tracing

from agents_otel import (
    Agent,
    RunConfig,
    Runner,
    SQLiteSession,
    ToolContext,
    UserError,
    default_tool_error_function,
    function_tool,
)
from agents_otel.testing import ScriptedModel, assistant_message, function_call

SECRET = "planted-private-tool-detail"
GENERIC = "An error occurred while running the tool."


def _raise_with_cause() -> str:
    try:
        raise RuntimeError(f"cause-{SECRET}")
    except RuntimeError as cause:
        error = ValueError(SECRET)
        error.add_note(f"note-{SECRET}")
        raise error from cause


@function_tool(name_override="leaky")
def leaky_sync() -> str:
    return _raise_with_cause()


@function_tool(name_override="leaky")
async def leaky_async() -> str:
    return _raise_with_cause()


def _told(model: ScriptedModel) -> list[str]:
    return [i.output for i in model.calls[-1].input if getattr(i, "type", None) == "function_call_output"]  # type: ignore[union-attr]


@pytest.mark.parametrize("streamed", [False, True])
@pytest.mark.parametrize("capture", [False, True])
@pytest.mark.parametrize("leaky", [leaky_sync, leaky_async])
async def test_the_default_failure_keeps_the_exception_out_of_the_model_input_and_the_session(
    tracing: Tracing, streamed: bool, capture: bool, leaky: Any
) -> None:
    model = ScriptedModel([[function_call("leaky", {}, call_id="c")], [assistant_message("recovered")]])
    agent = Agent(name="A", model=model, tools=[leaky])
    session = SQLiteSession("redaction")
    config = RunConfig(tracer_provider=tracing.provider, capture_content=capture)
    if streamed:
        result: Any = Runner.run_streamed(agent, "start", run_config=config, session=session)
        async for _ in result.stream_events():
            pass
    else:
        result = await Runner.run(agent, "start", run_config=config, session=session)
    assert result.final_output == "recovered"
    assert _told(model) == [GENERIC]
    assert SECRET not in repr(model.calls[-1].input)
    assert SECRET not in json.dumps(result.to_input_list(), default=str)
    assert SECRET not in json.dumps(await session.get_items(), default=str)
    span = tracing.tool_span("c")
    # What the span says the tool returned is what the model read; the exception is the operator's, on the span.
    assert SECRET not in str((span.attributes or {}).get("gen_ai.tool.call.result", ""))
    assert (span.attributes or {})["error.type"] == "ValueError"
    assert [e.name for e in span.events if e.name == "exception"] == ["exception"]


async def test_the_default_function_does_not_format_the_exception(tracing: Tracing) -> None:
    class Unprintable(Exception):
        def __str__(self) -> str:
            raise AssertionError("the default failure message must not format the exception")

    @function_tool
    async def odd() -> str:
        raise Unprintable()

    model = ScriptedModel([[function_call("odd", {}, call_id="o")], [assistant_message("recovered")]])
    result = await Runner.run(Agent(name="A", model=model, tools=[odd]), "go", run_config=tracing.config)
    assert result.final_output == "recovered" and _told(model) == [GENERIC]
    assert default_tool_error_function(None, Unprintable()) == GENERIC  # type: ignore[arg-type]


async def test_an_application_failure_function_still_gets_the_exception() -> None:
    seen: list[Exception] = []

    def approved(ctx: ToolContext[Any], error: Exception) -> str:
        seen.append(error)
        return "application-approved feedback"

    tool = function_tool(failure_error_function=approved, name_override="leaky")(_raise_with_cause)
    model = ScriptedModel([[function_call("leaky", {})], [assistant_message("recovered")]])
    await Runner.run(Agent(name="A", model=model, tools=[tool]), "go")
    assert _told(model) == ["application-approved feedback"]
    assert [str(e) for e in seen] == [SECRET]


async def test_the_explicit_default_and_none_policies_keep_their_meaning() -> None:
    explicit = function_tool(failure_error_function=default_tool_error_function, name_override="leaky")(
        _raise_with_cause
    )
    model = ScriptedModel([[function_call("leaky", {})], [assistant_message("recovered")]])
    await Runner.run(Agent(name="A", model=model, tools=[explicit]), "go")
    assert _told(model) == [GENERIC]

    strict = function_tool(failure_error_function=None, name_override="leaky")(_raise_with_cause)
    model = ScriptedModel([[function_call("leaky", {})], [assistant_message("never")]])
    with pytest.raises(UserError, match=SECRET) as caught:
        await Runner.run(Agent(name="A", model=model, tools=[strict]), "go")
    assert isinstance(caught.value.__cause__, ValueError)


async def test_a_failure_function_that_raises_falls_back_to_the_fixed_sentence() -> None:
    def broken(ctx: ToolContext[Any], error: Exception) -> str:
        raise LookupError("formatter broke")

    tool = function_tool(failure_error_function=broken, name_override="leaky")(_raise_with_cause)
    model = ScriptedModel([[function_call("leaky", {})], [assistant_message("recovered")]])
    await Runner.run(Agent(name="A", model=model, tools=[tool]), "go")
    assert _told(model) == [GENERIC]
