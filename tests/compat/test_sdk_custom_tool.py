"""Compatibility: the OpenAI Agents SDK's ``CustomTool`` (one raw string input, optionally held to a grammar) and the
``custom_data_extractor`` of custom and function tools, over the real wire (official client <-> fake server).

What the SDK does and this runtime must do too: the tool is its ``{"type": "custom"}`` entry (``format``,
``defer_loading``, ``allowed_callers``); the model's ``custom_tool_call`` runs ``on_invoke_tool(ctx, input)`` and is
answered with a ``custom_tool_call_output`` (``str()`` of the result; an exception's message when it raises);
``needs_approval`` is asked with the raw input, ``on_approval`` decides at once; the extractor's JSON-safe mapping is
``ToolCallOutputItem.custom_data``, never sent to the model. Ours on top: the call is an ``execute_tool`` span with
the same ``tool_called`` / ``tool_output`` events as a function's, and a sync executor runs off the event loop.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import openai
import pytest
from fake_openai.server import FakeOpenAIServer
from support import Tracing, wire_model

from agents_otel import (
    Agent,
    CustomTool,
    CustomToolCustomDataContext,
    FunctionToolCustomDataContext,
    ModelBehaviorError,
    RunItemStreamEvent,
    Runner,
    ToolCallItem,
    ToolCallOutputItem,
    UserError,
    function_tool,
)
from agents_otel.tracing import attributes as A

GRAMMAR = {"type": "grammar", "syntax": "lark", "definition": 'start: "SELECT " /[a-z]+/'}


def call_item(raw_input: str, call_id: str = "ct_1", name: str = "sql") -> dict[str, Any]:
    return {"type": "custom_tool_call", "id": f"item_{call_id}", "call_id": call_id, "name": name, "input": raw_input}


def sql_tool(**kwargs: Any) -> CustomTool:
    def run_sql(ctx: Any, query: str) -> str:
        return f"ran {query!r} on {threading.current_thread().name}"

    return CustomTool("sql", "Run one SQL query.", run_sql, format=GRAMMAR, **kwargs)


def agent_with(client: openai.AsyncOpenAI, tools: list[Any], api: str = "responses") -> Agent[Any]:
    return Agent("A", tools=tools, model=wire_model(api, client))


async def test_a_custom_call_runs_the_executor_and_is_answered_with_a_custom_output(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    fake_openai.enqueue(hosted_calls=[call_item("SELECT users")])
    fake_openai.enqueue(text="Done.")
    result = await Runner.run(agent_with(client, [sql_tool()]), "count users", run_config=tracing.config)

    assert result.final_output == "Done."
    first, second = (r.body for r in fake_openai.requests_to("/v1/responses"))
    assert first["tools"] == [
        {"type": "custom", "name": "sql", "description": "Run one SQL query.", "format": GRAMMAR}
    ]
    assert second["input"][1] == call_item("SELECT users")  # the call goes back exactly as it came
    answer = second["input"][2]
    assert answer["type"] == "custom_tool_call_output" and answer["call_id"] == "ct_1"
    assert answer["output"].startswith("ran 'SELECT users' on agents_otel-tool")  # a sync executor: a pool thread

    called, output = result.new_items[0], result.new_items[1]
    assert isinstance(called, ToolCallItem) and called.tool_name == "sql" and called.arguments == "SELECT users"
    assert isinstance(output, ToolCallOutputItem) and output.output == answer["output"]
    assert result.to_input_list()[2] == answer

    span = tracing.tool_span("ct_1")
    assert span.name == "execute_tool sql"
    assert span.attributes is not None
    assert span.attributes[A.GEN_AI_TOOL_NAME] == "sql"
    assert span.attributes[A.GEN_AI_TOOL_TYPE] == "function"  # the conventions' value for a client-run tool
    assert output.span_id == format(span.context.span_id, "016x")


async def test_a_streamed_custom_call_reports_tool_called_and_tool_output(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    async def shout(ctx: Any, text: str) -> int:  # async, and not a string: the model reads str() of it
        return len(text)

    fake_openai.enqueue(hosted_calls=[call_item("hello", name="shout")])
    fake_openai.enqueue(text="5.")
    agent = agent_with(client, [CustomTool("shout", "Shout.", shout)])
    run = Runner.run_streamed(agent, "go", run_config=tracing.config)
    names = [e.name async for e in run.stream_events() if isinstance(e, RunItemStreamEvent)]
    assert names == ["tool_called", "tool_output", "message_output_created"]
    assert fake_openai.last_request.body["input"][2]["output"] == "5"
    assert "format" not in fake_openai.requests_to("/v1/responses")[0].body["tools"][0]


async def test_a_raising_executor_tells_the_model_its_message(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    def broken(ctx: Any, text: str) -> str:
        raise ValueError("no such table")

    fake_openai.enqueue(hosted_calls=[call_item("x", name="broken")])
    fake_openai.enqueue(text="Sorry.")
    result = await Runner.run(agent_with(client, [CustomTool("broken", "", broken)]), "go", run_config=tracing.config)
    assert result.final_output == "Sorry."
    assert fake_openai.last_request.body["input"][2]["output"] == "no such table"
    assert tracing.tool_span("ct_1").status.is_ok is False


async def test_needs_approval_is_asked_with_the_raw_input_and_pauses_the_run(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    asked: list[tuple[str, str]] = []

    def risky(ctx: Any, raw_input: str, call_id: str) -> bool:
        asked.append((raw_input, call_id))
        return "drop" in raw_input

    agent = agent_with(client, [sql_tool(needs_approval=risky)])
    fake_openai.enqueue(hosted_calls=[call_item("SELECT a", "c1"), call_item("drop b", "c2")])
    result = await Runner.run(agent, "go", run_config=tracing.config)
    assert asked == [("SELECT a", "c1"), ("drop b", "c2")]
    assert [i.call_id for i in result.interruptions] == ["c2"]
    assert result.interruptions[0].arguments == "drop b"

    state = result.to_state()
    state.reject(result.interruptions[0], rejection_message="Not allowed.")
    fake_openai.enqueue(text="Ok.")
    resumed = await Runner.run(agent, state, run_config=tracing.config)
    assert resumed.final_output == "Ok."
    sent = [i for i in fake_openai.last_request.body["input"] if i.get("type") == "custom_tool_call_output"]
    answers = [(i["call_id"], i["output"].split(" on ")[0]) for i in sent]
    assert answers == [("c1", "ran 'SELECT a'"), ("c2", "Not allowed.")]


@pytest.mark.parametrize("approve", [True, False])
async def test_on_approval_decides_a_gated_call_at_once(
    approve: bool, fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    seen: list[str] = []

    async def decide(ctx: Any, item: Any) -> dict[str, Any]:
        seen.append(item.arguments)
        return {"approve": True} if approve else {"approve": False, "reason": "Denied by policy."}

    fake_openai.enqueue(hosted_calls=[call_item("SELECT a")])
    fake_openai.enqueue(text="Ok.")
    agent = agent_with(client, [sql_tool(needs_approval=True, on_approval=decide)])
    result = await Runner.run(agent, "go", run_config=tracing.config)
    assert not result.interruptions and seen == ["SELECT a"]
    output = fake_openai.last_request.body["input"][2]["output"]
    assert output.startswith("ran 'SELECT a'") if approve else output == "Denied by policy."


async def test_on_approval_returning_no_decision_is_a_user_error(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    fake_openai.enqueue(hosted_calls=[call_item("SELECT a")])
    agent = agent_with(client, [sql_tool(needs_approval=True, on_approval=lambda ctx, item: True)])
    with pytest.raises(UserError, match="on_approval must return"):
        await Runner.run(agent, "go", run_config=tracing.config)


async def test_chat_completions_refuses_a_custom_tool_before_sending(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    with pytest.raises(UserError, match="only supported with OpenAI Responses"):
        await Runner.run(agent_with(client, [sql_tool()], api="chat"), "go", run_config=tracing.config)
    assert fake_openai.requests_to("/v1/chat/completions") == []


async def test_a_custom_call_to_an_unknown_tool_is_a_model_behavior_error(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    fake_openai.enqueue(hosted_calls=[call_item("x", name="nope")])
    with pytest.raises(ModelBehaviorError, match="nope"):
        await Runner.run(agent_with(client, [sql_tool()]), "go", run_config=tracing.config)


def test_the_tool_config_holds_defer_loading_and_allowed_callers_and_bad_settings_fail_when_built() -> None:
    tool = sql_tool(defer_loading=True, allowed_callers=["direct", "programmatic"])
    assert tool.type == "custom"
    assert tool.tool_config == {
        "type": "custom",
        "name": "sql",
        "description": "Run one SQL query.",
        "format": GRAMMAR,
        "defer_loading": True,
        "allowed_callers": ["direct", "programmatic"],
    }
    with pytest.raises(UserError, match="allowed_callers"):
        sql_tool(allowed_callers=["robot"])
    with pytest.raises(UserError, match="allowed_callers"):
        sql_tool(allowed_callers=[])
    with pytest.raises(UserError, match="needs_approval"):
        sql_tool(needs_approval="yes")
    with pytest.raises(UserError, match="on_invoke_tool"):
        CustomTool("x", "", "not callable")  # type: ignore[arg-type]
    with pytest.raises(UserError, match="format"):
        CustomTool("x", "", lambda c, i: i, format=42)


# ---- custom data extractors -----------------------------------------------------------------------------------


async def test_a_custom_tools_custom_data_is_on_its_output_item_and_never_sent(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    seen: list[CustomToolCustomDataContext] = []

    def extract(context: CustomToolCustomDataContext) -> dict[str, Any]:
        seen.append(context)
        return {"renderer": "table", "input": context.input}

    async def upper(ctx: Any, text: str) -> str:
        return text.upper()

    tool = CustomTool("upper", "", upper, custom_data_extractor=extract)
    fake_openai.enqueue(hosted_calls=[call_item("hello", name="upper")])
    fake_openai.enqueue(text="Ok.")
    run = Runner.run_streamed(agent_with(client, [tool]), "go", run_config=tracing.config)
    events = [e async for e in run.stream_events() if isinstance(e, RunItemStreamEvent)]
    streamed = [e.item for e in events if e.name == "tool_output"]
    assert isinstance(streamed[0], ToolCallOutputItem)
    assert streamed[0].custom_data == {"renderer": "table", "input": "hello"}  # already on the streamed item
    assert seen[0].tool is tool and seen[0].output == "HELLO"
    assert seen[0].raw_item == {"type": "custom_tool_call_output", "call_id": "ct_1", "output": "HELLO"}
    assert "renderer" not in json.dumps(fake_openai.last_request.body)
    assert "custom_data" not in json.dumps(run.to_input_list())


@pytest.mark.parametrize("streamed", [False, True])
async def test_a_function_tools_custom_data_is_on_its_output_item(
    streamed: bool, fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    def extract(context: FunctionToolCustomDataContext) -> dict[str, Any]:
        return {"call_id": context.raw_item["call_id"], "output": context.output, "tool": context.tool.name}

    @function_tool(custom_data_extractor=extract)
    def lookup(city: str) -> str:
        """Look a city up."""
        return f"{city}: sunny"

    fake_openai.enqueue(tool_calls=[("lookup", {"city": "Paris"}, "c1")])
    fake_openai.enqueue(text="Sunny.")
    agent = agent_with(client, [lookup])
    if streamed:
        run = Runner.run_streamed(agent, "go", run_config=tracing.config)
        async for _ in run.stream_events():
            pass
        items = run.new_items
    else:
        items = (await Runner.run(agent, "go", run_config=tracing.config)).new_items
    output = next(i for i in items if isinstance(i, ToolCallOutputItem))
    assert output.custom_data == {"call_id": "c1", "output": "Paris: sunny", "tool": "lookup"}
    assert "custom_data" not in json.dumps(fake_openai.last_request.body)


@pytest.mark.parametrize(
    ("returned", "message"),
    [
        ({"value": object()}, "JSON-compatible"),
        ({"value": float("nan")}, "JSON-compatible"),
        (["not", "a", "mapping"], "mapping"),
        ({1: "int key"}, "string keys"),
    ],
)
async def test_an_extractor_returning_bad_data_fails_the_run(
    returned: Any, message: str, fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    @function_tool(custom_data_extractor=lambda context: returned)
    def lookup(city: str) -> str:
        """Look a city up."""
        return city

    fake_openai.enqueue(tool_calls=[("lookup", {"city": "Paris"}, "c1")])
    with pytest.raises(UserError, match=message):
        await Runner.run(agent_with(client, [lookup]), "go", run_config=tracing.config)
    assert tracing.tool_span("c1").end_time is not None  # the call's span still ends


async def test_an_extractor_returning_none_or_nothing_leaves_custom_data_none(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    @function_tool(custom_data_extractor=lambda context: {})
    def lookup(city: str) -> str:
        """Look a city up."""
        return city

    fake_openai.enqueue(tool_calls=[("lookup", {"city": "Paris"}, "c1")])
    fake_openai.enqueue(text="Ok.")
    result = await Runner.run(agent_with(client, [lookup]), "go", run_config=tracing.config)
    output = next(i for i in result.new_items if isinstance(i, ToolCallOutputItem))
    assert output.custom_data is None
