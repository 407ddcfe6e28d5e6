"""Compatibility with the OpenAI Agents SDK 0.25.0's Responses ``tool_choice`` for a function named after a hosted
tool (#5639): ``tool_choice="web_search"`` (``mcp``, ``programmatic_tool_calling``, ...) forces the hosted tool when
the request offers one, and otherwise the function of that name the model can call directly. (A function named
like a hosted tool *beside* it stays a ``ToolNameCollisionError`` here, docs/migrating.md.)

Learnt from the SDK 0.25's ``Converter.convert_tool_choice`` / ``convert_tools`` and its tests
(``test_responses_tool_choice_with_hosted_name``); the requests are checked over the real wire (the official
``openai`` client talking HTTP to the local fake server).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import openai
import pytest
from fake_openai.server import FakeOpenAIServer

from agents_otel import (
    Agent,
    ModelSettings,
    OpenAIResponsesModel,
    ProgrammaticToolCallingTool,
    Runner,
    ToolSearchTool,
    WebSearchTool,
    function_tool,
    handoff,
    tool_namespace,
)


@pytest.fixture
async def model(fake_openai: FakeOpenAIServer) -> AsyncIterator[OpenAIResponsesModel]:
    async with openai.AsyncOpenAI(base_url=fake_openai.base_url, api_key="sk-test") as client:
        yield OpenAIResponsesModel("gpt-4.1", openai_client=client)


def named(name: str, **kwargs: Any) -> Any:
    return function_tool(lambda: "ok", name_override=name, **kwargs)


@pytest.mark.parametrize(("name", "with_hosted", "as_handoff", "expected"), [
    ("web_search", False, False, {"type": "function", "name": "web_search"}),
    ("web_search", True, False, {"type": "web_search"}),
    ("web_search_preview", True, False, {"type": "web_search_preview"}),
    ("web_search_preview", False, False, {"type": "function", "name": "web_search_preview"}),
    ("file_search", False, False, {"type": "function", "name": "file_search"}),
    ("mcp", False, True, {"type": "function", "name": "mcp"}),
    ("programmatic_tool_calling", False, False, {"type": "function", "name": "programmatic_tool_calling"}),
])  # fmt: skip
async def test_a_hosted_tool_choice_forces_the_function_of_that_name_when_no_hosted_tool_is_offered(
    fake_openai: FakeOpenAIServer,
    model: OpenAIResponsesModel,
    name: str,
    with_hosted: bool,
    as_handoff: bool,
    expected: dict[str, str],
) -> None:
    fake_openai.enqueue(text="done")
    tools: list[Any] = [named("lookup")]
    if not as_handoff and not with_hosted:  # ours: a function named like a hosted tool beside it is a collision
        tools.append(named(name))
    if with_hosted:
        tools.append(WebSearchTool())
    handoffs: list[Any] = [handoff(Agent("Target"), tool_name_override=name)] if as_handoff else []
    agent = Agent("A", model=model, tools=tools, handoffs=handoffs, model_settings=ModelSettings(tool_choice=name))
    await Runner.run(agent, "hi")
    body = fake_openai.last_request.body
    functions = {t["name"] for t in body["tools"] if t["type"] == "function"}
    assert functions == ({"lookup"} if with_hosted else {"lookup", name})
    assert any(t["type"] == "web_search" for t in body["tools"]) == with_hosted
    assert body["tool_choice"] == expected


@pytest.mark.parametrize("tools", [
    [named("web_search", defer_loading=True), ToolSearchTool()],
    tool_namespace(name="internal", description="Internal tools", tools=[named("web_search")]),
    [named("web_search", allowed_callers=["programmatic"]), ProgrammaticToolCallingTool()],
], ids=["deferred", "namespaced", "programmatic-only"])  # fmt: skip
async def test_a_function_the_model_cannot_call_directly_is_not_chosen(
    fake_openai: FakeOpenAIServer, model: OpenAIResponsesModel, tools: list[Any]
) -> None:
    fake_openai.enqueue(text="done")
    agent = Agent("A", model=model, tools=tools, model_settings=ModelSettings(tool_choice="web_search"))
    await Runner.run(agent, "hi")
    assert fake_openai.last_request.body["tool_choice"] == {"type": "web_search"}
