"""Compatibility: the OpenAI Agents SDK's hosted tools (``WebSearchTool``, ``FileSearchTool``, ``CodeInterpreterTool``,
``ImageGenerationTool``) on the Responses API, driven over the real wire: the official ``openai`` client talking HTTP
to the local OpenAI-compatible server, which records each request body and answers with scripted hosted call items.

What the SDK does and this runtime must do too: each tool becomes its ``tools`` entry field for field
(``file_search_call.results`` joins ``include`` when ``include_search_results``); a hosted call in the answer is a
``ToolCallItem`` whose ``raw_item`` is the ``openai`` object, streamed as ``tool_called``, with no output item; it goes
back to the model on the next turn exactly as it came; Chat Completions refuses hosted tools with ``UserError``
before sending anything.

Deliberate differences, asserted here: ``ToolCallItem.tool_name`` is the hosted tool's name (the SDK's is ``None``);
a function tool named like a hosted tool beside it is a ``ToolNameCollisionError``; an output item of a tool type
this runtime does not know is a ``ModelBehaviorError`` instead of being dropped.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import openai
import pytest
from fake_openai.server import FakeOpenAIServer
from openai.types.responses import ResponseFunctionWebSearch
from openai.types.responses.response_output_item import ImageGenerationCall
from openai.types.responses.web_search_tool import Filters as WebSearchToolFilters
from support import Tracing

from agents_otel import (
    Agent,
    CodeInterpreterTool,
    FileSearchTool,
    HostedToolCallItem,
    ImageGenerationTool,
    ModelBehaviorError,
    ModelRequest,
    ModelSettings,
    OpenAIChatCompletionsModel,
    OpenAIResponsesModel,
    RunConfig,
    RunItemStreamEvent,
    Runner,
    Tool,
    ToolCallIdentity,
    ToolCallItem,
    ToolCallOutputItem,
    UserError,
    WebSearchTool,
    function_tool,
)
from agents_otel.handoff_filters import remove_all_tools
from agents_otel.handoffs import HandoffInputData
from agents_otel.server import event_to_json
from agents_otel.tool_sources import ToolNameCollisionError

WEB_SEARCH_CALL = {
    "type": "web_search_call",
    "id": "ws_1",
    "status": "completed",
    "action": {"type": "search", "query": "weather in Paris"},
}



@function_tool
def lookup(city: str) -> str:
    """Look a city up."""
    return f"{city}: sunny"


def responses_agent(client: openai.AsyncOpenAI, tools: list[Tool], **kwargs: Any) -> Agent[Any]:
    return Agent("A", tools=tools, model=OpenAIResponsesModel("gpt-test", openai_client=client), **kwargs)


# ---- the request ---------------------------------------------------------------------------------------------------


async def test_each_hosted_tool_is_its_responses_tools_entry_after_the_functions(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    fake_openai.enqueue(text="Done.")
    tools: list[Tool] = [
        lookup,
        WebSearchTool(user_location={"type": "approximate", "city": "Paris"}, search_context_size="high"),
        FileSearchTool(vector_store_ids=["vs_1"], max_num_results=3, include_search_results=True),
        CodeInterpreterTool(tool_config={"type": "code_interpreter", "container": {"type": "auto"}}),
        ImageGenerationTool(tool_config={"type": "image_generation", "quality": "low"}),
    ]
    result = await Runner.run(responses_agent(client, tools), "go", run_config=tracing.config)
    assert result.final_output == "Done."
    body = fake_openai.last_request.body
    assert [t["type"] for t in body["tools"]] == [
        "function",
        "web_search",
        "file_search",
        "code_interpreter",
        "image_generation",
    ]
    assert body["tools"][1] == {
        "type": "web_search",
        "filters": None,
        "user_location": {"type": "approximate", "city": "Paris"},
        "search_context_size": "high",
    }
    assert body["tools"][2] == {"type": "file_search", "vector_store_ids": ["vs_1"], "max_num_results": 3}
    assert body["tools"][3] == {"type": "code_interpreter", "container": {"type": "auto"}}
    assert body["tools"][4] == {"type": "image_generation", "quality": "low"}
    assert body["include"] == ["file_search_call.results"]


async def test_include_joins_response_include_and_the_tools_without_duplicates(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    fake_openai.enqueue(text="Done.")
    settings = ModelSettings(response_include=["reasoning.encrypted_content", "file_search_call.results"])
    tool = FileSearchTool(vector_store_ids=["vs_1"], include_search_results=True)
    await Runner.run(responses_agent(client, [tool], model_settings=settings), "go", run_config=tracing.config)
    body = fake_openai.last_request.body
    assert body["include"] == ["file_search_call.results", "reasoning.encrypted_content"]
    assert body["tools"] == [{"type": "file_search", "vector_store_ids": ["vs_1"]}]  # 0 / None: API default


async def test_web_search_filters_and_external_access_as_the_sdk_sends_them(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    fake_openai.enqueue(text="Done.")
    tool = WebSearchTool(filters={"allowed_domains": ["example.com"]}, external_web_access=False)
    assert isinstance(tool.filters, WebSearchToolFilters)
    settings = ModelSettings(tool_choice="file_search")
    await Runner.run(responses_agent(client, [tool], model_settings=settings), "go", run_config=tracing.config)
    body = fake_openai.last_request.body
    assert body["tools"] == [
        {
            "type": "web_search",
            "filters": {"allowed_domains": ["example.com"]},
            "user_location": None,
            "search_context_size": "medium",
            "external_web_access": False,
        }
    ]
    assert body["tool_choice"] == {"type": "file_search"}  # a hosted tool's name forces it, as in the SDK
    assert "include" not in body


@pytest.mark.parametrize("choice", ["web_search", "code_interpreter", "image_generation"])
def test_tool_choice_naming_a_hosted_tool_forces_it(choice: str) -> None:
    model = OpenAIResponsesModel("gpt-test", openai_client=openai.AsyncOpenAI(api_key="unused"))
    request = ModelRequest(None, [], [], ModelSettings(tool_choice=choice), hosted_tools=[WebSearchTool()])
    assert model.request_params(request)["tool_choice"] == {"type": choice}


@pytest.mark.parametrize(
    "build",
    [
        lambda: FileSearchTool(vector_store_ids=["vs"], max_num_results=51),
        lambda: FileSearchTool(vector_store_ids=["vs"], max_num_results=True),
        lambda: FileSearchTool(vector_store_ids="vs"),  # type: ignore[arg-type]
        lambda: WebSearchTool(search_context_size="huge"),  # type: ignore[arg-type]
        lambda: CodeInterpreterTool(tool_config={"container": {"type": "auto"}}),  # type: ignore[typeddict-item]
        lambda: ImageGenerationTool(tool_config={"type": "code_interpreter"}),  # type: ignore[typeddict-item]
    ],
)
def test_a_hosted_tool_that_the_api_would_reject_fails_when_built(build: Any) -> None:
    with pytest.raises(UserError):
        build()


# ---- the answer ----------------------------------------------------------------------------------------------------


async def test_a_web_search_call_is_a_tool_call_item_and_goes_back_on_the_next_turn(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    fake_openai.enqueue(text="It is sunny in Paris.", hosted_calls=[WEB_SEARCH_CALL])
    agent = responses_agent(client, [WebSearchTool()])
    result = await Runner.run(agent, "Weather in Paris?", run_config=tracing.config)

    assert result.final_output == "It is sunny in Paris."
    assert [item.type for item in result.new_items] == ["tool_call_item", "message_output_item"]
    call = result.new_items[0]
    assert isinstance(call, ToolCallItem) and isinstance(call, HostedToolCallItem)
    assert not any(isinstance(i, ToolCallOutputItem) for i in result.new_items)  # the provider ran it
    assert isinstance(call.raw_item, ResponseFunctionWebSearch)
    assert call.raw_item.id == "ws_1" and call.raw_item.status == "completed"
    assert call.call_id == "ws_1" and call.tool_name == "web_search" and call.agent is agent
    assert json.loads(call.arguments) == {"action": WEB_SEARCH_CALL["action"]}
    assert call.to_input_item() == WEB_SEARCH_CALL

    follow_up = [*result.to_input_list(), {"role": "user", "content": "And tomorrow?"}]
    assert follow_up[1] == WEB_SEARCH_CALL
    fake_openai.enqueue(text="Rain.")
    await Runner.run(agent, follow_up, run_config=tracing.config)
    sent = fake_openai.last_request.body["input"]
    assert sent[1] == WEB_SEARCH_CALL  # exactly as the provider returned it


async def test_the_hosted_call_goes_back_within_the_run_too(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    """A turn with a hosted call and a function call: the next model call of the same run gets both back."""
    fake_openai.enqueue(hosted_calls=[WEB_SEARCH_CALL], tool_calls=[("lookup", {"city": "Paris"}, "c1")])
    fake_openai.enqueue(text="Sunny.")
    result = await Runner.run(
        responses_agent(client, [lookup, WebSearchTool()]), "Weather?", run_config=tracing.config
    )
    assert result.final_output == "Sunny."
    assert [i.type for i in result.new_items] == [
        "tool_call_item",
        "tool_call_item",
        "tool_call_output_item",
        "message_output_item",
    ]
    assert [getattr(i, "tool_name", None) for i in result.new_items[:3]] == ["web_search", "lookup", "lookup"]
    sent = fake_openai.last_request.body["input"]
    assert [i.get("type") for i in sent[1:]] == ["web_search_call", "function_call", "function_call_output"]
    assert sent[1] == WEB_SEARCH_CALL


@pytest.mark.parametrize("streamed", [False, True])
async def test_other_hosted_calls_become_tool_call_items_with_their_openai_objects(
    streamed: bool, fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    image = {"type": "image_generation_call", "id": "ig_1", "status": "completed", "result": "aGVsbG8="}
    search = {"type": "file_search_call", "id": "fs_1", "status": "completed", "queries": ["refund policy"]}
    code = {
        "type": "code_interpreter_call",
        "id": "ci_1",
        "status": "completed",
        "code": "print(1)",
        "container_id": "cntr_1",
        "outputs": [{"type": "logs", "logs": "1"}],
    }
    fake_openai.enqueue(text="Here.", hosted_calls=[search, code, image])
    tools: list[Tool] = [
        FileSearchTool(vector_store_ids=["vs_1"]),
        CodeInterpreterTool(tool_config={"type": "code_interpreter", "container": {"type": "auto"}}),
        ImageGenerationTool(tool_config={"type": "image_generation"}),
    ]
    agent = responses_agent(client, tools)
    if streamed:
        run = Runner.run_streamed(agent, "go", run_config=tracing.config)
        called = [e.item async for e in run.stream_events() if isinstance(e, RunItemStreamEvent)]
        items = run.new_items
        assert [i.type for i in called] == ["tool_call_item"] * 3 + ["message_output_item"]
    else:
        items = (await Runner.run(agent, "go", run_config=tracing.config)).new_items
    calls = [i for i in items if isinstance(i, HostedToolCallItem)]
    assert [c.tool_name for c in calls] == ["file_search", "code_interpreter", "image_generation"]
    assert [c.to_input_item() for c in calls] == [search, code, image]
    assert isinstance(calls[2].raw_item, ImageGenerationCall) and calls[2].raw_item.result == "aGVsbG8="
    assert json.loads(calls[1].arguments) == {"code": "print(1)", "container_id": "cntr_1"}


async def test_a_streamed_run_emits_tool_called_for_the_hosted_call_and_no_output_event(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    fake_openai.enqueue(text="Sunny.", hosted_calls=[WEB_SEARCH_CALL])
    run = Runner.run_streamed(responses_agent(client, [WebSearchTool()]), "Weather?", run_config=tracing.config)
    events = [e async for e in run.stream_events() if isinstance(e, RunItemStreamEvent)]
    assert [e.name for e in events] == ["tool_called", "message_output_created"]
    assert run.final_output == "Sunny."
    assert events[0].item.raw_item.type == "web_search_call"
    payload = event_to_json(events[0])  # what the SSE endpoint sends
    assert payload is not None
    assert payload["type"] == "tool_called" and payload["tool_call_id"] == "ws_1"
    assert payload["tool_name"] == "web_search" and json.loads(payload["arguments"])["action"]["query"]
    json.dumps(payload)


async def test_an_output_item_of_an_unknown_tool_type_is_an_error_not_dropped(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    action = {"type": "exec", "command": ["ls"], "env": {}}
    unknown = {"type": "local_shell_call", "id": "ls_1", "call_id": "c1", "status": "completed", "action": action}
    fake_openai.enqueue(text="Hi.", hosted_calls=[unknown])
    with pytest.raises(ModelBehaviorError, match="local_shell_call"):
        await Runner.run(responses_agent(client, [WebSearchTool()]), "go", run_config=tracing.config)


# ---- tracing -------------------------------------------------------------------------------------------------------


async def test_the_chat_span_records_each_hosted_call_and_the_item_links_to_it(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    fake_openai.enqueue(hosted_calls=[WEB_SEARCH_CALL], tool_calls=[("lookup", {"city": "Paris"}, "c1")])
    fake_openai.enqueue(text="Sunny.")
    config = RunConfig(tracer_provider=tracing.provider, capture_content=True)
    result = await Runner.run(responses_agent(client, [lookup, WebSearchTool()]), "Weather?", run_config=config)
    chat, second = tracing.named("chat")
    assert [s.name for s in tracing.named("execute_tool")] == ["execute_tool lookup"]  # the search ran at OpenAI
    assert [e.name for e in second.events] == []
    (event,) = [e for e in chat.events if e.name == "agents_otel.server_tool_call"]
    assert dict(event.attributes or {}) == {
        "gen_ai.tool.name": "web_search",
        "gen_ai.tool.call.id": "ws_1",
        "agents_otel.server_tool_call.type": "web_search_call",
        "agents_otel.server_tool_call.status": "completed",
    }
    part = {
        "type": "server_tool_call",
        "id": "ws_1",
        "name": "web_search",
        "server_tool_call": {k: v for k, v in WEB_SEARCH_CALL.items() if k != "id"},
    }
    output = json.loads(str((chat.attributes or {})["gen_ai.output.messages"]))
    assert output[0]["parts"][0] == part
    _schema("gen-ai-output-messages.json").validate(output)
    sent = json.loads(str((second.attributes or {})["gen_ai.input.messages"]))
    assert part in sent[1]["parts"]  # the next call's input shows the call it sent back
    _schema("gen-ai-input-messages.json").validate(sent)
    call = result.new_items[0]
    assert isinstance(call, HostedToolCallItem)
    assert call.span_id == format(chat.context.span_id, "016x")
    assert call.trace_id == format(chat.context.trace_id, "032x") == result.trace_id


def _schema(name: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((Path(__file__).parents[1] / "data" / "semconv_genai" / name).read_text())
    return jsonschema.Draft202012Validator(schema)


# ---- where hosted tools cannot go ----------------------------------------------------------------------------------


async def test_chat_completions_refuses_hosted_tools_before_sending(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    agent = Agent("A", tools=[lookup, WebSearchTool()], model=OpenAIChatCompletionsModel("m", openai_client=client))
    with pytest.raises(UserError, match="Hosted tools are not supported with the ChatCompletions API"):
        await Runner.run(agent, "go", run_config=tracing.config)
    assert fake_openai.requests == []


async def test_a_function_named_like_a_hosted_tool_beside_it_is_a_collision(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    @function_tool(name_override="web_search")
    def my_search(query: str) -> str:
        return query

    with pytest.raises(ToolNameCollisionError, match="web_search"):
        await Runner.run(responses_agent(client, [my_search, WebSearchTool()]), "go", run_config=tracing.config)
    with pytest.raises(ToolNameCollisionError, match="file_search"):
        tools: list[Tool] = [FileSearchTool(vector_store_ids=["a"]), FileSearchTool(vector_store_ids=["b"])]
        await Runner.run(responses_agent(client, tools), "go", run_config=tracing.config)
    assert fake_openai.requests == []


async def test_a_function_named_like_another_hosted_tool_works_beside_it(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    """Names collide only when equal: the function ``search`` and the hosted ``web_search`` are two tools."""

    @function_tool(name_override="search")
    def search(query: str) -> str:
        return f"local: {query}"

    fake_openai.enqueue(tool_calls=[("search", {"query": "x"}, "c1")], hosted_calls=[WEB_SEARCH_CALL])
    fake_openai.enqueue(text="Both.")
    agent = responses_agent(client, [search, WebSearchTool()])
    result = await Runner.run(agent, "go", run_config=tracing.config)
    assert result.final_output == "Both."
    outputs = [i for i in result.new_items if isinstance(i, ToolCallOutputItem)]
    assert [(o.tool_name, o.output) for o in outputs] == [("search", "local: x")]
    assert [t.name for t in await agent.get_all_tools()] == ["search", "web_search"]


async def test_a_tool_type_the_runtime_lacks_is_a_user_error(
    fake_openai: FakeOpenAIServer, client: openai.AsyncOpenAI, tracing: Tracing
) -> None:
    class ToolSearchTool:  # stands for an SDK tool class this runtime does not have
        name = "tool_search"

    agent = responses_agent(client, [ToolSearchTool()])  # type: ignore[list-item]
    with pytest.raises(UserError, match="ToolSearchTool is not a tool this runtime supports"):
        await Runner.run(agent, "go", run_config=tracing.config)
    assert fake_openai.requests == []


def test_remove_all_tools_drops_hosted_calls_as_the_sdks_filter_does() -> None:
    identity = ToolCallIdentity(tool_call_id="ws_1", tool_name="web_search", agent_name="A")
    call = HostedToolCallItem(call=identity, arguments="{}", data=WEB_SEARCH_CALL)
    history = (WEB_SEARCH_CALL, {"role": "user", "content": "hi"})
    filtered = remove_all_tools(HandoffInputData(input_history=history, pre_handoff_items=(call,), new_items=(call,)))
    assert filtered.input_history == ({"role": "user", "content": "hi"},)
    assert filtered.pre_handoff_items == () and filtered.new_items == ()
