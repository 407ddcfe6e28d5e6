"""Tool guardrails as the OpenAI Agents SDK pins them down: the three behaviours (allow, reject_content,
raise_exception) and their helpers, sync and async functions, the decorators and names, input guardrails before the
tool (a rejected call never runs and fires no hooks), output guardrails on what the call produced (its error text
included), first non-allow verdict wins, the results on the ``RunResult`` (streamed too), the tripwire errors. What
we add: each check is a ``guardrail {name}`` span under the call's ``execute_tool`` span, a rejection is named on
the tool span, a tripwire is a stream event, and a guardrail returning anything but a verdict is a ``UserError``."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from support import Tracing

from agents_otel import (
    Agent,
    FunctionCallOutput,
    FunctionTool,
    GuardrailTripwireStreamEvent,
    RunContextWrapper,
    RunHooks,
    Runner,
    ToolContext,
    ToolGuardrailFunctionOutput,
    ToolInputGuardrail,
    ToolInputGuardrailData,
    ToolInputGuardrailTripwireTriggered,
    ToolOutputGuardrail,
    ToolOutputGuardrailData,
    ToolOutputGuardrailTripwireTriggered,
    UserError,
    function_tool,
    tool_input_guardrail,
    tool_output_guardrail,
)
from agents_otel.testing import ScriptedModel, assistant_message, function_call

RAN: list[str] = []


@tool_input_guardrail
def no_passwords(data: ToolInputGuardrailData) -> ToolGuardrailFunctionOutput:
    args = json.loads(data.context.tool_arguments)
    if "password" in args.get("text", ""):
        return ToolGuardrailFunctionOutput.reject_content("Tool call blocked: contains password", {"word": "password"})
    return ToolGuardrailFunctionOutput.allow("safe_input")


@tool_input_guardrail(name="Halt on rm")
async def halt_on_rm(data: ToolInputGuardrailData) -> ToolGuardrailFunctionOutput:
    await asyncio.sleep(0)  # an async guardrail that really suspends
    if "rm -rf" in data.context.tool_arguments:
        return ToolGuardrailFunctionOutput.raise_exception({"reason": "destructive"})
    return ToolGuardrailFunctionOutput.allow()


@tool_output_guardrail
def no_ssn(data: ToolOutputGuardrailData) -> ToolGuardrailFunctionOutput:
    if "123-45-6789" in str(data.output):
        return ToolGuardrailFunctionOutput.raise_exception({"blocked_pattern": "SSN"})
    return ToolGuardrailFunctionOutput.allow("safe_output")


@tool_output_guardrail(name="redact secrets")
async def redact_secrets(data: ToolOutputGuardrailData) -> ToolGuardrailFunctionOutput:
    if "secret" in str(data.output):
        return ToolGuardrailFunctionOutput.reject_content("Content was filtered", {"reason": "sensitive"})
    return ToolGuardrailFunctionOutput.allow()


@function_tool(tool_input_guardrails=[no_passwords, halt_on_rm], tool_output_guardrails=[no_ssn, redact_secrets])
def echo(text: str) -> str:
    """Echo the text back."""
    RAN.append(text)
    return f"echo: {text}"


@pytest.fixture(autouse=True)
def _clear() -> None:
    RAN.clear()


def _agent(*texts: str, tool: FunctionTool = echo) -> tuple[Agent[Any], ScriptedModel]:
    calls = [function_call(tool.name, {"text": t}, call_id=f"call_{i}") for i, t in enumerate(texts)]
    model = ScriptedModel([calls, [assistant_message("done")]])
    return Agent("Worker", tools=[tool], model=model), model


def _outputs_sent(model: ScriptedModel) -> dict[str, str]:
    """The tool outputs the model read in its second call, by call id."""
    return {item.call_id: item.output for item in model.calls[1].input if isinstance(item, FunctionCallOutput)}


# ---- the verdicts and the decorators, on their own ---------------------------------------------------------------


def test_behaviour_helpers() -> None:
    assert ToolGuardrailFunctionOutput(output_info=None).behavior == {"type": "allow"}
    assert ToolGuardrailFunctionOutput.allow("i").behavior == {"type": "allow"}
    rejected = ToolGuardrailFunctionOutput.reject_content("no", output_info={"k": 1})
    assert rejected.behavior == {"type": "reject_content", "message": "no"} and rejected.output_info == {"k": 1}
    assert ToolGuardrailFunctionOutput.raise_exception("x").behavior == {"type": "raise_exception"}


def test_decorators_name_the_guardrails() -> None:
    assert isinstance(no_passwords, ToolInputGuardrail) and no_passwords.get_name() == "no_passwords"
    assert halt_on_rm.get_name() == "Halt on rm"
    assert isinstance(no_ssn, ToolOutputGuardrail) and no_ssn.get_name() == "no_ssn"
    assert ToolInputGuardrail(guardrail_function=lambda d: ToolGuardrailFunctionOutput.allow()).get_name() == (
        "<lambda>"
    )
    assert echo.tool_input_guardrails == [no_passwords, halt_on_rm]
    assert echo.tool_output_guardrails == [no_ssn, redact_secrets]


async def test_guardrails_run_on_their_own_sync_and_async() -> None:
    ctx = ToolContext(None, tool_name="echo", tool_call_id="c", tool_arguments='{"text": "my password"}')
    verdict = await no_passwords.run(ToolInputGuardrailData(context=ctx, agent=Agent("a")))
    assert verdict.behavior["type"] == "reject_content"
    verdict = await halt_on_rm.run(ToolInputGuardrailData(context=ctx, agent=Agent("a")))
    assert verdict.behavior["type"] == "allow"
    verdict = await redact_secrets.run(ToolOutputGuardrailData(context=ctx, agent=Agent("a"), output="a secret"))
    assert verdict.behavior == {"type": "reject_content", "message": "Content was filtered"}


async def test_a_guardrail_that_is_not_callable_or_returns_no_verdict_is_a_user_error() -> None:
    ctx = ToolContext(None, tool_name="echo", tool_call_id="c", tool_arguments="{}")
    with pytest.raises(UserError, match="callable"):
        await ToolInputGuardrail(guardrail_function="nope").run(  # type: ignore[arg-type]
            ToolInputGuardrailData(context=ctx, agent=Agent("a"))
        )
    bad = ToolOutputGuardrail(guardrail_function=lambda d: True, name="sloppy")  # type: ignore[arg-type,return-value]
    with pytest.raises(UserError, match="'sloppy' must return ToolGuardrailFunctionOutput"):
        await bad.run(ToolOutputGuardrailData(context=ctx, agent=Agent("a"), output="x"))
    odd = ToolOutputGuardrail(
        guardrail_function=lambda d: ToolGuardrailFunctionOutput(None, {"type": "maybe"}),  # type: ignore[typeddict-item]
        name="odd",
    )
    with pytest.raises(UserError, match="'odd' returned the behavior"):
        await odd.run(ToolOutputGuardrailData(context=ctx, agent=Agent("a"), output="x"))


def test_a_tool_given_something_else_than_guardrails_is_a_user_error() -> None:
    with pytest.raises(UserError, match="tool_input_guardrails must be a list of ToolInputGuardrail"):

        @function_tool(tool_input_guardrails=[lambda d: None])  # type: ignore[list-item]
        def f() -> str:
            return ""

    with pytest.raises(UserError, match="tool_output_guardrails must be a list of ToolOutputGuardrail"):

        @function_tool(tool_output_guardrails=[no_passwords])  # type: ignore[list-item]
        def g() -> str:
            return ""


def test_exception_messages_name_the_guardrail() -> None:
    output = ToolGuardrailFunctionOutput.raise_exception("info")
    error = ToolInputGuardrailTripwireTriggered(halt_on_rm, output)
    assert (error.guardrail, error.output) == (halt_on_rm, output)
    assert "ToolInputGuardrail" in str(error) and "Halt on rm" in str(error)
    assert "ToolOutputGuardrail" in str(ToolOutputGuardrailTripwireTriggered(no_ssn, output))


# ---- inside a run ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("streamed", [False, True])
async def test_allowed_calls_run_and_leave_results(streamed: bool) -> None:
    agent, model = _agent("hello")
    if streamed:
        result: Any = Runner.run_streamed(agent, "go")
        async for _ in result.stream_events():
            pass
    else:
        result = await Runner.run(agent, "go")
    assert result.final_output == "done" and RAN == ["hello"]
    assert [r.output.output_info for r in result.tool_input_guardrail_results] == ["safe_input", None]
    assert [r.guardrail for r in result.tool_input_guardrail_results] == [no_passwords, halt_on_rm]
    assert [r.output.output_info for r in result.tool_output_guardrail_results] == ["safe_output", None]
    assert _outputs_sent(model) == {"call_0": "echo: hello"}


async def test_input_rejection_answers_the_call_without_running_it_and_the_run_goes_on() -> None:
    agent, model = _agent("my password is x", "fine")
    result = await Runner.run(agent, "go")
    assert result.final_output == "done"
    assert RAN == ["fine"]  # the rejected call never ran
    sent = _outputs_sent(model)
    assert sent == {"call_0": "Tool call blocked: contains password", "call_1": "echo: fine"}
    outputs = {i.tool_call_id: i.output for i in result.new_items if i.type == "tool_call_output_item"}
    assert outputs["call_0"] == "Tool call blocked: contains password"
    # The first non-allow verdict decides: the second input guardrail never judged the rejected call.
    names = [r.guardrail.get_name() for r in result.tool_input_guardrail_results]
    assert names.count("no_passwords") == 2 and names.count("Halt on rm") == 1
    # Output guardrails judge what a tool produced; a rejected call produced nothing.
    assert len(result.tool_output_guardrail_results) == 2


async def test_output_rejection_replaces_what_the_model_reads() -> None:
    agent, model = _agent("the secret plan")
    result = await Runner.run(agent, "go")
    assert RAN == ["the secret plan"]  # it ran; its result was withheld
    assert _outputs_sent(model) == {"call_0": "Content was filtered"}
    (item,) = [i for i in result.new_items if i.type == "tool_call_output_item"]
    assert item.output == "Content was filtered" and not item.is_error


@pytest.mark.parametrize("streamed", [False, True])
async def test_input_tripwire_fails_the_run_before_the_tool_runs(streamed: bool, tracing: Tracing) -> None:
    agent, _ = _agent("rm -rf /")
    events: list[Any] = []
    with pytest.raises(ToolInputGuardrailTripwireTriggered) as caught:
        if streamed:
            result: Any = Runner.run_streamed(agent, "go", run_config=tracing.config)
            async for event in result.stream_events():
                events.append(event)
        else:
            await Runner.run(agent, "go", run_config=tracing.config)
    assert RAN == []
    assert caught.value.guardrail is halt_on_rm and caught.value.output.output_info == {"reason": "destructive"}
    if streamed:
        (tripwire,) = [e for e in events if isinstance(e, GuardrailTripwireStreamEvent)]
        assert (tripwire.guardrail_name, tripwire.guardrail_type, tripwire.agent_name) == (
            "Halt on rm",
            "tool_input",
            "Worker",
        )
        assert result.tool_input_guardrail_results[-1].guardrail is halt_on_rm
    tool = tracing.tool_span("call_0")
    assert tool.status.is_ok is False
    assert tool.attributes["error.type"] == "agents_otel.exceptions.ToolInputGuardrailTripwireTriggered"
    (check,) = [s for s in tracing.named("guardrail Halt on rm")]
    assert check.parent is not None and check.parent.span_id == tool.context.span_id
    assert check.attributes["agents_otel.guardrail.behavior"] == "raise_exception"
    assert check.attributes["agents_otel.guardrail.tripwire_triggered"] is True


async def test_output_tripwire_fails_the_run_after_the_tool_ran() -> None:
    agent, model = _agent("ssn 123-45-6789")
    with pytest.raises(ToolOutputGuardrailTripwireTriggered) as caught:
        await Runner.run(agent, "go")
    assert RAN == ["ssn 123-45-6789"]
    assert caught.value.guardrail is no_ssn and caught.value.output.output_info == {"blocked_pattern": "SSN"}
    assert len(model.calls) == 1  # the model never read it


async def test_a_failing_tool_s_error_text_is_judged_too() -> None:
    # The default failure message is a fixed sentence (SDK 0.23): an application's own wording that quotes the
    # exception is what a guardrail has to catch.
    @function_tool(tool_output_guardrails=[redact_secrets], failure_error_function=lambda ctx, exc: f"Error: {exc}")
    def leaky(text: str) -> str:
        """Fails, with a secret in its message."""
        raise RuntimeError(f"secret {text}")

    agent, model = _agent("token", tool=leaky)
    result = await Runner.run(agent, "go")
    assert _outputs_sent(model) == {"call_0": "Content was filtered"}
    assert [r.output.behavior["type"] for r in result.tool_output_guardrail_results] == ["reject_content"]


async def test_a_raising_guardrail_fails_the_run_with_its_own_exception() -> None:
    class Broken(Exception):
        pass

    @tool_input_guardrail
    def broken(data: ToolInputGuardrailData) -> ToolGuardrailFunctionOutput:
        raise Broken("guardrail bug")

    @function_tool(tool_input_guardrails=[broken])
    def plain(text: str) -> str:
        """Plain."""
        RAN.append(text)
        return text

    agent, _ = _agent("x", tool=plain)
    with pytest.raises(Broken):  # not told to the model as the tool's error, not wrapped
        await Runner.run(agent, "go")
    assert RAN == []


async def test_parallel_calls_each_judged_and_a_tripwire_cancels_the_siblings() -> None:
    release = asyncio.Event()
    started: list[str] = []

    @function_tool(tool_input_guardrails=[halt_on_rm])
    async def slow(text: str) -> str:
        """Waits until released."""
        started.append(text)
        await release.wait()
        return text

    agent, _ = _agent("a", "b", "rm -rf /", tool=slow)
    with pytest.raises(ToolInputGuardrailTripwireTriggered):
        await Runner.run(agent, "go")
    assert sorted(started) == ["a", "b"] and not release.is_set()  # the siblings were cancelled, not awaited


async def test_hooks_skip_a_rejected_call_and_see_the_judged_output() -> None:
    log: list[str] = []

    class Hooks(RunHooks[Any]):
        async def on_tool_start(self, context: RunContextWrapper[Any], agent: Agent[Any], tool: Any) -> None:
            log.append(f"start:{tool.name}")

        async def on_tool_end(self, context: RunContextWrapper[Any], agent: Agent[Any], tool: Any, result: Any) -> None:
            log.append(f"end:{result}")

    agent, _ = _agent("password!", "secret stuff", "ok")
    await Runner.run(agent, "go", hooks=Hooks())
    assert sorted(log) == sorted(["start:echo", "end:Content was filtered", "start:echo", "end:echo: ok"])


async def test_guardrails_see_the_call_and_the_agent(tracing: Tracing) -> None:
    seen: list[tuple[str, str, str, str]] = []

    @tool_input_guardrail
    def look(data: ToolInputGuardrailData) -> ToolGuardrailFunctionOutput:
        ctx = data.context
        seen.append((ctx.tool_name, ctx.tool_call_id, ctx.tool_arguments, data.agent.name))
        return ToolGuardrailFunctionOutput.allow()

    echo_seen = function_tool(lambda text: text, name_override="say", tool_input_guardrails=[look])
    agent, _ = _agent("hi", tool=echo_seen)
    await Runner.run(agent, "go", run_config=tracing.config)
    assert seen == [("say", "call_0", '{"text": "hi"}', "Worker")]
    (check,) = tracing.named("guardrail look")
    assert check.attributes["agents_otel.guardrail.type"] == "tool_input"
    assert check.attributes["gen_ai.tool.call.id"] == "call_0"
    assert check.parent is not None and check.parent.span_id == tracing.tool_span("call_0").context.span_id


async def test_a_rejection_is_named_on_the_tool_span(tracing: Tracing) -> None:
    agent, _ = _agent("password")
    await Runner.run(agent, "go", run_config=tracing.config)
    tool = tracing.tool_span("call_0")
    assert tool.attributes["agents_otel.tool.rejected_by"] == "no_passwords"
    assert tool.status.is_ok
    (check,) = tracing.named("guardrail no_passwords")
    assert check.attributes["agents_otel.guardrail.behavior"] == "reject_content"


async def test_guardrails_set_after_the_tool_was_made_are_used() -> None:
    @function_tool
    def later(text: str) -> str:
        """Guarded later, as SDK code does by assigning the field."""
        RAN.append(text)
        return text

    later.tool_input_guardrails = [no_passwords]
    agent, model = _agent("password", tool=later)
    await Runner.run(agent, "go")
    assert RAN == [] and _outputs_sent(model) == {"call_0": "Tool call blocked: contains password"}
