"""The public surface: imports, tool schemas, span names and attributes, content capture, ScriptedModel."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from opentelemetry.trace import SpanKind
from support import Tracing

import agents_otel
from agents_otel import (
    Agent,
    AgentUpdatedStreamEvent,
    AssistantMessage,
    FunctionCall,
    FunctionCallOutput,
    RawResponsesStreamEvent,
    RunConfig,
    RunItemStreamEvent,
    Runner,
    StreamEvent,
    ToolContext,
    ToolProgressStreamEvent,
    UserError,
    UserMessage,
    function_tool,
)
from agents_otel.testing import ScriptedModel, assistant_message, function_call


def test_contract_names_are_exported() -> None:
    for name in [
        "Agent", "Runner", "RunConfig", "function_tool", "ToolContext", "StreamEvent", "ToolProgressStreamEvent",
        "RunItemStreamEvent", "RawResponsesStreamEvent", "AgentUpdatedStreamEvent", "Model",
    ]:  # fmt: skip
        assert name in agents_otel.__all__
        assert getattr(agents_otel, name) is not None
    assert set(agents_otel.__all__) <= set(dir(agents_otel))
    for name in agents_otel.__all__:
        assert getattr(agents_otel, name) is not None, name


def test_function_tool_schema_from_hints_and_docstring() -> None:
    @function_tool
    async def search(ctx: ToolContext, query: str, limit: int = 5, exact: bool | None = None) -> str:
        """Search the catalogue.

        Args:
            query: Words to look for.
            limit: At most this many results.
            exact: Match the whole phrase.
        """
        return ""

    assert search.name == "search"
    assert search.description == "Search the catalogue."
    schema = search.params_json_schema
    assert schema["required"] == ["query"]
    assert schema["properties"]["query"] == {"type": "string", "description": "Words to look for."}
    assert schema["properties"]["limit"]["default"] == 5
    assert schema["properties"]["limit"]["description"] == "At most this many results."
    assert schema["additionalProperties"] is False
    assert "ctx" not in schema["properties"]


def test_function_tool_options() -> None:
    @function_tool(name_override="lookup", description_override="Find things.", timeout=3)
    def plain(x: int) -> int:
        return x

    assert (plain.name, plain.description, plain.timeout) == ("lookup", "Find things.", 3)
    assert plain.spec.name == "lookup" and plain.spec.parameters["required"] == ["x"]


def test_function_tool_takes_varargs_as_the_sdk_does() -> None:
    # *args become a list argument (tests/compat/test_function_schema.py covers the rest).
    @function_tool
    def total(*things: int) -> int:
        return sum(things)

    assert total.params_json_schema["properties"]["things"]["type"] == "array"


async def test_sync_and_async_tools_without_context(tracing: Tracing) -> None:
    @function_tool
    def add(a: int, b: int) -> int:
        return a + b

    @function_tool
    async def shout(text: str) -> str:
        await asyncio.sleep(0)
        return text.upper()

    model = ScriptedModel(
        [
            [function_call("add", {"a": 2, "b": 3}, call_id="a"), function_call("shout", {"text": "hi"}, call_id="s")],
            [assistant_message("ok")],
        ]
    )
    await Runner.run(Agent(name="A", tools=[add, shout], model=model), "go", run_config=tracing.config)
    sent = {i.call_id: i.output for i in model.calls[1].input if isinstance(i, FunctionCallOutput)}
    assert sent == {"a": "5", "s": "HI"}


async def test_span_names_kinds_and_genai_attributes(tracing: Tracing) -> None:
    @function_tool
    async def weather(city: str) -> str:
        """Current weather for a city."""
        return "sunny"

    model = ScriptedModel([[function_call("weather", {"city": "Paris"}, call_id="w1")], [assistant_message("Sunny.")]])
    result = await Runner.run(Agent(name="Forecaster", tools=[weather], model=model), "go", run_config=tracing.config)

    (run_span,) = tracing.named("invoke_agent")
    assert run_span.name == "invoke_agent Forecaster" and run_span.kind is SpanKind.INTERNAL
    assert run_span.attributes["gen_ai.operation.name"] == "invoke_agent"
    assert run_span.attributes["gen_ai.agent.name"] == "Forecaster"
    assert format(run_span.context.trace_id, "032x") == result.trace_id

    chats = tracing.named("chat")
    assert [c.name for c in chats] == ["chat scripted", "chat scripted"]
    for chat in chats:
        assert chat.kind is SpanKind.CLIENT
        assert chat.parent is not None and chat.parent.span_id == run_span.context.span_id
        attributes = chat.attributes
        assert attributes["gen_ai.operation.name"] == "chat"
        assert attributes["gen_ai.provider.name"] == "scripted"
        assert attributes["gen_ai.request.model"] == "scripted"
        assert attributes["gen_ai.usage.input_tokens"] >= 1
        assert "gen_ai.input.messages" not in attributes  # content capture is off by default
    assert chats[0].attributes["gen_ai.response.finish_reasons"] == ("tool_call",)

    tool = tracing.tool_span("w1")
    assert tool.name == "execute_tool weather" and tool.kind is SpanKind.INTERNAL
    assert tool.parent is not None and tool.parent.span_id == run_span.context.span_id
    assert dict(tool.attributes) == {
        "gen_ai.operation.name": "execute_tool",
        "gen_ai.tool.name": "weather",
        "gen_ai.tool.call.id": "w1",
        "gen_ai.tool.type": "function",
        "gen_ai.tool.description": "Current weather for a city.",
        "gen_ai.agent.name": "Forecaster",
    }


@pytest.mark.parametrize("value", ["SPAN_ONLY", "span_and_event", "true"])
async def test_content_capture_is_opt_in(tracing: Tracing, monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", value)

    @function_tool
    async def echo(text: str) -> str:
        return f"echo {text}"

    model = ScriptedModel([[function_call("echo", {"text": "secret"}, call_id="e")], [assistant_message("done")]])
    await Runner.run(
        Agent(name="A", instructions="Be brief.", tools=[echo], model=model), "hi", run_config=tracing.config
    )
    tool = tracing.tool_span("e")
    assert json.loads(tool.attributes["gen_ai.tool.call.arguments"]) == {"text": "secret"}
    assert tool.attributes["gen_ai.tool.call.result"] == "echo secret"
    first_chat = tracing.named("chat")[0]
    assert json.loads(first_chat.attributes["gen_ai.input.messages"]) == [
        {"role": "user", "parts": [{"type": "text", "content": "hi"}]}
    ]
    assert json.loads(first_chat.attributes["gen_ai.system_instructions"]) == [{"type": "text", "content": "Be brief."}]
    assert "echo" in first_chat.attributes["gen_ai.tool.definitions"]


@pytest.mark.parametrize("value", ["", "NO_CONTENT", "false", "EVENT_ONLY"])
async def test_content_is_not_captured_unless_spans_are_asked_for(
    tracing: Tracing, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", value)

    @function_tool
    async def echo(text: str) -> str:
        return text

    model = ScriptedModel([[function_call("echo", {"text": "secret"}, call_id="e")], [assistant_message("done")]])
    await Runner.run(Agent(name="A", tools=[echo], model=model), "hi", run_config=tracing.config)
    for span in tracing.spans():
        assert "secret" not in json.dumps(dict(span.attributes or {}))


async def test_run_config_capture_content_overrides_env(tracing: Tracing, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "SPAN_ONLY")
    model = ScriptedModel([[assistant_message("done")]])
    config = RunConfig(tracer_provider=tracing.provider, capture_content=False)
    await Runner.run(Agent(name="A", model=model), "hi", run_config=config)
    assert "gen_ai.input.messages" not in tracing.named("chat")[0].attributes


async def test_scripted_model_records_history_across_turns(tracing: Tracing) -> None:
    @function_tool
    async def double(x: int) -> int:
        return 2 * x

    model = ScriptedModel([[function_call("double", {"x": 21}, call_id="d")], [assistant_message("It is 42.")]])
    result = await Runner.run(
        Agent(name="A", instructions="Math.", tools=[double], model=model), "double 21", run_config=tracing.config
    )
    assert result.final_output == "It is 42."
    first, second = model.calls
    assert first.system_instructions == "Math." and first.input == [UserMessage("double 21")]
    assert [t.name for t in first.tools] == ["double"]
    assert second.input == [
        UserMessage("double 21"),
        FunctionCall("double", '{"x": 21}', "d"),
        FunctionCallOutput("d", "42"),
    ]
    assert result.history == [*second.input, AssistantMessage("It is 42.")]


async def test_stream_event_kinds_and_text_deltas(tracing: Tracing) -> None:
    @function_tool
    async def noop(ctx: ToolContext) -> str:
        ctx.send_progress("working")
        return "ok"

    model = ScriptedModel([[function_call("noop", {}, call_id="n")], [assistant_message("Hello there, world.")]])
    agent = Agent(name="A", tools=[noop], model=model)
    result = Runner.run_streamed(agent, "go", run_config=tracing.config)
    events: list[StreamEvent] = [e async for e in result.stream_events()]
    assert isinstance(events[0], AgentUpdatedStreamEvent) and events[0].new_agent is agent
    deltas = [e.data.delta for e in events if isinstance(e, RawResponsesStreamEvent)]
    assert "".join(deltas) == "Hello there, world." and len(deltas) > 1
    assert all(e.data.type == "response.output_text.delta" for e in events if isinstance(e, RawResponsesStreamEvent))
    names = [e.name for e in events if isinstance(e, RunItemStreamEvent)]
    assert names == ["tool_called", "tool_output", "message_output_created"]
    assert [e.tool_call_id for e in events if isinstance(e, RunItemStreamEvent)][:2] == ["n", "n"]
    assert sum(isinstance(e, ToolProgressStreamEvent) for e in events) == 1
    assert result.final_output == "Hello there, world." and result.is_complete
    assert [i.type for i in result.new_items] == ["tool_call_item", "tool_call_output_item", "message_output_item"]


async def test_run_sync_inside_a_running_loop_is_a_user_error() -> None:
    with pytest.raises(UserError, match=r"await Runner\.run"):
        Runner.run_sync(Agent(name="A", model=ScriptedModel([[assistant_message("x")]])), "go")


def test_run_streamed_outside_a_loop_starts_when_iterated(tracing: Tracing) -> None:
    result = Runner.run_streamed(
        Agent(name="A", model=ScriptedModel([[assistant_message("later")]])), "go", run_config=tracing.config
    )

    async def consume() -> list[Any]:
        return [e async for e in result.stream_events()]

    events = asyncio.run(consume())
    assert result.final_output == "later" and events


async def test_user_context_reaches_tools(tracing: Tracing) -> None:
    @function_tool
    async def whoami(ctx: ToolContext[dict[str, str]]) -> str:
        return ctx.context["user"]

    model = ScriptedModel([[function_call("whoami", {}, call_id="w")], [assistant_message("ok")]])
    await Runner.run(
        Agent(name="A", tools=[whoami], model=model), "go", context={"user": "ada"}, run_config=tracing.config
    )
    assert {i.output for i in model.calls[1].input if isinstance(i, FunctionCallOutput)} == {"ada"}


async def test_streamed_result_knows_its_trace_id_from_the_first_event(tracing: Tracing) -> None:
    result = Runner.run_streamed(
        Agent(name="A", model=ScriptedModel([[assistant_message("x")]])), "go", run_config=tracing.config
    )
    seen_at_first_event = None
    async for _ in result.stream_events():
        if seen_at_first_event is None:
            seen_at_first_event = result.trace_id
    (run_span,) = tracing.named("invoke_agent")
    assert seen_at_first_event == result.trace_id == format(run_span.context.trace_id, "032x")
