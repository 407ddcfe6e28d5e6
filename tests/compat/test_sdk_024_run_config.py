"""SDK 0.24's run options: ``RunConfig.output_guardrail_blocked_message``, ``WebSearchTool``'s image search
settings, and ``MaxTurnsExceeded(message)``.

``output_guardrail_blocked_message`` (cases learnt from the SDK's test_run_config.py and the blocked-output tests of
test_agent_runner_streamed.py): when an output guardrail rejects a final output a tool produced
(``tool_use_behavior="stop_on_first_tool"``), the run keeps the call with a placeholder in place of the tool's output:
the session gets it (so a later run knows the tool ran), ``new_items`` and the error's ``run_data`` show it, the
error's guardrail result has it as ``agent_output`` and no ``output_info``, the turn's tool output guardrail results
report it. A string, or a synchronous formatter given only data-free facts; an empty string is a ``ValueError``, an
async formatter a ``TypeError``, and a formatter that returns ``None`` (or anything but a non-empty string) or raises
leaves the default text.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import openai
import pytest
from fake_openai.server import FakeOpenAIServer
from support import Tracing

from agents_otel import (
    Agent,
    GuardrailFunctionOutput,
    MaxTurnsExceeded,
    OpenAIResponsesModel,
    OutputGuardrail,
    OutputGuardrailBlockedMessageArgs,
    OutputGuardrailTripwireTriggered,
    RunConfig,
    RunContextWrapper,
    Runner,
    SQLiteSession,
    ToolCallOutputItem,
    ToolGuardrailFunctionOutput,
    ToolOutputGuardrailData,
    WebSearchTool,
    WebSearchToolImageSettings,
    function_tool,
    tool_output_guardrail,
)
from agents_otel.run_config import OUTPUT_GUARDRAIL_BLOCKED_TOOL_OUTPUT
from agents_otel.testing import ScriptedModel, assistant_message, function_call

SECRET = "blocked-secret"
INFO = "blocked-output-info"


# ---- RunConfig(output_guardrail_blocked_message=...) is checked when made ----------------------------------------


def test_a_string_or_a_sync_formatter_is_taken() -> None:
    def formatter(args: OutputGuardrailBlockedMessageArgs[Any]) -> str:
        return "custom"

    assert RunConfig(output_guardrail_blocked_message="custom").output_guardrail_blocked_message == "custom"
    assert RunConfig(output_guardrail_blocked_message=formatter).output_guardrail_blocked_message is formatter
    assert RunConfig().output_guardrail_blocked_message is None


def test_an_async_formatter_is_a_type_error() -> None:
    async def formatter(args: OutputGuardrailBlockedMessageArgs[Any]) -> str:
        return "custom"

    with pytest.raises(TypeError, match="output_guardrail_blocked_message formatter must be synchronous"):
        RunConfig(output_guardrail_blocked_message=formatter)  # type: ignore[arg-type]


class _Str(str):
    pass


@pytest.mark.parametrize(("value", "error"), [("", ValueError), (123, TypeError), (_Str("custom"), TypeError)])
def test_anything_else_is_refused(value: object, error: type[Exception]) -> None:
    with pytest.raises(error, match="output_guardrail_blocked_message"):
        RunConfig(output_guardrail_blocked_message=value)  # type: ignore[arg-type]


# ---- a rejected tool output is withheld ----------------------------------------------------------------------------


@tool_output_guardrail
def report_output(data: ToolOutputGuardrailData) -> ToolGuardrailFunctionOutput:
    return ToolGuardrailFunctionOutput.allow(output_info=data.output)  # quotes the output: withheld too


@function_tool(tool_output_guardrails=[report_output])
def secret_tool() -> str:
    """Returns a secret."""
    return SECRET


def reject(ctx: RunContextWrapper[Any], agent: Agent[Any], output: Any) -> GuardrailFunctionOutput:
    return GuardrailFunctionOutput(output_info={"why": INFO}, tripwire_triggered=True)


def _agent(model: ScriptedModel) -> Agent[Any]:
    return Agent(
        name="A",
        model=model,
        tools=[secret_tool],
        tool_use_behavior="stop_on_first_tool",
        output_guardrails=[OutputGuardrail(guardrail_function=reject, name="no_secrets")],
    )


async def _trip(agent: Agent[Any], session: SQLiteSession, config: RunConfig, streamed: bool) -> tuple[Any, Any]:
    """The tripwire error, and the streamed result (``None`` for ``Runner.run``)."""
    result: Any = None
    with pytest.raises(OutputGuardrailTripwireTriggered) as caught:
        if streamed:
            result = Runner.run_streamed(agent, "run", context={"user": 1}, session=session, run_config=config)
            async for _ in result.stream_events():
                pass
        else:
            await Runner.run(agent, "run", context={"user": 1}, session=session, run_config=config)
    return caught.value, result


@pytest.mark.parametrize("streamed", [False, True])
@pytest.mark.parametrize("configured", ["default", "fixed", "formatter"])
async def test_the_rejected_tool_output_is_withheld_from_what_the_run_keeps(streamed: bool, configured: str) -> None:
    seen: list[OutputGuardrailBlockedMessageArgs[Any]] = []

    def formatter(args: OutputGuardrailBlockedMessageArgs[Any]) -> str:
        seen.append(args)
        return "Résultat retenu."

    setting: Any = {"default": None, "fixed": "Withheld.", "formatter": formatter}[configured]
    placeholder = {"default": OUTPUT_GUARDRAIL_BLOCKED_TOOL_OUTPUT, "fixed": "Withheld.",
                   "formatter": "Résultat retenu."}[configured]
    model = ScriptedModel([[function_call("secret_tool", {}, call_id="call-secret")]])
    agent = _agent(model)
    session = SQLiteSession("blocked")
    config = RunConfig(output_guardrail_blocked_message=setting)
    error, streamed_result = await _trip(agent, session, config, streamed)

    assert error.guardrail_result.agent_output == placeholder
    assert error.guardrail_result.output.output_info is None
    assert error.guardrail_result.output.tripwire_triggered is True
    saved = await session.get_items()
    assert [i.get("type", "message") for i in saved] == ["message", "function_call", "function_call_output"]
    assert saved[-1] == {"type": "function_call_output", "call_id": "call-secret", "output": placeholder}
    assert SECRET not in json.dumps(saved) and INFO not in json.dumps(saved)
    assert error.run_data is not None
    outputs = [i for i in error.run_data.new_items if isinstance(i, ToolCallOutputItem)]
    assert [i.output for i in outputs] == [placeholder]
    assert [r.agent_output for r in error.run_data.output_guardrail_results] == [placeholder]
    assert [r.output.output_info for r in error.run_data.tool_output_guardrail_results] == [placeholder]
    if configured == "formatter":
        (args,) = seen
        assert vars(args).keys() == {"default_message", "guardrail_name", "agent", "run_context"}
        assert args.default_message == OUTPUT_GUARDRAIL_BLOCKED_TOOL_OUTPUT
        assert args.guardrail_name == "no_secrets" and args.agent is agent
        assert args.run_context.context == {"user": 1}
    if streamed_result is not None:
        assert [i.output for i in streamed_result.new_items if isinstance(i, ToolCallOutputItem)] == [placeholder]
        assert streamed_result.tool_output_guardrail_results[0].output.output_info == placeholder

    # the next run knows the tool ran, and reads the placeholder, never the output
    follow = Agent(name="A", model=ScriptedModel([[assistant_message("done")]]), tools=[secret_tool])
    again = await Runner.run(follow, "continue", session=session, run_config=config)
    assert again.final_output == "done"
    sent = json.dumps(again.to_input_list(), ensure_ascii=False)
    assert placeholder in sent and SECRET not in sent


@pytest.mark.parametrize("outcome", ["none", "empty", "not_a_string", "str_subclass", "awaitable", "raises", "cancel"])
async def test_a_formatter_that_gives_no_text_leaves_the_default(outcome: str) -> None:
    calls = 0

    def formatter(args: OutputGuardrailBlockedMessageArgs[Any]) -> Any:
        nonlocal calls
        calls += 1
        if outcome == "none":
            return None
        if outcome == "empty":
            return ""
        if outcome == "not_a_string":
            return 123
        if outcome == "str_subclass":
            return _Str("formatter-secret")
        if outcome == "awaitable":
            async def later() -> str:
                return "formatter-secret"

            return later()
        if outcome == "raises":
            raise RuntimeError("formatter-secret")
        raise asyncio.CancelledError("formatter-secret")

    model = ScriptedModel([[function_call("secret_tool", {}, call_id="call-secret")]])
    session = SQLiteSession("fallback")
    error, _ = await _trip(_agent(model), session, RunConfig(output_guardrail_blocked_message=formatter), False)
    assert calls == 1
    assert error.guardrail_result.agent_output == OUTPUT_GUARDRAIL_BLOCKED_TOOL_OUTPUT
    saved = await session.get_items()
    assert saved[-1]["output"] == OUTPUT_GUARDRAIL_BLOCKED_TOOL_OUTPUT
    assert "formatter-secret" not in json.dumps(saved) and SECRET not in json.dumps(saved)


async def test_a_rejected_message_answer_is_not_touched() -> None:
    """Only a tool's final output is withheld: a rejected message answer was never kept (unchanged)."""
    formatter_calls: list[Any] = []
    model = ScriptedModel([[assistant_message(SECRET)]])
    agent = Agent(name="A", model=model, output_guardrails=[OutputGuardrail(guardrail_function=reject)])
    session = SQLiteSession("message")
    config = RunConfig(output_guardrail_blocked_message=lambda args: formatter_calls.append(args) or "x")
    with pytest.raises(OutputGuardrailTripwireTriggered) as caught:
        await Runner.run(agent, "run", session=session, run_config=config)
    assert caught.value.guardrail_result.agent_output == SECRET
    assert caught.value.guardrail_result.output.output_info == {"why": INFO}
    assert formatter_calls == []
    assert [i.get("type", "message") for i in await session.get_items()] == ["message"]


# ---- WebSearchTool(search_content_types=..., image_settings=...) ----------------------------------------------------


async def test_web_search_image_results_are_sent_as_the_sdk_sends_them(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    fake_openai.enqueue(text="Done.")
    settings: WebSearchToolImageSettings = {"max_results": 3, "caption": True}
    tool = WebSearchTool(search_content_types=["text", "image"], image_settings=settings)
    agent = Agent("A", tools=[tool], model=OpenAIResponsesModel("gpt-test", openai_client=client))
    await Runner.run(agent, "go", run_config=tracing.config)
    body = fake_openai.last_request.body
    assert body["tools"] == [
        {
            "type": "web_search",
            "filters": None,
            "user_location": None,
            "search_context_size": "medium",
            "search_content_types": ["text", "image"],
            "image_settings": {"max_results": 3, "caption": True},
        }
    ]
    assert body["include"] == ["web_search_call.results"]  # image results arrive in the call's results


async def test_text_only_web_search_asks_for_no_results(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    fake_openai.enqueue(text="Done.")
    agent = Agent("A", tools=[WebSearchTool(search_content_types=["text"])],
                  model=OpenAIResponsesModel("gpt-test", openai_client=client))
    await Runner.run(agent, "go", run_config=tracing.config)
    body = fake_openai.last_request.body
    assert body["tools"][0]["search_content_types"] == ["text"] and "image_settings" not in body["tools"][0]
    assert "include" not in body


@pytest.mark.parametrize("bad", [{"search_content_types": ["video"]}, {"search_content_types": "image"},
                                 {"image_settings": ["max_results"]}])
def test_web_search_settings_are_checked_when_made(bad: dict[str, Any]) -> None:
    from agents_otel import UserError

    with pytest.raises(UserError, match="WebSearchTool"):
        WebSearchTool(**bad)


# ---- MaxTurnsExceeded ---------------------------------------------------------------------------------------------


def test_max_turns_exceeded_is_built_from_a_message_as_in_the_sdk() -> None:
    error = MaxTurnsExceeded("Max turns (4) exceeded")
    assert error.message == str(error) == "Max turns (4) exceeded" and error.max_turns is None
    ours = MaxTurnsExceeded(4)
    assert ours.message == "Max turns (4) exceeded" and ours.max_turns == 4
    with pytest.raises(TypeError):
        MaxTurnsExceeded(None)  # type: ignore[arg-type]
